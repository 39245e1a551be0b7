-- The cost review (recipes/cost_review.lua) against the demo scenario's ground truth:
-- every planted problem found with its dollar figure within 1%, nothing recommended
-- that the ground truth does not support, the repointed key an observation, at most
-- 15 requests in at most 3 phases with at most 8 in flight, and the outputs (report
-- formats, the verification script) produced and runnable.
-- (The second scenario runs through tests/blackbox/test_recipes.cpp with check_review.lua.)
package.path = "recipes/?.lua;" .. package.path
local T = require "testlib"
local core = require "orscript.core"
local report = require "orscript.report"
local check = require "check_review"

-- Count submissions and the most queries in flight (submitted, not yet waited for).
local submitted, queries, in_flight, max_in_flight = 0, 0, 0, 0
local waited = setmetatable({}, { __mode = "k" })
local real_submit, real_wait = core.submit, core.wait
core.submit = function(endpoint, ...)
  local p = real_submit(endpoint, ...)
  submitted = submitted + 1
  if endpoint == "query" then queries = queries + 1 end
  in_flight = in_flight + 1
  if in_flight > max_in_flight then max_in_flight = in_flight end
  return p
end
core.wait = function(p, ...)
  if not waited[p] then waited[p] = true; in_flight = in_flight - 1 end
  return real_wait(p, ...)
end

local review = require "cost_review"
local truth = core.demo_ground_truth()
local data = review.run { samples = 0 }  -- the request samples (issue 14): test_review_samples.lua
core.submit, core.wait = real_submit, real_wait

local function find(kind, field, value)
  for _, r in ipairs(data.recommendations) do
    if r.kind == kind and (field == nil or r[field] == value) then return r end
  end
end

