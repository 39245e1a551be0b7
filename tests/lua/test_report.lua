-- test_report.lua: orscript.report renders a cost review's data as terminal text,
-- Markdown, one self-contained HTML page and JSON. Data: tests/fixtures/report_fixture.lua.
local T = require "testlib"
local report = require "orscript.report"
local core_ok, core = pcall(require, "orscript.core")
if not core_ok or type(core) ~= "table" then core = {} end

local here = (debug.getinfo(1, "S").source:gsub("^@", ""):match("^(.*)[/\\]") or ".")
local fixture = dofile(here .. "/../fixtures/report_fixture.lua")

local function count(s, pattern)
  local n = 0
  for _ in s:gmatch(pattern) do n = n + 1 end
  return n
end

local function deep_eq(a, b)
  if type(a) ~= "table" or type(b) ~= "table" then return a == b end
  for k, v in pairs(a) do if not deep_eq(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end

-- Each needle occurs in s after the previous one.
local function in_order(s, needles, what)
  local last = 0
  for _, needle in ipairs(needles) do
    local at = s:find(needle, last + 1, true)
    T.truthy(at, (what or "output") .. " contains " .. string.format("%q", needle) .. " after the previous item")
    last = at
  end
end

T.test("formatters", function()
  T.eq(report.format_money(12345.678), "$12,345.68")
  T.eq(report.format_money(31234.5), "$31,234.50")
  T.eq(report.format_money(-5), "-$5.00")
  T.eq(report.format_money(-0.001), "$0.00")
  T.eq(report.format_money(999.995), "$1,000.00")
  T.eq(report.format_money(nil), "—")
  if core.null ~= nil then T.eq(report.format_money(core.null), "—") end
  T.eq(report.format_money(0 / 0), "—")
  T.eq(report.format_percent(0.1234), "12.3%")
  T.eq(report.format_percent(1), "100.0%")
  T.eq(report.format_percent(0.91), "91.0%")
  T.eq(report.format_count(2.1e10), "21,000,000,000")
  T.eq(report.format_count(5400000), "5,400,000")
  T.eq(report.format_count(999), "999")
  T.eq(report.format_count(-1234), "-1,234")
  T.eq(report.format_compact(2.1e10), "21.0B")
  T.eq(report.format_per_mtok(37.2), "$37.20/Mtok")
  T.eq(report.format_figure(0.04, "percent"), "4.0%")
  T.eq(report.format_figure("text & <b>", "text"), "text & <b>")
end)

T.test("terminal: ranked recommendations, impact first, formatted money, no colour", function()
  local out = report.terminal(fixture(), { color = false })
  T.eq(out:find("\27", 1, true), nil, "no ANSI escape without colour")
  in_order(out, {
    "$31,234.50", "21,000,000,000", "$1.49/Mtok",
    " 1. $8,123.40/mo  Move nightly-batch off google/gemini-3-pro-preview",
    "Target  key nightly-batch", "$37.20/Mtok", "91.0%",
    " 2. $2,310.75/mo  Turn on prompt caching for support-bot",
    " 3.   $412.50/mo  Trim reasoning on <script>alert(1)</script>",
    "SPEND BY MODEL", "anthropic/claude-sonnet-4.5", "google/gemini-3-pro-preview",
    "WEEKLY SPEND BY KEY", "support-bot, week of 2026-10-25: repointed to anthropic/claude-haiku-4.5",
    "SPEND COMPONENTS", "Data discount", "-$1,925.00", "not used",
    "OBSERVATIONS", "WARNINGS", "10,000-row limit", "VERIFY NEXT MONTH", "orscript.query",
  }, "terminal report")
  -- aligned columns: the baseline values end in the same column
  local ends = {}
  for l in out:gmatch("[^\n]+") do
    if l:find("^  Spend ") or l:find("^  Tokens ") or l:find("^  Requests ") then ends[#ends + 1] = #l end
  end
  T.eq(#ends, 3)
  T.eq(ends[1], ends[2], "baseline column alignment")
  T.eq(ends[2], ends[3], "baseline column alignment")
end)

T.test("terminal: colour only when asked; data cannot inject escapes", function()
  local data = fixture()
  local plain = report.terminal(data, {})
  local colored = report.terminal(data, { color = true })
  T.truthy(colored:find("\27%[[%d;]*m"), "ANSI codes with colour")
  T.truthy(colored:find("Move nightly-batch off google/gemini-3-pro-preview", 1, true))
  T.eq((colored:gsub("\27%[[%d;]*m", "")), plain, "colour adds codes only")
  data.charts.weekly_by_key.series[1].name = "evil\27[2Jkey"
  data.recommendations[1].title = "clear\27]0;title\7screen"
  T.eq(report.terminal(data, {}):find("\27", 1, true), nil, "control characters from data are replaced")
  T.eq(type(report.want_color()), "boolean")
  if os.getenv("NO_COLOR") and os.getenv("NO_COLOR") ~= "" then T.eq(report.want_color(), false) end
end)

T.test("markdown: headings, tables, escaping", function()
  local md = report.markdown(fixture())
  in_order(md, {
    "# OpenRouter cost review", "## Baseline", "| Spend | Tokens | Requests | Blended $/Mtok |", "|---:|---:|---:|---:|",
    "| $31,234.50 | 21,000,000,000 | 5,400,000 | $1.49/Mtok |",
    "## Recommendations", "| # | Monthly impact | Recommendation | Target |",
    "| 1 | $8,123.40 |", "| 2 | $2,310.75 |", "| 3 | $412.50 |",
    "### 1. Move nightly-batch off google/gemini-3-pro-preview — $8,123.40/month",
    "| Figure | Value |", "| effective rate | $37.20/Mtok |",
    "## Spend by model", "| Model | Spend | Share |", "## Weekly spend by key", "## Spend components",
    "## Observations", "## Warnings", "## Verify next month", "```lua",
  }, "markdown")
  T.eq(md:find("<script>", 1, true), nil, "no raw HTML from data")
  T.truthy(md:find("&lt;script&gt;alert(1)&lt;/script&gt;", 1, true), "escaped key name")
  -- every table row of the model table has the same number of cells
  for l in md:gmatch("[^\n]+") do
    if l:find("^| anthropic/claude%-sonnet") then T.eq(count(l:gsub("\\|", ""), "|"), 4, "cells in " .. l) end
  end
end)

-- The attribute value of `name` in the first tag of s matching `tag_pattern`, from `from`.
local function attr_after(s, from, tag, name)
  local start = s:find("<" .. tag .. "[ >]", from)
  T.truthy(start, "a <" .. tag .. "> after position " .. from)
  local tag_text = s:match("^<[^>]*>", start)
  return tag_text:match(" " .. name .. '="([^"]*)"')
end

T.test("html: one self-contained document with three charts", function()
  local html = report.html(fixture())
  T.truthy(html:find("^<!DOCTYPE html>\n<html"), "starts with a doctype")
  T.eq(count(html, "<html[ >]"), 1, "one <html>")
  T.eq(count(html, "</html>"), 1, "one </html>")
  T.eq(count(html, "<body>"), 1, "one <body>")
  T.eq(count(html, "<svg[ >]"), 3, "three charts")
  T.eq(count(html, "</svg>"), 3)
  T.truthy(html:find('<svg id="chart-models"', 1, true))
  T.truthy(html:find('<svg id="chart-weekly"', 1, true))
  T.truthy(html:find('<svg id="chart-components"', 1, true))
  T.truthy(html:find("<style>", 1, true), "inline CSS")
  T.truthy(html:find("@media print", 1, true), "print CSS")
  -- nothing external, no script
  T.eq(html:lower():find("<script", 1, true), nil, "no <script> element (and data is escaped)")
  for _, bad in ipairs({ "<link", "<img", "<iframe", " src=", "@import", "url(http" }) do
    T.eq(html:lower():find(bad, 1, true), nil, "no external reference " .. bad)
  end
  local external = html:gsub('xmlns="http://www%.w3%.org/2000/svg"', "")
  T.eq(external:find("https?://"), nil, "no URLs")
  -- ranked recommendation cards, impact first
  in_order(html, { 'id="rec-1"', "$8,123.40", 'id="rec-2"', "$2,310.75", 'id="rec-3"', "$412.50" }, "html")
  in_order(html, { "Spend", "$31,234.50", "Tokens", "21.0B", "Requests", "5.4M", "Blended rate", "$1.49/Mtok",
    "Potential savings", "$10,847/mo" }, "html cards")
  T.truthy(html:find("<pre><code>-- Re-run in December 2026", 1, true), "verification script in a <pre>")
  T.truthy(html:find("local orscript = require &quot;orscript&quot;", 1, true), "script escaped")
end)

T.test("html: escaping of data strings", function()
  local data = fixture()
  data.account = 'acme" onload="x'
  data.charts.spend_by_model[1].label = "</svg><b>model</b>"
  local html = report.html(data)
  T.eq(html:find("<script>alert(1)</script>", 1, true), nil)
  T.truthy(html:find("&lt;script&gt;alert(1)&lt;/script&gt;", 1, true))
  T.eq(html:find('acme" onload', 1, true), nil)
  T.truthy(html:find("acme&quot; onload=&quot;x", 1, true))
  T.eq(html:find("<b>model</b>", 1, true), nil)
  T.eq(count(html, "</svg>"), 3, "a label cannot close a chart")
end)

T.test("html: change-point marker drawn on the week the series changed", function()
  local html = report.html(fixture())
  local svg_start = html:find('<svg id="chart-weekly"', 1, true)
  local mark = html:find('<g class="marker"><title>support-bot, week of 2026-10-25', svg_start, true)
  T.truthy(mark, "a marker for support-bot at 2026-10-25")
  local line_x = attr_after(html, mark, "line", "x1")
  -- the point of support-bot's series in week 2026-10-25 ($640.00)
  local point = html:find("<title>support-bot, 2026-10-25: $640.00</title>", svg_start, true)
  T.truthy(point, "support-bot's point for 2026-10-25")
  local circle = html:sub(1, point):match('.*<circle cx="([^"]+)"')
  T.eq(line_x, circle, "marker line x equals the point's x")
  -- and not on a neighbouring week
  local before = html:find("<title>support-bot, 2026-10-18: $1,460.00</title>", svg_start, true)
  T.truthy(html:sub(1, before):match('.*<circle cx="([^"]+)"') ~= line_x)
  -- the legend below the chart names the change point too
  T.truthy(html:find("<b>support-bot</b>, week of 2026-10-25: repointed to anthropic/claude-haiku-4.5", 1, true))
  -- the research series has a gap (nil in week 3): its line is drawn in two pieces
  local research = html:match('<g class="series"><title>research</title>\n<path d="([^"]+)"')
  T.truthy(research, "research path")
  T.eq(count(research, "M"), 2, "a gap splits the line")
end)

T.test("no findings: every format says so", function()
  local data = fixture()
  data.no_findings = true
  data.recommendations = {}
  local term, md, html = report.terminal(data, {}), report.markdown(data), report.html(data)
  T.truthy(term:find("No changes recommended.", 1, true), "terminal says so")
  T.truthy(md:find("**No changes recommended.**", 1, true), "markdown says so")
  T.truthy(html:find("<strong>No changes recommended.</strong>", 1, true), "html says so")
  T.eq(html:find('id="rec-1"', 1, true), nil)
  T.eq(html:find("Potential savings", 1, true), nil)
  T.eq(count(html, "<svg[ >]"), 3, "charts still drawn")
  -- a bare table renders too
  T.truthy(report.html({}):find("No changes recommended.", 1, true))
  T.truthy(report.terminal({}):find("No changes recommended.", 1, true))
  T.truthy(report.markdown({}):find("No changes recommended.", 1, true))
end)

T.test("json: round-trips, gaps are null, empty tables sensible", function()
  local text = report.json(fixture())
  T.eq(text:sub(-1), "\n")
  local decode = core.json_decode
  if not decode then return end -- plain LuaJIT without the host: covered under orscript
  local back = decode(text)
  T.eq(back.title, "OpenRouter cost review")
  T.eq(back.window["end"], "2026-11-01")
  T.eq(back.baseline.spend, 31234.5)
  T.eq(back.baseline.tokens, 2.1e10)
  T.eq(#back.recommendations, 3)
  T.eq(back.recommendations[1].figures[2][1], "effective rate")
  T.eq(back.recommendations[1].figures[2][2], 37.2)
  T.eq(back.recommendations[1].figures[2][3], "per_mtok")
  T.eq(back.recommendations[2].figures[5][2], core.null, "null in a figure")
  local research = back.charts.weekly_by_key.series[3]
  T.eq(research.name, "research")
  T.eq(#research.values, 9, "series padded to the weeks")
  T.eq(research.values[3], core.null, "a gap is null")
  T.eq(research.values[4], 340)
  local script_key = back.charts.weekly_by_key.series[4]
  T.eq(script_key.values[1], core.null)
  T.eq(script_key.values[9], 102)
  local file = back.charts.components.series[5]
  T.eq(#file.values, 9, "an empty series becomes nulls for every week")
  T.eq(back.charts.weekly_by_key.markers[1].week, "2026-10-25")
  T.eq(back.no_findings, false)
  T.eq(back.verify_script, fixture().verify_script)
  -- the local encoder (used without the host) produces the same document
  local local_back = decode(require("orscript.report.json").encode_local(fixture()))
  T.eq(local_back.charts.weekly_by_key.series[3].values[3], core.null)
  T.eq(local_back.recommendations[3].title, "Trim reasoning on <script>alert(1)</script>")
  T.truthy(deep_eq(local_back, back), "both encoders give the same document")
  -- empty tables
  local empty = report.json({ recommendations = {}, window = {}, warnings = {}, charts = {} })
  T.truthy(empty:find('"recommendations":%s*%[%]'), "empty list is []: " .. empty)
  T.truthy(empty:find('"window":%s*{}'), "empty window is {}: " .. empty)
  T.truthy(empty:find('"charts":%s*{}'), "empty charts is {}: " .. empty)
  T.eq(report.json({}):gsub("%s", ""), "{}")
end)

T.test("write and argument errors", function()
  local path = os.tmpname()
  T.eq(report.write(path, "hello\n"), path)
  local f = assert(io.open(path, "rb"))
  T.eq(f:read("*a"), "hello\n")
  f:close()
  os.remove(path)
  T.raises(function() report.write("/nonexistent-dir/sub/report.html", "x") end,
    "orscript.report.write: cannot write '/nonexistent-dir/sub/report.html'")
  T.raises(function() report.write("x.html", nil) end, "expected the text to write")
  T.raises(function() report.html(nil) end, "orscript.report.html: expected a data table, got nil")
  T.raises(function() report.terminal("x") end, "orscript.report.terminal: expected a data table, got string")
end)

T.test("one ordered section list drives the terminal, Markdown and HTML reports", function()
  local sections = require "orscript.report.sections"
  local names = {}
  for i, sec in ipairs(sections) do
    names[i] = sec.name
    T.eq(type(sec.terminal), "function", sec.name .. ".terminal")
    T.eq(type(sec.markdown), "function", sec.name .. ".markdown")
    T.eq(type(sec.html), "function", sec.name .. ".html")
  end
  T.eq(table.concat(names, ","), "title,this_month,baseline,recommendations,spend_by_model,weekly_by_key,"
    .. "components,checks,observations,warnings,verify")
  -- A section added to the list shows in every format, in its place.
  local probe = {
    name = "probe",
    terminal = function(W, data) W.heading("Probe " .. data.account) end,
    markdown = function(W, data) W.p("## Probe " .. W.esc(data.account)); W.p() end,
    html = function(W, data) W.p("<section><h2>Probe " .. W.esc(data.account) .. "</h2></section>") end,
  }
  table.insert(sections, 3, probe)
  local ok, err = pcall(function()
    local d = fixture()
    local t, m, h = report.terminal(d, { width = 100 }), report.markdown(d), report.html(d)
    T.truthy(t:find("PROBE DEMO", 1, true) and t:find("PROBE DEMO", 1, true) < t:find("BASELINE", 1, true), t)
    T.truthy(m:find("## Probe demo", 1, true) and m:find("## Probe demo", 1, true) < m:find("## Baseline", 1, true))
    T.truthy(h:find("<h2>Probe demo</h2>", 1, true))
  end)
  table.remove(sections, 3)
  if not ok then error(err, 0) end
end)

T.done()
