-- orscript.repl (internal): what the REPL asks of the library, called directly. The
-- REPL's own behaviour on a terminal is tests/blackbox/test_repl.cpp; these pin the
-- contracts the move behind the boundary created: completion reads declared data
-- (a module's `__lazy` table), never the names of Lua locals or upvalues, and never
-- runs a metamethod it was not told it may.
local T = require "testlib"
local R = require "orscript.repl"
local U = require "orscript.util"

local function has(list, item)
  for _, v in ipairs(list) do
    if v == item then return true end
  end
  return false
end

T.test("orscript. lists the lazily loaded submodules before any is loaded", function()
  T.eq(rawget(orscript, "chart"), nil, "orscript.chart not loaded yet")
  T.eq(package.loaded["orscript.chart"], nil)
  local got, quote = R.complete("", "orscript.")
  T.eq(quote, "")
  for _, name in ipairs { "chart", "time", "json", "rankings", "request", "Query", "Range", "query", "meta" } do
    T.truthy(has(got, "orscript." .. name), "orscript." .. name .. " offered")
  end
  T.eq(package.loaded["orscript.chart"], nil, "listing loads nothing")
  T.eq(rawget(orscript, "chart"), nil)
  -- Completing inside a lazy field loads it (that is what the user asked for).
  T.truthy(has(R.complete("", "orscript.chart."), "orscript.chart.sparkline"))
  T.truthy(package.loaded["orscript.chart"] ~= nil)
end)

T.test("any U.module's lazy fields complete, whatever its locals are called", function()
  local loads = 0
  rawset(_G, "replmod", U.module("replmod", { plain = 1 }, {
    sub = function()
      loads = loads + 1
      return { leaf = true }
    end,
  }))
  local got = R.complete("", "replmod.")
  T.truthy(has(got, "replmod.plain") and has(got, "replmod.sub"))
  T.eq(loads, 0, "listed without loading")
  T.eq(table.concat(R.complete("", "replmod.sub.l"), ","), "replmod.sub.leaf")
  T.eq(loads, 1)
  rawset(_G, "replmod", nil)
end)

T.test("completion reads only declared data: no upvalue names, no metamethods", function()
  local calls = 0
  local lazy = { hidden = true } -- an upvalue named `lazy`, as U.module's used to be read
  rawset(_G, "replobj", setmetatable({ shown = 1 }, {
    __index = function(_, k)
      calls = calls + 1
      return lazy[k]
    end,
  }))
  T.eq(table.concat(R.complete("", "replobj."), ","), "replobj.shown")
  T.eq(#R.complete("", "replobj.hidden."), 0)
  T.eq(calls, 0, "__index never ran")
  rawset(_G, "replobj", nil)
end)

T.test("globals, keywords, methods and private names", function()
  T.truthy(has(R.complete("", "orscr"), "orscript"))
  T.eq(table.concat(R.complete("", "whi"), ","), "while")
  rawset(_G, "repls", "abc")
  T.truthy(has(R.complete("", "repls:upp"), "repls:upper"))
  rawset(_G, "repls", nil)
  local q = orscript.query { metrics = { "total_usage" } }
  rawset(_G, "replq", q)
  T.truthy(has(R.complete("", "replq:bo"), "replq:body"))
  rawset(_G, "replq", nil)
  local public = R.complete("", "orscript.time.")
  T.truthy(has(public, "orscript.time.this_month"))
  T.truthy(not has(public, "orscript.time._to_ms"), "private names hidden")
  T.truthy(has(R.complete("", "orscript.time._"), "orscript.time._to_ms"), "shown after a typed _")
  T.eq(#R.complete("f(", "x):y."), 0, "a call in the path completes nothing")
end)

T.test("inside a string: catalogue names, a result table's columns, nothing in comments", function()
  local got, quote = R.complete('q = orscript.query{metrics = {"', "total_us")
  T.eq(table.concat(got, ","), "total_usage")
  T.eq(quote, '"')
  local _, single = R.complete("x = '", "p9")
  T.eq(single, "'")
  T.truthy(has(R.complete('"', "clf_dimension_v"), "clf_dimension_value"))
  rawset(_G, "replt", orscript.query { metrics = { "request_count" }, by = { "model" }, limit = 3 }:run())
  T.eq(table.concat(R.complete('replt:sort("', "re"), ","), "request_count", "the table's columns only")
  T.eq(table.concat(R.complete('replt:select("model", "', ""), ","), "model,request_count")
  rawset(_G, "replt", nil)
  T.eq(#R.complete("-- a comment ", "orscr"), 0)
  T.eq(R._call_receiver("x.t:filter(f, "), "x.t")
  T.eq(R._call_receiver('t:sum("a", '), "t")
  T.eq(R._call_receiver("print("), "")
end)

T.test("schema_text lists the catalogue with its 31-day fields from orscript.schema", function()
  local all = R.schema_text("", 120)
  T.truthy(all:find("Metrics %(%d+%)"))
  T.truthy(all:find("\n  p90_latency +P90 Latency +ms +latency +rate +31 days\n"), "31 days from SHORT_WINDOW")
  T.truthy(all:find("\n  total_usage +Total Usage +USD +currency +sum +365 days\n"))
  T.truthy(all:find("Granularities: ", 1, true) and all:find("Limits: ", 1, true))
  local S = require "orscript.schema"
  for _, line in ipairs { R.schema_text("latency", 120) } do
    for name, window in line:gmatch("\n  ([%w_]+) [^\n]- (%d+) days") do
      T.eq(tonumber(window), S.SHORT_WINDOW[name] and 31 or 365, name)
    end
  end
  local narrow = R.schema_text("cost", 40)
  T.truthy(narrow:find("total_usage", 1, true) and not narrow:find("Total Usage", 1, true), "labels dropped when narrow")
  T.eq(R.schema_text("zzzz", 100):match("^no metric or dimension matches 'zzzz'") ~= nil, true)
end)

T.test("show joins values by tab, or by line when one spans lines", function()
  local opts = { mode = "table", headers = true, width = 100 }
  T.eq(R.show(opts, 1, "a", nil), "1\ta\tnil")
  T.eq(R.show(opts), "")
  local text = R.show({ mode = "table", width = 20 }, 1, { "a long string", "another long string" })
  T.truthy(text:find("^1\n{"), text)
end)

T.done()