T.test("the review agrees with the ground truth", function()
  local problems, n = check.compare(data, truth)
  T.eq(#problems, 0, table.concat(problems, "; "))
  T.truthy(n >= 5, "the demo plants at least five recommendations, got " .. n)
end)

T.test("every planted recommendation is found within 1%", function()
  for _, item in ipairs(truth.items) do
    if item.recommend then
      local r
      for _, x in ipairs(data.recommendations) do if check.ident(x) == check.ident(item) then r = x end end
      T.truthy(r, "missing " .. check.ident(item))
      T.near(r.impact_usd, item.impact_usd, 0.01, check.ident(item))
    end
  end
end)

T.test("each planted kind is present on the demo", function()
  for _, kind in ipairs { "expensive_model", "caching", "web_search", "reasoning", "growth", "file_parsing",
                          "prompt_trimming" } do
    T.truthy(find(kind), "no " .. kind .. " recommendation")
  end
  local e = find("expensive_model")
  T.truthy(e.alternative and e.alternative ~= e.model, "an alternative model")
end)

T.test("recommendations say what, where, how and why", function()
  for i, r in ipairs(data.recommendations) do
    T.eq(r.rank, i, "rank")
    T.truthy(type(r.title) == "string" and r.title ~= "", "title")
    T.truthy(type(r.target) == "string" and r.target ~= "", "target of " .. r.title)
    T.truthy(type(r.change) == "string" and #r.change > 20, "change of " .. r.title)
    T.truthy(type(r.risk) == "string" and #r.risk > 20, "risk of " .. r.title)
    T.truthy(#r.figures >= 3, "supporting figures of " .. r.title)
    if i > 1 then T.truthy(r.impact_usd <= data.recommendations[i - 1].impact_usd, "ordered by impact") end
  end
  T.eq(data.no_findings, false)
end)

T.test("the repointed key is an observation with its saving", function()
  local n = 0
  for _, item in ipairs(truth.items) do
    if item.kind == "repointed" then
      n = n + 1
      local o
      for _, x in ipairs(data.observations) do
        if type(x) == "table" and x.kind == "repointed" and x.key == item.key then o = x end
      end
      T.truthy(o, "observation for " .. item.key)
      T.eq(o.date, item.date, "date")
      T.eq(o.to_model, item.to_model, "to_model")
      T.near(o.weekly_before, item.weekly_before, 0.01, "weekly before")
      T.near(o.weekly_after, item.weekly_after, 0.01, "weekly after")
      T.truthy(o.title:find("already saving", 1, true), o.title)
      local supported = {}
      for _, t in ipairs(truth.items) do if t.recommend then supported[check.ident(t)] = true end end
      for _, r in ipairs(data.recommendations) do
        T.truthy(r.key ~= item.key or supported[check.ident(r)], "no recommendation for the repointed key " .. item.key)
      end
    end
  end
  T.truthy(n >= 1, "the demo plants a repointed key")
end)

T.test("at most 15 requests, 3 phases, 8 in flight", function()
  T.truthy(data.stats.requests <= 15, "requests: " .. tostring(data.stats.requests))
  T.truthy(submitted <= 15, "requests submitted: " .. submitted)
  T.eq(submitted, data.stats.requests, "the client's counter agrees with the submissions")
  T.eq(queries, data.stats.phase2_queries + data.stats.phase3_queries, "queries counted by the review")
  T.truthy(data.stats.phases <= 3, "phases: " .. data.stats.phases)
  T.truthy(max_in_flight <= 8, "in flight: " .. max_in_flight)
end)

T.test("the baseline matches", function()
  T.near(data.baseline.spend, truth.baseline.total_usage, 1e-6)
  T.near(data.baseline.tokens, truth.baseline.tokens_total, 1e-6)
  T.near(data.baseline.blended_per_mtok, truth.baseline.blended_per_mtok, 1e-6)
  T.eq(data.window.start, truth.month.start)
  T.eq(data.window.label, "October 2026")
end)

T.test("charts carry the data the report draws", function()
  T.truthy(#data.charts.spend_by_model >= 5)
  local w = data.charts.weekly_by_key
  T.truthy(#w.weeks >= 6 and #w.series >= 1)
  T.truthy(#w.markers >= 1, "change points marked")
  T.truthy(#data.charts.components.series >= 2)
end)

T.test("the report renders in every format", function()
  local text = report.terminal(data, { color = false })
  T.truthy(text:find("RECOMMENDATIONS", 1, true), "terminal heading")
  for _, r in ipairs(data.recommendations) do T.truthy(text:find(r.title, 1, true), "title in text: " .. r.title) end
  T.truthy(text:find("already saving", 1, true), "repointed observation in text")
  T.truthy(text:find("checks[#checks + 1]", 1, true), "verify script in text")
  T.truthy(report.markdown(data):find("| ", 1, true))
  T.truthy(report.html(data):find("<svg", 1, true))
  local back = orscript.json.decode(report.json(data))
  T.eq(#back.recommendations, #data.recommendations)
  T.eq(#check.compare(back, truth), 0, "the JSON round trip still agrees")
end)

T.test("the verification script runs", function()
  local fn = assert(load(data.verify_script, "=verify"))
  local lines = {}
  local real_print = print
  print = function(...)
    local parts = {}
    for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
    lines[#lines + 1] = table.concat(parts, "\t")
  end
  local ok, err = pcall(fn)
  print = real_print
  T.truthy(ok, tostring(err))
  T.eq(#lines, #data.recommendations + 1, "one line per check and a summary")
  T.truthy(lines[#lines]:find("fixes confirmed", 1, true), lines[#lines])
  -- Nothing has been fixed in the simulated account, so no check passes.
  T.truthy(lines[#lines]:find("^0 of"), lines[#lines])
end)

T.test("thresholds come from one table and can be changed per run", function()
  T.eq(review.THRESHOLDS.expensive_multiple, 5)
  T.near(review.WEEKS_PER_MONTH, 30.4 / 7, 1e-12)
  local quiet = review.run { thresholds = { min_monthly_usd = 1e12 } }
  T.eq(#quiet.recommendations, 0)
  T.eq(quiet.no_findings, true)
  T.truthy(report.terminal(quiet):find("No changes recommended.", 1, true))
  T.truthy(quiet.verify_script:find("Nothing to verify", 1, true))
  T.eq(review.THRESHOLDS.min_monthly_usd, 50, "the table itself is unchanged")
end)

-- Issue 10, point 6: the BYOK share is stated, the remainder is named as the fees it is, and
-- the report says where BYOK savings land.
T.test("BYOK: its share stated, the remainder named as fees", function()
  local month = orscript.time.last_month()
  local t = orscript.query { metrics = { "total_usage", "byok_usage", "byok_fees" }, range = month }:run()[1]
  local share = t.byok_usage / t.total_usage
  T.truthy(share > 0, "the demo has BYOK traffic")
  T.near(data.baseline.byok_share, share, 1e-9)
  local doc = orscript.json.decode(review.json_report(data))
  T.near(doc.baseline.byok_share, share, 1e-9)
  T.near(doc.baseline.byok_fees, t.byok_fees, 1e-6, "the remainder after the components is the BYOK fees")
  local text = report.terminal(data, { color = false })
  T.truthy(text:find("BYOK share", 1, true), "the baseline names the BYOK share")
  T.truthy(text:find("not OpenRouter's", 1, true), "says BYOK savings land on the provider's bill")
  T.truthy(not text:find("BYOK inference and fees", 1, true), "the remainder is not called BYOK inference")
end)

-- Issue 10, point 7: every impact is monthly, whatever the window; a partial window says so.
T.test("an arbitrary window gives monthly figures", function()
  local r = orscript.time.range("2026-11-01", "2026-11-15")
  local d = review.run { range = r }
  T.near(d.W.factor, 30.4 / 14, 1e-12)
  T.eq(d.W.partial, false)
  local m = orscript.query { metrics = { "tokens_prompt", "cached_tokens", "usage_cache" },
                             where = { { "model", "eq", "anthropic/claude-sonnet-4.5" } }, range = r }:run()[1]
  local prompt, cached = tonumber(m.tokens_prompt), tonumber(m.cached_tokens)
  local want = (0.5 - cached / prompt) * prompt * (-m.usage_cache / cached) * 30.4 / 14
  local got
  for _, x in ipairs(d.recommendations) do
    if x.kind == "caching" and x.model == "anthropic/claude-sonnet-4.5" then got = x end
  end
  T.truthy(got, "caching on claude-sonnet-4.5 over two weeks")
  T.near(got.impact_usd, want, 1e-9)
  local doc = orscript.json.decode(review.json_report(d))
  T.near(doc.window.monthly_factor, 30.4 / 14, 1e-12)
  T.eq(doc.window.days, 14)
end)

T.test("a month not yet over is partial, projected and labelled", function()
  local d = review.run { range = orscript.time.month(orscript.time.parse("2026-11-01")) }
  T.eq(d.W.partial, true)
  T.near(d.W.days, 17.5, 1e-12)
  T.near(d.W.factor, 30.4 / 17.5, 1e-12)
  T.near(d.baseline.projected_spend, d.baseline.spend * 30 / 17.5, 1e-9)
  T.truthy(d.window.label:find("partial", 1, true), d.window.label)
  local text = report.terminal(d, { color = false })
  T.truthy(text:find("partial", 1, true) and text:find("Projected", 1, true), "the report says partial and projects")
  local doc = orscript.json.decode(review.json_report(d))
  T.eq(doc.window.partial, true)
  for _, x in ipairs(d.recommendations) do
    T.truthy(x.kind ~= "caching" or x.impact_usd > 0, "impacts stay positive")
  end
end)

T.test("the --json report is version 1 with the documented fields", function()
  local doc = orscript.json.decode(review.json_report(data))
  T.eq(doc.version, 1)
  for _, f in ipairs { "from", "to", "days", "partial", "monthly_factor" } do T.truthy(doc.window[f] ~= nil, f) end
  for _, f in ipairs { "total_usage", "tokens_total", "request_count", "blended_per_mtok", "byok_share" } do
    T.truthy(doc.baseline[f] ~= nil, f)
  end
  for i, r in ipairs(doc.recommendations) do
    for _, f in ipairs { "kind", "target", "key", "model", "app", "impact_usd", "action" } do
      T.truthy(r[f] ~= nil, "recommendation " .. i .. " has " .. f)
    end
    if i > 1 then T.truthy(r.impact_usd <= doc.recommendations[i - 1].impact_usd, "sorted") end
  end
  local kinds = {}
  for _, c in ipairs(doc.checks) do
    kinds[c.kind] = c
    T.truthy(c.scope.models and c.scope.keys and c.scope.apps, "scope of " .. c.kind)
  end
  for _, k in ipairs(review.KINDS) do T.truthy(kinds[k] and kinds[k].ran, "check " .. k .. " ran") end
  local o
  for _, x in ipairs(doc.observations) do if x.kind == "repointed" then o = x end end
  for _, f in ipairs { "key", "date", "from_model", "to_model", "weekly_before", "weekly_after" } do
    T.truthy(o[f] ~= nil and o[f] ~= orscript.null, "repointed has " .. f)
  end
end)

T.done()
