-- Result tables from Lua: construction, access, operations, output, errors.
-- Run by CTest as `orscript --demo --now 2026-11-18T12:00:00Z tests/lua/test_table.lua`.
local T = require "testlib"
local core = require "orscript.core"
local null = core.null

-- The analytics response shapes of the API reference (§3.7), as JSON text.
local BY_MODEL = [[{"data":{"data":[
  {"model":"anthropic/claude-sonnet-4","total_usage":12.5,"request_count":"840","tokens_total":"2210034","cache_hit_rate":0.42},
  {"model":"openai/gpt-4o-mini","total_usage":0.31,"request_count":"95","tokens_total":"120400","cache_hit_rate":0.0}],
 "metadata":{"query_time_ms":18,"row_count":2,"truncated":false}}}]]
local BY_MODEL_REQUEST = {metrics = {"total_usage", "request_count", "tokens_total", "cache_hit_rate"},
                          dimensions = {"model"}, limit = 10}

local COMPONENTS = [[{"data":{"data":[
  {"created_at__day":"2026-05-31","usage_upstream":3.12,"usage_cache":-0.4,"usage_data":null,"usage_web":0.05,"usage_file":null},
  {"created_at__day":"2026-05-30","usage_upstream":1.0,"usage_cache":0,"usage_data":null,"usage_web":null,"usage_file":null}],
 "metadata":{"query_time_ms":233,"row_count":2,"truncated":false}}}]]

local WEEKLY = [[{"data":{"data":[
  {"date__week":"2026-06-07","api_key_id":"nightly-batch","total_usage":9.8},
  {"date__week":"2026-06-07","api_key_id":"nightly-batch","total_usage":1.2},
  {"date__week":"2026-05-31","api_key_id":"nightly-batch","total_usage":7.0}],
 "metadata":{"query_time_ms":4,"row_count":3,"truncated":true},
 "cachedAt":1781300000000,
 "warnings":["Could not resolve api_key_id hash: 9c1e..."]}}]]

local function spend()
  return core.table({
    {date = "2026-05-02", model = "a", total_usage = 4.0, request_count = 10, cache_hit_rate = 0.5},
    {date = "2026-05-02", model = "b", total_usage = 1.0, request_count = 30, cache_hit_rate = 0.1},
    {date = "2026-05-01", model = "a", total_usage = 2.0, request_count = 30, cache_hit_rate = 0.3},
    {date = "2026-05-01", model = "b", total_usage = null, request_count = 0, cache_hit_rate = null},
    {date = "2026-05-01", model = "c", total_usage = 3.0, request_count = 5, cache_hit_rate = 0.0},
  }, {columns = {"date", "model", "total_usage", "request_count", "cache_hit_rate"}})
end

local function list(t)
  local out = {}
  for i, v in ipairs(t) do out[i] = v == null and "null" or tostring(v) end
  return table.concat(out, ",")
end

