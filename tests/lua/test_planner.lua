-- The split-and-merge planner gives the same totals as one unlimited query would.
-- Demo, clock fixed at 2026-11-18T12:00:00Z. About 25 requests.
local T = require "testlib"
local time = orscript.time
local null = orscript.null

local function sum(t, col)
  local s = 0
  for i = 1, #t do
    local v = t[i][col]
    if v ~= nil and v ~= null then s = s + v end
  end
  return s
end

local function by_key(t, cols, value)
  local out = {}
  for i = 1, #t do
    local row, key = t[i], {}
    for j, c in ipairs(cols) do key[j] = tostring(row[c]) end
    out[table.concat(key, "|")] = row[value]
  end
  return out
end

local r62 = time.range("2026-09-15", "2026-11-16")

T.test("a third dimension: split, joined, same totals as two dimensions", function()
  local spec = { metrics = { "total_usage", "request_count" }, range = time.last_days(14) }
  -- variant is split on (api_key_id comes back as a label, so it cannot be).
  local q3 = orscript.query(spec):by("model", "api_key_id", "variant")
  local t3 = q3:run { split = true }
  local t2 = orscript.query(spec):by("model", "api_key_id"):run()
  T.truthy(#t3 >= #t2, "at least as many rows with a third dimension")
  T.near(sum(t3, "total_usage"), sum(t2, "total_usage"), 1e-9, "total_usage")
  T.eq(sum(t3, "request_count"), sum(t2, "request_count"), "request_count")
  T.truthy(t3[1].variant ~= nil, "the split dimension is a column")
  T.eq(t3.meta.plan.split_dimension, "variant")
  T.truthy(t3.meta.plan.how:find("one query per value of 'variant'", 1, true), t3.meta.plan.how)
  -- Summing the split rows per (model, key) gives the 2-dimension rows.
  local per = {}
  for i = 1, #t3 do
    local k = tostring(t3[i].model) .. "|" .. tostring(t3[i].api_key_id)
    per[k] = (per[k] or 0) + t3[i].request_count
  end
  local want = by_key(t2, { "model", "api_key_id" }, "request_count")
  for k, v in pairs(want) do T.eq(per[k], v, "request_count of " .. k) end
end)

T.test("a 62-day window of a 31-day field equals the sum of two 31-day queries", function()
  local spec = { metrics = { "openrouter_usage", "request_count" }, by = { "provider" } }
  local split = orscript.query(spec):range(r62):run { split = true }
  local a = orscript.query(spec):range("2026-09-15", "2026-10-16"):run()
  local b = orscript.query(spec):range("2026-10-16", "2026-11-16"):run()
  T.near(sum(split, "openrouter_usage"), sum(a, "openrouter_usage") + sum(b, "openrouter_usage"), 1e-9)
  T.eq(sum(split, "request_count"), sum(a, "request_count") + sum(b, "request_count"))
  T.eq(split.meta.plan.windows, 2)
  T.eq(split.meta.plan.requests, 2)
  local per = by_key(split, { "provider" }, "request_count")
  local pa, pb = by_key(a, { "provider" }, "request_count"), by_key(b, { "provider" }, "request_count")
  for k, v in pairs(per) do T.eq(v, (pa[k] or 0) + (pb[k] or 0), "provider " .. k) end
end)

T.test("without split the long window is refused", function()
  T.raises(function()
    orscript.query { metrics = { "openrouter_usage" }, range = r62 }:run()
  end, "window too long for 'openrouter_usage': 62 days")
end)

T.test("rates are rebuilt from their parts; percentiles are not averaged", function()
  local split = orscript.query { metrics = { "cache_hit_rate", "p90_latency" }, by = { "model" }, range = r62 }
    :run { split = true }
  -- The same parts fetched by hand from the same (generation-level) source.
  local spec = { metrics = { "cached_tokens", "tokens_prompt", "p90_latency" }, by = { "model" } }
  local a, b = unpack(orscript.all {
    orscript.query(spec):range("2026-09-15", "2026-10-16"),
    orscript.query(spec):range("2026-10-16", "2026-11-16"),
  })
  local cached, prompt = {}, {}
  for _, t in ipairs { a, b } do
    for i = 1, #t do
      local m = t[i].model
      cached[m] = (cached[m] or 0) + t[i].cached_tokens
      prompt[m] = (prompt[m] or 0) + t[i].tokens_prompt
    end
  end
  local got = by_key(split, { "model" }, "cache_hit_rate")
  local n = 0
  for m, p in pairs(prompt) do
    if p > 0 then
      n = n + 1
      T.near(got[m], cached[m] / p, 1e-9, "cache_hit_rate of " .. m)
    end
  end
  T.truthy(n > 0, "some models")
  -- The helper columns are not in the result.
  T.raises(function() return split:col("cached_tokens") end, "cached_tokens")
  -- p90 of a model seen in both windows cannot be merged: null, with a warning.
  local warned = false
  for _, w in ipairs(split.meta.warnings) do
    if w:find("p90_latency cannot be merged", 1, true) then warned = true end
  end
  T.truthy(warned, "a warning names p90_latency")
  T.eq(split[1].p90_latency, null)
end)

T.test("rebuilt rates equal the unsplit query's rates (same source)", function()
  local P = require "orscript.planner"
  local q = orscript.query { metrics = { "cache_hit_rate", "request_count" }, by = { "model" }, grain = "week",
                             range = time.last_month() }
  local whole = q:run()
  local saved = P.PART_LIMIT
  P.PART_LIMIT = #whole - 1 -- truncated at first; split in time; weeks spanning the cut are merged
  local ok, t = pcall(q.run, q, { split = true })
  P.PART_LIMIT = saved
  if not ok then error(t, 0) end
  T.eq(#t, #whole)
  local want = by_key(whole, { "date", "model" }, "cache_hit_rate")
  local got = by_key(t, { "date", "model" }, "cache_hit_rate")
  for k, v in pairs(want) do
    if v == null then T.eq(got[k], null, k) else T.near(got[k], v, 1e-9, k) end
  end
  T.eq(sum(t, "request_count"), sum(whole, "request_count"))
end)

T.test("a truncated result is split by time until whole", function()
  local P = require "orscript.planner"
  local q = orscript.query { metrics = { "request_count" }, by = { "model" }, grain = "day",
                             range = time.last_days(8) }
  local whole = q:run()
  T.eq(whole.meta.truncated, false)
  local saved = P.PART_LIMIT
  P.PART_LIMIT = #whole - 1 -- every first attempt is truncated; halves fit
  local ok, t = pcall(q.run, q, { split = true })
  P.PART_LIMIT = saved
  if not ok then error(t, 0) end
  T.eq(t.meta.truncated, false)
  T.eq(#t, #whole)
  T.eq(sum(t, "request_count"), sum(whole, "request_count"))
end)

T.test("split = true with nothing to split behaves like a plain run", function()
  local q = orscript.query { metrics = { "total_usage" }, by = { "model" }, range = time.last_month(),
                             order = { "total_usage", "desc" }, limit = 3 }
  local a, b = q:run(), q:run { split = true }
  T.eq(#a, #b)
  for i = 1, #a do
    T.eq(a[i].model, b[i].model)
    T.near(b[i].total_usage, a[i].total_usage, 1e-12)
  end
end)

T.test("planner refusals", function()
  T.raises(function()
    orscript.query { metrics = { "total_usage" }, by = { "api_key_id", "user", "app" }, range = time.last_days(7) }
      :run { split = true }
  end, "cannot split on any of api_key_id, user, app: they all come back as labels")
  T.raises(function()
    orscript.query { metrics = { "request_count" }, by = { "provider" }, grain = "day", group_limit = 3, range = r62 }
      :run { split = true }
  end, "'group_limit' cannot be combined with a split by time")
end)

T.test("explain describes the split", function()
  local text = orscript.query { metrics = { "p90_latency" }, by = { "model", "provider", "country" }, range = r62 }
    :explain { split = true }
  T.truthy(text:find("3 dimensions: one query finds the values", 1, true), text)
  T.truthy(text:find("the window is longer than 31 days", 1, true), text)
end)

T.test("window cutting follows the grain", function()
  local P = require "orscript.planner"
  local ws = P.windows(time.parse("2026-07-01"), time.parse("2026-11-01"), 31, "week")
  for i, w in ipairs(ws) do
    T.truthy(w[2] - w[1] <= 31 * time.DAY, "window " .. i .. " within 31 days")
    if i < #ws then T.eq(select(7, time.parts(w[2])), 0, "cut on a Sunday") end
  end
  T.eq(ws[1][1], time.parse("2026-07-01")); T.eq(ws[#ws][2], time.parse("2026-11-01"))
  local ms = P.windows(time.parse("2026-07-01"), time.parse("2026-11-01"), 31, "month")
  T.eq(#ms, 4)
  T.eq(time.date(ms[2][1]), "2026-08-01")
end)

T.done()
