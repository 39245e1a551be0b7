-- review_scenario: the cost review on the small hand-written accounts of tests/review/*.json,
-- one CTest test per point of issue 10 ("What it misses or gets wrong today"). Each planted
-- problem's expected monthly impact is the scenario's own arithmetic (requests × rate × price ×
-- 30.4), not a figure read back from the review; 10 % covers the simulator's noise.
--   orscript --demo --scenario tests/review/surcharges.json --now 2026-11-18T12:00:00Z \
--     tests/lua/review_scenario.lua file_parsing
local T = require "testlib"
local review = require "cost_review"
local report = require "orscript.report"

local point = arg and arg[1]
local data = review.run {}
local doc = orscript.json.decode(review.json_report(data))
local text = report.terminal(data, { color = false })
local MONTH = 30.4

local function rec(kind, field, value)
  for _, r in ipairs(doc.recommendations) do
    if r.kind == kind and (field == nil or r[field] == value) then return r end
  end
end

local function kinds()
  local out = {}
  for _, r in ipairs(doc.recommendations) do out[#out + 1] = r.kind .. ":" .. tostring(r.key or r.model or r.app) end
  table.sort(out)
  return table.concat(out, ", ")
end

local function check_ran(kind)
  for _, c in ipairs(doc.checks) do
    if c.kind == kind then
      T.truthy(c.ran, kind .. " ran")
      return c
    end
  end
  error("no check record for " .. kind)
end

local POINTS = {}

-- 1. File parsing and web fetch are found (an app, and a key's traffic without an app).
POINTS.file_parsing = function()
  T.test("file parsing in an app is a recommendation", function()
    local r = rec("file_parsing", "app", "Docs App")
    T.truthy(r, "file_parsing for Docs App; got " .. kinds())
    T.eq(r.key, orscript.null, "identified by the app")
    -- 600 requests/day, 80 % with a file of 1-12 pages (mean 6.5) at $0.002 a page.
    T.near(r.impact_usd, 600 * 0.8 * 6.5 * 0.002 * MONTH, 0.1)
  end)
  T.test("web fetch on a key without an app is a recommendation", function()
    local r = rec("web_fetch", "key", "k-fetch")
    T.truthy(r, "web_fetch for k-fetch; got " .. kinds())
    T.eq(r.app, orscript.null)
    T.near(r.impact_usd, 2000 * 0.5 * 0.004 * MONTH, 0.1)
  end)
  T.test("the decoy app (2 % file requests) is not recommended", function()
    T.eq(rec("file_parsing", "app", "Main App"), nil)
    T.eq(#doc.recommendations, 3, kinds())
  end)
  T.test("file and web fetch are components, not remainder", function()
    T.truthy(not text:find("BYOK inference and fees", 1, true), "the remainder is not called BYOK inference")
    T.truthy(math.abs(doc.baseline.byok_fees) < 0.01, "no BYOK here, so nothing is left over: " .. doc.baseline.byok_fees)
    check_ran("file_parsing")
    check_ran("web_fetch")
  end)
end

-- 2. Native web search (usage_upstream_web) is found.
POINTS.native_web_search = function()
  T.test("built-in web search is a recommendation", function()
    local r = rec("native_web_search", "app", "Search App")
    T.truthy(r, "native_web_search for Search App; got " .. kinds())
    T.near(r.impact_usd, 1000 * 0.3 * 0.02 * MONTH, 0.1)
    T.eq(rec("web_search"), nil, "not reported as plugin web search")
    T.eq(check_ran("native_web_search").findings, 1)
  end)
end

-- 3. A key moved to a dearer model is a recommendation with what, when and how much.
POINTS.model_upgrade = function()
  T.test("the move to a dearer model is a recommendation", function()
    local r = rec("model_upgrade", "key", "k-upgrade")
    T.truthy(r, "model_upgrade for k-upgrade; got " .. kinds())
    T.eq(r.from_model, "acme/mid")
    T.eq(r.to_model, "acme/pricey")
    T.eq(r.date, "2026-10-25")
    -- 500 requests a day of 2000 prompt + 300 completion tokens, $1/$4 before and $30/$120 after.
    local before = 500 * 7 * (2000 * 1 + 300 * 4) / 1e6
    local after = 500 * 7 * (2000 * 30 + 300 * 120) / 1e6
    T.near(r.impact_usd, (after - before) * MONTH / 7, 0.1)
    T.truthy(r.action:find("acme/mid", 1, true), "the action names the model to go back to")
  end)
  T.test("a move of part of a key's traffic is found on the models, not the key's total", function()
    local r = rec("model_upgrade", "key", "k-mixed")
    T.truthy(r, "model_upgrade for k-mixed; got " .. kinds())
    T.eq(r.from_model, "acme/cheap")
    T.eq(r.to_model, "acme/mid")
    -- 1000 requests a day of 2000 + 300 tokens: $0.1/$0.4 before, $1/$4 after.
    local before = 1000 * 7 * (2000 * 0.1 + 300 * 0.4) / 1e6
    local after = 1000 * 7 * (2000 * 1 + 300 * 4) / 1e6
    T.near(r.impact_usd, (after - before) * MONTH / 7, 0.1)
  end)
  T.test("no expensive-model advice for the model the key just moved to", function()
    T.eq(rec("expensive_model", "key", "k-upgrade"), nil, kinds())
    T.eq(rec("growth", "key", "k-upgrade"), nil, "the move is not growth")
  end)
end

-- 4. No check is lost to the row limit: the weekly key × model answer (> 10,000 rows) is
-- fetched in parts, and growth on one of 125 keys is found.
POINTS.row_limit = function()
  T.test("every check ran and growth is found on a 125-key account", function()
    for _, c in ipairs(doc.checks) do T.truthy(c.ran, c.kind .. " ran: " .. tostring(c.reason)) end
    for _, w in ipairs(doc.warnings) do T.truthy(not w:find("truncated", 1, true), w) end
    T.truthy(data.stats.splits >= 1, "the truncated answer was split")
    T.truthy(data.stats.requests <= 15, "requests: " .. tostring(data.stats.requests))
    local r = rec("growth", "key", "k007")
    T.truthy(r, "growth for k007; got " .. kinds())
    T.near(r.recent_weekly / r.before_weekly, 3, 0.15)
    T.eq(#doc.recommendations, 1, kinds())
  end)
end

-- 5. A move off an expensive model already made is an observation, not a recommendation.
POINTS.fixed = function()
  T.test("an expensive model already left is not recommended again", function()
    T.eq(rec("expensive_model", "key", "k-fixed"), nil, kinds())
    T.eq(rec("spike", "key", "k-fixed"), nil, "the edge of a level change is not a spike")
    local o
    for _, x in ipairs(doc.observations) do if x.kind == "fixed" and x.key == "k-fixed" then o = x end end
    T.truthy(o, "a fixed observation for k-fixed")
    T.eq(o.from_model, "acme/pricey")
    T.eq(o.to_model, "acme/cheap")
    T.eq(o.date, "2026-10-09")
    T.truthy(o.weekly_after <= 0.05 * o.weekly_before, "nothing left on the model")
    for _, x in ipairs(doc.observations) do T.truthy(x.kind ~= "repointed" or x.key ~= "k-fixed", "reported once") end
  end)
end

-- 5 (continued). A key that cut its use of an expensive model is sized on its current run rate.
POINTS.run_rate = function()
  T.test("an expensive model on a key that cut its use is sized on the weeks since the cut", function()
    local r = rec("expensive_model", "key", "k-cut")
    T.truthy(r, "expensive_model for k-cut; got " .. kinds())
    T.eq(r.basis, "run_rate")
    -- 30 % of 150 requests a day of 2000 + 300 tokens at $30/$120, less the same tokens at acme/cheap's rate.
    local weekly = 0.3 * 150 * 7 * (2000 * 30 + 300 * 120) / 1e6
    local alt = 0.3 * 150 * 7 * (2000 * 0.1 + 300 * 0.4) / 1e6
    T.near(r.impact_usd, (weekly - alt) * MONTH / 7, 0.1)
    local window = r.spend * doc.window.monthly_factor
    T.truthy(r.impact_usd < 0.6 * window, "well under the window's average")
  end)
end

-- 8. The four new checks, each on its planted problem, and nothing else.
POINTS.new_checks = function()
  T.test("an expensive model spread thinly over six keys", function()
    local r = rec("expensive_model_spread", "model", "acme/pricey")
    T.truthy(r, "spread for acme/pricey; got " .. kinds())
    T.eq(r.key, orscript.null)
    T.eq(#r.keys, 6)
    T.truthy(r.top_share < 0.2, "no key reaches key_share")
  end)
  T.test("a single-week spike", function()
    local r = rec("spike", "key", "k-spike")
    T.truthy(r, "spike for k-spike; got " .. kinds())
    T.eq(r.week, "2026-10-25")
    -- 600 requests a day, ten times for one week: 9 extra weeks' worth at $1/$4.
    T.near(r.impact_usd, 9 * 600 * 7 * (2000 * 1 + 300 * 4) / 1e6, 0.15)
    T.eq(r.one_off, true)
    T.truthy(text:find("once", 1, true) and not text:find(string.format("%.2f/mo", r.impact_usd), 1, true),
      "a one-off is not printed as monthly")
  end)
  T.test("cache writes that cost more than they save", function()
    local r = rec("cache_writes", "model", "acme/cachey")
    T.truthy(r, "cache_writes for acme/cachey; got " .. kinds())
    T.truthy(r.usage_cache > 0)
    T.eq(rec("caching", "model", "acme/cachey"), nil, "not told to cache more")
  end)
  T.test("prompt trimming where caching cannot help", function()
    local r = rec("prompt_trimming", "model", "acme/long")
    T.truthy(r, "prompt_trimming for acme/long; got " .. kinds())
    T.near(r.prompt_per_request, 40000, 0.1)
    -- 400 requests a day of 40,000 prompt tokens at $1/Mtok, 30 % trimmed.
    T.near(r.impact_usd, 0.3 * 400 * 40000 * 1 / 1e6 * MONTH, 0.1)
  end)
  T.test("nothing else is recommended", function()
    T.eq(#doc.recommendations, 4, kinds())
    for _, kind in ipairs { "expensive_model_spread", "spike", "cache_writes", "prompt_trimming" } do
      T.eq(check_ran(kind).findings, 1, kind)
    end
  end)
end

local run = POINTS[point]
if not run then error("review_scenario: unknown point '" .. tostring(point) .. "'", 0) end
run()

T.test("the verification script runs, one check per recommendation", function()
  local fn = assert(load(data.verify_script, "=verify"))
  local lines, real_print = {}, print
  print = function(...) lines[#lines + 1] = table.concat({ ... }, "\t") end
  local ok, err = pcall(fn)
  print = real_print
  T.truthy(ok, tostring(err))
  T.eq(#lines, #data.recommendations + 1, table.concat(lines, "\n"))
  T.truthy(lines[#lines]:find("fixes confirmed", 1, true) or lines[#lines]:find("Nothing to verify", 1, true))
end)
T.done()
