-- orscript.schema: the analytics catalogue (GET /analytics/meta) and what the API's
-- documentation adds to it.
--
-- Owns: fetching the catalogue once per process, the on-disk cache under
-- core.cache_dir() (24 h TTL, one file per account), the orscript.Schema object
-- (lookups by name, is_rate, display_format), and the facts meta does not carry:
-- which fields are limited to 31-day windows, which dimensions come back as labels
-- (and which raw ids filter them), and how rates are rebuilt from their parts.
local core = require "orscript.core"
local U = require "orscript.util"

local M = {}

M.TTL_MS = 24 * 3600 * 1000

-- Fields served from generation-level data: windows of at most 31 days (spec §3.4/§3.5).
M.SHORT_WINDOW = U.set {
  "guardrail_invoked_count", "response_cached_count", "openrouter_usage", "byok_fees",
  "usage_file", "usage_upstream_file", "usage_web_fetch", "usage_upstream_web_fetch",
  "avg_latency", "p50_latency", "p90_latency", "p99_latency",
  "avg_throughput", "p50_throughput", "p90_throughput", "p99_throughput",
  "guardrail_invoked_rate", "response_cached_rate",
  "generation_id", "provider", "origin", "country", "finish_reason", "external_user",
  "context_length_bucket",
}
M.SHORT_DAYS, M.LONG_DAYS = 31, 365

-- Dimensions whose rows show a label but whose filters need the raw id.
M.LABEL_RESOLVED = {
  api_key_id = {
    ok = function(v)
      if type(v) == "number" then return v == math.floor(v) end
      return v:match("^%d+$") ~= nil or v:match("^%x+$") ~= nil and #v == 64
    end,
    want = "the numeric key id or the 64-hex key hash; orscript.keys() lists each key's `hash`",
  },
  user = {
    ok = function(v) return type(v) == "string" and v:match("^user_[%w_]+$") ~= nil end,
    want = "the member's user id such as \"user_abc123\" (the org member id, as /activity's user_id takes)",
  },
  workspace = {
    ok = function(v)
      return type(v) == "string" and v:match("^%x%x%x%x%x%x%x%x%-%x%x%x%x%-%x%x%x%x%-%x%x%x%x%-%x%x%x%x%x%x%x%x%x%x%x%x$") ~= nil
    end,
    want = "the workspace UUID; orscript.activity{group_by = \"workspace\"} shows each row's workspace_id",
  },
  app = {
    ok = function(v)
      if type(v) == "number" then return v == math.floor(v) end
      return v:match("^%d+$") ~= nil
    end,
    want = "the numeric app id (app_id in generation metadata; orscript.rankings.apps{} lists public apps' app_id)",
  },
}

-- Everyday words and the metrics they mean, the main one first: "cost" finds
-- total_usage, which no name or label contains. Used by .schema and by the
-- suggestion for an unknown metric (metrics = {"total_cost"}).
M.WORDS = {
  cost = { "total_usage", "credits_usage", "usage_upstream", "byok_usage" },
  spend = { "total_usage", "credits_usage", "usage_upstream", "byok_usage" },
  price = { "total_usage", "usage_upstream" },
  money = { "total_usage", "credits_usage" },
  usd = { "total_usage", "credits_usage", "usage_upstream", "byok_usage" },
  dollars = { "total_usage", "credits_usage" },
  bill = { "total_usage", "credits_usage" },
  tokens = { "tokens_total", "tokens_prompt", "tokens_completion", "reasoning_tokens", "cached_tokens" },
  latency = { "avg_latency", "p50_latency", "p90_latency", "p99_latency" },
  speed = { "avg_throughput", "p50_throughput", "p90_throughput", "p99_throughput" },
  requests = { "request_count", "byok_request_count" },
  calls = { "request_count" },
  cache = { "cache_hit_rate", "cached_tokens", "usage_cache", "response_cached_count" },
}
M.WORDS.spending, M.WORDS.usage, M.WORDS.token = M.WORDS.spend, M.WORDS.spend, M.WORDS.tokens
M.WORDS.time, M.WORDS.slow, M.WORDS.throughput = M.WORDS.latency, M.WORDS.latency, M.WORDS.speed

