-- orscript.endpoints: the non-query endpoints (activity, datasets, keys, credits,
-- generation) as checked requests.
--
-- Owns: the orscript.Request object (an endpoint plus checked parameters, run now or
-- submitted for orscript.all), the parameter checks of each endpoint (spec §4–§8),
-- and the one-call wrappers orscript.activity{...}, orscript.rankings.daily{...}, ...
-- Does not own: HTTP (core.submit/core.wait) or result tables (C++).
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

local UUID = "^%x%x%x%x%x%x%x%x%-%x%x%x%x%-%x%x%x%x%-%x%x%x%x%-%x%x%x%x%x%x%x%x%x%x%x%x$"

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
  opts = U.check_options(fname, opts,
    U.set { "date", "key_hash", "api_key_hash", "user_id", "group_by", "workspace_id" })
  local p = {}
  if opts.date ~= nil then
    p.date = check_date(fname, "date", opts.date)
    local today = T.floor(core.now(), "day")
    local d = T.parse(p.date)
    if d >= today or d < today - 30 * T.DAY then
      fail(fname, "invalid 'date' %s: /activity covers the last 30 completed UTC days (%s .. %s)",
        U.show(p.date), T.date(today - 30 * T.DAY), T.date(today - T.DAY))
    end
  end
  local hash = opts.key_hash or opts.api_key_hash
  if hash ~= nil then
    if type(hash) ~= "string" or not (#hash == 64 and hash:match("^%x+$")) then
      fail(fname, "invalid 'key_hash': expected the key's 64-hex hash (orscript.keys() lists each key's `hash`), got %s",
        U.show(hash))
    end
    p.api_key_hash = hash
  end
  if opts.user_id ~= nil then
    if type(opts.user_id) ~= "string" or not opts.user_id:match("^user_[%w_]+$") then
      fail(fname, "invalid 'user_id': expected an org member id such as \"user_abc123\", got %s", U.show(opts.user_id))
    end
    p.user_id = opts.user_id
  end
  if opts.group_by ~= nil then p.group_by = check_enum(fname, "group_by", opts.group_by, { "workspace" }) end
  if opts.workspace_id ~= nil then
    if type(opts.workspace_id) ~= "string" or not opts.workspace_id:match(UUID) then
      fail(fname, "invalid 'workspace_id': expected a workspace UUID, got %s", U.show(opts.workspace_id))
    end
    p.workspace_id = opts.workspace_id
  end
  return new_request("activity", p, fname)
end

local CATEGORIES = { "programming", "roleplay", "marketing", "marketing/seo", "technology", "science", "translation",
  "legal", "finance", "health", "trivia", "academia" }

-- GET /datasets/rankings-daily: the top 50 public models per day (+ "other").
function R.rankings_daily(opts)
  local fname = "orscript.rankings.daily"
  opts = U.check_options(fname, opts, U.set { "start_date", "end_date", "range", "period", "modality",
    "context_bucket", "category", "language_type" })
  local p = {}
  dataset_dates(fname, opts, p)
  if opts.period ~= nil then p.period = check_enum(fname, "period", opts.period, { "day", "week", "month" }) end
  if opts.modality ~= nil then
    p.modality = check_enum(fname, "modality", opts.modality, { "text", "image", "image_output", "audio", "tool_calling" })
  end
  if opts.context_bucket ~= nil then
    p.context_bucket = check_enum(fname, "context_bucket", opts.context_bucket, { "1K", "10K", "100K", "1M", "10M" })
  end
  if opts.category ~= nil then p.category = check_enum(fname, "category", opts.category, CATEGORIES) end
  if opts.language_type ~= nil then
    p.language_type = check_enum(fname, "language_type", opts.language_type, { "natural", "programming" })
  end
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

local SUBCATEGORIES = {
  coding = { "cli-agent", "ide-extension", "cloud-agent", "programming-app", "native-app-builder" },
  creative = { "creative-writing", "video-gen", "image-gen", "audio-gen" },
  productivity = { "writing-assistant", "general-chat", "personal-agent", "legal" },
  entertainment = { "roleplay", "game" },
}

-- GET /datasets/app-rankings: top public apps by tokens; every page is followed.
function R.rankings_apps(opts)
  local fname = "orscript.rankings.apps"
  opts = U.check_options(fname, opts, U.set { "sort", "category", "subcategory", "start_date", "end_date", "range",
    "limit" })
  local p = {}
  dataset_dates(fname, opts, p)
  if opts.sort ~= nil then p.sort = check_enum(fname, "sort", opts.sort, { "popular", "trending" }) end
  if opts.category ~= nil then
    p.category = check_enum(fname, "category", opts.category, { "coding", "creative", "productivity", "entertainment" })
  end
  if opts.subcategory ~= nil then
    local all = {}
    for _, g in ipairs { "coding", "creative", "productivity", "entertainment" } do
      for _, s in ipairs(SUBCATEGORIES[g]) do all[#all + 1] = s end
    end
    p.subcategory = check_enum(fname, "subcategory", opts.subcategory, all)
    if p.category then
      local ok = false
      for _, s in ipairs(SUBCATEGORIES[p.category]) do if s == p.subcategory then ok = true end end
      if not ok then
        fail(fname, "subcategory %s is not in category %s", U.show(p.subcategory), U.show(p.category))
      end
    end
  end
  if opts.limit ~= nil then p.limit = check_int(fname, "limit", opts.limit, 1, 100) end
  return new_request("app_rankings", p, fname)
end

-- GET /datasets/session-cost: median cost per agent session; every page is followed.
function R.session_cost(opts)
  local fname = "orscript.session_cost"
  opts = U.check_options(fname, opts, U.set { "app_slug", "model", "turn_range", "limit" })
  local p = {}
  for _, k in ipairs { "app_slug", "model" } do
    if opts[k] ~= nil then
      if type(opts[k]) ~= "string" or opts[k] == "" then fail(fname, "invalid '%s': expected a string, got %s", k, U.show(opts[k])) end
      p[k] = opts[k]
    end
  end
  if opts.turn_range ~= nil then
    p.turn_range = check_enum(fname, "turn_range", opts.turn_range, { "1-turn", "2-9-turns", "10-49-turns", "50-plus-turns" })
  end
  if opts.limit ~= nil then p.limit = check_int(fname, "limit", opts.limit, 1, 500) end
  return new_request("session_cost", p, fname)
end

-- GET /keys: the account's API keys (with the `hash` that api_key_id filters take).
function R.keys(opts)
  local fname = "orscript.keys"
  opts = U.check_options(fname, opts, U.set { "include_disabled", "offset" })
  local p = {}
  if opts.include_disabled ~= nil then p.include_disabled = opts.include_disabled and "true" or "false" end
  if opts.offset ~= nil then p.offset = check_int(fname, "offset", opts.offset, 0, 1e9) end
  return new_request("keys", p, fname)
end

function R.key() return new_request("key", {}, "orscript.key") end
function R.credits() return new_request("credits", {}, "orscript.credits") end

function R.generation(id)
  if type(id) ~= "string" or id == "" then
    fail("orscript.generation", "invalid 'id': expected a generation id such as \"gen-...\", got %s", U.show(id))
  end
  return new_request("generation", { id = id }, "orscript.generation")
end

-- ---------------------------------------------------------------------------------
-- One-call wrappers

function M.activity(opts) return R.activity(opts):run() end
function M.session_cost(opts) return R.session_cost(opts):run() end
function M.keys(opts) return R.keys(opts):run() end
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
  query = function(spec) return require("orscript.query").new(spec) end,
})

return M
