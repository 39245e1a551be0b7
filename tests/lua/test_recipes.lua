-- The five recipes as modules (recipes/*.lua), against the demo scenario's ground
-- truth, plus the shared helpers in recipes/common.lua. The recipes as scripts are
-- run by tests/blackbox/test_recipes.cpp.
-- No package.path line: orscript puts the recipes folder beside the library on the path.
local T = require "testlib"
local core = require "orscript.core"
local C = require "common"

local time = orscript.time
local truth = core.demo_ground_truth()

local function items(kind)
  local out = {}
  for _, it in ipairs(truth.items) do if it.kind == kind then out[#out + 1] = it end end
  return out
end

local function truth_model(m)
  for _, r in ipairs(truth.models) do if r.model == m then return r end end
end

T.test("parse_args: window, thresholds, outputs, positionals", function()
  local spec = { positional = { "model" }, thresholds = { key_share = 0.2, min_monthly_usd = 50 } }
  local o = C.parse_args({ "--month", "2026-09", "--threshold", "key_share=0.3", "--min_monthly_usd", "10",
                           "--csv", "/tmp/x", "--json=/tmp/y.json", "some/model" }, spec)
  T.eq(time.date(o.range.start), "2026-09-01")
  T.eq(time.date(o.range.stop), "2026-10-01")
  T.eq(o.thresholds.key_share, 0.3)
  T.eq(o.thresholds.min_monthly_usd, 10)
  T.eq(spec.thresholds.key_share, 0.2, "defaults unchanged")
  T.eq(o.model, "some/model")
  T.eq(o.csv, "/tmp/x")
  T.eq(o.json, "/tmp/y.json")
  local r = C.parse_args({ "--from", "2026-10-05", "--to", "2026-10-12" }, spec)
  T.eq(r.range:days(), 7)
  T.raises(function() C.parse_args({ "--threshold", "nope=1" }, spec) end, "unknown threshold 'nope'")
  T.raises(function() C.parse_args({ "--bogus" }, spec) end, "unknown option '--bogus'")
  T.raises(function() C.parse_args({ "--month", "October" }, spec) end, "--month expects YYYY-MM")
  T.raises(function() C.parse_args({ "--key_share", "lots" }, spec) end, "expects a number")
  T.raises(function() C.parse_args({ "a", "b" }, spec) end, "unexpected argument 'b'")
  T.raises(function() C.parse_args({ "--key_share", "2" }, spec) end, "threshold key_share expects a number from 0 to 1")
  T.raises(function() C.parse_args({ "--month", "2026-13" }, spec) end, "--month expects YYYY-MM")
  T.raises(function() C.parse_args({ "--from", "2026-10-12", "--to", "2026-10-05" }, spec) end,
    "--from 2026-10-12 is not before --to 2026-10-05 (the end is exclusive)")
  T.raises(function() C.parse_args({ "--from", "2026-13-45" }, spec) end, "--from expects a date such as 2026-10-01")
  T.raises(function() C.parse_args({ "--from", "2026-10-01", "--to", "soon" }, spec) end, "--to expects a date")
  T.raises(function() C.parse_args({ "--from", "2027-01-01" }, spec) end, "is not before today (")
  T.raises(function() C.parse_args({ "--to", "2026-10-05" }, spec) end, "--to needs --from")
  T.raises(function() C.parse_args({ "--month" }, spec) end, "option --month needs a value")
  local ok, err = pcall(C.parse_args, { "--bogus" }, spec)
  T.eq(ok, false)
  T.eq(err.kind, "usage")
  T.eq(err.where, "", "a command-line error has no library position")
  local h = orscript.args.parse({ "-h" }, { usage = "usage: x" })
  T.eq(h.help, true)
  T.eq(h.usage, "usage: x")
  T.raises(function() orscript.args.parse({}, { tresholds = {} }) end, "unknown option 'tresholds'")
end)

T.test("is_script tells a script from a module", function()
  T.eq(orscript.args.is_script("test_recipes"), true)
  T.eq(orscript.args.is_script("top_models"), false)
end)

T.test("no recipe reaches into orscript.core or sets package.path", function()
  local ls = assert(io.popen("ls recipes"))
  local n = 0
  for name in ls:lines() do
    if name:match("%.lua$") then
      n = n + 1
      local f = assert(io.open("recipes/" .. name))
      local text = f:read("*a")
      f:close()
      T.eq(text:find("orscript.core", 1, true), nil, name .. " requires orscript.core")
      T.eq(text:find("package.path", 1, true), nil, name .. " sets package.path")
      T.eq(text:find("require%s*%(?%s*[\"']ffi[\"']"), nil, name .. " uses the FFI")
      T.eq(text:find("os.execute", 1, true), nil, name .. " runs a shell")
    end
  end
  ls:close()
  T.truthy(n >= 10, "the recipes were read")
end)

T.test("a truncated result is never totalled", function()
  local cut = core.table({ { spend = 1 } }, { meta = { truncated = true, limit = 1, warnings = { "w1" } } })
  local warnings = {}
  T.eq(cut:total("spend", { what = "cut", warnings = warnings }), nil)
  T.truthy(warnings[1]:find("cut: w1", 1, true))
  T.truthy(warnings[2]:find("truncated", 1, true))
  T.eq(cut:total("spend"), nil, "no list: still not totalled")
  T.eq(orscript.table { { spend = 2 }, { spend = 3 } }:total("spend"), 5)
  T.eq(orscript.table { { web = orscript.null } }:total("web"), 0, "null-only reads as not used")
  local again = {}
  T.eq(cut:note_warnings(again, "cut"), false)
  T.eq(cut:note_warnings(again, "cut"), false)
  T.eq(#again, 3, "an API warning is noted once, the truncation each time")
  T.raises(function() cut.total({}, "spend") end, "expected an orscript.Table")
end)

T.test("top_models: blended rate, effective rates, flagged models", function()
  local top = require "top_models"
  local res = top.run {}
  T.near(res.blended, truth.baseline.blended_per_mtok, 1e-9)
  T.near(res.baseline.spend, truth.baseline.total_usage, 1e-9)
  for _, r in res.models:rows() do
    local tm = truth_model(r.model)
    T.truthy(tm, "model " .. r.model .. " in the ground truth")
    T.near(r.usd_per_mtok, tm.rate_per_mtok, 1e-9, r.model)
    T.near(r.x_blended, tm.multiple_of_blended, 1e-9, r.model)
  end
  local want = {}
  for _, tm in ipairs(truth.models) do
    if tm.multiple_of_blended >= 5 and tm.total_usage >= 50 then want[tm.model] = true end
  end
  local n = 0
  for _, f in ipairs(res.flagged) do T.truthy(want[f.model], "flagged " .. f.model); n = n + 1 end
  for _ in pairs(want) do n = n - 1 end
  T.eq(n, 0, "flagged exactly the expensive models")
  local text = top.render(res)
  T.truthy(text:find("Top models: October 2026", 1, true))
  T.truthy(text:find("Flagged:", 1, true))
  T.eq(items("expensive_model")[1].alternative, res.alternative.model)
end)

T.test("key_drilldown: keys behind the expensive model, with shares", function()
  local kd = require "key_drilldown"
  local e = items("expensive_model")[1]
  local res = kd.run { model = e.model, detail = true }
  local entry = res.per_model[1]
  local found
  for _, k in ipairs(entry.major) do
    if k.key == e.key then found = k end
  end
  T.truthy(found, "the ground truth's key is a major key")
  T.near(found.spend, e.spend_usd, 1e-9)
  T.near(found.tokens, e.tokens, 1e-9)
  local text = kd.render(res)
  T.truthy(text:find("Keys behind " .. e.model, 1, true))
  T.truthy(text:find(e.key, 1, true))
  T.truthy(text:find("By user", 1, true) or text:find("By user: not populated", 1, true))
end)

-- The ground truth's impacts are monthly (× 30.4 / 31 for October); the single recipes give
-- window totals (and growth at 4.348 weeks a month).
local MONTHLY = 30.4 / 31

T.test("components: totals, remainder, web search by app", function()
  local comp = require "components"
  local res = comp.run {}
  T.near(res.total_usage, truth.baseline.total_usage, 1e-6)
  local sum = 0
  for _, r in res.totals:rows() do if type(r.usd) == "number" then sum = sum + r.usd end end
  T.near(sum, res.total_usage, 1e-6, "components plus remainder add up to total_usage")
  local want = items("web_search")
  T.eq(#res.findings, #want)
  for i, w in ipairs(want) do
    T.eq(res.findings[i].app, w.app)
    T.near(res.findings[i].usage_web * MONTHLY, w.impact_usd, 1e-9)
  end
  local text = comp.render(res)
  T.truthy(text:find("Spend components: October 2026", 1, true))
  T.truthy(text:find("web search", 1, true))
end)

T.test("prompt_heaviness: caching and reasoning", function()
  local ph = require "prompt_heaviness"
  local res = ph.run {}
  for kind, list in pairs { caching = res.caching, reasoning = res.reasoning } do
    local want = items(kind)
    T.eq(#list, #want, kind)
    for _, w in ipairs(want) do
      local got
      for _, x in ipairs(list) do if x.model == w.model then got = x end end
      T.truthy(got, kind .. " " .. w.model)
      T.near(got.impact_usd * MONTHLY, w.impact_usd, 1e-9)
    end
  end
  local text = ph.render(res)
  T.truthy(text:find("caching would pay off on", 1, true))
  T.truthy(text:find("near its ceiling", 1, true), "says where caching is near its ceiling")
end)

T.test("week_over_week: weekly series, growth, change points, the day of a move", function()
  local wow = require "week_over_week"
  local res = wow.run {}
  local n = #res.weeks
  T.eq(n, 9)
  for i = 1, 6 do T.eq(res.weeks[n - 6 + i], truth.weeks[i], "week " .. i) end
  for key, w in pairs(truth.weekly_by_key) do
    local s = res.key_series[key]
    T.truthy(s, "series for " .. key)
    for i = 1, 6 do T.near(s[n - 6 + i], w[i], 1e-9, key .. " week " .. i) end
  end
  local want = items("growth")
  T.eq(#res.growth, #want)
  for i, g in ipairs(want) do
    T.eq(res.growth[i].key, g.key)
    T.near(res.growth[i].impact_usd / 4.348 * 30.4 / 7, g.impact_usd, 1e-9)
  end
  for _, rp in ipairs(items("repointed")) do
    local ch
    for _, c in ipairs(res.changes) do if c.key == rp.key then ch = c end end
    T.truthy(ch, "change point for " .. rp.key)
    T.eq(ch.direction, "down")
    T.eq(ch.from_model, rp.from_model)
    T.eq(ch.to_model, rp.to_model)
    T.eq(ch.date, rp.date)
    T.eq(ch.week, rp.week)
  end
  local text = wow.render(res)
  T.truthy(text:find("Biggest movers", 1, true))
  T.truthy(text:find("Level change:", 1, true))
  T.truthy(text:find("moved from", 1, true))
end)

T.test("write_tables writes CSV, JSON and Markdown", function()
  local dir = os.tmpname()
  os.remove(dir)
  local t = core.table { { model = "a", spend = 1.5 } }
  local written = orscript.write_tables({ { "models", t }, { 'say "hi"', t } },
    { csv = dir .. "/new/sub", json = dir .. ".json", markdown = dir .. ".md" })
  T.eq(#written, 4)
  local f = assert(io.open(dir .. "/new/sub/models.csv"), "the folders are created")
  T.truthy(f:read("*a"):find("model,spend", 1, true))
  f:close()
  f = assert(io.open(dir .. ".json"))
  local j = orscript.json.decode(f:read("*a"))
  f:close()
  T.eq(j.models[1].spend, 1.5)
  T.eq(j['say "hi"'][1].model, "a", "keys are JSON strings")
  f = assert(io.open(dir .. ".md"))
  T.truthy(f:read("*a"):find("## models", 1, true))
  f:close()
  os.remove(dir .. "/new/sub/models.csv")
  os.remove(dir .. '/new/sub/say "hi".csv')
  os.remove(dir .. "/new/sub")
  os.remove(dir .. "/new")
  os.remove(dir)
  os.remove(dir .. ".json")
  os.remove(dir .. ".md")
  T.raises(function() orscript.write_tables({ { "x", {} } }, {}) end, "expected {name, orscript.Table}")
  T.raises(function() orscript.write_tables({}, { xlsx = "a" }) end, "unknown option 'xlsx'")
  local blocker = os.tmpname()  -- a file where a folder is wanted: a usage error, nothing written
  local ok, err = pcall(orscript.write_tables, { { "m", t } }, { csv = blocker .. "/sub" })
  T.eq(ok, false)
  T.eq(err.kind, "usage")
  os.remove(blocker)
end)

T.test("orscript.time: week_of, week_dates, label, clock", function()
  T.eq(time.week_of("2026-11-18"), "2026-11-15")
  T.eq(time.week_of(time.parse("2026-11-15T00:00:00Z")), "2026-11-15")
  local oct = time.range("2026-10-01", "2026-11-01")
  T.eq(table.concat(oct:week_dates(), ","), "2026-09-27,2026-10-04,2026-10-11,2026-10-18,2026-10-25")
  T.eq(oct:label(), "October 2026")
  T.eq(time.range("2026-10-05", "2026-10-12"):label(), "2026-10-05 .. 2026-10-11")
  local a = time.clock()
  local b = time.clock()
  T.truthy(type(a) == "number" and b >= a, "monotonic")
  T.eq(orscript.num(orscript.null), 0)
  T.eq(orscript.num(0 / 0), 0)
  T.eq(orscript.num(nil, nil), nil)
  T.eq(orscript.num("3"), 0, "text is not a number")
end)

T.done()
