-- recipes/review_queries.lua: what the cost review asks the API, and whole answers.
--
-- Owns: the review's queries (only what the catalogue offers), sending the independent
-- ones at once (phase 2), whole answers (a truncated result is asked again in parts until
-- every part is whole), the weeks the weekly checks read, and reading result rows into the
-- plain lists the checks take (models, weekly series by key and by key and model). Does
-- not own what the answers mean: review_checks.lua, review_findings.lua and cost_review.lua.
local C = require "common"
local R = require "review_checks"

local time = orscript.time
local format = string.format
local max, min = math.max, math.min

local Q = {}

-- Components: total spend = the sum of these plus the remainder (BYOK platform fees).
Q.LONG_COMPONENTS = { "usage_upstream", "usage_cache", "usage_data", "usage_web", "usage_upstream_web" }
Q.SHORT_COMPONENTS = { "usage_file", "usage_web_fetch" }
local LONG_COMPONENTS, SHORT_COMPONENTS = Q.LONG_COMPONENTS, Q.SHORT_COMPONENTS
local MODEL_METRICS = { "total_usage", "tokens_total", "request_count", "tokens_prompt", "tokens_completion",
                        "reasoning_tokens", "cached_tokens", "usage_cache", "byok_usage", "usage_web",
                        "usage_upstream_web" }

local num = orscript.num
local function name_of(v) if v == nil or v == orscript.null then return nil end return v end
Q.name_of = name_of

-- ---------------------------------------------------------------------------------
-- Queries

local query  -- defined with the whole-answer helpers below

