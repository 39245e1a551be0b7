-- Truncation end to end: the API's flag, the planner's repairs and their limits, and the
-- flag surviving every table operation, always refusing totals that would be partial.
-- Demo, clock fixed at 2026-11-18T12:00:00Z. About 30 requests.
local T = require "testlib"
local P = require "orscript.planner"
local time = orscript.time

local month = time.last_month()
local r62 = time.range("2026-09-15", "2026-11-16")

-- Runs q with split = true while the planner's per-request limit is `part_limit`.
local function split_with(q, part_limit, opts)
  local saved = P.PART_LIMIT
  P.PART_LIMIT = part_limit
  local ok, t = pcall(q.run, q, opts or { split = true })
  P.PART_LIMIT = saved
  if not ok then error(t, 0) end
  return t
end

-- t:sum(col) is refused as a data error naming the truncation; partial = true gives it.
local function refuses_sum(t, col, what)
  local err = T.raises(function() return t:sum(col) end, "result is truncated", what)
  T.eq(err.kind, "data", what)
  T.eq(err.exit_code, 7, what)
  T.eq(type(t:sum(col, { partial = true })), "number", what)
end

local by_model = orscript.query { metrics = { "total_usage" }, by = { "model" }, range = month }
local whole = by_model:run()
local n = #whole

T.test("the demo's month has enough models for these tests", function()
  T.truthy(n >= 5, "models in the month: " .. n)
  T.eq(whole.meta.truncated, false)
end)

T.test("the API's flag: limit below the row count is truncated, exactly the row count is whole", function()
  local cut = by_model:limit(n - 1):run()
  T.eq(#cut, n - 1)
  T.eq(cut.meta.truncated, true)
  refuses_sum(cut, "total_usage", "limit n - 1")
  local exact = by_model:limit(n):run()
  T.eq(#exact, n)
  T.eq(exact.meta.truncated, false)
  T.near(exact:sum("total_usage"), whole:sum("total_usage"), 1e-12)
end)

T.test("split: a result of exactly `limit` rows is whole; one row more is truncated", function()
  local q = orscript.query { metrics = { "openrouter_usage" }, by = { "provider" }, range = r62 }
  local all = q:run { split = true }
  local k = #all
  T.truthy(k >= 3, "providers: " .. k)
  T.eq(all.meta.truncated, false)
  local exact = q:limit(k):run { split = true }
  T.eq(#exact, k)
  T.eq(exact.meta.truncated, false, "exactly limit rows")
  T.near(exact:sum("openrouter_usage"), all:sum("openrouter_usage"), 1e-12)
  local cut = q:limit(k - 1):run { split = true }
  T.eq(#cut, k - 1)
  T.eq(cut.meta.truncated, true, "one row over the limit")
  refuses_sum(cut, "openrouter_usage", "split, limit k - 1")
end)

T.test("split: a window that halving cannot repair stays truncated and refuses sum", function()
  -- One row per model over the whole window: halves have as many rows as the whole, so
  -- halving stops helping and the window stays cut at the per-request limit.
  local t = split_with(by_model, n - 1)
  T.eq(t.meta.truncated, true)
  T.truthy(t.meta.plan.repairs >= 1, "it tried to repair")
  refuses_sum(t, "total_usage", "unrepairable window")
  -- Over two windows (62 days of a 31-day field), each window unrepairable.
  local q = orscript.query { metrics = { "openrouter_usage" }, by = { "provider" }, range = r62 }
  local k = #q:run { split = true }
  local t2 = split_with(q, k - 1)
  T.truthy(t2.meta.plan.windows >= 2, "windows: " .. t2.meta.plan.windows)
  T.eq(t2.meta.truncated, true)
  refuses_sum(t2, "openrouter_usage", "two unrepairable windows")
end)

T.test("split: a third dimension whose parts are cut stays truncated", function()
  local q = orscript.query { metrics = { "request_count" }, by = { "model", "api_key_id", "variant" },
                             range = time.last_days(14) }
  local t = split_with(q, 2)
  T.eq(t.meta.truncated, true)
  refuses_sum(t, "request_count", "three dimensions")
end)

T.test("every operation keeps the flag of every input", function()
  -- (Not by week: with a grain the API raises the limit to buckets x groups.)
  local cut = orscript.query { metrics = { "total_usage", "request_count" }, by = { "model", "provider" },
                               range = month, limit = 5 }:run()
  T.eq(cut.meta.truncated, true)
  local ops = {
    filter = function() return cut:filter("total_usage", "gt", 0) end,
    filter_fn = function() return cut:filter(function() return true end) end,
    sort = function() return cut:sort("total_usage", "asc") end,
    top = function() return cut:top(3, "total_usage") end,
    derive = function() return cut:derive("double", "total_usage * 2") end,
    group = function() return cut:group("model", { { "total_usage", "sum", "total_usage" } }) end,
    group_totals = function() return cut:group({}, { { "total_usage", "sum", "total_usage" } }) end,
    pivot = function() return cut:pivot("model", "provider", "total_usage", "sum"), cut[1].provider end,
  }
  for name, op in pairs(ops) do
    local t, col = op()
    T.eq(t.meta.truncated, true, name)
    refuses_sum(t, col or "total_usage", name)
  end
  -- join: truncated when either side is.
  local left_whole = whole
  local right_cut = by_model:limit(2):run()
  T.eq(right_cut.meta.truncated, true)
  for _, how in ipairs { "inner", "left" } do
    local j = left_whole:join(right_cut:select("model"), "model", how)
    T.eq(j.meta.truncated, true, "right side cut, " .. how)
    refuses_sum(j, "total_usage", "join with a cut right side, " .. how)
    local j2 = right_cut:join(left_whole:select("model"), "model", how)
    T.eq(j2.meta.truncated, true, "left side cut, " .. how)
    local j3 = left_whole:join(whole:select("model"), "model", how)
    T.eq(j3.meta.truncated, false, "neither side cut, " .. how)
  end
  T.raises(function() return cut:share("total_usage") end, "result is truncated")
end)

T.done()
