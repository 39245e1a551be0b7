-- orscript.endpoints: the non-query endpoints (activity, datasets, keys, credits,
-- generation) as checked requests.
--
-- Owns: the orscript.Request object (an endpoint plus checked parameters, run now or
-- submitted for orscript.all), the parameter checks of every endpoint, driven by the
-- endpoint table (host/net/endpoint_table.cpp, via core.endpoints()) plus each
-- wrapper's cross-field rules, and the one-call wrappers orscript.activity{...},
-- orscript.rankings.daily{...}, orscript.request.call(name, ...). Does not own: HTTP
-- (core.submit/core.wait), result tables (C++) or key management (keys.lua).
local core = require "orscript.core"
local U = require "orscript.util"
local T = require "orscript.time"

local format = string.format

local M = {}

local Request = U.class("orscript.Request")
M.Request = Request

local function new_request(endpoint, params, fname)
  return setmetatable({ endpoint = endpoint, params = params, name = fname }, Request)
end

-- Sends the request; returns an orscript.Pending.
function Request:submit() return core.submit(self.endpoint, self.params) end
-- Sends the request and waits: a result table (or a plain table for key/credits/...).
function Request:run() return core.wait(core.submit(self.endpoint, self.params)) end
Request.__tostring = function(r) return format("orscript.Request(%s)", r.name) end

-- ---------------------------------------------------------------------------------
-- Parameter checks

local function fail(fname, msg, ...) U.usage(fname .. ": " .. msg, ...) end

local function check_date(fname, key, v)
  if type(v) == "number" then return T.date(v) end
  if type(v) ~= "string" or not v:match("^%d%d%d%d%-%d%d%-%d%d$") or not T._try_parse(v) then
    fail(fname, "invalid '%s': expected a date \"YYYY-MM-DD\" (UTC), got %s", key, U.show(v))
  end
  return v
end

local function check_enum(fname, key, v, allowed)
  for _, a in ipairs(allowed) do if v == a then return v end end
  fail(fname, "invalid '%s': expected one of %s, got %s%s", key, table.concat(allowed, ", "), U.show(v),
    type(v) == "string" and U.suggest(v, allowed) or "")
end

local function check_int(fname, key, v, lo, hi)
  if not U.is_integer(v) or v < lo or v > hi then
    fail(fname, "invalid '%s': expected integer %d..%d, got %s", key, lo, hi, U.show(v))
  end
  return v
end
M.check_int = check_int  -- also orscript.generations' (generations.lua)

local UUID = "^%x%x%x%x%x%x%x%x%-%x%x%x%x%-%x%x%x%x%-%x%x%x%x%-%x%x%x%x%x%x%x%x%x%x%x%x$"

-- The endpoint table (host/net/endpoint_table.cpp): name -> {method, path, params, ...}.
local EP = core.endpoints()
M.table = EP

