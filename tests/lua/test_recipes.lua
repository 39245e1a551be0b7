-- The five recipes as modules (recipes/*.lua), against the demo scenario's ground
-- truth, plus the shared helpers in recipes/common.lua. The recipes as scripts are
-- run by tests/blackbox/test_recipes.cpp.
package.path = "recipes/?.lua;" .. package.path
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
end)

T.test("is_main tells a script from a module", function()
  T.eq(C.is_main("test_recipes"), true)
  T.eq(C.is_main("top_models"), false)
end)

T.test("a truncated result is never totalled", function()
  local cut = core.table({ { spend = 1 } }, { meta = { truncated = true, limit = 1, warnings = { "w1" } } })
  local warnings = {}
  T.eq(C.sum(cut, "spend", "cut", warnings), nil)
  T.truthy(warnings[1]:find("w1", 1, true))
  T.truthy(warnings[2]:find("truncated", 1, true))
  T.eq(C.sum(core.table { { spend = 2 }, { spend = 3 } }, "spend"), 5)
  T.eq(C.sum(core.table { { web = orscript.null } }, "web"), 0, "null-only reads as not used")
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
  local written = C.write_tables({ csv = dir, json = dir .. ".json", markdown = dir .. ".md" }, { { "models", t } })
  T.eq(#written, 3)
  local f = assert(io.open(dir .. "/models.csv"))
  T.truthy(f:read("*a"):find("model,spend", 1, true))
  f:close()
  f = assert(io.open(dir .. ".json"))
  local j = orscript.json.decode(f:read("*a"))
  f:close()
  T.eq(j.models[1].spend, 1.5)
  f = assert(io.open(dir .. ".md"))
  T.truthy(f:read("*a"):find("## models", 1, true))
  f:close()
  os.remove(dir .. "/models.csv")
  os.remove(dir)
  os.remove(dir .. ".json")
  os.remove(dir .. ".md")
end)

T.done()
