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

return U.module("orscript", M, {
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