-- One parameter value checked by its kind in the endpoint table; `key` is the option
-- name the caller used. Returns the value to send.
local function check_value(fname, p, key, v)
  local k = p.kind
  if v == core.null and p.nullable then return v end
  if k == "text" then
    if type(v) ~= "string" or v == "" then fail(fname, "invalid '%s': expected a non-empty string, got %s", key, U.show(v)) end
  elseif k == "date" then return check_date(fname, key, v)
  elseif k == "integer" then return check_int(fname, key, v, p.lo, p.hi)
  elseif k == "number" then
    if type(v) ~= "number" or v ~= v or v <= p.lo or v == math.huge then
      fail(fname, "invalid '%s': expected a number > %s (USD)%s, got %s", key, U.show(p.lo),
        p.nullable and " or orscript.null" or "", U.show(v))
    end
  elseif k == "boolean" then
    if type(v) ~= "boolean" then fail(fname, "invalid '%s': expected true or false, got %s", key, U.show(v)) end
  elseif k == "one_of" then return check_enum(fname, key, v, p.values)
  elseif k == "hex64" then
    if type(v) ~= "string" or not (#v == 64 and v:match("^%x+$")) then
      fail(fname, "invalid '%s': expected the key's 64-hex hash (orscript.keys() lists each key's `hash`), got %s",
        key, U.show(v))
    end
    return v:lower()
  elseif k == "uuid" then
    if type(v) ~= "string" or not v:match(UUID) then
      fail(fname, "invalid '%s': expected a workspace UUID, got %s", key, U.show(v))
    end
  elseif k == "user_id" then
    if type(v) ~= "string" or not v:match("^user_[%w_]+$") then
      fail(fname, "invalid '%s': expected an org member id such as \"user_abc123\", got %s", key, U.show(v))
    end
  end
  return v
end

-- Checks `opts` against endpoint `name`'s parameters: unknown options, each value by
-- its kind, required ones. `extra` names Lua-only options the caller handles itself;
-- `alias` maps an option name to the wire name ({key_hash = "api_key_hash"}).
-- Returns the wire parameters and the options.
local function checked(name, fname, opts, extra, alias)
  local ep = assert(EP[name], name)
  local allowed, wire = {}, {}
  for _, p in ipairs(ep.params) do allowed[p.name] = true end
  for k in pairs(extra or {}) do allowed[k] = true end
  for k in pairs(alias or {}) do allowed[k] = true end
  opts = U.check_options(fname, opts, allowed)
  for _, p in ipairs(ep.params) do
    local key, v = p.name, opts[p.name]
    for a, w in pairs(alias or {}) do
      if w == p.name and opts[a] ~= nil and v == nil then key, v = a, opts[a] end
    end
    if v ~= nil then wire[p.name] = check_value(fname, p, key, v)
    elseif p.required then fail(fname, "missing '%s' (%s)", key, p.doc) end
  end
  return wire, opts
end
M.checked = checked

-- Inclusive dataset dates from range/start_date/end_date; checks order, floor and span.
local function dataset_dates(fname, opts, params)
  local s, e = opts.start_date, opts.end_date
  if opts.range ~= nil then
    if s or e then fail(fname, "give either 'range' or 'start_date'/'end_date', not both") end
    local r = T.range(opts.range)
    s, e = r:dates()
  end
  if s then params.start_date = check_date(fname, "start_date", s) end
  if e then
    params.end_date = check_date(fname, "end_date", e)
    if params.end_date < "2025-01-01" then
      fail(fname, "invalid 'end_date' %s: the datasets start on 2025-01-01", U.show(params.end_date))
    end
  end
  if params.start_date and params.end_date then
    if params.start_date > params.end_date then
      fail(fname, "invalid dates: start_date %s is after end_date %s (both are inclusive)", params.start_date, params.end_date)
    end
    local span = (T.parse(params.end_date) - T.parse(params.start_date)) / T.DAY + 1
    if span > 366 then fail(fname, "invalid dates: %d days from start_date to end_date (at most 366)", span) end
  end
end

-- ---------------------------------------------------------------------------------
-- Requests

local R = {}
M.request = R

-- GET /activity: per-day usage by model endpoint over the last 30 completed UTC days.
function R.activity(opts)
  local fname = "orscript.activity"
  local key = type(opts) == "table" and opts.key or nil
  if key ~= nil then
    if opts.key_hash ~= nil or opts.api_key_hash ~= nil then fail(fname, "give either 'key' or 'key_hash', not both") end
    opts = U.copy(opts)
    opts.key = nil
    opts.api_key_hash = require("orscript.keys").resolve_key(key, fname)
  end
  local p = checked("activity", fname, opts, nil, { key_hash = "api_key_hash" })
  if p.date ~= nil then
    local today = T.floor(core.now(), "day")
    local d = T.parse(p.date)
    if d >= today or d < today - 30 * T.DAY then
      fail(fname, "invalid 'date' %s: /activity covers the last 30 completed UTC days (%s .. %s)",
        U.show(p.date), T.date(today - 30 * T.DAY), T.date(today - T.DAY))
    end
  end
  return new_request("activity", p, fname)
end

local SUBCATEGORIES = {
  coding = { "cli-agent", "ide-extension", "cloud-agent", "programming-app", "native-app-builder" },
  creative = { "creative-writing", "video-gen", "image-gen", "audio-gen" },
  productivity = { "writing-assistant", "general-chat", "personal-agent", "legal" },
  entertainment = { "roleplay", "game" },
}

-- GET /datasets/rankings-daily: the top 50 public models per day (+ "other").
function R.rankings_daily(opts)
  local fname = "orscript.rankings.daily"
  local p, o = checked("rankings_daily", fname, opts, { range = true })
  dataset_dates(fname, o, p)
  local sampled = p.category or p.language_type
  if p.category and p.language_type then fail(fname, "'category' and 'language_type' cannot be combined") end
  if sampled and (p.modality or p.context_bucket) then
    fail(fname, "'%s' (a sampled dataset) cannot be combined with 'modality' or 'context_bucket'",
      p.category and "category" or "language_type")
  end
  if sampled and p.period == "day" then
    fail(fname, "period \"day\" is not available with '%s' (weekly estimates): use \"week\" or \"month\"",
      p.category and "category" or "language_type")
  end
  return new_request("rankings_daily", p, fname)
end

-- GET /datasets/app-rankings: top public apps by tokens; every page is followed.
function R.rankings_apps(opts)
  local fname = "orscript.rankings.apps"
  local p, o = checked("app_rankings", fname, opts, { range = true })
  dataset_dates(fname, o, p)
  if p.subcategory and p.category then
    local ok = false
    for _, s in ipairs(SUBCATEGORIES[p.category]) do if s == p.subcategory then ok = true end end
    if not ok then
      fail(fname, "subcategory %s is not in category %s", U.show(p.subcategory), U.show(p.category))
    end
  end
  return new_request("app_rankings", p, fname)
end

-- GET /datasets/session-cost: median cost per agent session; every page is followed.
function R.session_cost(opts)
  local p = checked("session_cost", "orscript.session_cost", opts)
  return new_request("session_cost", p, "orscript.session_cost")
end

-- GET /keys: the keys of one workspace (the default one unless workspace_id), one page.
function R.keys(opts)
  return new_request("keys", (checked("keys", "orscript.request.keys", opts)), "orscript.request.keys")
end

function R.key() return new_request("key", {}, "orscript.key") end
function R.credits() return new_request("credits", {}, "orscript.credits") end

function R.generation(id)
  if type(id) ~= "string" or id == "" then
    fail("orscript.generation", "invalid 'id': expected a generation id such as \"gen-...\", got %s", U.show(id))
  end
  return new_request("generation", { id = id }, "orscript.generation")
end

-- Any endpoint of the table by name, its parameters checked from the table.
function R.call(name, opts)
  if type(name) ~= "string" or not EP[name] then
    U.usage("orscript.request.call: unknown endpoint %s%s", U.show(name),
      type(name) == "string" and U.suggest(name, U.sorted_keys(EP)) or "")
  end
  local fname = "orscript.request.call(" .. name .. ")"
  return new_request(name, (checked(name, fname, opts)), fname)
end

-- ---------------------------------------------------------------------------------
-- One-call wrappers

function M.activity(opts) return R.activity(opts):run() end
function M.session_cost(opts) return R.session_cost(opts):run() end
function M.key() return R.key():run() end
function M.credits() return R.credits():run() end
function M.generation(id) return R.generation(id):run() end
M.rankings = U.module("orscript.rankings", {
  daily = function(opts) return R.rankings_daily(opts):run() end,
  apps = function(opts) return R.rankings_apps(opts):run() end,
})
M.request = U.module("orscript.request", {
  activity = R.activity, rankings_daily = R.rankings_daily, rankings_apps = R.rankings_apps,
  session_cost = R.session_cost, keys = R.keys, key = R.key, credits = R.credits, generation = R.generation,
  call = R.call,
  query = function(spec) return require("orscript.query").new(spec) end,
})

return M
