-- orscript.report.terminal: the cost review as plain text for a terminal.
--
-- Owns: layout (sections, aligned columns, wrapped prose) and optional ANSI colour.
-- Colour codes are added after padding so alignment never counts them. Does not
-- decide whether to colour: the caller passes opts.color (see report.want_color).
local F = require "orscript.report.format"

local concat, rep, format = table.concat, string.rep, string.format
local max, min = math.max, math.min

local M = {}

local ANSI = {
  bold = "\27[1m", dim = "\27[2m", red = "\27[31m", green = "\27[32m",
  yellow = "\27[33m", blue = "\27[34m", cyan = "\27[36m", reset = "\27[0m",
}

local function painter(on)
  if not on then return function(_, s) return s end end
  return function(style, s)
    local codes = {}
    for word in style:gmatch("%a+") do codes[#codes + 1] = ANSI[word] end
    return concat(codes) .. s .. ANSI.reset
  end
end

-- Terminal text must not carry control characters from the data (escape sequences
-- in a key name could restyle or clear the terminal).
local function clean(s)
  s = F.str(s)
  if not s then return nil end
  return F.plain(s, "?")
end

-- Renders rows (lists of cells) with column alignment `align` ("l"/"r" per column).
-- `style(row_index, col, text)` may colour an already padded cell. With `fit` (a
-- width), a first column that would make lines wider is cut to fit (figures never are).
local function table_lines(rows, align, indent, style, fit)
  local widths = {}
  for _, row in ipairs(rows) do
    for c, cell in ipairs(row) do widths[c] = max(widths[c] or 0, F.width(cell)) end
  end
  if fit and #widths > 1 and align[1] ~= "r" then
    local rest = F.width(indent) + 2 * (#widths - 1)
    for c = 2, #widths do rest = rest + widths[c] end
    if widths[1] + rest > fit then
      widths[1] = max(8, fit - rest)
      for _, row in ipairs(rows) do row[1] = F.truncate(row[1], widths[1]) end
    end
  end
  local out = {}
  for r, row in ipairs(rows) do
    local cells = {}
    for c, cell in ipairs(row) do
      local padded = align[c] == "r" and F.pad_left(cell, widths[c]) or F.pad_right(cell, widths[c])
      if c == #row and align[c] ~= "r" then padded = cell end -- no trailing spaces
      cells[c] = style and style(r, c, padded) or padded
    end
    out[#out + 1] = indent .. concat(cells, "  ")
  end
  return out
end

local function bar(value, top, width)
  if not value or not top or top <= 0 or value <= 0 then return "" end
  local eighths = math.floor(value / top * width * 8 + 0.5)
  local blocks = { "▏", "▎", "▍", "▌", "▋", "▊", "▉" }
  local s = rep("█", math.floor(eighths / 8))
  if eighths % 8 > 0 then s = s .. blocks[eighths % 8] end
  return s
end

function M.render(data, opts)
  opts = opts or {}
  local paint = painter(opts.color)
  local width, width_known = F.num(opts.width), true
  if not width then width, width_known = F.terminal_width() end
  local out = {}
  local function line(s) out[#out + 1] = s or "" end
  local function heading(s)
    line()
    line(paint("bold cyan", s:upper()))
  end
  local function prose(label, text, indent)
    text = clean(text)
    if not text then return end
    local lead = indent .. label
    local lines = F.wrap(text, max(20, width - F.width(lead)))
    for i, l in ipairs(lines) do
      if i == 1 then line(indent .. (label ~= "" and paint("dim", label) or "") .. l)
      else line(rep(" ", F.width(lead)) .. l) end
    end
  end

  -- Title block
  local title = clean(data.title) or "OpenRouter cost review"
  local account = clean(data.account)
  line(paint("bold", title .. (account and (" — " .. account) or "")))
  local meta = {}
  local window = clean(F.window_text(data.window))
  if window then meta[#meta + 1] = "Window: " .. window end
  if clean(data.generated_at) then meta[#meta + 1] = "Generated: " .. clean(data.generated_at) end
  if #meta > 0 then line(paint("dim", concat(meta, "   "))) end

  -- This month so far, projected and last month; the movers; recent spikes.
  local tm = data.this_month
  if type(tm) == "table" then
    local TM = require "orscript.report.month"
    heading("This month")
    for _, l in ipairs(table_lines(TM.summary_rows(tm), { "l", "r", "l" }, "  ",
      function(_, c, s) return c == 2 and paint("bold", s) or (c == 3 and paint("dim", s) or s) end)) do line(l) end
    local movers = TM.mover_rows(tm)
    if #movers > 0 then
      line()
      line("  " .. paint("dim", "Biggest movers against last month (projected)"))
      table.insert(movers, 1, TM.MOVER_HEADER)
      for _, l in ipairs(table_lines(movers, { "l", "r", "r", "r", "r" }, "  ",
        function(r, _, s) return r == 1 and paint("dim", s) or s end)) do line(clean(l)) end
    end
    local spikes = TM.spike_lines(tm)
    if #spikes > 0 then
      line()
      line("  " .. paint("dim", "Single-day spikes in the last two weeks"))
      for _, x in ipairs(spikes) do line("  - " .. clean(x)) end
    end
  end

  -- Baseline
  local b = F.list(data.baseline)
  heading("Baseline")
  for _, l in ipairs(table_lines({
    { "Spend", F.money(b.spend) },
    { "Tokens", F.count(b.tokens) },
    { "Requests", F.count(b.requests) },
    { "Blended rate", F.per_mtok(b.blended_per_mtok) },
    unpack(F.baseline_extra(b)),
  }, { "l", "r" }, "  ", function(_, c, s) return c == 2 and paint("bold", s) or s end)) do line(l) end

  -- Recommendations
  local recs = F.list(data.recommendations)
  if data.no_findings == true or #recs == 0 then
    heading("Recommendations")
    line("  " .. paint("bold green", "No changes recommended."))
    prose("", "Nothing in this window is worth changing: no expensive model lines, "
      .. "no component or caching opportunity and no key whose spend changed level "
      .. "crossed the review's thresholds.", "  ")
  else
    local total = F.total_impact(recs)
    line()
    line(paint("bold cyan", "RECOMMENDATIONS") .. paint("dim", format("  %d, ranked by monthly impact%s", #recs,
      total and ("; up to " .. F.money(total) .. "/month in all") or "")))
    local impacts = {}
    for i, r in ipairs(recs) do impacts[i] = F.impact_text(r) end
    local iw = 0
    for _, s in ipairs(impacts) do iw = max(iw, F.width(s)) end
    local rw = #tostring(#recs) + 1
    for i, r in ipairs(recs) do
      local rank = F.num(r.rank) and format("%d.", math.floor(r.rank)) or (i .. ".")
      local lead = " " .. F.pad_left(rank, rw) .. " " .. F.pad_left(impacts[i], iw) .. "  "
      local indent = rep(" ", rw + 2)
      local head = clean(r.title) or clean(r.kind) or "(untitled)"
      local lines = F.wrap(head, max(20, width - F.width(lead)))
      line(" " .. paint("bold", F.pad_left(rank, rw)) .. " " .. paint("bold green", F.pad_left(impacts[i], iw))
        .. "  " .. paint("bold", lines[1]))
      for j = 2, #lines do line(rep(" ", F.width(lead)) .. paint("bold", lines[j])) end
      prose("Target  ", r.target, indent)
      prose("Change  ", r.change, indent)
      prose("Risk    ", r.risk, indent)
      for j, w in ipairs(F.where_lines(r)) do prose(j == 1 and "Where   " or "        ", w, indent) end  -- --code
      local rows = F.figure_rows(r, function(label) return clean(label) or "" end)
      if #rows > 0 then
        for _, l in ipairs(table_lines(rows, { "l", "r" }, indent .. "  ",
          function(_, c, s) return c == 1 and paint("dim", s) or s end, width)) do line(l) end
      end
      -- The requests behind it, when the review sampled them (issue 14; orscript.report.samples).
      require("orscript.report.samples").terminal(r.samples, { line = line, prose = prose, table_lines = table_lines,
        paint = paint, clean = clean, indent = indent, width = width })
      if i < #recs then line() end
    end
  end

  local charts = F.list(data.charts)

  -- Spend by model
  local models = F.list(charts.spend_by_model)
  if #models > 0 then
    heading("Spend by model")
    local total, top = 0, 0
    for _, m in ipairs(models) do
      local v = F.num(m.value)
      if v then total, top = total + v, max(top, v) end
    end
    -- Fit the width: labels up to 44 columns and bars up to 24, both narrower when
    -- the terminal is (the figures are never cut).
    local labelw, moneyw = 8, 0
    for _, m in ipairs(models) do
      labelw = max(labelw, F.width(clean(m.label) or "?"))
      moneyw = max(moneyw, F.width(F.money(F.num(m.value))))
    end
    local room = width - 2 - 3 * 2 - moneyw - 6 -- indent, gaps, money, "100.0%"
    labelw = min(labelw, 44, max(12, room - 8))
    local barw = max(0, min(24, room - labelw))
    local rows = {}
    for _, m in ipairs(F.sorted_by_value(models)) do
      local v = F.num(m.value)
      rows[#rows + 1] = { F.truncate(clean(m.label) or "?", labelw), F.money(v),
        (v and total > 0) and F.percent(v / total) or F.MISSING, bar(v, top, barw) }
    end
    for _, l in ipairs(table_lines(rows, { "l", "r", "r", "l" }, "  ",
      function(_, c, s) return c == 4 and paint("blue", s) or s end)) do line(l) end
  end

  -- Weekly spend by key: the last weeks that fit, with change points listed.
  local wk = F.list(charts.weekly_by_key)
  local weeks, series = F.list(wk.weeks), F.list(wk.series)
  if #weeks > 0 and #series > 0 then
    heading("Weekly spend by key")
    local namew = 8
    for _, s in ipairs(series) do namew = min(28, max(namew, F.width(clean(s.name) or "?"))) end
    local colw = 6
    for _, s in ipairs(series) do
      for _, v in pairs(F.list(s.values)) do colw = max(colw, F.width(F.money0(v))) end
    end
    -- A sparkline of every week per key, then the last weeks that fit as figures.
    local trendw = max(5, #weeks)
    local fit = max(1, math.floor((width - 4 - namew - trendw) / (colw + 2)))
    local first = max(1, #weeks - fit + 1)
    local header = { "week of", "trend" }
    for w = first, #weeks do header[#header + 1] = F.short_date(clean(weeks[w]) or "") end
    local rows, align = { header }, { "l", "l" }
    for w = first, #weeks do align[#align + 1] = "r" end
    for _, s in ipairs(series) do
      local vals = F.list(s.values)
      local row = { F.truncate(clean(s.name) or "?", namew), F.sparkline(vals, #weeks) }
      for w = first, #weeks do row[#row + 1] = F.money0(vals[w]) end
      rows[#rows + 1] = row
    end
    for _, l in ipairs(table_lines(rows, align, "  ",
      function(r, _, s) return r == 1 and paint("dim", s) or s end)) do line(l) end
    if first > 1 then line(paint("dim", format("  (last %d of %d weeks)", #weeks - first + 1, #weeks))) end
    local markers = F.list(wk.markers)
    if #markers > 0 then
      line()
      line("  Change points:")
      for _, m in ipairs(markers) do
        prose("", format("%s, week of %s: %s", clean(m.series) or "?", clean(m.week) or "?",
          clean(m.label) or "level changed"), "    ◆ ")
      end
    end
  end

  -- Components: totals over the window, share of the positive total.
  local comp = F.list(charts.components)
  local cseries = F.list(comp.series)
  if #cseries > 0 then
    heading("Spend components")
    local totals, positive = {}, 0
    for i, s in ipairs(cseries) do
      local sum, any = 0, false
      local vals = F.list(s.values)
      local n = max(#F.list(comp.weeks), #vals)
      for w = 1, n do
        local v = F.num(vals[w])
        if v then sum, any = sum + v, true end
      end
      totals[i] = any and sum or nil
      if any and sum > 0 then positive = positive + sum end
    end
    local rows = {}
    for i, s in ipairs(cseries) do
      local t = totals[i]
      rows[#rows + 1] = { F.component_name(s), t and F.money(t) or "not used",
        (t and positive > 0) and F.percent(t / positive) or "" }
    end
    for _, l in ipairs(table_lines(rows, { "l", "r", "r" }, "  ",
      function(r, c, s)
        local t = totals[r]
        if c == 2 and t and t < 0 then return paint("green", s) end
        return s
      end)) do line(l) end
  end

  -- Checks: which ran, on what, and which found nothing.
  local crow = F.check_rows(data.checks)
  if #crow > 0 then
    heading("Checks")
    table.insert(crow, 1, { "check", "status", "scope", "findings" })
    for _, l in ipairs(table_lines(crow, { "l", "l", "l", "r" }, "  ",
      function(r, _, s) return r == 1 and paint("dim", s) or s end)) do line(l) end
  end

  -- Observations and warnings
  local obs = F.list(data.observations)
  if #obs > 0 then
    heading("Observations")
    for _, o in ipairs(obs) do
      if type(o) == "table" then
        prose("", clean(o.title) or "", "  • ")
        if clean(o.text) then prose("", o.text, "    ") end
      else
        prose("", o, "  • ")
      end
    end
  end
  local warnings = F.list(data.warnings)
  if #warnings > 0 then
    heading("Warnings")
    for _, w in ipairs(warnings) do
      local text = clean(w)
      if text then
        local lines = F.wrap(text, max(20, width - 4))
        line("  " .. paint("yellow", "! " .. lines[1]))
        for j = 2, #lines do line("    " .. paint("yellow", lines[j])) end
      end
    end
  end

  -- Verification script
  local script = F.str(data.verify_script)
  if script and opts.verify_script ~= false and script:find("%S") then
    heading("Verify next month")
    local widest = 0
    for l in (script:gsub("\n$", "") .. "\n"):gmatch("([^\n]*)\n") do widest = max(widest, F.width(l)) end
    if widest + 4 > width and width_known then
      -- Code cannot be wrapped without changing it: point to where it is whole.
      prose("", format("The script to re-run after the changes has lines up to %d columns wide, "
        .. "wider than this terminal (%d): widen the terminal, or write it to a file (the cost "
        .. "review's --verify-script FILE; it is also in the Markdown, HTML and JSON reports).",
        widest + 4, width), "  ")
    else
      line(paint("dim", "  Re-run this script after the changes to check each fix:"))
      line()
      for l in (script:gsub("\n$", "") .. "\n"):gmatch("([^\n]*)\n") do
        line(l == "" and "" or ("    " .. (l:gsub("[%z\1-\8\11-\31\127]", "?"))))
      end
    end
  end

  return concat(out, "\n") .. "\n"
end

return M
