-- The query builder: both forms, every check (with its error text), body, explain,
-- running and orscript.all. Runs against the demo with the clock at 2026-11-18T12:00Z.
local T = require "testlib"
local time = orscript.time

local function q(spec) return orscript.query(spec) end
local base = { metrics = { "total_usage" } }
local function with(extra)
  local s = { metrics = { "total_usage" } }
  for k, v in pairs(extra) do s[k] = v end
  return s
end

T.test("table form and chain form build the same body", function()
  local a = q { metrics = { "total_usage" }, by = { "api_key_id" },
                where = { { "model", "eq", "google/gemini-3-flash-preview" } },
                grain = "week", range = { "2026-05-01", "2026-07-01" } }
  local b = q():metrics("total_usage"):by("api_key_id")
              :where("model", "eq", "google/gemini-3-flash-preview")
              :grain("week"):range("2026-05-01", "2026-07-01")
  T.eq(a:body(), b:body())
  T.eq(b:body(), '{"dimensions":["api_key_id"],"filters":[{"field":"model","operator":"eq","value":"google/gemini-3-flash-preview"}],"granularity":"week","metrics":["total_usage"],"time_range":{"end":"2026-07-01T00:00:00Z","start":"2026-05-01T00:00:00Z"}}')
end)

T.test("full body: order, limit, group_limit, in with include_unset, range object", function()
  local body = q { metrics = { "total_usage", "tokens_total" }, by = { "model" }, range = time.last_month(),
                   order = { "total_usage", "desc" }, limit = 10, group_limit = 5,
                   where = { { "provider", "in", { "OpenAI", "Anthropic" }, include_unset = true } } }:body()
  T.eq(body, '{"dimensions":["model"],"filters":[{"field":"provider","include_unset":true,"operator":"in","value":["OpenAI","Anthropic"]}],"group_limit":5,"limit":10,"metrics":["total_usage","tokens_total"],"order_by":{"direction":"desc","field":"total_usage"},"time_range":{"end":"2026-11-01T00:00:00Z","start":"2026-10-01T00:00:00Z"}}')
end)

T.test("where shorthands: (field, value), map form, list value means in", function()
  local a = q(base):where("model", "openai/gpt-4o"):payload()
  T.eq(a.filters[1].operator, "eq")
  local b = q(base):where("model", { "x/a", "y/b" }):payload()
  T.eq(b.filters[1].operator, "in")
  local c = q(with { where = { model = "x/a" } }):payload()
  T.eq(c.filters[1].field, "model"); T.eq(c.filters[1].value, "x/a")
  local d = q(with { where = { field = "model", op = "neq", value = "x/a" } }):payload()
  T.eq(d.filters[1].operator, "neq")
end)

