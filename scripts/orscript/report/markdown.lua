-- orscript.report.markdown: the cost review as GitHub-flavoured Markdown.
--
-- Owns: headings, pipe tables and escaping of data text for Markdown (table pipes,
-- inline HTML, emphasis characters). Charts become tables; change points a list.
local F = require "orscript.report.format"

local concat, format, rep = table.concat, string.format, string.rep
local max = math.max

local M = {}

-- Escapes text for inline Markdown: no HTML, no emphasis or links, no table breaks.
local function esc(s)
  s = F.str(s)
  if not s then return F.MISSING end
  s = s:gsub("\r?\n", " ")
  s = F.plain(s, "")
  s = s:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;")
  s = s:gsub("([\\`*_%[%]|#])", "\\%1")
  return (s:gsub("\r?\n", " "))
end
M.escape = esc

local function tbl(out, header, align, rows)
  local seps = {}
  for i = 1, #header do seps[i] = align[i] == "r" and "---:" or "---" end
  out[#out + 1] = "| " .. concat(header, " | ") .. " |"
  out[#out + 1] = "|" .. concat(seps, "|") .. "|"
  for _, row in ipairs(rows) do out[#out + 1] = "| " .. concat(row, " | ") .. " |" end
  out[#out + 1] = ""
end

function M.render(data)
  local out = {}
  local function p(s) out[#out + 1] = s or "" end

  p("# " .. esc(data.title or "OpenRouter cost review"))
  p()
  local meta = {}
  if F.str(data.account) then meta[#meta + 1] = "**Account:** " .. esc(data.account) end
  local window = F.window_text(data.window)
  if window then meta[#meta + 1] = "**Window:** " .. esc(window) end
  if F.str(data.generated_at) then meta[#meta + 1] = "**Generated:** " .. esc(data.generated_at) end
  if #meta > 0 then p(concat(meta, " · ")); p() end

  local tm = data.this_month
  if type(tm) == "table" then
    local TM = require "orscript.report.month"
    p("## This month")
    p()
    local rows = {}
    for i, r in ipairs(TM.summary_rows(tm)) do rows[i] = { esc(r[1]), esc(r[2]), esc(r[3]) } end
    tbl(out, { "", "USD", "" }, { "l", "r", "l" }, rows)
    local movers = TM.mover_rows(tm)
    if #movers > 0 then
      p("Biggest movers against last month (projected):")
      p()
      for _, r in ipairs(movers) do for j = 1, #r do r[j] = esc(r[j]) end end
      tbl(out, TM.MOVER_HEADER, { "l", "r", "r", "r", "r" }, movers)
    end
    local spikes = TM.spike_lines(tm)
    if #spikes > 0 then
      p("Single-day spikes in the last two weeks:")
      p()
      for _, x in ipairs(spikes) do p("- " .. esc(x)) end
      p()
    end
  end

  local b = F.list(data.baseline)
  p("## Baseline")
  p()
  tbl(out, { "Spend", "Tokens", "Requests", "Blended $/Mtok" }, { "r", "r", "r", "r" },
    { { F.money(b.spend), F.count(b.tokens), F.count(b.requests), F.per_mtok(b.blended_per_mtok) } })
  for _, x in ipairs(F.baseline_extra(b)) do p("- **" .. esc(x[1]) .. ":** " .. esc(x[2])) end

  local recs = F.list(data.recommendations)
  p("## Recommendations")
  p()
  if data.no_findings == true or #recs == 0 then
    p("**No changes recommended.** Nothing in this window crossed the review's thresholds: "
      .. "no expensive model lines, no component or caching opportunity and no key whose "
      .. "spend changed level.")
    p()
  else
    local total = F.total_impact(recs)
    if total then p(format("Estimated savings if all are applied: **%s/month**.", F.money(total))); p() end
    local rows = {}
    for i, r in ipairs(recs) do
      rows[#rows + 1] = { tostring(F.num(r.rank) or i), F.impact_text(r, ""), esc(r.title), esc(r.target) }
    end
    tbl(out, { "#", "Monthly impact", "Recommendation", "Target" }, { "r", "r", "l", "l" }, rows)
    for i, r in ipairs(recs) do
      p(format("### %s. %s — %s", tostring(F.num(r.rank) or i), esc(r.title), F.impact_text(r, "/month")))
      p()
      if F.str(r.target) then p("- **Target:** " .. esc(r.target)) end
      if F.str(r.change) then p("- **Change:** " .. esc(r.change)) end
      if F.str(r.risk) then p("- **Risk:** " .. esc(r.risk)) end
      for _, w in ipairs(F.where_lines(r)) do p("- **Where:** `" .. (w:gsub("`", "'")) .. "`") end  -- --code (a code span: no escapes)
      if F.str(r.kind) then p("- **Kind:** `" .. (F.str(r.kind):gsub("`", "'")) .. "`") end
      p()
      local frows = F.figure_rows(r, esc)
      if #frows > 0 then tbl(out, { "Figure", "Value" }, { "l", "r" }, frows) end
      -- The requests behind it, when the review sampled them (issue 14; orscript.report.samples).
      require("orscript.report.samples").markdown(r.samples, out, esc, tbl)
    end
  end

  local charts = F.list(data.charts)
  local models = F.list(charts.spend_by_model)
  if #models > 0 then
    p("## Spend by model")
    p()
    local total = 0
    for _, m in ipairs(models) do total = total + (F.num(m.value) or 0) end
    local rows = {}
    for _, m in ipairs(models) do
      local v = F.num(m.value)
      rows[#rows + 1] = { esc(m.label), F.money(v), (v and total > 0) and F.percent(v / total) or F.MISSING }
    end
    tbl(out, { "Model", "Spend", "Share" }, { "l", "r", "r" }, rows)
  end

  local wk = F.list(charts.weekly_by_key)
  local weeks, series = F.list(wk.weeks), F.list(wk.series)
  if #weeks > 0 and #series > 0 then
    p("## Weekly spend by key")
    p()
    local header, align = { "Key" }, { "l" }
    for _, w in ipairs(weeks) do header[#header + 1] = esc(w); align[#align + 1] = "r" end
    local rows = {}
    for _, s in ipairs(series) do
      local row, vals = { esc(s.name) }, F.list(s.values)
      for w = 1, #weeks do row[#row + 1] = F.money(vals[w]) end
      rows[#rows + 1] = row
    end
    tbl(out, header, align, rows)
    local markers = F.list(wk.markers)
    if #markers > 0 then
      p("Change points:")
      p()
      for _, m in ipairs(markers) do
        p(format("- **%s**, week of %s: %s", esc(m.series), esc(m.week), esc(m.label or "level changed")))
      end
      p()
    end
  end

  local comp = F.list(charts.components)
  local cweeks, cseries = F.list(comp.weeks), F.list(comp.series)
  if #cseries > 0 then
    p("## Spend components")
    p()
    local header, align = { "Week" }, { "l" }
    for _, s in ipairs(cseries) do header[#header + 1] = esc(F.component_name(s)); align[#align + 1] = "r" end
    header[#header + 1] = "Total"; align[#align + 1] = "r"
    local n = #cweeks
    for _, s in ipairs(cseries) do n = max(n, #F.list(s.values)) end
    local rows = {}
    for w = 1, n do
      local row, total, any = { esc(cweeks[w] or ("#" .. w)) }, 0, false
      for _, s in ipairs(cseries) do
        local v = F.num(F.list(s.values)[w])
        row[#row + 1] = v and F.money(v) or "not used"
        if v then total, any = total + v, true end
      end
      row[#row + 1] = any and F.money(total) or F.MISSING
      rows[#rows + 1] = row
    end
    tbl(out, header, align, rows)
  end

  local crow = F.check_rows(data.checks)
  if #crow > 0 then
    p("## Checks")
    p()
    for _, r in ipairs(crow) do for j = 1, 4 do r[j] = esc(r[j]) end end
    tbl(out, { "Check", "Status", "Scope", "Findings" }, { "l", "l", "l", "r" }, crow)
    p()
  end

  local obs = F.list(data.observations)
  if #obs > 0 then
    p("## Observations")
    p()
    for _, o in ipairs(obs) do
      if type(o) == "table" then
        local text = F.str(o.text)
        p("- **" .. esc(o.title or "") .. "**" .. (text and (" — " .. esc(text)) or ""))
      else
        p("- " .. esc(o))
      end
    end
    p()
  end

  local warnings = F.list(data.warnings)
  if #warnings > 0 then
    p("## Warnings")
    p()
    for _, w in ipairs(warnings) do p("> ⚠ " .. esc(w)); p(">") end
    out[#out] = nil
    p()
  end

  local script = F.str(data.verify_script)
  if script and script:find("%S") then
    p("## Verify next month")
    p()
    p("Re-run this script after the changes to check each fix:")
    p()
    local longest = 2
    for run in script:gmatch("`+") do longest = max(longest, #run) end
    local fence = rep("`", longest + 1)
    p(fence .. "lua")
    p((script:gsub("\n$", "")))
    p(fence)
    p()
  end

  return (concat(out, "\n"):gsub("\n+$", "")) .. "\n"
end

return M