-- The metrics an everyday word (any case; "costs" too) or any "_"-separated part of a
-- name ("total_cost") stands for, main ones first, without repeats; {} when none.
function M.related(word)
  local out, seen = {}, {}
  if type(word) ~= "string" then return out end
  for part in word:lower():gmatch("[%a]+") do
    local list = M.WORDS[part] or M.WORDS[part:gsub("s$", "")]
    for _, name in ipairs(list or {}) do
      if not seen[name] then seen[name] = true; out[#out + 1] = name end
    end
  end
  return out
end

-- Rates that can be rebuilt exactly from summable parts: rate = num / den.
M.RATE_PARTS = {
  cache_hit_rate = { num = "cached_tokens", den = "tokens_prompt" },
  guardrail_invoked_rate = { num = "guardrail_invoked_count", den = "request_count" },
  response_cached_rate = { num = "response_cached_count", den = "request_count" },
}

-- ---------------------------------------------------------------------------------
-- orscript.Schema

local Schema = U.class("orscript.Schema")
M.Schema = Schema

-- Builds the orscript.Schema on the catalogue as the host reads the response
-- (core.set_schema, which also installs it for formatting result tables), adding the
-- facts the response does not carry.
local function new_schema(data, fetched_at, source)
  local parsed = core.set_schema(data)
  local s = {
    metrics = {}, dimensions = {}, operators = {}, granularities = {},
    fetched_at = fetched_at, source = source, raw = data,
    _by = { metric = {}, dimension = {}, operator = {}, granularity = {} },
  }
  local function label(item) return item.label ~= "" and item.label or item.name end
  for _, m in ipairs(parsed.metrics) do
    local item = {
      name = m.name, label = label(m), is_rate = m.is_rate, format = m.format,
      max_days = M.SHORT_WINDOW[m.name] and M.SHORT_DAYS or M.LONG_DAYS,
    }
    s.metrics[#s.metrics + 1] = item
    s._by.metric[m.name] = item
  end
  for _, d in ipairs(parsed.dimensions) do
    local item = {
      name = d.name, label = label(d),
      max_days = M.SHORT_WINDOW[d.name] and M.SHORT_DAYS or M.LONG_DAYS,
      label_resolved = M.LABEL_RESOLVED[d.name] ~= nil,
    }
    s.dimensions[#s.dimensions + 1] = item
    s._by.dimension[d.name] = item
  end
  for _, o in ipairs(parsed.operators) do
    local item = { name = o.name, value_type = o.value_type ~= "" and o.value_type or "scalar" }
    s.operators[#s.operators + 1] = item
    s._by.operator[o.name] = item
  end
  for _, g in ipairs(parsed.granularities) do
    local item = { name = g.name, label = label(g) }
    s.granularities[#s.granularities + 1] = item
    s._by.granularity[g.name] = item
  end
  return setmetatable(s, Schema)
end

function Schema:metric(name) return self._by.metric[name] end
function Schema:dimension(name) return self._by.dimension[name] end
function Schema:operator(name) return self._by.operator[name] end
function Schema:granularity(name) return self._by.granularity[name] end

-- Names of one section ("metrics", "dimensions", "operators", "granularities").
function Schema:names(section)
  local list = rawget(self, section)
  if type(list) ~= "table" or section == "raw" or section == "_by" then
    U.usage("Schema:names: invalid section %s: expected metrics, dimensions, operators or granularities", U.show(section))
  end
  local out = {}
  for i, item in ipairs(list) do out[i] = item.name end
  return out
end

-- The longest window (days) a field may be queried over: 31 or 365.
function Schema:max_days(name)
  return M.SHORT_WINDOW[name] and M.SHORT_DAYS or M.LONG_DAYS
end

Schema.__tostring = function(s)
  return string.format("orscript.Schema(%d metrics, %d dimensions, %d operators, %d granularities, %s)",
    #s.metrics, #s.dimensions, #s.operators, #s.granularities, s.source)
end

-- ---------------------------------------------------------------------------------
-- Fetching and caching

local current -- the schema for this process

-- FNV-1a of a string as 8 hex digits (the cache file name tells base URLs apart).
local function fnv1a(text)
  local bit = require "bit"
  local h = 0x811c9dc5
  for i = 1, #text do
    h = bit.bxor(h, text:byte(i))
    h = bit.tobit(h * 0x01000193 % 0x100000000)
  end
  return bit.tohex(h)
end

-- One cache file per API base (scheme, host, port and path: two servers on one host
-- never share a catalogue), and per demo scenario.
local function cache_path()
  local dir = core.cache_dir()
  if not dir or dir == "" then return nil end
  local label, desc = core.account()
  local id = label == "demo" and ("demo-" .. desc) or core.base_url()
  local name = id:gsub("^%a+://", ""):gsub("[^%w%.%-]+", "_"):sub(1, 80)
  return dir .. "/meta-" .. name .. "-" .. fnv1a(id) .. ".json"
end
M._cache_path = cache_path

-- Checks a catalogue the way a response is checked: four lists of items with plain
-- names. Returns true, or nil and what is wrong.
local function valid_meta(meta)
  if type(meta) ~= "table" then return nil, "not an object" end
  for _, section in ipairs { "metrics", "dimensions", "operators", "granularities" } do
    local list = meta[section]
    if type(list) ~= "table" or #list == 0 then return nil, section .. " is missing or empty" end
    for i, item in ipairs(list) do
      if type(item) ~= "table" or type(item.name) ~= "string" or not item.name:match("^[%w_]+$") then
        return nil, string.format("%s[%d] has no plain name", section, i)
      end
      if item.is_rate ~= nil and type(item.is_rate) ~= "boolean" then
        return nil, string.format("%s[%d].is_rate is not a boolean", section, i)
      end
      for _, f in ipairs { "display_label", "display_format", "value_type" } do
        if item[f] ~= nil and item[f] ~= core.null and type(item[f]) ~= "string" then
          return nil, string.format("%s[%d].%s is not a string", section, i, f)
        end
      end
    end
  end
  return true
end
M._valid_meta = valid_meta

local function read_cache(now)
  local path = cache_path()
  if not path then return nil end
  local text = core.read_file(path, 4 * 1024 * 1024)
  if not text then return nil end
  local ok, doc = pcall(core.json_decode, text)
  if not ok or type(doc) ~= "table" or type(doc.fetched_at) ~= "number" or not valid_meta(doc.meta) then
    return nil -- unreadable or tampered: fetched again and rewritten
  end
  if now < doc.fetched_at or now - doc.fetched_at >= M.TTL_MS then return nil end
  doc.path = path
  return doc
end

local function write_cache(meta, now)
  local path = cache_path()
  if not path then return end
  local text = core.json_encode { fetched_at = now, meta = meta }
  pcall(core.write_file, path, text, true) -- a cache that cannot be written is only slower
end

-- The catalogue: in memory, else the disk cache (unless opts.refresh), else fetched.
-- Returns nil under --dry-run when nothing is cached.
function M.get(opts)
  local refresh = opts and opts.refresh
  if current and not refresh then return current end
  local now = core.now()
  if not refresh then
    local doc = read_cache(now)
    if doc then
      current = new_schema(doc.meta, doc.fetched_at, "cache")
      current.cache_file = doc.path
      return current
    end
  end
  local data = core.wait(core.submit("meta", {}))
  if data == nil then return nil end -- dry run
  local ok, why = valid_meta(data)
  if not ok then
    U.fail("data", "the API's catalogue (GET /analytics/meta) is malformed: " .. why .. "; check the base URL")
  end
  write_cache(data, now)
  current = new_schema(data, now, "api")
  return current
end

-- Forgets the in-memory catalogue (tests).
function M.reset() current = nil end

M.new = new_schema

return M
