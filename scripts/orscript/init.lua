-- orscript: the Lua library that scripts see as the global `orscript`.
--
-- Owns: the public table and its lazy loading (submodules load on first use, so
-- `orscript -e ''` stays cheap). Everything else lives in the submodules:
-- query.lua (orscript.Query), time.lua (orscript.time, orscript.Range), schema.lua
-- (the catalogue and its cache), planner.lua (split and merge), endpoints.lua
-- (activity, datasets, keys, credits, generation), keys.lua (key management), generations.lua
-- (samples of the requests behind a slice). The reference is docs/scripting.md.
local core = require "orscript.core"
local U = require "orscript.util"

local M = {
  version = core.version,
  demo = core.demo,
  null = core.null,
}

local function query_mod() return require "orscript.query" end
local function endpoints() return require "orscript.endpoints" end

-- orscript.query(spec?) -> orscript.Query
function M.query(spec) return query_mod().new(spec) end
-- orscript.all{q1, q2, ...} -> {t1, t2, ...}: concurrent.
function M.all(list) return query_mod().all(list) end
-- orscript.meta{refresh = bool} -> orscript.Schema
function M.meta(opts)
  U.check_options("orscript.meta", opts, { refresh = true })
  return require("orscript.schema").get(opts)
end
function M.activity(opts) return endpoints().activity(opts) end
function M.session_cost(opts) return endpoints().session_cost(opts) end
local function keys_mod() return require "orscript.keys" end
function M.keys(opts) return keys_mod().keys(opts) end
function M.key_info(key) return keys_mod().key_info(key) end
function M.set_key_limit(key, opts) return keys_mod().set_key_limit(key, opts) end
function M.disable_key(key, disabled) return keys_mod().disable_key(key, disabled) end
function M.workspaces() return keys_mod().workspaces() end
function M.budgets(ws) return keys_mod().budgets(ws) end
function M.set_budget(ws, interval, usd, opts) return keys_mod().set_budget(ws, interval, usd, opts) end
function M.key() return endpoints().key() end
function M.credits() return endpoints().credits() end
function M.generation(id) return endpoints().generation(id) end
-- orscript.generations{key =, model =, range =, n =, ...} -> orscript.Generations: a sample of
-- the requests behind a slice, fetched with GET /generation and summarised.
function M.generations(opts) return require("orscript.generations").generations(opts) end
-- orscript.forecast{by =, ...} -> orscript.Forecast: month to date, projected, last month.
function M.forecast(opts) return require("orscript.forecast").forecast(opts) end
-- orscript.forecast_query{by =, ...} -> orscript.Query: the forecast's daily query, unsent.
function M.forecast_query(opts) return require("orscript.forecast").query(opts) end
-- orscript.anomalies{by =, grain =, ...} -> orscript.Table of spikes and drops.
function M.anomalies(opts) return require("orscript.anomalies").anomalies(opts) end
-- The host clock (Unix ms); fixed by --now. Use it (or orscript.time) instead of os.time.
function M.now() return core.now() end
-- "demo" or the API host, and a description of the demo scenario ("" otherwise).
function M.account() return core.account() end
-- orscript.table(rows [, opts]) -> orscript.Table built from Lua rows (as core.table).
function M.table(rows, opts) return core.table(rows, opts) end
-- orscript.num(v [, default]) -> a cell as a number: nil, null and NaN give `default` (0).
function M.num(v, ...)
  if type(v) ~= "number" or v ~= v then
    if select("#", ...) == 0 then return 0 end
    return (...)
  end
  return v
end
-- orscript.stats() -> {requests =, connections =, retries =}: what this process has sent.
function M.stats() return core.stats() end
-- orscript.verbose() -> whether --verbose is on (a script may say more on stderr).
function M.verbose() return core.verbose == true end
-- orscript.dry_run() -> whether --dry-run is on (queries are checked, not sent).
function M.dry_run() return core.dry_run() end
-- orscript.write_file(path, text): whole or not at all; a usage error names path and cause.
function M.write_file(path, text)
  if type(path) ~= "string" or path == "" then U.usage("orscript.write_file: expected a file path, got %s", U.show(path)) end
  if type(text) ~= "string" then U.usage("orscript.write_file: expected the text to write, got %s", U.show(text)) end
  local ok, err = pcall(core.write_file, path, text)
  if not ok then M.error("usage", tostring(type(err) == "table" and err.message or err), 0) end
  return path
end
-- orscript.isatty(fd) -> whether file descriptor 0, 1 or 2 is a terminal.
function M.isatty(fd)
  if fd ~= 0 and fd ~= 1 and fd ~= 2 then U.usage("orscript.isatty: expected 0, 1 or 2, got %s", U.show(fd)) end
  local ok, tty = pcall(function()
    local ffi = require "ffi"
    if not pcall(function() return ffi.C.isatty end) then ffi.cdef "int isatty(int fd);" end
    return ffi.C.isatty(fd) == 1
  end)
  return ok and tty == true
end
-- orscript.write_tables({{name, t}, ...}, {csv =, json =, markdown =}) -> paths written.
function M.write_tables(list, opts) return require("orscript.table_methods").write_tables(list, opts) end
-- Raises a structured orscript.Error (kind: usage, data, api, ...) at the caller.
-- "internal" is orscript's own (exit 70): a script cannot claim it.
local SCRIPT_KINDS = { "usage", "script", "auth", "api", "rate_limit", "http", "tls", "timeout", "data", "interrupted" }
local IS_SCRIPT_KIND = {}
for _, k in ipairs(SCRIPT_KINDS) do IS_SCRIPT_KIND[k] = true end
function M.error(kind, message, level)
  if type(kind) ~= "string" or type(message) ~= "string" then
    U.usage("orscript.error: expected (kind, message), got %s, %s", type(kind), type(message))
  end
  if not IS_SCRIPT_KIND[kind] then
    U.usage("orscript.error: unknown kind %s: expected one of %s", U.show(kind), table.concat(SCRIPT_KINDS, ", "))
  end
  if level ~= nil and (type(level) ~= "number" or level ~= math.floor(level) or level < 0 or level > 100) then
    U.usage("orscript.error: invalid level %s: expected an integer 0..100", U.show(level))
  end
  core.error(kind, message, level == 0 and 0 or (level or 1) + 1)  -- 0: no position, as error()
end

-- The orscript.Table methods written in Lua (t:total, t:note_warnings, t:view), loaded on
-- first call; the metatable is the C++ one (its own __index).
do
  local mt = debug.getregistry()["orscript.Table"]
  if type(mt) == "table" then
    for _, name in ipairs { "note_warnings", "total", "view" } do
      if rawget(mt, name) == nil then
        rawset(mt, name, function(...) return require("orscript.table_methods")[name](...) end)
      end
    end
  end
end

return U.module("orscript", M, {
  args = function() return require "orscript.args" end,
  time = function() return require "orscript.time" end,
  chart = function() return require "orscript.chart" end,
  code = function() return require "orscript.code" end,  -- orscript.code.find (scripts/orscript/code.lua)
  rankings = function() return endpoints().rankings end,
  request = function() return endpoints().request end,
  Query = function() return query_mod().Query end,
  Range = function() return require("orscript.time").Range end,
  json = function()
    return U.module("orscript.json", {
      encode = function(v) return core.json_encode(v) end,
      decode = function(s) return core.json_decode(s) end,
    })
  end,
  cache_dir = function() return core.cache_dir end,
})
