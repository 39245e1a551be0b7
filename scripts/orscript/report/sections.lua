-- orscript.report.sections: the cost review's report as one ordered list of sections.
--
-- Owns: what the report shows and in which order, once for every format. Each section
-- has a render per format: terminal(T, data), markdown(D, data), html(H, data), where
-- T, D and H are the back-ends' writers (orscript.report.terminal, .markdown, .html:
-- page frame, escaping, tables, colour). A section that has nothing to show writes
-- nothing. Sections with `group` are wrapped together where a format groups them (the
-- HTML page puts the charts under one heading); `present(data)` says whether such a
-- section has anything to show. Add a section here and every format shows it.
local F = require "orscript.report.format"
local S = require "orscript.report.svg"

local concat, rep, format = table.concat, string.rep, string.format
local max, min = math.max, math.min

local function charts(data) return F.list(data.charts) end

-- ---------------------------------------------------------------------------------
-- The title block (the HTML page header is the back-end's frame)

local title = {
  name = "title",
  terminal = function(T, data)
    local paint, clean = T.paint, T.clean
    local text = clean(data.title) or "OpenRouter cost review"
    local account = clean(data.account)
    T.line(paint("bold", text .. (account and (" — " .. account) or "")))
    local meta = {}
    local window = clean(F.window_text(data.window))
    if window then meta[#meta + 1] = "Window: " .. window end
    if clean(data.generated_at) then meta[#meta + 1] = "Generated: " .. clean(data.generated_at) end
    if #meta > 0 then T.line(paint("dim", concat(meta, "   "))) end
  end,
  markdown = function(D, data)
    local p, esc = D.p, D.esc
    p("# " .. esc(data.title or "OpenRouter cost review"))
    p()
    local meta = {}
    if F.str(data.account) then meta[#meta + 1] = "**Account:** " .. esc(data.account) end
    local window = F.window_text(data.window)
    if window then meta[#meta + 1] = "**Window:** " .. esc(window) end
    if F.str(data.generated_at) then meta[#meta + 1] = "**Generated:** " .. esc(data.generated_at) end
    if #meta > 0 then p(concat(meta, " · ")); p() end
  end,
  html = function() end,
}

-- ---------------------------------------------------------------------------------
-- This month so far, projected and last month; the movers; recent spikes.

local this_month = {
  name = "this_month",
  terminal = function(T, data)
    local tm = data.this_month
    if type(tm) ~= "table" then return end
    local paint, clean, line = T.paint, T.clean, T.line
    local TM = require "orscript.report.month"
    T.heading("This month")
    for _, l in ipairs(T.table_lines(TM.summary_rows(tm), { "l", "r", "l" }, "  ",
      function(_, c, s) return c == 2 and paint("bold", s) or (c == 3 and paint("dim", s) or s) end)) do line(l) end
    local movers = TM.mover_rows(tm)
    if #movers > 0 then
      line()
      line("  " .. paint("dim", "Biggest movers against last month (projected)"))
      table.insert(movers, 1, TM.MOVER_HEADER)
      for _, l in ipairs(T.table_lines(movers, { "l", "r", "r", "r", "r" }, "  ",
        function(r, _, s) return r == 1 and paint("dim", s) or s end)) do line(clean(l)) end
    end
    local spikes = TM.spike_lines(tm)
    if #spikes > 0 then
      line()
      line("  " .. paint("dim", "Single-day spikes in the last two weeks"))
      for _, x in ipairs(spikes) do line("  - " .. clean(x)) end
    end
  end,
  markdown = function(D, data)
    local tm = data.this_month
    if type(tm) ~= "table" then return end
    local p, esc = D.p, D.esc
    local TM = require "orscript.report.month"
    p("## This month")
    p()
    local rows = {}
    for i, r in ipairs(TM.summary_rows(tm)) do rows[i] = { esc(r[1]), esc(r[2]), esc(r[3]) } end
    D.tbl({ "", "USD", "" }, { "l", "r", "l" }, rows)
    local movers = TM.mover_rows(tm)
    if #movers > 0 then
      p("Biggest movers against last month (projected):")
      p()
      for _, r in ipairs(movers) do for j = 1, #r do r[j] = esc(r[j]) end end
      D.tbl(TM.MOVER_HEADER, { "l", "r", "r", "r", "r" }, movers)
    end
    local spikes = TM.spike_lines(tm)
    if #spikes > 0 then
      p("Single-day spikes in the last two weeks:")
      p()
      for _, x in ipairs(spikes) do p("- " .. esc(x)) end
      p()
    end
  end,
  html = function(H, data)
    local tm = data.this_month
    if type(tm) ~= "table" then return end
    local p, esc = H.p, H.esc
    local TM = require "orscript.report.month"
    p('<section class="this-month" aria-label="This month"><div class="cards">')
    for _, r in ipairs(TM.summary_rows(tm)) do p(H.card(r[1], r[2], r[3])) end
    p("</div>")
    local movers = TM.mover_rows(tm)
    if #movers > 0 then
      p('<figure id="fig-movers"><h3>Biggest movers against last month</h3>'
        .. '<p class="caption">projected for the month, by key</p><table class="movers"><thead><tr>')
      for i, h in ipairs(TM.MOVER_HEADER) do p(format('<th%s>%s</th>', i > 1 and ' class="num"' or "", esc(h))) end
      p("</tr></thead><tbody>")
      for _, r in ipairs(movers) do
        local cells = {}
        for i, c in ipairs(r) do cells[i] = format('<td%s>%s</td>', i > 1 and ' class="num"' or "", esc(c)) end
        p("<tr>" .. concat(cells) .. "</tr>")
      end
      p("</tbody></table>")
      local spikes = TM.spike_lines(tm)
      if #spikes > 0 then
        p('<p class="caption">Single-day spikes in the last two weeks:</p><ul class="marks">')
        for _, x in ipairs(spikes) do p("<li>" .. esc(x) .. "</li>") end
        p("</ul>")
      end
      p("</figure>")
    end
    p("</section>")
  end,
}

-- ---------------------------------------------------------------------------------
-- Baseline: spend, tokens, requests, the blended rate (all traffic) and the extras.

local baseline = {
  name = "baseline",
  terminal = function(T, data)
    local b = F.list(data.baseline)
    T.heading("Baseline")
    for _, l in ipairs(T.table_lines({
      { "Spend", F.money(b.spend) },
      { "Tokens", F.count(b.tokens) },
      { "Requests", F.count(b.requests) },
      { "Blended rate", F.per_mtok(b.blended_per_mtok) },
      unpack(F.baseline_extra(b)),
    }, { "l", "r" }, "  ", function(_, c, s) return c == 2 and T.paint("bold", s) or s end)) do T.line(l) end
  end,
  markdown = function(D, data)
    local b = F.list(data.baseline)
    D.p("## Baseline")
    D.p()
    D.tbl({ "Spend", "Tokens", "Requests", "Blended $/Mtok" }, { "r", "r", "r", "r" },
      { { F.money(b.spend), F.count(b.tokens), F.count(b.requests), F.per_mtok(b.blended_per_mtok) } })
    for _, x in ipairs(F.baseline_extra(b)) do D.p("- **" .. D.esc(x[1]) .. ":** " .. D.esc(x[2])) end
  end,
  html = function(H, data)
    local p, card = H.p, H.card
    local b = F.list(data.baseline)
    local recs = F.list(data.recommendations)
    local none = data.no_findings == true or #recs == 0
    local total = F.total_impact(recs)
    p('<section class="baseline" aria-label="Baseline"><div class="cards">')
    local wlabel = type(data.window) == "table" and F.str(data.window.label)
    p(card("Spend", F.money(b.spend), wlabel))
    p(card("Tokens", F.compact(b.tokens), F.missing(b.tokens) and nil or F.count(b.tokens)))
    p(card("Requests", F.compact(b.requests), F.missing(b.requests) and nil or F.count(b.requests)))
    p(card("Blended rate", F.per_mtok(b.blended_per_mtok), "all traffic"))
    for _, x in ipairs(F.baseline_extra(b)) do p(card(x[1], x[2])) end
    if not none and total then
      local spend = F.num(b.spend)
      p(card("Potential savings", F.money0(total) .. "/mo",
        (spend and spend > 0) and (F.percent(total / spend) .. " of spend") or nil, "savings"))
    end
    p("</div></section>")
  end,
}

-- ---------------------------------------------------------------------------------
-- Recommendations, ranked by monthly impact (or the plain "nothing to change").

local kind_names = {
  expensive_model = "Expensive model", caching = "Caching", prompt = "Prompt trimming",
  prompt_trimming = "Prompt trimming", component = "Component", surcharge = "Surcharge",
  reasoning = "Reasoning", week_over_week = "Level change", level_change = "Level change",
}

local function kind_label(kind)
  kind = F.str(kind)
  if not kind then return nil end
  return kind_names[kind] or (kind:gsub("_", " "):gsub("^%l", string.upper))
end

-- One recommendation card: rank, title and kind, monthly impact, a bar of its share of the
-- total saving, target/change/risk and the supporting figures.
local function html_recommendation(H, r, i, total)
  local out, esc = H.out, H.esc
  local rank = math.floor(F.num(r.rank) or i)
  local impact = F.num(r.impact_usd)
  out[#out + 1] = format('<article class="rec" id="rec-%d">', math.floor(rank))
  out[#out + 1] = '<div class="rec-head">'
  out[#out + 1] = format('<div class="rank">%s</div>', esc(format("%d", rank)))
  local kind = kind_label(r.kind)
  out[#out + 1] = format('<div><h3>%s</h3>%s</div>', esc(F.str(r.title) or "(untitled)"),
    kind and ('<span class="kind">' .. esc(kind) .. "</span>") or "")
  out[#out + 1] = format('<div class="impact"><span class="amount">%s</span><span class="per">%s</span></div>',
    esc(F.money(impact)), r.one_off == true and "once, estimated" or "per month, estimated")
  out[#out + 1] = "</div>"
  if impact and total and total > 0 then
    out[#out + 1] = format('<div class="impact-bar" title="share of all estimated savings"><span style="width:%.1f%%"></span></div>',
      math.min(100, max(0, impact / total * 100)))
  end
  out[#out + 1] = '<div class="rec-body"><dl>'
  for _, f in ipairs({ { "Target", r.target }, { "Change", r.change }, { "Risk", r.risk } }) do
    if F.str(f[2]) then
      out[#out + 1] = format('<dt>%s</dt><dd%s>%s</dd>', f[1], f[1] == "Risk" and ' class="risk"' or "", esc(f[2]))
    end
  end
  local where = F.where_lines(r)  -- --code: the places in the source, best first
  if #where > 0 then
    local items = {}
    for _, w in ipairs(where) do items[#items + 1] = "<code>" .. esc(w) .. "</code>" end
    out[#out + 1] = '<dt>Where</dt><dd class="where" style="overflow-wrap:anywhere">' .. concat(items, "<br>")
      .. "</dd>"
  end
  out[#out + 1] = "</dl>"
  local figs = F.list(r.figures)
  if #figs > 0 then
    out[#out + 1] = '<table class="figures"><thead><tr><th>Supporting figure</th><th class="num">Value</th></tr></thead><tbody>'
    for _, row in ipairs(F.figure_rows(r, function(label) return F.str(label) or "" end)) do
      out[#out + 1] = format('<tr><td>%s</td><td class="num">%s</td></tr>', esc(row[1]), esc(row[2]))
    end
    out[#out + 1] = "</tbody></table>"
  else
    out[#out + 1] = "<div></div>"
  end
  out[#out + 1] = "</div>"
  -- The requests behind it, when the review sampled them (issue 14; orscript.report.samples).
  out[#out + 1] = require("orscript.report.samples").html(r.samples, esc)
  out[#out + 1] = "</article>"
end

local recommendations = {
  name = "recommendations",
  terminal = function(T, data)
    local paint, clean, line, prose, width = T.paint, T.clean, T.line, T.prose, T.width
    local recs = F.list(data.recommendations)
    if data.no_findings == true or #recs == 0 then
      T.heading("Recommendations")
      line("  " .. paint("bold green", "No changes recommended."))
      prose("", "Nothing in this window is worth changing: no expensive model lines, "
        .. "no component or caching opportunity and no key whose spend changed level "
        .. "crossed the review's thresholds.", "  ")
      return
    end
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
        for _, l in ipairs(T.table_lines(rows, { "l", "r" }, indent .. "  ",
          function(_, c, s) return c == 1 and paint("dim", s) or s end, width)) do line(l) end
      end
      -- The requests behind it, when the review sampled them (issue 14; orscript.report.samples).
      require("orscript.report.samples").terminal(r.samples, { line = line, prose = prose,
        table_lines = T.table_lines, paint = paint, clean = clean, indent = indent, width = width })
      if i < #recs then line() end
    end
  end,
  markdown = function(D, data)
    local p, esc = D.p, D.esc
    local recs = F.list(data.recommendations)
    p("## Recommendations")
    p()
    if data.no_findings == true or #recs == 0 then
      p("**No changes recommended.** Nothing in this window crossed the review's thresholds: "
        .. "no expensive model lines, no component or caching opportunity and no key whose "
        .. "spend changed level.")
      p()
      return
    end
    local total = F.total_impact(recs)
    if total then p(format("Estimated savings if all are applied: **%s/month**.", F.money(total))); p() end
    local rows = {}
    for i, r in ipairs(recs) do
      rows[#rows + 1] = { tostring(F.num(r.rank) or i), F.impact_text(r, ""), esc(r.title), esc(r.target) }
    end
    D.tbl({ "#", "Monthly impact", "Recommendation", "Target" }, { "r", "r", "l", "l" }, rows)
    for i, r in ipairs(recs) do
      p(format("### %s. %s — %s", tostring(F.num(r.rank) or i), esc(r.title), F.impact_text(r, "/month")))
      p()
      if F.str(r.target) then p("- **Target:** " .. esc(r.target)) end
      if F.str(r.change) then p("- **Change:** " .. esc(r.change)) end
      if F.str(r.risk) then p("- **Risk:** " .. esc(r.risk)) end
      -- --code (a code span: no escapes)
      for _, w in ipairs(F.where_lines(r)) do p("- **Where:** `" .. (w:gsub("`", "'")) .. "`") end
      if F.str(r.kind) then p("- **Kind:** `" .. (F.str(r.kind):gsub("`", "'")) .. "`") end
      p()
      local frows = F.figure_rows(r, esc)
      if #frows > 0 then D.tbl({ "Figure", "Value" }, { "l", "r" }, frows) end
      -- The requests behind it, when the review sampled them (issue 14; orscript.report.samples).
      require("orscript.report.samples").markdown(r.samples, D.out, esc, D.tbl_into)
    end
  end,
  html = function(H, data)
    local p = H.p
    local recs = F.list(data.recommendations)
    local none = data.no_findings == true or #recs == 0
    p('<section class="recs">')
    if none then
      p("<h2>Recommendations</h2>")
      p('<div class="banner" role="status"><strong>No changes recommended.</strong>'
        .. "Nothing in this window crossed the review's thresholds: no expensive model lines, no component "
        .. "or caching opportunity and no key whose spend changed level. The account looks healthy.</div>")
    else
      local total = F.total_impact(recs)
      p(format('<h2>Recommendations<span class="count">%d, ranked by monthly impact</span></h2>', #recs))
      for i, r in ipairs(recs) do html_recommendation(H, r, i, total) end
    end
    p("</section>")
  end,
}

-- ---------------------------------------------------------------------------------
-- Charts: spend by model, weekly spend by key, spend components.

local spend_by_model = {
  name = "spend_by_model", group = "charts",
  present = function(data) return #F.list(charts(data).spend_by_model) > 0 end,
  terminal = function(T, data)
    local models = F.list(charts(data).spend_by_model)
    if #models == 0 then return end
    local clean = T.clean
    T.heading("Spend by model")
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
    local room = T.width - 2 - 3 * 2 - moneyw - 6 -- indent, gaps, money, "100.0%"
    labelw = min(labelw, 44, max(12, room - 8))
    local barw = max(0, min(24, room - labelw))
    local rows = {}
    for _, m in ipairs(F.sorted_by_value(models)) do
      local v = F.num(m.value)
      rows[#rows + 1] = { F.truncate(clean(m.label) or "?", labelw), F.money(v),
        (v and total > 0) and F.percent(v / total) or F.MISSING, T.bar(v, top, barw) }
    end
    for _, l in ipairs(T.table_lines(rows, { "l", "r", "r", "l" }, "  ",
      function(_, c, s) return c == 4 and T.paint("blue", s) or s end)) do T.line(l) end
  end,
  markdown = function(D, data)
    local models = F.list(charts(data).spend_by_model)
    if #models == 0 then return end
    D.p("## Spend by model")
    D.p()
    local total = 0
    for _, m in ipairs(models) do total = total + (F.num(m.value) or 0) end
    local rows = {}
    for _, m in ipairs(models) do
      local v = F.num(m.value)
      rows[#rows + 1] = { D.esc(m.label), F.money(v), (v and total > 0) and F.percent(v / total) or F.MISSING }
    end
    D.tbl({ "Model", "Spend", "Share" }, { "l", "r", "r" }, rows)
  end,
  html = function(H, data)
    local models = F.list(charts(data).spend_by_model)
    if #models == 0 then return end
    local p, esc = H.p, H.esc
    local wlabel = type(data.window) == "table" and F.str(data.window.label)
    p('<figure id="fig-models"><h3>Spend by model</h3>')
    p('<p class="caption">' .. esc((wlabel and (wlabel .. ", ") or "") .. "share of total spend in grey") .. "</p>")
    p(S.bars(models, { id = "chart-models" }))
    p("</figure>")
  end,
}

local function weekly(data)
  local wk = F.list(charts(data).weekly_by_key)
  return wk, F.list(wk.weeks), F.list(wk.series)
end

local weekly_by_key = {
  name = "weekly_by_key", group = "charts",
  present = function(data)
    local _, weeks, series = weekly(data)
    return #weeks > 0 and #series > 0
  end,
  -- The last weeks that fit, with change points listed.
  terminal = function(T, data)
    local wk, weeks, series = weekly(data)
    if #weeks == 0 or #series == 0 then return end
    local paint, clean, line = T.paint, T.clean, T.line
    T.heading("Weekly spend by key")
    local namew = 8
    for _, s in ipairs(series) do namew = min(28, max(namew, F.width(clean(s.name) or "?"))) end
    local colw = 6
    for _, s in ipairs(series) do
      for _, v in pairs(F.list(s.values)) do colw = max(colw, F.width(F.money0(v))) end
    end
    -- A sparkline of every week per key, then the last weeks that fit as figures.
    local trendw = max(5, #weeks)
    local fit = max(1, math.floor((T.width - 4 - namew - trendw) / (colw + 2)))
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
    for _, l in ipairs(T.table_lines(rows, align, "  ",
      function(r, _, s) return r == 1 and paint("dim", s) or s end)) do line(l) end
    if first > 1 then line(paint("dim", format("  (last %d of %d weeks)", #weeks - first + 1, #weeks))) end
    local markers = F.list(wk.markers)
    if #markers > 0 then
      line()
      line("  Change points:")
      for _, m in ipairs(markers) do
        T.prose("", format("%s, week of %s: %s", clean(m.series) or "?", clean(m.week) or "?",
          clean(m.label) or "level changed"), "    ◆ ")
      end
    end
  end,
  markdown = function(D, data)
    local wk, weeks, series = weekly(data)
    if #weeks == 0 or #series == 0 then return end
    local p, esc = D.p, D.esc
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
    D.tbl(header, align, rows)
    local markers = F.list(wk.markers)
    if #markers > 0 then
      p("Change points:")
      p()
      for _, m in ipairs(markers) do
        p(format("- **%s**, week of %s: %s", esc(m.series), esc(m.week), esc(m.label or "level changed")))
      end
      p()
    end
  end,
  html = function(H, data)
    local wk, weeks, series = weekly(data)
    if #weeks == 0 or #series == 0 then return end
    local p, esc = H.p, H.esc
    local markers = F.list(wk.markers)
    local svg, drawn, log = S.lines(weeks, series, markers, { id = "chart-weekly", log = "auto" })
    p('<figure id="fig-weekly"><h3>Weekly spend by key</h3>')
    p('<p class="caption">' .. esc(format("%d weeks", #weeks)
      .. (log and "; log scale, so that smaller keys are not flattened under the largest" or "")
      .. (drawn > 0 and "; dashed lines mark the week a key's spend changed level" or "")) .. "</p>")
    p(svg)
    local items = {}
    for i, s in ipairs(series) do
      items[#items + 1] = { label = F.str(s.name) or "?", background = S.color(i), line = true }
    end
    p(H.legend(items))
    if #markers > 0 then
      p('<ul class="marks">')
      local index = {}
      for i, s in ipairs(series) do index[F.str(s.name) or ""] = i end
      for _, m in ipairs(markers) do
        local si = index[F.str(m.series) or ""]
        p(format('<li><span class="dia" style="background:%s"></span><b>%s</b>, week of %s: %s</li>',
          si and S.color(si) or "#52606d", esc(m.series or "?"), esc(m.week or "?"), esc(m.label or "level changed")))
      end
      p("</ul>")
    end
    p("</figure>")
  end,
}

-- The window total of each component series (nil when never used) and their positive sum.
local function component_totals(comp, cseries, over_weeks)
  local totals, positive = {}, 0
  for i, s in ipairs(cseries) do
    local sum, any = 0, false
    local vals = F.list(s.values)
    if over_weeks then
      local n = max(#F.list(comp.weeks), #vals)
      for w = 1, n do
        local v = F.num(vals[w])
        if v then sum, any = sum + v, true end
      end
    else
      for _, v in pairs(vals) do
        v = F.num(v)
        if v then sum, any = sum + v, true end
      end
    end
    totals[i] = any and sum or nil
    if any and sum > 0 then positive = positive + sum end
  end
  return totals, positive
end

local components = {
  name = "components", group = "charts",
  present = function(data) return #F.list(F.list(charts(data).components).series) > 0 end,
  -- Totals over the window, share of the positive total.
  terminal = function(T, data)
    local comp = F.list(charts(data).components)
    local cseries = F.list(comp.series)
    if #cseries == 0 then return end
    T.heading("Spend components")
    local totals, positive = component_totals(comp, cseries, true)
    local rows = {}
    for i, s in ipairs(cseries) do
      local t = totals[i]
      rows[#rows + 1] = { F.component_name(s), t and F.money(t) or "not used",
        (t and positive > 0) and F.percent(t / positive) or "" }
    end
    for _, l in ipairs(T.table_lines(rows, { "l", "r", "r" }, "  ",
      function(r, c, s)
        local t = totals[r]
        if c == 2 and t and t < 0 then return T.paint("green", s) end
        return s
      end)) do T.line(l) end
  end,
  markdown = function(D, data)
    local comp = F.list(charts(data).components)
    local cweeks, cseries = F.list(comp.weeks), F.list(comp.series)
    if #cseries == 0 then return end
    local esc = D.esc
    D.p("## Spend components")
    D.p()
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
    D.tbl(header, align, rows)
  end,
  html = function(H, data)
    local comp = F.list(charts(data).components)
    local cseries = F.list(comp.series)
    if #cseries == 0 then return end
    local p, esc = H.p, H.esc
    local cweeks = F.list(comp.weeks)
    p('<figure id="fig-components"><h3>Spend components by week</h3>')
    p('<p class="caption">The band shows the whole window; below it, each week stacked by component. '
      .. "Hatched segments below zero are discounts or credits; the dark tick is the week's net total.</p>")
    p(S.stacked(cweeks, cseries, { id = "chart-components" }))
    local totals, positive = component_totals(comp, cseries, false)
    local items = {}
    for i, s in ipairs(cseries) do
      local any = totals[i] ~= nil
      local negative = any and totals[i] < 0
      items[#items + 1] = {
        label = F.component_name(s),
        background = negative and format("repeating-linear-gradient(45deg,%s 0 3px,#fff 3px 6px);border:1px solid %s",
          S.color(i), S.color(i)) or S.color(i),
        note = negative and "(credit)" or (not any and "(not used)") or nil,
      }
    end
    p(H.legend(items))
    p('<table class="split"><thead><tr><th>Component</th><th class="num">Total</th><th class="num">Share</th></tr></thead><tbody>')
    for i, s in ipairs(cseries) do
      local t = totals[i]
      p(format('<tr><td>%s</td><td class="num">%s</td><td class="num">%s</td></tr>', esc(F.component_name(s)),
        esc(t and F.money(t) or "not used"), esc((t and positive > 0) and F.percent(t / positive) or "")))
    end
    p("</tbody></table></figure>")
  end,
}

-- ---------------------------------------------------------------------------------
-- Checks: which ran, on what, and which found nothing.

local checks = {
  name = "checks",
  terminal = function(T, data)
    local crow = F.check_rows(data.checks)
    if #crow == 0 then return end
    T.heading("Checks")
    table.insert(crow, 1, { "check", "status", "scope", "findings" })
    for _, l in ipairs(T.table_lines(crow, { "l", "l", "l", "r" }, "  ",
      function(r, _, s) return r == 1 and T.paint("dim", s) or s end)) do T.line(l) end
  end,
  markdown = function(D, data)
    local crow = F.check_rows(data.checks)
    if #crow == 0 then return end
    D.p("## Checks")
    D.p()
    for _, r in ipairs(crow) do for j = 1, 4 do r[j] = D.esc(r[j]) end end
    D.tbl({ "Check", "Status", "Scope", "Findings" }, { "l", "l", "l", "r" }, crow)
    D.p()
  end,
  html = function(H, data)
    local crow = F.check_rows(data.checks)
    if #crow == 0 then return end
    local p, esc = H.p, H.esc
    p('<section><h2>Checks</h2><table class="checks"><thead><tr><th>Check</th><th>Status</th><th>Scope</th>'
      .. '<th>Findings</th></tr></thead><tbody>')
    for _, r in ipairs(crow) do
      p("<tr><td>" .. esc(r[1]) .. "</td><td>" .. esc(r[2]) .. "</td><td>" .. esc(r[3]) .. "</td><td>" .. esc(r[4])
        .. "</td></tr>")
    end
    p("</tbody></table></section>")
  end,
}

-- ---------------------------------------------------------------------------------
-- Observations and warnings

local observations = {
  name = "observations",
  terminal = function(T, data)
    local obs = F.list(data.observations)
    if #obs == 0 then return end
    T.heading("Observations")
    for _, o in ipairs(obs) do
      if type(o) == "table" then
        T.prose("", T.clean(o.title) or "", "  • ")
        if T.clean(o.text) then T.prose("", o.text, "    ") end
      else
        T.prose("", o, "  • ")
      end
    end
  end,
  markdown = function(D, data)
    local obs = F.list(data.observations)
    if #obs == 0 then return end
    local p, esc = D.p, D.esc
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
  end,
  html = function(H, data)
    local obs = F.list(data.observations)
    if #obs == 0 then return end
    local p, esc = H.p, H.esc
    p('<section><h2>Observations</h2><ul class="obs">')
    for _, o in ipairs(obs) do
      if type(o) == "table" then
        p("<li><b>" .. esc(o.title or "") .. "</b>" .. (F.str(o.text) and ("<span>" .. esc(o.text) .. "</span>") or "") .. "</li>")
      else
        p("<li>" .. esc(o) .. "</li>")
      end
    end
    p("</ul></section>")
  end,
}

local warnings = {
  name = "warnings",
  terminal = function(T, data)
    local list = F.list(data.warnings)
    if #list == 0 then return end
    T.heading("Warnings")
    for _, w in ipairs(list) do
      local text = T.clean(w)
      if text then
        local lines = F.wrap(text, max(20, T.width - 4))
        T.line("  " .. T.paint("yellow", "! " .. lines[1]))
        for j = 2, #lines do T.line("    " .. T.paint("yellow", lines[j])) end
      end
    end
  end,
  markdown = function(D, data)
    local list = F.list(data.warnings)
    if #list == 0 then return end
    D.p("## Warnings")
    D.p()
    for _, w in ipairs(list) do D.p("> ⚠ " .. D.esc(w)); D.p(">") end
    D.drop_last()
    D.p()
  end,
  html = function(H, data)
    local list = F.list(data.warnings)
    if #list == 0 then return end
    H.p('<section><h2>Warnings</h2><ul class="warn">')
    for _, w in ipairs(list) do H.p("<li>" .. H.esc(w) .. "</li>") end
    H.p("</ul></section>")
  end,
}

-- ---------------------------------------------------------------------------------
-- The verification script

local function script_of(data)
  local script = F.str(data.verify_script)
  if script and script:find("%S") then return script end
  return nil
end

local verify = {
  name = "verify",
  terminal = function(T, data)
    local script = script_of(data)
    if not script or T.opts.verify_script == false then return end
    T.heading("Verify next month")
    local widest = 0
    for l in (script:gsub("\n$", "") .. "\n"):gmatch("([^\n]*)\n") do widest = max(widest, F.width(l)) end
    if widest + 4 > T.width and T.width_known then
      -- Code cannot be wrapped without changing it: point to where it is whole.
      T.prose("", format("The script to re-run after the changes has lines up to %d columns wide, "
        .. "wider than this terminal (%d): widen the terminal, or write it to a file (the cost "
        .. "review's --verify-script FILE; it is also in the Markdown, HTML and JSON reports).",
        widest + 4, T.width), "  ")
    else
      T.line(T.paint("dim", "  Re-run this script after the changes to check each fix:"))
      T.line()
      for l in (script:gsub("\n$", "") .. "\n"):gmatch("([^\n]*)\n") do
        T.line(l == "" and "" or ("    " .. (l:gsub("[%z\1-\8\11-\31\127]", "?"))))
      end
    end
  end,
  markdown = function(D, data)
    local script = script_of(data)
    if not script then return end
    local p = D.p
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
  end,
  html = function(H, data)
    local script = script_of(data)
    if not script then return end
    H.p('<section><h2>Verify next month</h2>')
    H.p('<p class="muted">Save this as a file and run it with <code>orscript</code> next month to check each fix:</p>')
    H.p("<pre><code>" .. H.esc(script:gsub("\n$", "")) .. "</code></pre></section>")
  end,
}

-- The report, in order.
return {
  title, this_month, baseline, recommendations, spend_by_model, weekly_by_key, components, checks,
  observations, warnings, verify,
}
