-- The endpoint wrappers, the catalogue and its cache, and the core helpers.
-- Demo, clock fixed at 2026-11-18T12:00:00Z. About 20 requests.
local T = require "testlib"
local time = orscript.time

T.test("meta: the catalogue, cached in memory and on disk", function()
  local m = orscript.meta()
  T.truthy(#m.metrics > 0 and #m.dimensions > 0 and #m.operators > 0 and #m.granularities > 0)
  local tu = m:metric("total_usage")
  T.eq(tu.format, "currency"); T.eq(tu.is_rate, false); T.eq(tu.max_days, 365)
  T.eq(m:metric("cache_hit_rate").is_rate, true)
  T.eq(m:dimension("provider").max_days, 31)
  T.eq(m:dimension("api_key_id").label_resolved, true)
  T.eq(m:operator("in").value_type, "array")
  T.truthy(m:granularity("week"))
  T.eq(m:metric("nope"), nil)
  T.truthy(rawequal(orscript.meta(), m), "fetched once per process")
  local fresh = orscript.meta { refresh = true }
  T.eq(fresh.source, "api")
  T.eq(fresh.fetched_at, orscript.now())
  local dir = orscript.cache_dir()
  if dir then
    require("orscript.schema").reset()
    local cached = orscript.meta()
    T.eq(cached.source, "cache")
    T.eq(#cached.metrics, #m.metrics)
  end
  T.raises(function() orscript.meta { refesh = true } end, "orscript.meta: unknown option 'refesh' (did you mean 'refresh'?)")
  T.raises(function() return m.nope end, "unknown field 'nope' on orscript.Schema")
end)

-- Sum of a column over a result (plain Lua, not the code under test).
local function total(t, col)
  local s = 0
  for i = 1, #t do s = s + (tonumber(t[i][col]) or 0) end
  return s
end

-- The activity window at the test clock: 2026-10-19 .. 2026-11-17 (30 completed days).
local activity_range = time.range("2026-10-19", "2026-11-18")

T.test("activity: rows for the last 30 completed days", function()
  local t = orscript.activity()
  T.truthy(#t > 0, "some activity")
  local days = {}
  for i = 1, #t do days[tostring(t[i].date):sub(1, 10)] = true end
  local list = {}
  for d in pairs(days) do list[#list + 1] = d end
  table.sort(list)
  T.eq(#list, 30, "distinct days")
  T.eq(list[1], "2026-10-19")
  T.eq(list[30], "2026-11-17")
  -- The same requests analytics counts over those days.
  local a = orscript.query { metrics = { "request_count" }, range = activity_range }:run()
  T.eq(total(t, "requests"), a[1].request_count)
  local w = orscript.activity { group_by = "workspace" }
  T.truthy(w[1].workspace_id ~= nil, "group_by workspace adds workspace_id")
  T.raises(function() orscript.activity { date = "2026-09-01" } end,
    "orscript.activity: invalid 'date' \"2026-09-01\": /activity covers the last 30 completed UTC days (2026-10-19 .. 2026-11-17)")
  T.raises(function() orscript.activity { date = "2026-11-18" } end, "last 30 completed UTC days")
  T.raises(function() orscript.activity { date = "18/11/2026" } end, "invalid 'date': expected a date \"YYYY-MM-DD\"")
  T.raises(function() orscript.activity { group_by = "user" } end, "invalid 'group_by': expected one of workspace, got \"user\"")
  T.raises(function() orscript.activity { key_hash = "nightly" } end, "invalid 'key_hash': expected the key's 64-hex hash")
  T.raises(function() orscript.activity { user_id = "Alice" } end, "invalid 'user_id'")
  T.raises(function() orscript.activity { workspace_id = "Default" } end, "invalid 'workspace_id': expected a workspace UUID")
  T.raises(function() orscript.activity { dat = "2026-11-01" } end, "orscript.activity: unknown option 'dat' (did you mean 'date'?)")
end)

T.test("keys: hashes that filter api_key_id", function()
  local keys = orscript.keys()
  T.truthy(#keys > 0, "the demo has keys")
  local key = keys[#keys]
  local hash = key.hash
  T.eq(#hash, 64)
  local spec = { metrics = { "request_count" }, by = { "api_key_id" }, range = activity_range }
  local all = orscript.query(spec):run()
  T.truthy(#all > 2, "several keys without the filter")
  local want
  for i = 1, #all do if all[i].api_key_id == key.name then want = all[i].request_count end end
  T.truthy(want and want > 0, "the key has traffic")
  spec.where = { { "api_key_id", "eq", hash } }
  local t = orscript.query(spec):run()
  T.eq(#t, 1, "the filter keeps one key")
  T.eq(t[1].api_key_id, key.name)
  T.eq(t[1].request_count, want)
  -- /activity's key filter: that key's requests only, less than everyone's.
  local act = orscript.activity { key_hash = hash }
  T.truthy(#act > 0, "the key has activity")
  T.eq(total(act, "requests"), want)
  T.truthy(total(act, "requests") < total(orscript.activity(), "requests"), "narrower than unfiltered")
end)

T.test("key and credits are plain tables", function()
  local k = orscript.key()
  T.eq(type(k), "table")
  T.eq(k.is_management_key, true)
  local c = orscript.credits()
  T.eq(type(c.total_credits), "number")
  T.eq(type(c.total_usage), "number")
end)

T.test("generation: drill down from a generation_id", function()
  local t = orscript.query { metrics = { "request_count" }, by = { "generation_id" }, range = time.last_days(3),
                             limit = 1 }:run()
  T.eq(#t, 1)
  local id = t[1].generation_id
  local g = orscript.generation(id)
  T.eq(g.id, id)
  T.raises(function() orscript.generation("") end, "orscript.generation: invalid 'id'")
end)

T.test("rankings.daily", function()
  local t = orscript.rankings.daily { start_date = "2026-11-10", end_date = "2026-11-16" }
  T.truthy(#t > 0)
  T.truthy(t[1].model_permaslug ~= nil)
  T.raises(function() orscript.rankings.daily { category = "programming", period = "day" } end,
    "period \"day\" is not available with 'category'")
  T.raises(function() orscript.rankings.daily { category = "programming", modality = "text" } end,
    "cannot be combined with 'modality' or 'context_bucket'")
  T.raises(function() orscript.rankings.daily { start_date = "2026-11-10", end_date = "2026-11-01" } end,
    "invalid dates: start_date 2026-11-10 is after end_date 2026-11-01 (both are inclusive)")
  T.raises(function() orscript.rankings.daily { start_date = "2024-01-01", end_date = "2026-01-01" } end,
    "days from start_date to end_date (at most 366)")
  T.raises(function() orscript.rankings.daily { end_date = "2024-12-31" } end, "the datasets start on 2025-01-01")
  T.raises(function() orscript.rankings.daily { modality = "video" } end,
    "invalid 'modality': expected one of text, image, image_output, audio, tool_calling, got \"video\"")
  T.raises(function() return orscript.rankings.weekly end, "unknown field 'weekly' on orscript.rankings")
end)

T.test("rankings.apps follows pages; session_cost", function()
  local apps = orscript.rankings.apps { limit = 100 }
  T.truthy(#apps > 0)
  for i = 1, #apps do T.eq(apps[i].rank, i, "ranks are 1..n across pages") end
  T.raises(function() orscript.rankings.apps { category = "coding", subcategory = "roleplay" } end,
    "subcategory \"roleplay\" is not in category \"coding\"")
  T.raises(function() orscript.rankings.apps { limit = 500 } end, "invalid 'limit': expected integer 1..100, got 500")
  local sc = orscript.session_cost { turn_range = "10-49-turns" }
  T.truthy(#sc > 0, "some sessions of 10-49 turns")
  for i = 1, #sc do T.eq(sc[i].turn_range, "10-49-turns", "row " .. i) end
  local every = orscript.session_cost { limit = 500 }
  local other = 0
  for i = 1, #every do if every[i].turn_range ~= "10-49-turns" then other = other + 1 end end
  T.truthy(other > 0, "without the filter other turn ranges come back")
  T.raises(function() orscript.session_cost { turn_range = "10 turns" } end, "invalid 'turn_range'")
end)

T.test("orscript.all mixes queries and requests", function()
  local res = orscript.all {
    orscript.query { metrics = { "total_usage" }, range = time.last_month() },
    orscript.request.credits(),
    orscript.request.rankings_daily { range = time.last_days(3) },
  }
  T.eq(#res, 3)
  T.eq(#res[1], 1)
  T.eq(type(res[2].total_credits), "number")
  T.truthy(#res[3] > 0)
end)

T.test("core helpers: json, null, account, error", function()
  local text = orscript.json.encode { a = 1, b = { 1, 2 }, c = orscript.null }
  local back = orscript.json.decode(text)
  T.eq(back.a, 1); T.eq(back.b[2], 2); T.eq(back.c, orscript.null)
  T.raises(function() orscript.json.decode("{") end, "json_decode: invalid JSON")
  T.eq(tostring(orscript.null), "null")
  T.eq(orscript.account(), "demo")
  local err = T.raises(function() orscript.error("data", "not enough weeks") end, "not enough weeks")
  T.eq(err.kind, "data")
  T.truthy(tostring(err):find("test_api.lua:%d+: not enough weeks"), tostring(err))
end)

T.done()