T.test("chain calls return new queries; the original is unchanged", function()
  local b0 = q(base)
  local b1 = b0:by("model")
  T.eq(#b0:spec().by, 0)
  T.eq(#b1:spec().by, 1)
  T.eq(b1:spec().metrics[1], "total_usage")
end)

T.test("no range means the API's 7-day default, and explain says so", function()
  local body = q(base):payload()
  T.eq(body.time_range, nil)
  local text = q(base):explain()
  T.truthy(text:find("the API's default, the last 7 days", 1, true), text)
  T.truthy(text:find("2026-11-11T12:00:00Z .. 2026-11-18T12:00:00Z", 1, true), text)
end)

T.test("explain names window, routing, grain, order, limits", function()
  local text = q { metrics = { "total_usage", "p90_latency" }, by = { "model", "api_key_id" }, grain = "week",
                   range = time.last_days(28), order = { "total_usage", "desc" } }:explain()
  for _, want in ipairs {
    "POST /api/v1/analytics/query",
    "total_usage (currency, summable)",
    "p90_latency (latency, a rate: averaged, never summed)",
    "'api_key_id' comes back as a label",
    "2026-10-21T00:00:00Z .. 2026-11-18T00:00:00Z (28 days, end exclusive, UTC)",
    "generation-level (p90_latency): windows of at most 31 days; time key created_at__<grain>",
    "week buckets (UTC, weeks start on Sunday)",
    "order:       total_usage desc",
    "limit 1000 (the API's default) (max 10000)",
    "group limit: automatic",
  } do
    T.truthy(text:find(want, 1, true), "explain should mention " .. want .. "\n" .. text)
  end
  local long = q(with { range = time.range("2026-01-01", "2026-11-01"), by = { "model" } }):explain()
  T.truthy(long:find("aggregated (materialized views): windows of up to 365 days", 1, true), long)
end)

-- Every check, with the text users see.
local checks = {
  { "limit 0", function() q(with { limit = 0 }) end,
    "orscript.query: invalid 'limit': expected integer 1..10000, got 0" },
  { "limit too big", function() q(base):limit(10001) end, "invalid 'limit': expected integer 1..10000, got 10001" },
  { "limit not integer", function() q(base):limit(2.5) end, "invalid 'limit': expected integer 1..10000, got 2.5" },
  { "group_limit", function() q(base):group_limit(0) end, "invalid 'group_limit': expected integer 1..10000, got 0" },
  { "group_limit without by", function() q(with { group_limit = 5 }):body() end,
    "invalid 'group_limit': it caps rows per dimension combination and has no effect without 'by'" },
  { "unknown metric", function() q { metrics = { "total_usag" } }:body() end,
    "orscript.query: unknown metric 'total_usag' (did you mean 'total_usage'?)" },
  { "dimension as metric", function() q { metrics = { "model" } }:body() end,
    "unknown metric 'model'; 'model' is a dimension: group with by(\"model\")" },
  { "unknown dimension", function() q(base):by("modle"):body() end,
    "unknown dimension 'modle' (did you mean 'model'?)" },
  { "metric as dimension", function() q(base):by("request_count"):body() end,
    "'request_count' is a metric: add it with metrics(\"request_count\")" },
  { "no metrics", function() q():by("model"):body() end, "orscript.query: no metrics" },
  { "three dimensions", function() q(base):by("model", "provider", "api_key_id"):body() end,
    "too many dimensions in 'by': 3 (the API allows 2); pass split = true to run one query per value of 'provider'" },
  { "four dimensions with split", function() q(base):by("model", "provider", "country", "origin"):split():explain() end,
    "too many dimensions in 'by': 4 (at most 2, or 3 with split = true)" },
  { "21 filters", function()
      local x = q(base)
      for i = 1, 21 do x = x:where("model", "neq", "m/" .. i) end
      x:body()
    end, "too many filters in 'where': 21 (the API allows 20)" },
  { "unknown filter field", function() q(base):where("modle", "eq", "x"):body() end,
    "unknown filter field 'modle' (did you mean 'model'?)" },
  { "filter on a metric", function() q(base):where("total_usage", "gt", 5):body() end,
    "'total_usage' is a metric; filters apply to dimensions only" },
  { "unknown operator", function() q(base):where("model", "like", "x"):body() end,
    "invalid filter on 'model': unknown operator 'like'" },
  { "array op with scalar", function() q(base):where("model", "in", "x/a") end,
    "invalid filter on 'model': operator 'in' takes a non-empty list of values such as {\"a\", \"b\"}, got \"x/a\"" },
  { "array op with empty list", function() q(base):where("model", "not_in", {}) end,
    "operator 'not_in' takes a non-empty list" },
  { "scalar op with list", function() q(base):where("model", "eq", { "a", "b" }, nil) end,
    "operator 'eq' takes one string or number, got {\"a\", \"b\"} (use 'in' or 'not_in' for a list)" },
  { "include_unset with eq", function() q(base):where("model", "eq", "x", { include_unset = true }) end,
    "include_unset works only with 'in' and 'not_in', not 'eq'" },
  { "include_unset not boolean", function() q(base):where("model", "in", { "x" }, { include_unset = "yes" }) end,
    "include_unset must be true or false" },
  { "api_key_id by name", function() q(base):where("api_key_id", "eq", "nightly-batch"):body() end,
    "invalid filter on 'api_key_id': \"nightly-batch\" looks like a display name, but 'api_key_id' is filtered by its raw id: the numeric key id or the 64-hex key hash; orscript.keys() lists each key's `hash`" },
  { "user by name", function() q(base):where("user", "in", { "Alice Smith" }):body() end,
    "invalid filter on 'user': \"Alice Smith\" looks like a display name" },
  { "workspace by name", function() q(base):where("workspace", "eq", "Default"):body() end,
    "'workspace' is filtered by its raw id: the workspace UUID" },
  { "app by name", function() q(base):where("app", "eq", "Example CLI"):body() end,
    "'app' is filtered by its raw id: the numeric app id" },
  { "31-day field over 62 days", function()
      q { metrics = { "p90_latency" }, range = { "2026-09-01", "2026-11-02" } }:body()
    end, "window too long for 'p90_latency': 62 days (generation-level fields allow at most 31 days); narrow 'range' or pass split = true" },
  { "31-day dimension over 2 months", function() q(base):by("provider"):range(time.last_month():prev():shift(-1)):range("2026-08-01", "2026-10-01"):body() end,
    "window too long for 'provider': 61 days" },
  { "over 365 days", function() q(base):range("2025-01-01", "2026-11-01"):body() end,
    "window too long: 669 days (the API allows at most 365 days)" },
  { "minute over 3 hours", function() q(base):grain("minute"):range(time.last_days(1)):body() end,
    "'minute' grain needs a window of at most 3 hours, got 1 days" },
  { "minute with the default window", function() q(base):grain("minute"):body() end,
    "got 7 days (no range: the API's default of the last 7 days)" },
  { "unknown grain", function() q(base):grain("wek"):body() end, "invalid 'grain' 'wek' (did you mean 'week'?)" },
  { "start after end", function() q(base):range("2026-05-02", "2026-05-01") end,
    "invalid 'range': start 2026-05-02T00:00:00Z is not before end 2026-05-01T00:00:00Z (the end is exclusive)" },
  { "bad date", function() q(base):range("2026-02-30", "2026-03-05") end,
    "invalid 'range' start \"2026-02-30\": no such day" },
  { "order by an unrequested metric", function() q(base):order("tokens_total"):body() end,
    "invalid 'order' field 'tokens_total'" },
  { "order direction", function() q(base):order("total_usage", "down") end,
    "invalid 'order' direction: expected \"asc\" or \"desc\", got \"down\"" },
  { "unknown option", function() q { metricz = { "total_usage" } } end,
    "orscript.query: unknown option 'metricz' (did you mean 'metrics'?)" },
  { "unknown method", function() return q(base):limt(5) end, "unknown field 'limt' on orscript.Query" },
  { "unknown module field", function() return orscript.qeury end, "unknown field 'qeury' on orscript (did you mean 'query'?)" },
  { "run option", function() q(base):run { splt = true } end, "Query:run: unknown option 'splt' (did you mean 'split'?)" },
}

for _, c in ipairs(checks) do
  T.test("check: " .. c[1], function()
    local err = T.raises(c[2], c[3])
    T.eq(err.kind, "usage", "error kind")
    T.truthy(tostring(err):find("^[^:]*test_query%.lua:%d+: "), "positioned at the caller: " .. tostring(err))
  end)
end

T.test("order by date, request_count and a dimension are accepted", function()
  local a = q(base):grain("day"):order("date", "asc"):payload()
  T.eq(a.order_by.field, "date"); T.eq(a.order_by.direction, "asc")
  local b = q(base):order("request_count"):payload()
  T.eq(b.order_by.field, "request_count"); T.eq(b.order_by.direction, "desc")
  local c = q(base):by("model"):order("model", "asc"):payload()
  T.eq(c.order_by.field, "model"); T.eq(c.order_by.direction, "asc")
  local sent = orscript.json.decode(q(base):grain("day"):order("date", "asc"):body())
  T.eq(sent.order_by.field, "date"); T.eq(sent.order_by.direction, "asc")
end)

T.test("label-resolved dimensions accept raw ids, sent as given", function()
  local hash = string.rep("ab", 32)
  local function filter(fq) return fq:payload().filters[1] end
  local f = filter(q(base):where("api_key_id", "eq", hash))
  T.eq(f.field, "api_key_id"); T.eq(f.operator, "eq"); T.eq(f.value, hash)
  f = filter(q(base):where("api_key_id", "in", { 12345, "678" }))
  T.eq(f.operator, "in"); T.eq(f.value[1], 12345); T.eq(f.value[2], "678"); T.eq(#f.value, 2)
  T.eq(filter(q(base):where("user", "eq", "user_abc123")).value, "user_abc123")
  T.eq(filter(q(base):where("workspace", "eq", "1b6f7d2e-0c59-4d0e-9a57-3f0f2d7b8c11")).value,
    "1b6f7d2e-0c59-4d0e-9a57-3f0f2d7b8c11")
  T.eq(filter(q(base):where("app", "eq", 48213)).value, 48213)
  T.truthy(q(base):where("app", "eq", 48213):body():find('"value":48213', 1, true), "a number stays a number")
end)

T.test("filters narrow the result: each filtered query is a strict part of the unfiltered one", function()
  local r = time.last_month()
  local all = q { metrics = { "request_count" }, by = { "model" }, range = r }:run()
  T.truthy(#all >= 3, "several models")
  local m1, m2 = all[1].model, all[2].model
  local function count(t)
    local n = 0
    for i = 1, #t do n = n + t[i].request_count end
    return n
  end
  local total = count(all)
  local eq = q { metrics = { "request_count" }, by = { "model" }, range = r, where = { { "model", "eq", m1 } } }:run()
  T.eq(#eq, 1); T.eq(eq[1].model, m1); T.eq(eq[1].request_count, all[1].request_count)
  local inn = q { metrics = { "request_count" }, by = { "model" }, range = r, where = { model = { m1, m2 } } }:run()
  T.eq(#inn, 2); T.eq(count(inn), all[1].request_count + all[2].request_count)
  local neq = q { metrics = { "request_count" }, by = { "model" }, range = r, where = { { "model", "neq", m1 } } }:run()
  T.eq(#neq, #all - 1); T.eq(count(neq), total - all[1].request_count)
  for i = 1, #neq do T.truthy(neq[i].model ~= m1, "neq keeps out " .. m1) end
  local nin = q { metrics = { "request_count" }, by = { "model" }, range = r,
                  where = { { "model", "not_in", { m1, m2 } } } }:run()
  T.eq(#nin, #all - 2); T.eq(count(nin), total - all[1].request_count - all[2].request_count)
end)

T.test("run returns a table; orscript.all runs concurrently and keeps order", function()
  local r = time.last_month()
  local by_model = q { metrics = { "total_usage", "request_count" }, by = { "model" }, range = r,
                       order = { "total_usage", "desc" }, limit = 5 }
  local total = q { metrics = { "total_usage" }, range = r }
  local daily = q { metrics = { "request_count" }, grain = "day", range = r }
  local t1 = by_model:run()
  T.eq(#t1, 5, "the demo has more than 5 models: limit 5 gives 5 rows")
  T.eq(t1.meta.truncated, true)
  -- Concurrency: all three are submitted before the first wait, then waited for together.
  local core = require "orscript.core"
  local real_submit, real_wait_all = core.submit, core.wait_all
  local submitted, waited_with = 0, nil
  core.submit = function(...) submitted = submitted + 1; return real_submit(...) end
  core.wait_all = function(list, ...)
    waited_with = waited_with or { submitted = submitted, n = #list }
    return real_wait_all(list, ...)
  end
  local ok, a = pcall(orscript.all, { by_model, total, daily })
  core.submit, core.wait_all = real_submit, real_wait_all
  if not ok then error(a, 0) end
  T.eq(waited_with.submitted, 3, "submitted before the first wait")
  T.eq(waited_with.n, 3, "waited for together")
  T.eq(#a, 3)
  T.eq(#a[1], #t1)
  T.eq(#a[2], 1)
  T.eq(#a[3], 31)
  T.eq(a[1][1].model, t1[1].model)
  T.eq(a[2].meta.truncated, false)
  T.raises(function() orscript.all { by_model, 42 } end, "orscript.all: item 2 is not a query")
end)

T.test("a query is checked before anything is sent", function()
  local core = require "orscript.core"
  orscript.meta() -- the catalogue the checks use, loaded first
  local before = core.stats().requests
  local err = T.raises(function() orscript.all { q(base), q(base), q { metrics = { "nope" } } } end,
    "unknown metric 'nope'")
  T.eq(err.kind, "usage")
  T.eq(core.stats().requests - before, 0, "requests sent")
  T.raises(function() orscript.all { q(base), q(base):limit(0) } end, "invalid 'limit'")
  T.eq(core.stats().requests - before, 0, "requests sent")
end)

T.test("submit returns a pending request", function()
  local p = q(base):range(time.last_days(7)):submit()
  T.truthy(tostring(p):find("orscript.Pending(query", 1, true))
  local t = p:wait()
  T.eq(#t, 1)
end)

T.done()