T.test("string counts become numbers; labels, formats and meta come through", function()
  local t = core.parse_table(BY_MODEL, {request = BY_MODEL_REQUEST})
  T.eq(#t, 2)
  T.eq(t[1].request_count, 840)
  T.eq(type(t[1].request_count), "number")
  T.eq(t[2].tokens_total, 120400)
  T.eq(t[1].model, "anthropic/claude-sonnet-4")
  T.eq(t.meta.truncated, false)
  T.eq(t.meta.row_count, 2)
  T.eq(t.meta.query_time_ms, 18)
  T.eq(t.meta.cached_at, nil)
  T.eq(#t.meta.warnings, 0)
  T.eq(t.meta.request.limit, 10)
  T.eq(t.meta.source, "/analytics/query")
  T.eq(t:info("total_usage").format, "currency")
  T.eq(t:info("cache_hit_rate").is_rate, true)
  T.eq(t:info("model").role, "dimension")
  T.eq(list(t.columns), "model,total_usage,request_count,tokens_total,cache_hit_rate")
end)

T.test("null stays distinct from zero; created_at__day becomes the date column", function()
  local t = core.parse_table(COMPONENTS)
  T.eq(t[1].usage_data, null)
  T.eq(t[2].usage_cache, 0)
  T.eq(t[2].usage_web, null)
  T.eq(list(t:col("usage_web")), "0.05,null")
  T.eq(t[1].date, "2026-05-31")
  local info = t:info("date")
  T.eq(info.type, "time")
  T.eq(info.source_key, "created_at__day")
  T.eq(info.granularity, "day")
  T.eq(t:sum("usage_data"), null)         -- every cell null: the sum is null, not 0
  T.near(t:sum("usage_web"), 0.05)        -- nulls skipped
end)

T.test("date__week, duplicate labels, warnings, cachedAt and truncation", function()
  local t = core.parse_table(WEEKLY, {request = {metrics = {"total_usage"}, dimensions = {"api_key_id"},
                                                 granularity = "week", limit = 3}})
  T.eq(#t, 3)                              -- two rows with the same label stay two rows
  T.eq(t[1].api_key_id, t[2].api_key_id)
  T.eq(t:info("date").source_key, "date__week")
  T.eq(t:info("date").granularity, "week")
  T.eq(t.meta.truncated, true)
  T.eq(t.meta.cached_at, 1781300000000)
  T.eq(t.meta.warnings[1], "Could not resolve api_key_id hash: 9c1e...")
  local err = T.raises(function() return t:sum("total_usage") end,
    "result is truncated (row limit 3): the sum would be partial; narrow the query, raise limit, or pass {partial=true}")
  T.eq(err.kind, "data")
  T.near(t:sum("total_usage", {partial = true}), 18.0)
  local text = tostring(t)
  T.truthy(text:find("warning: Could not resolve api_key_id hash", 1, true), "warning printed")
  T.truthy(text:find("top 3 of more (limit = 3)", 1, true), "truncation printed as the user's top 3")
end)

T.test("rows, indexing, columns and immutability", function()
  local t = spend()
  T.eq(#t, 5)
  T.eq(t[0], nil)
  T.eq(t[6], nil)
  local n, total = 0, 0
  for i, row in t:rows() do
    n = n + 1
    T.eq(row.model, t[i].model)
    if row.total_usage ~= null then total = total + row.total_usage end
  end
  T.eq(n, 5)
  T.eq(total, 10)
  T.eq(list(t:col("model")), "a,b,a,b,c")
  T.eq(t[1].date, "2026-05-02")
  local row = t[1]
  row.model = "changed"
  T.eq(t[1].model, "a")                    -- rows are copies
  local m = t.meta
  m.truncated = true
  T.eq(t.meta.truncated, false)
end)

T.test("unknown fields and columns raise with suggestions", function()
  local t = spend()
  T.raises(function() return t.nope end, "unknown field 'nope' on orscript.Table")
  T.raises(function() return t:nope() end, "unknown field 'nope' on orscript.Table")
  local err = T.raises(function() return t:col("totl_usage") end, "did you mean 'total_usage'?")
  T.eq(err.kind, "usage")
  T.raises(function() return t:col("totl_usage") end, "columns: date, model, total_usage")
end)

T.test("filter with a function and with (column, operator, value)", function()
  local t = spend()
  T.eq(#t:filter(function(r) return r.model == "a" end), 2)
  T.eq(#t:filter("model", "eq", "a"), 2)
  T.eq(#t:filter("model", "in", {"b", "c"}), 3)
  T.eq(#t:filter("model", "not_in", {"b", "c"}), 2)
  T.eq(#t:filter("total_usage", "gt", 2), 2)
  T.eq(#t:filter("total_usage", "eq", null), 1)
  T.eq(#t:filter("total_usage", "neq", null), 4)
  T.eq(#t:filter("date", "gte", "2026-05-02"), 2)
  T.eq(#t, 5)                              -- the original is unchanged
  T.raises(function() return t:filter("model", "like", "a") end, "unknown operator 'like'")
  T.raises(function() return t:filter("model", "eq", 3) end, "expected a string")
end)

T.test("a failing callback's error comes through unchanged", function()
  local t = spend()
  local marker = {}
  local ok, err = pcall(function() return t:filter(function() error(marker) end) end)
  T.eq(ok, false)
  T.eq(err, marker)
  T.raises(function() return t:derive("x", function() error("boom in derive") end) end, "boom in derive")
end)

T.test("sort, top and head", function()
  local t = spend()
  T.eq(list(t:sort("total_usage", "desc"):col("total_usage")), "4,3,2,1,null")
  T.eq(list(t:sort("total_usage"):col("total_usage")), "1,2,3,4,null")
  T.eq(list(t:sort{"model", {"date", "desc"}}:col("request_count")), "10,30,30,0,5")
  T.eq(list(t:top(2, "request_count"):col("request_count")), "30,30")
  T.eq(#t:head(3), 3)
  T.eq(list(t:select("model", "total_usage").columns), "model,total_usage")
  T.raises(function() return t:sort("model", "down") end, "direction must be")
end)

T.test("derive with a function or an expression, with a format", function()
  local t = spend()
  local d = t:derive("per_request", function(r)
    if r.total_usage == null or r.request_count == 0 then return nil end
    return r.total_usage / r.request_count
  end, {format = "currency"})
  T.near(d[1].per_request, 0.4)
  T.eq(d[4].per_request, null)
  T.eq(d:info("per_request").format, "currency")
  T.eq(d:info("per_request").role, "derived")
  local e = t:derive("k_requests", "request_count / 1000")
  T.near(e[2].k_requests, 0.03)
  local n = t:derive("doubled", "total_usage * 2")
  T.eq(n[4].doubled, null)                 -- a null operand gives null
  T.eq(t:derive("label", "model .. '!'")[1].label, "a!")
  T.raises(function() return t:derive("bad", "1 +") end, "cannot compile expression")
end)

T.test("group with sums, counts and a weighted mean; summing a rate is refused", function()
  local t = spend()
  local g = t:group("model", {
    spend = {"sum", "total_usage"},
    n = "count",
    days = {"count_distinct", "date"},
    hit = {"wmean", "cache_hit_rate", "request_count"},
  })
  T.eq(list(g.columns), "model,days,hit,n,spend")
  T.eq(list(g:col("spend")), "6,1,3")
  T.eq(list(g:col("n")), "2,2,1")
  T.near(g[1].hit, (0.5 * 10 + 0.3 * 30) / 40)
  T.eq(g:info("hit").format, "percent")
  local ordered = t:group({"model"}, {{"spend", "sum", "total_usage"}, {"top", "max", "total_usage"}})
  T.eq(list(ordered.columns), "model,spend,top")
  local totals = t:group({}, {{"spend", "sum", "total_usage"}})
  T.eq(totals[1].spend, 10)
  local err = T.raises(function() return t:group("model", {r = {"sum", "cache_hit_rate"}}) end, "weighted mean")
  T.eq(err.kind, "usage")
  T.raises(function() return t:sum("cache_hit_rate") end, "wmean")
end)

T.test("pivot, join, share and change", function()
  local t = spend()
  local p = t:pivot("model", "date", "total_usage")
  T.eq(list(p.columns), "model,2026-05-01,2026-05-02")
  T.eq(p[3]["2026-05-02"], null)           -- missing cell
  T.raises(function() return t:pivot("date", "date", "total_usage") end, "more than one")
  T.eq(list(t:pivot("date", "model", "request_count", "sum"):col("a")), "10,30")

  local vendors = core.table{{model = "a", vendor = "Acme", total_usage = 100}, {model = "b", vendor = "Beta", total_usage = 1}}
  local j = t:join(vendors, "model")
  T.eq(#j, 4)
  T.eq(j[1].vendor, "Acme")
  T.eq(j[1].total_usage_2, 100)
  local l = t:join(vendors, {"model"}, "left")
  T.eq(#l, 5)
  T.eq(l[5].vendor, null)

  local s = t:share("total_usage")
  T.near(s[1].total_usage_share, 0.4)
  T.near(t:share("total_usage", {by = "date"})[1].total_usage_share, 0.8)

  local c = t:change("total_usage")
  T.eq(c[1].total_usage_prev, 2)
  T.eq(c[1].total_usage_change, 2)
  T.near(c[1].total_usage_change_pct, 1.0)
  T.eq(c[3].total_usage_prev, null)
end)

T.test("output: tostring, csv, json, markdown, write", function()
  local t = core.parse_table(BY_MODEL, {request = BY_MODEL_REQUEST})
  local text = t:format{width = 120}
  T.truthy(text:find("$12.50", 1, true), "currency")
  T.truthy(text:find("42.0%", 1, true), "percent")
  T.truthy(text:find("2,210,034", 1, true), "thousands")
  T.eq(tostring(t):sub(1, 5), "model")
  local csv = t:to_csv()
  T.eq(csv:sub(1, 61), "model,total_usage,request_count,tokens_total,cache_hit_rate\r\n")
  T.truthy(csv:find("anthropic/claude-sonnet-4,12.5,840,2210034,0.42\r\n", 1, true), "csv row")
  T.eq(t:to_json():sub(1, 39), '[{"model":"anthropic/claude-sonnet-4","')
  T.truthy(core.parse_table(COMPONENTS):to_json():find('"usage_data":null', 1, true), "json null")
  T.truthy(t:to_markdown():find("| model | total_usage |", 1, true), "markdown header")
  local base = os.tmpname()
  local path = base .. ".csv"
  t:write(path)
  local f = assert(io.open(path, "rb"))
  T.eq(f:read("*a"), csv)
  f:close()
  os.remove(path)
  os.remove(base)
  T.raises(function() t:write("out.xlsx") end, "unknown extension '.xlsx'")
end)

T.test("core.table from columns, with formats, rates and meta", function()
  local t = core.table({model = {"a", "b"}, spend = {1.5, null}, hits = {0.5, 0.25}},
    {columns = {"model", "spend"}, formats = {spend = "currency", hits = "percent"}, rates = {"hits"},
     meta = {truncated = true, limit = 2, warnings = {"w1"}}})
  T.eq(list(t.columns), "model,spend,hits")
  T.eq(t:info("spend").format, "currency")
  T.eq(t:info("hits").is_rate, true)
  T.eq(t[2].spend, null)
  T.eq(t.meta.truncated, true)
  T.eq(t.meta.warnings[1], "w1")
  T.raises(function() return t:sum("spend") end, "row limit 2")
  T.eq(t:sum("spend", {partial = true}), 1.5)
  T.raises(function() return core.table({1, 2}) end, "row 1 is not a table")
  T.eq(#core.table{}, 0)
end)

T.done()
