-- What a new user trips on in the first hour (issue 11): empty results, truncation
-- notes, finding the main metric, table methods. Demo, clock fixed at
-- 2026-11-18T12:00:00Z.
local T = require "testlib"
local time = orscript.time
local core = require "orscript.core"

-- A window with no traffic: the demo's data ends at "now".
local EMPTY = time.range("2030-01-01", "2030-02-01")

T.test("an empty result keeps the columns the query asked for and sums to 0", function()
  local t = orscript.query { metrics = { "total_usage", "request_count" }, by = { "model" },
                             range = EMPTY }:run()
  T.eq(#t, 0)
  T.eq(table.concat(t.columns, ","), "model,total_usage,request_count")
  T.eq(t:sum("total_usage"), 0)
  T.eq(t:info("total_usage").format, "currency")
  T.eq(t:info("model").type, "string")
  T.truthy(tostring(t):find("(no rows)", 1, true), "prints (no rows)")
  -- Later steps work on it too.
  T.eq(#t:sort("total_usage", "desc"), 0)
  T.eq(#t:top(5, "total_usage"), 0)
end)

T.test("an empty time series keeps its time column", function()
  local t = orscript.query { metrics = { "total_usage" }, grain = "day", range = EMPTY }:run()
  T.eq(table.concat(t.columns, ","), "date,total_usage")
  T.eq(t:info("date").role, "time")
  T.eq(t:sum("total_usage"), 0)
end)

T.test("a user's limit is 'top N of more', not the API's row limit", function()
  local t = orscript.query { metrics = { "total_usage" }, by = { "model" }, range = time.last_month(),
                             limit = 5 }:run()
  T.eq(t.meta.truncated, true)
  local text = tostring(t)
  T.truthy(text:find("top 5 of more (limit = 5)", 1, true), "note: " .. text)
  T.eq(text:find("the API stopped at its row limit", 1, true), nil)
  T.eq(t.meta.note, "top 5 of more (limit = 5); totals over this table cover these rows only")
  -- Without a limit of the user's, the API's own limit is named.
  local whole = orscript.query { metrics = { "total_usage" }, by = { "model" }, range = time.last_month() }:run()
  T.eq(whole.meta.note, nil)
end)

T.test("an unknown metric named in everyday words suggests the real one", function()
  for _, name in ipairs { "total_cost", "cost", "spend" } do
    T.raises(function() orscript.query { metrics = { name } }:body() end, "did you mean 'total_usage'?")
  end
  T.raises(function() orscript.query { metrics = { "latency" } }:body() end, "did you mean 'avg_latency'?")
  local S = require "orscript.schema"
  T.eq(S.related("cost")[1], "total_usage")
  T.eq(S.related("Tokens")[1], "tokens_total")
  T.eq(#S.related("nothing"), 0)
end)

T.test("order = 'asc' gives a time series oldest first", function()
  local q = orscript.query { metrics = { "request_count" }, grain = "day", order = "asc",
                             range = time.range("2026-11-01", "2026-11-08") }
  T.eq(q:payload().order_by.field, "date"); T.eq(q:payload().order_by.direction, "asc")
  local t = q:run()
  T.eq(#t, 7)
  T.eq(t[1].date, "2026-11-01")
  T.eq(t[7].date, "2026-11-07")
  T.raises(function() orscript.query { metrics = { "request_count" }, order = "asc" }:body() end,
    "invalid 'order' field 'date'")
end)

local function pair()
  local a = core.table({ { k = "a", x = 1 }, { k = "b", x = 2 } }, { columns = { "k", "x" } })
  local b = core.table({ { k = "b", y = 20 }, { k = "c", y = 30 } }, { columns = { "k", "y" } })
  return a, b
end

T.test("t:rename renames columns, one or many", function()
  local a = pair()
  local r = a:rename("x", "spend")
  T.eq(table.concat(r.columns, ","), "k,spend")
  T.eq(r[2].spend, 2)
  T.eq(table.concat(a:rename { k = "key", x = "n" }.columns, ","), "key,n")
  T.raises(function() a:rename("nope", "z") end, "unknown column 'nope'")
  T.raises(function() a:rename("x", "k") end, "two columns would be named 'k'")
end)

T.test("t:join: right and outer joins keep the rows only one side has", function()
  local a, b = pair()
  local r = a:join(b, "k", "right")
  T.eq(#r, 2)
  T.eq(r[1].k, "b"); T.eq(r[1].x, 2); T.eq(r[1].y, 20)
  T.eq(r[2].k, "c"); T.eq(r[2].x, orscript.null); T.eq(r[2].y, 30)
  local o = a:join(b, "k", "outer")
  T.eq(#o, 3)
  T.eq(o[1].k, "a"); T.eq(o[1].y, orscript.null)
  T.eq(o[3].k, "c"); T.eq(o[3].x, orscript.null)
  T.raises(function() a:join(b, "k", "sideways") end, "\"inner\", \"left\", \"right\" or \"outer\"")
end)

T.test("an unknown table method lists the methods that exist", function()
  local a = pair()
  T.raises(function() return a.sortby end, "unknown field 'sortby' on orscript.Table")
  T.raises(function() return a.sortby end, "methods: ")
  T.raises(function() return a.sortby end, "rename")
  T.raises(function() return a.sortby end, "(did you mean 'sort'?)")
  T.raises(function() return orscript.query { metrics = { "total_usage" } }:limt(5) end,
    "unknown field 'limt' on orscript.Query (did you mean 'limit'?); methods: body, by, ")
end)

T.done()