-- Metrics of `list` the catalogue offers (and the missing ones, into `missing`).
local function offered(schema, list, missing)
  local out = {}
  for _, m in ipairs(list) do
    if schema:metric(m) then out[#out + 1] = m else missing[m] = "the catalogue lacks " .. m end
  end
  return out
end

local function queries(W, schema, wrange, missing)
  local r = time.range(W.from, W.data_stop)
  local q = {}
  local base = offered(schema, { "total_usage", "tokens_total", "request_count", "byok_usage" }, missing)
  q.total = query { metrics = base, range = r }
  q.by_model = query { metrics = offered(schema, MODEL_METRICS, missing), by = { "model" }, range = r,
                                order = { "total_usage", "desc" }, limit = 10000 }
  local long = offered(schema, LONG_COMPONENTS, missing)
  local short = offered(schema, SHORT_COMPONENTS, missing)
  q.daily = query { metrics = C.append({ "total_usage" }, long), grain = "day", range = r,
                             order = { "date", "asc" }, limit = 10000 }
  local surch = {}
  for _, m in ipairs(long) do if m == "usage_web" or m == "usage_upstream_web" then surch[#surch + 1] = m end end
  q.surcharges = query { metrics = C.append({ "total_usage" }, surch), by = { "api_key_id", "app" },
                                  range = r, limit = 10000 }
  if #short > 0 then
    -- One query for both: by model and day (days for the component split, models for their rates).
    q.daily_detail = query { metrics = C.append({ "total_usage" }, short), by = { "model" }, grain = "day",
                             range = r, limit = 10000 }
    q.surcharges_detail = query { metrics = C.append({ "total_usage" }, short),
                                  by = { "api_key_id", "app" }, range = r, limit = 10000 }
  end
  if schema:granularity("week") and schema:dimension("api_key_id") then
    q.weekly_key = query { metrics = { "total_usage", "request_count" }, by = { "api_key_id" },
                                    grain = "week", range = wrange, limit = 10000 }
    q.weekly_km = query { metrics = { "total_usage", "tokens_total", "request_count" }, by = { "api_key_id", "model" },
                                   grain = "week", range = wrange, limit = 10000 }
  end
  return q, long, short
end

-- ---------------------------------------------------------------------------------
-- Whole answers: a truncated result is asked again in parts until every part is whole:
-- halved in time on a grain boundary while the window holds more than one bucket, then
-- split by model (a model filter with half the models each). The parts' rows are joined.

local SPEC = setmetatable({}, { __mode = "k" })   -- query -> the spec it was built from
local query_of = orscript.query
function query(spec)
  local q = query_of(spec)
  SPEC[q] = spec
  return q
end

-- Two specs covering `spec`, or nil when it cannot be split further.
local function halves(spec, models)
  local r = spec.range
  if spec.grain then
    local b = r:buckets(spec.grain)
    if #b >= 2 then
      local mid = b[math.floor(#b / 2) + 1]
      return { C.merge(spec, { range = time.range(r.start, mid) }), C.merge(spec, { range = time.range(mid, r.stop) }) }
    end
  end
  local list, rest = nil, {}
  for _, f in ipairs(spec.where or {}) do
    if f[1] == "model" and f[2] == "in" then list = f[3] else rest[#rest + 1] = f end
  end
  list = list or models
  if not list or #list < 2 then return nil end
  local a, b = {}, {}
  for i, m in ipairs(list) do if i <= #list / 2 then a[#a + 1] = m else b[#b + 1] = m end end
  local function with(ms)
    local w = C.append({}, rest)
    w[#w + 1] = { "model", "in", ms }
    return C.merge(spec, { where = w })
  end
  return { with(a), with(b) }
end

-- The rows of `spec` in parts until each is whole; a table-like {rows(), meta} or nil.
local function in_parts(spec, models, depth, counts)
  local parts = halves(spec, models)
  if not parts or depth > 12 then return nil end
  local pend = {}
  for i, p in ipairs(parts) do pend[i] = query_of(p):submit() end
  local rows = {}
  for i, p in ipairs(parts) do
    counts.split = counts.split + 1
    local t = pend[i]:wait()
    if t.meta.truncated then
      local sub = in_parts(p, models, depth + 1, counts)
      if not sub then return nil end
      for _, r in sub:rows() do rows[#rows + 1] = r end
    else
      for _, r in t:rows() do rows[#rows + 1] = r end
    end
  end
  -- Whole by construction: no truncation note and no API warning to gather.
  return { meta = { truncated = false, warnings = {} }, rows = function() return ipairs(rows) end, n = #rows,
           note_warnings = function() return true end }
end

-- The weeks the weekly checks read: from 3 weeks before the window's first week (or 9 weeks
-- back, whichever is earlier) to the last complete week before now; at most 52 weeks.
local function weekly_range(W, now)
  local stop = time.floor(now, "week")
  local start = min(time.floor(W.from, "week") - 21 * time.DAY, stop - 9 * 7 * time.DAY)
  start = max(start, stop - 52 * 7 * time.DAY)
  if start >= stop then return nil end
  return time.range(start, stop)
end

-- ---------------------------------------------------------------------------------
-- Reading the results

local function model_rows(t)
  local out = {}
  for _, r in t:rows() do
    if r.model ~= orscript.null then
      local spend = num(r.total_usage)
      out[#out + 1] = { model = r.model, spend = spend, tokens = num(r.tokens_total), requests = num(r.request_count),
                        prompt = num(r.tokens_prompt), completion = num(r.tokens_completion),
                        reasoning = num(r.reasoning_tokens), cached = num(r.cached_tokens),
                        cache_usd = num(r.usage_cache), byok = num(r.byok_usage),
                        surcharges = num(r.usage_web) + num(r.usage_upstream_web),
                        byok_share = spend > 0 and num(r.byok_usage) / spend or 0 }
    end
  end
  return out
end

-- {key -> {spend = {...}, requests = {...}}}, {key -> model -> {spend, tokens}} over `weeks`.
local function weekly_series(tk, tkm, weeks)
  local idx = {}
  for i, w in ipairs(weeks) do idx[w] = i end
  local n = #weeks
  local ks, km
  if tk then
    ks = {}
    for _, r in tk:rows() do
      local k, i = name_of(r.api_key_id) or "(no key)", idx[r.date]
      if i then
        ks[k] = ks[k] or { spend = R.zeros(n), requests = R.zeros(n) }
        ks[k].spend[i] = ks[k].spend[i] + num(r.total_usage)
        ks[k].requests[i] = ks[k].requests[i] + num(r.request_count)
      end
    end
  end
  if tkm then
    km = {}
    for _, r in tkm:rows() do
      local k, i = name_of(r.api_key_id) or "(no key)", idx[r.date]
      if i and r.model ~= orscript.null then
        km[k] = km[k] or {}
        local s = km[k][r.model] or { spend = R.zeros(n), tokens = R.zeros(n), requests = R.zeros(n) }
        km[k][r.model] = s
        s.spend[i] = s.spend[i] + num(r.total_usage)
        s.tokens[i] = s.tokens[i] + num(r.tokens_total)
        s.requests[i] = s.requests[i] + num(r.request_count)
      end
    end
  end
  return ks, km
end

-- The spend components over the window from `daily` (the long-lived components by day)
-- and `detail` (the generation-level ones by day, or nil): their sums, the surcharges, the
-- remainder (BYOK fees, nil when the detail does not cover the window) and weekly series.
function Q.components(daily, detail, long, short)
  local comp = { total = 0, surcharges = 0 }
  local comp_names = {}
  if daily then
    local sums = {}
    local weekly, wk_index = {}, {}
    local series_names = C.append(C.append({}, long), detail and short or {})
    local byday = {}
    if detail then for _, r in detail:rows() do byday[r.date] = r end end
    for _, r in daily:rows() do
      local wk = orscript.time.week_of(r.date)
      if not wk_index[wk] then
        weekly[#weekly + 1] = { week = wk, total = 0 }
        wk_index[wk] = weekly[#weekly]
      end
      local e = wk_index[wk]
      e.total = e.total + num(r.total_usage)
      comp.total = comp.total + num(r.total_usage)
      for _, name in ipairs(series_names) do
        local v = r[name]
        if v == nil and byday[r.date] then v = byday[r.date][name] end
        if orscript.num(v, nil) ~= nil then
          sums[name] = (sums[name] or 0) + v
          e[name] = (e[name] or 0) + v
        end
      end
    end
    table.sort(weekly, function(a, b) return a.week < b.week end)
    local sum = 0
    for _, name in ipairs(series_names) do
      if sums[name] then comp_names[#comp_names + 1] = name; sum = sum + sums[name] end
      if name ~= "usage_upstream" and name ~= "usage_cache" and name ~= "usage_data" then
        comp.surcharges = comp.surcharges + (sums[name] or 0)
      end
    end
    comp.sums, comp.remainder = sums, comp.total - sum
    -- The remainder is the BYOK fees only when the generation-level components cover the window.
    local covered = 0
    if detail then for _, r in detail:rows() do covered = covered + num(r.total_usage) end end
    if #short > 0 and (not detail or covered < 0.999 * comp.total) then comp.remainder = nil end
    local cw = { weeks = {}, series = {} }
    local by = {}
    for _, name in ipairs(comp_names) do
      by[name] = { name = name, values = {} }
      cw.series[#cw.series + 1] = by[name]
    end
    local rem = { name = "remainder", values = {},
                  label = comp.remainder and "BYOK fees (remainder)" or "remainder (BYOK fees and undetailed components)" }
    for i, e in ipairs(weekly) do
      cw.weeks[i] = e.week
      local s = 0
      for _, name in ipairs(comp_names) do by[name].values[i] = e[name]; s = s + (e[name] or 0) end
      rem.values[i] = e.total - s
    end
    cw.series[#cw.series + 1] = rem
    comp.weekly = cw
  end
  return comp
end

-- ---------------------------------------------------------------------------------
-- Phase 2: every independent query at once

-- Waits for a pending query; a truncated answer is asked again through the planner (split)
-- until it is whole. Returns the table, or nil with the reason (a warning is recorded).
function Q.whole(pend, q, what, warnings, counts, models)
  local ok, t = pcall(pend.wait, pend)
  if not ok then
    warnings[#warnings + 1] = format("%s: the query failed (%s)", what, type(t) == "table" and tostring(t.message) or tostring(t))
    return nil, "its query failed"
  end
  if t.meta.truncated then
    local ok2, t2 = pcall(in_parts, SPEC[q], models, 1, counts)
    if not ok2 or not t2 then
      warnings[#warnings + 1] = format("%s: the API truncated the result at its row limit and splitting it did not "
        .. "give a whole answer; the checks that need it did not run", what)
      return nil, "its result was truncated"
    end
    t = t2
  end
  t:note_warnings(warnings, what)
  return t
end

-- Sends the phase-2 queries of window W (a generation-level component the catalogue keeps
-- for fewer days than the window is asked later, split). Returns a fetch object:
-- f:get(name, what) -> table or nil and why; f.long, f.short (the components asked);
-- f.counts.split, f.phase2 (queries sent); f.qs (the queries); f:drain() waits for the rest.
function Q.send(W, schema, wrange, warnings)
  local missing = {}
  local qs, long, short = queries(W, schema, wrange, missing)
  for m, why in pairs(missing) do warnings[#warnings + 1] = why .. "; the checks that need it did not run" end
  table.sort(warnings)
  local too_long = {}
  if #short > 0 then
    for _, m in ipairs(short) do
      if schema:max_days(m) < W.days then too_long[#too_long + 1] = m end
    end
  end
  local f = { qs = qs, long = long, short = short, missing = missing, pend = {}, phase2 = 0,
              split_later = {}, counts = { split = 0 }, warnings = warnings,
              model_names = nil }  -- every model of the window, once known (to split by model)
  local order = { "weekly_km", "by_model", "daily_detail", "total", "weekly_key", "daily", "surcharges",
                  "surcharges_detail" }
  for _, name in ipairs(order) do
    if qs[name] then
      if #too_long > 0 and (name == "daily_detail" or name == "surcharges_detail") then
        f.split_later[name] = true
      else
        f.pend[name] = qs[name]:submit()
        f.phase2 = f.phase2 + 1
      end
    end
  end
  return setmetatable(f, { __index = Q.Fetch })
end

Q.Fetch = {}

function Q.Fetch:get(name, what)
  local qs, warnings = self.qs, self.warnings
  if not qs[name] then return nil, "not available in the catalogue" end
  if self.split_later[name] then
    self.counts.split = self.counts.split + 1
    local ok, t = pcall(function() return qs[name]:run { split = true } end)
    if not ok then
      warnings[#warnings + 1] = format("%s: %s", what, type(t) == "table" and tostring(t.message) or tostring(t))
      return nil, "its query failed"
    end
    return t
  end
  return Q.whole(self.pend[name], qs[name], what, warnings, self.counts, self.model_names)
end

-- Waits for every query still in flight (before giving up on the review).
function Q.Fetch:drain()
  for _, p in pairs(self.pend) do pcall(p.wait, p) end
end

Q.query = function(spec) return query(spec) end
Q.weekly_range, Q.model_rows, Q.weekly_series = weekly_range, model_rows, weekly_series

return Q
