-- test_insights.lua: orscript.forecast, orscript.anomalies, charts (t:plot,
-- t:write .svg/.html, sparklines) and the shell formats (orscript.output), run by
-- `orscript --demo --now 2026-11-18T12:00:00Z` (a Wednesday). Figures on hand-made
-- tables are worked out in the comments; the demo's own figures are checked against
-- direct queries. The forecast against the simulator's traffic for the rest of the
-- month, the budget check's exit codes and the planted spike on a simulated account
-- are black-box tests (tests/blackbox/test_insights.cpp).
local T = require "testlib"
local core = require "orscript.core"
local time = orscript.time
local DAY = time.DAY

-- Daily rows from `first` to `last` (inclusive dates) with value(day_ms, weekday) per key.
local function daily(first, last, keys, value)
  local rows = {}
  for d = time.parse(first), time.parse(last), DAY do
    for _, k in ipairs(keys) do
      local v = value(d, select(7, time.parts(d)), k)
      if v then rows[#rows + 1] = { date = time.date(d), key = k, total_usage = v } end
    end
  end
  return core.table(rows, { columns = { "date", "key", "total_usage" } })
end

-- Weekdays (Mon-Fri) cost 10, weekends 2; today (Wed 2026-11-18, half gone) 5 so far.
local function shaped()
  return daily("2026-10-01", "2026-11-18", { "k" }, function(d, wd)
    if time.date(d) == "2026-11-18" then return 5 end
    return (wd == 0 or wd == 6) and 2 or 10
  end)
end

T.test("forecast: weekday-aware projection worked out by hand", function()
  local f = orscript.forecast { table = shaped() }
  local t = f.total
  -- So far: Nov 1 (Sun) 2, Nov 2-6 50, 7-8 4, 9-13 50, 14-15 4, 16-17 20, today 5 = 135.
  T.near(t.so_far, 135, 1e-12, "so far")
  -- Rest: today's other half 10 x 0.5 = 5; Nov 19-20 20, 21-22 4, 23-27 50, 28-29 4,
  -- 30 (Mon) 10 = 88; projected 135 + 93 = 228. A flat run rate (54/7 a day) would
  -- say 135 + 12.5 x 54/7 = 231.4.
  T.near(t.projected, 228, 1e-9, "projected")
  -- No noise, no drift: the range is the point.
  T.near(t.low, 228, 1e-9, "low")
  T.near(t.high, 228, 1e-9, "high")
  -- October: 22 weekdays x 10 + 9 weekend days x 2 = 238; the same 17.5 days of
  -- October: Oct 1-17 = 12 x 10 + 5 x 2 = 130, plus half of Sun Oct 18 (2) = 131.
  T.near(t.last_month, 238, 1e-12, "last month")
  T.near(t.last_month_so_far, 131, 1e-12, "last month so far")
  T.near(t.change, -10, 1e-9, "change")
  T.near(t.run_rate, 54 / 7, 1e-12, "run rate")
  T.eq(f.days_in_month, 30)
  T.near(f.days_elapsed, 17.5, 1e-12)
  T.truthy(f:summary():find("November 2026 so far $135.00; projected $228.00", 1, true), f:summary())
  -- The daily table: actual up to today, expected from two weeks back.
  local rows = f.daily:filter("date", "eq", "2026-11-21")
  T.eq(rows[1].actual, core.null)
  T.near(rows[1].expected, 2, 1e-12)
end)

T.test("forecast: a noisy series gets a range around the projection", function()
  local n = 0
  local t = daily("2026-10-01", "2026-11-18", { "k" }, function(d, wd)
    n = n + 1
    return (n % 3 == 0 and 13 or 8) * ((wd == 0 or wd == 6) and 0.3 or 1)
  end)
  local f = orscript.forecast { table = t }
  T.truthy(f.total.low < f.total.projected and f.total.projected < f.total.high, "low < projected < high")
  T.truthy(f.total.low >= f.total.so_far, "the range never goes below what was already spent")
end)

T.test("forecast: per key on the demo agrees with direct queries", function()
  local f = orscript.forecast { by = "key" }
  T.eq(f.by[1], "api_key_id")
  T.eq(f.groups.columns[1], "api_key_id")
  T.eq(f.groups:info("projected").format, "currency")
  local month = orscript.query { metrics = { "total_usage" }, range = time.this_month() }:run()
  T.near(f.total.so_far, month[1].total_usage, 1e-9, "so far = this month's total")
  local last = orscript.query { metrics = { "total_usage" }, range = time.last_month() }:run()
  T.near(f.total.last_month, last[1].total_usage, 1e-9, "last month")
  T.near(f.groups:sum("so_far"), f.total.so_far, 1e-9, "keys add up")
  for _, r in f.groups:rows() do
    T.truthy(r.so_far <= r.low + 1e-9 and r.low <= r.projected and r.projected <= r.high, r.api_key_id)
  end
  -- Movers: by the size of the change, either way.
  local m = f.movers
  for i = 2, #m do T.truthy(math.abs(m[i - 1].change) >= math.abs(m[i].change), "movers ordered") end
  T.eq(m[1].api_key_id, "sales-copilot") -- volume x 2.5 since two weeks ago (docs/simulator.md)
  T.truthy(tostring(f):find("projected", 1, true))
  -- The same from the unsent query, batched: identical figures.
  local t = unpack(orscript.all { orscript.forecast_query { by = "key" } })
  local g = orscript.forecast { by = "key", table = t }
  T.near(g.total.projected, f.total.projected, 1e-12, "batched forecast")
  T.near(g.groups[1].projected, f.groups[1].projected, 1e-12, "batched forecast by key")
  T.raises(function() orscript.forecast { weeks = 1 } end, "invalid 'weeks'")
  T.raises(function() orscript.forecast { metric = "cache_hit_rate" } end, "'cache_hit_rate' is a rate")
  T.raises(function() orscript.anomalies { metric = "p90_latency" } end, "'p90_latency' is a rate")
  T.raises(function() orscript.forecast { bogus = 1 } end, "unknown option 'bogus'")
  T.raises(function() return f.nope end, "unknown field 'nope' on orscript.Forecast")
end)

-- Key a: 100 a day, 400 on Thu 2026-11-12 (a spike of $300); b: 50 +- 2 (normal);
-- c: 200 a day, 20 on Mon 2026-11-16 (a drop of $180).
local function planted()
  local n = 0
  return daily("2026-09-20", "2026-11-17", { "a", "b", "c" }, function(d, _, k)
    local date = time.date(d)
    if k == "a" then return date == "2026-11-12" and 400 or 100 end
    if k == "b" then n = n + 1; return 50 + (n % 5) - 2 end
    return date == "2026-11-16" and 20 or 200
  end)
end

T.test("anomalies: a planted spike and drop are found, a normal week is not", function()
  local a = orscript.anomalies { table = planted(), by = "key" }
  T.eq(#a, 2)
  -- Largest in dollars first.
  T.eq(a[1].key, "a"); T.eq(a[1].date, "2026-11-12"); T.eq(a[1].kind, "spike")
  T.near(a[1].spend, 400); T.near(a[1].baseline, 100); T.near(a[1].deviation, 300)
  -- MAD is 0, so the spread is the floor of 10% of the median: score (400-100)/10.
  T.near(a[1].score, 30)
  T.eq(a[2].key, "c"); T.eq(a[2].date, "2026-11-16"); T.eq(a[2].kind, "drop")
  T.near(a[2].deviation, -180)
  T.eq(#a:filter("key", "eq", "b"), 0)
  T.eq(a:info("deviation").format, "currency")
  -- Dollars matter: a $300 spike is not an alert at min_usd = 500.
  T.eq(#orscript.anomalies { table = planted(), by = "key", min_usd = 500 }, 0)
  -- Weeks: a's week of Nov 8-14 is 700 + 300 against 700 (spread 70): score 4.3.
  local w = orscript.anomalies { table = planted(), by = "key", grain = "week" }
  local wa = w:filter("key", "eq", "a")
  T.eq(#wa, 1); T.eq(wa[1].date, "2026-11-08"); T.near(wa[1].deviation, 300)
  T.raises(function() orscript.anomalies { grain = "month" } end, "invalid 'grain'")
  T.raises(function() orscript.anomalies { days = 2, grain = "week" } end, "'days' is for grain")
end)

T.test("anomalies: weekday-aware, so a quiet weekend is not a drop", function()
  local t = daily("2026-09-20", "2026-11-17", { "k" }, function(_, wd) return (wd == 0 or wd == 6) and 10 or 100 end)
  T.eq(#orscript.anomalies { table = t, by = "key" }, 0)
end)

T.test("anomalies: on the demo, the empty result keeps its columns", function()
  local a = orscript.anomalies { by = "key", days = 1, min_usd = 1e9 }
  T.eq(#a, 0)
  T.eq(table.concat(a.columns, ","), "date,api_key_id,kind,spend,baseline,deviation,score,streak")
end)

-- A minimal XML well-formedness check: every tag closes in order, attributes quoted.
local function well_formed(xml)
  local stack = {}
  local body = xml:gsub("^<%?xml[^>]*%?>%s*", ""):gsub("<!DOCTYPE[^>]*>", "")
  for slash, name, attrs, self in body:gmatch("<(/?)([%w:-]+)([^>]*)(/?)>") do
    if attrs:find("<", 1, true) then return false, "a '<' inside a tag" end
    local rest = attrs:gsub('%s*=%s*"[^"]*"', ""):gsub("%s*=%s*'[^']*'", "")
    if rest:find("=", 1, true) then return false, "an unquoted attribute in <" .. name .. ">" end
    if slash == "/" then
      if stack[#stack] ~= name then return false, "</" .. name .. "> closes <" .. tostring(stack[#stack]) .. ">" end
      stack[#stack] = nil
    elseif self ~= "/" and attrs:sub(-1) ~= "/" and name ~= "meta" then
      stack[#stack + 1] = name
    end
  end
  if #stack > 0 then return false, "unclosed <" .. stack[#stack] .. ">" end
  return true
end

T.test("charts: t:plot writes well-formed SVG and a self-contained HTML page", function()
  local t = orscript.query { metrics = { "total_usage" }, by = { "api_key_id" }, grain = "week",
                             range = time.weeks(6) }:run()
  for _, kind in ipairs({ "line", "bar", "area" }) do
    local svg = t:plot { by = "api_key_id", kind = kind, format = "svg" }
    local ok, why = well_formed(svg)
    T.truthy(ok, kind .. " SVG is well formed: " .. tostring(why))
    T.truthy(svg:find('xmlns="http://www.w3.org/2000/svg"', 1, true))
    T.truthy(svg:find("batch-pipeline", 1, true), "legend names the largest key")
  end
  -- batch-pipeline dwarfs staging (over 1000x): the line chart goes to a log scale.
  local html = t:plot { by = "api_key_id", format = "html" }
  T.truthy(html:find("log scale", 1, true), "the caption says log scale")
  T.truthy(not html:find("<script", 1, true) and not html:find("https?://[%w.]+/[%w/]+%.css"))
  T.truthy(html:find("<style>", 1, true))
  T.truthy(not t:plot { by = "api_key_id", format = "html", log = false }:find("log scale", 1, true))
  -- t:write chooses by extension, writes whole files.
  local base = os.tmpname()
  T.eq(t:write(base .. ".svg", { by = "api_key_id" }), base .. ".svg")
  t:write(base .. ".html", { by = "api_key_id", kind = "bar" })
  local f = assert(io.open(base .. ".svg")); local text = f:read("*a"); f:close()
  T.truthy(text:find("^<%?xml") and well_formed(text))
  f = assert(io.open(base .. ".html")); text = f:read("*a"); f:close()
  T.truthy(text:find("^<!DOCTYPE html>"))
  os.remove(base .. ".svg"); os.remove(base .. ".html"); os.remove(base)
  T.raises(function() t:plot { kind = "pie" } end, "invalid 'kind'")
  T.raises(function() t:plot { y = "nope" } end, "unknown y column 'nope'")
  T.raises(function() t:plot { path = base .. ".png" } end, "use a .svg or .html path")
end)

T.test("charts: the review's weekly chart goes to a log axis only when one key dwarfs the others", function()
  local report = require "orscript.report"
  local function page(small)
    return report.html { charts = { weekly_by_key = { weeks = { "2026-10-04", "2026-10-11", "2026-10-18" },
      series = { { name = "big", values = { 4000, 4200, 4100 } }, { name = "small", values = { small, small, small } } } } } }
  end
  T.truthy(page(3):find("log scale", 1, true), "4000 vs 3: log")
  T.truthy(not page(1000):find("log scale", 1, true), "4000 vs 1000: linear")
  -- On a log axis $3 sits well above the bottom; on a linear one it would be on it.
  local svg = require "orscript.report.svg"
  T.truthy(svg.wants_log { { values = { 3000 } }, { values = { 10 } } })
  T.truthy(not svg.wants_log { { values = { 3000 } }, { values = { 0 } } }, "one positive series: nothing to compare")
end)

T.test("charts: text charts and sparklines", function()
  T.eq(orscript.chart.sparkline { 0, 1, 2, 3, 4, 5, 6, 7 }, "▁▂▃▄▅▆▇█")
  T.eq(orscript.chart.sparkline { 0, core.null, 10 }, "▁ █")
  T.eq(orscript.chart.sparkline { -7, 0 }, "▁█")
  local t = daily("2026-11-01", "2026-11-07", { "x", "y" }, function(d, wd, k) return k == "x" and wd or 1 end)
  local text = t:plot { by = "key" }
  T.truthy(text:find("x  ▁▂▃▅▆▇█", 1, true), text)
  local p = require("orscript.pretty").show(t, { mode = "table" })
  T.truthy(p:find("total_usage by date, 2026-11-01 .. 2026-11-07:", 1, true), p)
end)

T.test("output: every shell format, parsed back", function()
  local O = require "orscript.output"
  local t = core.table({ { model = 'a "quoted", name', spend = 1.5 }, { model = "b", spend = core.null } },
                       { columns = { "model", "spend" } })
  local csv = O.table_text(t, "csv")
  T.eq(csv, 'model,spend\r\n"a ""quoted"", name",1.5\r\nb,\r\n')
  T.eq(O.table_text(t, "csv", { headers = false }), '"a ""quoted"", name",1.5\r\nb,\r\n')
  local lines = {}
  for line in O.table_text(t, "jsonl"):gmatch("[^\n]+") do lines[#lines + 1] = orscript.json.decode(line) end
  T.eq(#lines, 2); T.eq(lines[1].model, 'a "quoted", name'); T.eq(lines[2].spend, core.null)
  local pretty = O.table_text(t, "json", { pretty = true })
  T.truthy(pretty:find('\n  {\n    "model": "a \\"quoted\\", name",', 1, true), pretty)
  T.eq(orscript.json.decode(pretty)[1].spend, 1.5)
  local box = O.table_text(t, "box")
  T.truthy(box:find("┌", 1, true) and box:find("│ b ", 1, true) and box:find(" 1.50 │", 1, true), box)
  local line = O.table_text(t, "line")
  T.truthy(line:find("model = b", 1, true) and line:find("spend = 1.50", 1, true), line)
  T.eq(O.render({ { a = 1 }, { a = 2 } }, "csv"), "a\r\n1\r\n2\r\n")
  T.eq(O.render(42, "json"), "42")
  T.eq(O.json_pretty('{"a":[],"b":{}}'), '{\n  "a": [],\n  "b": {}\n}')
  T.raises(function() O.check_format("x", "yaml") end, "unknown format")
end)

T.test("the cost review opens with this month so far, projected, last month and the movers", function()
  local report = require "orscript.report"
  local data = require("cost_review").run {}
  local tm = data.this_month
  local f = orscript.forecast { by = "key" }
  T.near(tm.so_far, f.total.so_far, 1e-9, "so far")
  T.near(tm.projected, f.total.projected, 1e-9, "projected")
  T.near(tm.last_month, f.total.last_month, 1e-9, "last month")
  T.eq(tm.label, "November 2026"); T.eq(tm.last_month_label, "October 2026")
  T.eq(tm.movers[1].name, "sales-copilot")
  T.truthy(#tm.movers <= 8)
  T.eq(#tm.spikes, 0) -- the demo's changes are level changes, not one-day spikes
  local function order(text, needles, what)
    local at = 0
    for _, n in ipairs(needles) do
      local i = text:find(n, at + 1, true)
      T.truthy(i, what .. ": " .. n .. " after the previous")
      at = i
    end
  end
  order(report.terminal(data), { "THIS MONTH", "So far", "Projected", "Last month", "Biggest movers",
    "sales-copilot", "BASELINE" }, "terminal")
  -- The weekly table carries a sparkline of every week per key: sales-copilot's jump
  -- (x 2.5 in the last two weeks) shows at its end.
  local term = report.terminal(data)
  local trend = term:sub((term:find("WEEKLY SPEND BY KEY", 1, true))):match("\n%s+sales%-copilot%s+(%S+)")
  T.truthy(trend and trend:find("██$"), "sales-copilot's trend ends high: " .. tostring(trend))
  order(report.markdown(data), { "## This month", "| So far |", "| key | last month |", "## Baseline" }, "markdown")
  order(report.html(data), { 'class="this-month"', "Biggest movers against last month", 'aria-label="Baseline"' }, "html")
  local doc = orscript.json.decode(require("cost_review").json_report(data))
  T.near(doc.this_month.projected, tm.projected, 1e-12, "--json carries it")
end)

T.done()
