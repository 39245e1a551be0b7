-- recipes/cost_review.lua: how can we cut next month's OpenRouter bill?
--
--   orscript --demo recipes/cost_review.lua [--month 2026-10 | --from DATE --to DATE]
--            [--threshold NAME=VALUE]... [--markdown FILE] [--html FILE] [--json FILE]
--            [--verify-script FILE] [--code DIR]... [--samples N]
--
-- Over a window (default M, the last full UTC calendar month) in three phases:
--   phase 1  read the analytics catalogue and use only what it offers;
--   phase 2  all independent queries at once: the baseline, spend and tokens by model,
--            components by day (two data sources), the surcharge components by key and app
--            (two data sources), weekly spend by key and weekly spend by key and model;
--   phase 3  the keys behind each expensive model, and the day each key moved model; and
--            this month by key and day (orscript.forecast_query) for the opening section:
--            this month so far / projected / last month, the biggest movers and the last two
--            weeks' single-day spikes (orscript.forecast, orscript.anomalies).
-- A truncated answer is asked again in parts until whole, never dropped.
-- The parts: review_checks.lua (the checks, pure functions over the results),
-- review_words.lua (what each finding says), review_verify.lua (the re-run script), and this
-- file (queries, observations, charts, the --json report, the command line). Every impact is
-- monthly (docs/recipes.md, "The cost review"; the --json report is docs/review-json.md).
--
-- Output: the terminal report, --markdown/--html FILE (orscript.report), --json FILE (the
-- versioned report of docs/review-json.md) and the verification script (--verify-script).
-- With --verbose, a line on stderr gives the request count, phases and time.
--
-- As a module: require("cost_review").run{ range = ..., thresholds = {...} } returns the
-- report's data table (docs/report.md) plus `stats`, `thresholds` and `checks`;
-- require("cost_review").json_report(data) the --json document.

-- The thresholds, each with the reason for its value. Change them here, or per run with
-- --threshold NAME=VALUE. Every monetary threshold applies to a MONTHLY figure.
local THRESHOLDS = {
  -- A model at >= 5 × the blended $/Mtok: below that, model choice is normal variety (a
  -- strong model at 2-3 × is routine); 5 × is where moving the traffic pays for a quality test.
  expensive_multiple = 5,
  -- $50 a month: less than an hour of engineering time a month; smaller findings are noise
  -- to act on.
  min_monthly_usd = 50,
  -- A key with >= 20 % of an expensive model's spend is a caller worth a separate change;
  -- when no key reaches it, the model is spread thinly and is one recommendation for the model.
  key_share = 0.2,
  -- Prompt tokens >= 75 % of tokens: the prompt, not the answer, is the bill.
  prompt_heavy = 0.75,
  -- A hit rate < 20 % on a model that caches: most repeated prefixes are missed.
  low_cache = 0.2,
  -- The hit rate caching is priced at: 50 % is what a stable system prompt and tools reach in
  -- practice; at or above it caching is near its ceiling.
  target_cache = 0.5,
  -- A surcharge (web search, native web search, file parsing, web fetch) >= 15 % of an app's or
  -- key's spend: a feature that large is worth turning off where it is not needed.
  web_share = 0.15,
  -- Reasoning tokens >= 50 % of completion tokens: most of the answer is thinking.
  reasoning_share = 0.5,
  -- A lower reasoning effort is assumed to save half the reasoning tokens.
  reasoning_cut = 0.5,
  -- Recent 2 weeks >= 1.8 × the 4 before: beyond week-to-week noise (±20 %) and seasonal
  -- swings, short of a doubling that would already be visible to everyone.
  growth_ratio = 1.8,
  -- One week >= 3 × the median of the key's other weeks: a one-off (a loop, a backfill), not
  -- a trend; 3 × is far beyond weekly noise.
  spike_ratio = 3,
  -- After a model move, weekly spend and spend per request >= 2 × before: the move, not the
  -- volume, made the key more expensive.
  upgrade_ratio = 2,
  -- A mean prompt of >= 20,000 tokens per request: long documents or histories sent whole.
  prompt_trim_tokens = 20000,
  -- The share of such prompts assumed trimmable (retrieval instead of whole documents,
  -- shorter histories): 30 %, a conservative figure for first trimming.
  prompt_trim_share = 0.3,
  -- (observations, run rate) a weekly series changed level by >= 1.5 × (50 %): beyond noise.
  level_change = 1.5,
  -- (observations) a component slice worth naming: 5 % of spend.
  meaningful_share = 0.05,
}

-- common.lua and the other recipes live next to this file, however it was loaded.
local here = (debug.getinfo(1, "S").source:match("^@(.-)[^/\\]*$") or ""):gsub("^$", "./") .. "?.lua"
if not package.path:find(here, 1, true) then package.path = here .. ";" .. package.path end
local C = require "common"
local R = require "review_checks"
local Words = require "review_words"
local Verify = require "review_verify"
local Code = require "review_code"  -- --code DIR: rec.where
local report = require "orscript.report"
local core = require "orscript.core"

local time = orscript.time
local format, concat = string.format, table.concat
local max, min = math.max, math.min

local M = { THRESHOLDS = THRESHOLDS, MONTH_DAYS = R.MONTH_DAYS, WEEKS_PER_MONTH = R.WEEKS_PER_MONTH }

M.JSON_VERSION = 1

-- Components: total spend = the sum of these plus the remainder (BYOK platform fees).
local LONG_COMPONENTS = { "usage_upstream", "usage_cache", "usage_data", "usage_web", "usage_upstream_web" }
local SHORT_COMPONENTS = { "usage_file", "usage_web_fetch" }
local MODEL_METRICS = { "total_usage", "tokens_total", "request_count", "tokens_prompt", "tokens_completion",
                        "reasoning_tokens", "cached_tokens", "usage_cache", "byok_usage", "usage_web",
                        "usage_upstream_web" }
local KIND_LABEL = {
  expensive_model = "expensive model on a key", expensive_model_spread = "expensive model spread over keys",
  caching = "caching", cache_writes = "cache writes", prompt_trimming = "prompt trimming",
  reasoning = "reasoning effort", web_search = "web search (plugin)", native_web_search = "native web search",
  file_parsing = "file parsing", web_fetch = "web fetch", growth = "growth", spike = "single-week spike",
  model_upgrade = "move to a dearer model",
}
M.KINDS = { "expensive_model", "expensive_model_spread", "caching", "cache_writes", "prompt_trimming", "reasoning",
            "web_search", "native_web_search", "file_parsing", "web_fetch", "growth", "spike", "model_upgrade" }

local function num(v) return C.num(v) end
local function name_of(v) if v == nil or v == C.null then return nil end return v end

-- ---------------------------------------------------------------------------------
-- The window

-- The window's facts: days with data (up to now), whether it is partial, the monthly factor.
function M.window(range, now)
  local data_stop = min(range.stop, now)
  local days = max(0, (data_stop - range.start) / time.DAY)
  local full_days = (range.stop - range.start) / time.DAY
  return {
    range = range, from = range.start, to = range.stop, data_stop = data_stop, days = days, full_days = full_days,
    partial = range.stop > now, future = range.start >= now,
    factor = days > 0 and R.MONTH_DAYS / days or 0,
  }
end

-- The window's facts without the range object (for the data table and JSON).
function M.window_facts(W)
  return { from = W.from, to = W.to, data_stop = W.data_stop, days = W.days, full_days = W.full_days,
           partial = W.partial, future = W.future, factor = W.factor, data_from = W.data_from }
end

local function window_label(W)
  local label = C.window_label(W.range)
  if W.future then return label .. " (not started: no data yet)" end
  if W.partial then
    return format("%s (partial: %.1f of %g days so far; impacts projected to a 30.4-day month)", label, W.days,
      W.full_days)
  end
  return label
end

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
    local t = core.wait(pend[i])
    if t.meta.truncated then
      local sub = in_parts(p, models, depth + 1, counts)
      if not sub then return nil end
      for _, r in sub:rows() do rows[#rows + 1] = r end
    else
      for _, r in t:rows() do rows[#rows + 1] = r end
    end
  end
  return { meta = { truncated = false, warnings = {} }, rows = function() return ipairs(rows) end, n = #rows }
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
    if r.model ~= C.null then
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
      if i and r.model ~= C.null then
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

-- ---------------------------------------------------------------------------------
-- Observations

local function observations(ch_obs, changes, upgrades_keys, growth_keys, ph, comp, rates, th)
  local obs = {}
  for _, o in ipairs(ch_obs) do
    o.title = format("%s already moved off the expensive %s%s: fixed", o.key, o.from_model,
      o.date and (" on " .. o.date) or (" in the week of " .. tostring(o.week)))
    o.text = format("Its weekly spend on the model fell from %s to %s (%d complete week%s after); about %s a "
      .. "month already saved. Nothing to do.", C.money(o.weekly_before), C.money(o.weekly_after),
      o.weeks_after or 0, o.weeks_after == 1 and "" or "s", C.money(o.saving_monthly))
    obs[#obs + 1] = o
  end
  local fixed_keys = {}
  for _, o in ipairs(ch_obs) do fixed_keys[o.key] = true end
  for _, ch in ipairs(changes) do
    local rf, rt = ch.rate_from, ch.rate_to
    if upgrades_keys[ch.key] or fixed_keys[ch.key] then
      -- already a recommendation or a "fixed" observation
    elseif ch.from_model then
      -- A model move: the key's own weekly spend around the week it happened.
      local before, after = ch.key_before, ch.key_after
      local saving = before - after
      if rf and rt and rt < rf and saving * R.WEEKS_PER_MONTH >= th.min_monthly_usd then
        obs[#obs + 1] = {
          kind = "repointed", key = ch.key, from_model = ch.from_model, to_model = ch.to_model, date = ch.date,
          week = ch.week, weekly_before = before, weekly_after = after, weeks_after = ch.weeks_after,
          saving_weekly = saving,
          title = format("%s moved from %s to %s%s: already saving %s/week", ch.key, ch.from_model, ch.to_model,
            ch.date and (" on " .. ch.date) or (" in the week of " .. ch.week), C.money(saving)),
          text = format("Its weekly spend fell from %s (mean of the 3 weeks before the week of %s) to %s (mean of "
            .. "the %d complete week%s after), about %s a month; in this key %s costs %s against %s. Nothing to "
            .. "do: this change is already paying off.", C.money(before), ch.week, C.money(after),
            ch.weeks_after or 0, ch.weeks_after == 1 and "" or "s", C.money(saving * R.WEEKS_PER_MONTH), ch.to_model,
            C.per_mtok(rt), C.per_mtok(rf)),
        }
      elseif math.abs(saving) * R.WEEKS_PER_MONTH >= th.min_monthly_usd and not growth_keys[ch.key] then
        obs[#obs + 1] = {
          kind = "level_change", key = ch.key, week = ch.week, date = ch.date, weekly_before = before,
          weekly_after = after, from_model = ch.from_model, to_model = ch.to_model,
          title = format("%s moved from %s to %s%s", ch.key, ch.from_model, ch.to_model,
            ch.date and (" on " .. ch.date) or (" in the week of " .. ch.week)),
          text = format("Its weekly spend went from %s to %s (below the %g× a move to a dearer model is "
            .. "recommended at).", C.money(before), C.money(after), th.upgrade_ratio),
        }
      end
    elseif not growth_keys[ch.key] then
      obs[#obs + 1] = {
        kind = "level_change", key = ch.key, week = ch.week, weekly_before = ch.weekly_before,
        weekly_after = ch.weekly_after,
        title = format("%s's weekly spend changed level in the week of %s", ch.key, ch.week),
        text = format("From %s to %s a week.", C.money(ch.weekly_before), C.money(ch.weekly_after)),
      }
    end
  end
  for _, c in ipairs(ph.ceiling or {}) do
    obs[#obs + 1] = {
      kind = "cache_ceiling", model = c.model,
      title = format("Caching on %s is already near its ceiling", c.model),
      text = format("Prompt-heavy (%s of tokens) with a cache hit rate of %s, at or above the %s target: more "
        .. "caching has little left to gain there.", C.percent(c.prompt_share), C.percent(c.cache_hit_rate),
        C.percent(th.target_cache)),
    }
  end
  for _, c in ipairs(ph.heavy or {}) do
    obs[#obs + 1] = {
      kind = "prompt_heavy", model = c.model,
      title = format("%s is prompt-heavy without cache savings", c.model),
      text = format("%s of its tokens are prompt (%s spend) and no cache savings show on it; if its provider "
        .. "cannot cache, shorter prompts are the only lever.", C.percent(c.prompt_share), C.money(c.spend)),
    }
  end
  if comp and comp.total > 0 then
    if comp.surcharges / comp.total >= th.meaningful_share then
      obs[#obs + 1] = format("Surcharges (web search, native web search, files, web fetch) are a meaningful slice "
        .. "of spend: %s, %s.", C.money(comp.surcharges), C.percent(comp.surcharges / comp.total))
    end
    if comp.remainder and math.abs(comp.remainder) / comp.total >= th.meaningful_share then
      obs[#obs + 1] = format("%s of spend (%s) is in none of the usage_* components: BYOK platform fees (BYOK "
        .. "inference itself is in usage_upstream).", C.percent(comp.remainder / comp.total), C.money(comp.remainder))
    end
  end
  return obs
end

-- ---------------------------------------------------------------------------------
-- Charts

local function charts(models, comp, weeks, ks, recs, obs)
  local out = {}
  local list = {}
  for i, m in ipairs(models) do
    if i <= 12 then
      list[#list + 1] = { label = m.model, value = m.spend }
    else
      local last = list[13] or { label = "other models", value = 0 }
      last.value = last.value + m.spend
      list[13] = last
    end
  end
  out.spend_by_model = list

  if weeks and ks then
    local totals, names, wanted = {}, {}, {}
    for k, v in pairs(ks) do
      local s = 0
      for _, x in ipairs(v.spend) do s = s + x end
      totals[k] = s
      names[#names + 1] = k
    end
    table.sort(names, function(a, b) return totals[a] > totals[b] or (totals[a] == totals[b] and a < b) end)
    for _, r in ipairs(recs) do if r.key then wanted[r.key] = true end end
    for _, o in ipairs(obs) do if type(o) == "table" and o.key then wanted[o.key] = true end end
    local chosen = {}
    for _, k in ipairs(names) do if wanted[k] and #chosen < 12 then chosen[#chosen + 1] = k end end
    for _, k in ipairs(names) do
      if #chosen >= 8 then break end
      if not wanted[k] then chosen[#chosen + 1] = k end
    end
    local series = {}
    for _, k in ipairs(chosen) do series[#series + 1] = { name = k, values = ks[k].spend } end
    local markers = {}
    for _, o in ipairs(obs) do
      if type(o) == "table" and o.week and o.key and (o.kind == "repointed" or o.kind == "level_change"
          or o.kind == "fixed") then
        markers[#markers + 1] = { series = o.key, week = o.week,
          label = o.kind == "repointed" and ("moved to " .. o.to_model) or o.kind == "fixed" and "moved off "
            .. o.from_model or "level change" }
      end
    end
    for _, r in ipairs(recs) do
      if r.kind == "model_upgrade" then
        markers[#markers + 1] = { series = r.key, week = r.week, label = "moved to " .. r.to_model }
      elseif r.kind == "spike" then
        markers[#markers + 1] = { series = r.key, week = r.week, label = "spike" }
      end
    end
    out.weekly_by_key = { weeks = weeks, series = series, markers = markers }
  end

  if comp and comp.weekly then
    out.components = comp.weekly
  end
  return out
end

M.verify_script = Verify.script

-- ---------------------------------------------------------------------------------
-- The review

-- Waits for a pending query; a truncated answer is asked again through the planner (split)
-- until it is whole. Returns the table, or nil with the reason (a warning is recorded).
local function whole(pend, q, what, warnings, counts, models)
  local ok, t = pcall(core.wait, pend)
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
  C.note(t, what, warnings)
  return t
end

local function empty_data(W, th, label, warnings, t0, r0)
  local data = {
    title = "OpenRouter cost review", account = (orscript.account()), generated_at = time.format(orscript.now()),
    window = { start = time.date(W.from), ["end"] = time.date(W.to), label = label }, W = M.window_facts(W),
    baseline = { spend = 0, tokens = 0, requests = 0, byok_usage = 0, byok_share = 0 },
    recommendations = {}, observations = { "No traffic in this window." }, warnings = warnings,
    no_findings = true, no_traffic = true, thresholds = th, total_impact_usd = 0, checks = {}, charts = {},
  }
  for _, kind in ipairs(M.KINDS) do
    data.checks[#data.checks + 1] = { kind = kind, ran = false, scope = { models = 0, keys = 0, apps = 0 },
                                      findings = 0, reason = "no traffic in this window" }
  end
  data.verify_script = Verify.script({}, { label = label, thresholds = th, generated_at = data.generated_at })
  local r1 = C.requests()
  data.stats = { requests = (r0 and r1) and (r1 - r0) or nil, phases = 1, phase2_queries = 0, phase3_queries = 0,
                 elapsed_ms = C.clock_ms() - t0, splits = 0 }
  return data
end

-- opts: range (default the last full month), thresholds (over THRESHOLDS), code (a list of source
-- folders: recommendations get `where`, recipes/review_code.lua). Returns the data table.
function M.run(opts)
  opts = opts or {}
  local th = C.merge(THRESHOLDS, opts.thresholds)
  local range = opts.range or time.last_month()
  local now = orscript.now()
  local W = M.window(range, now)
  local label = window_label(W)
  local t0, r0 = C.clock_ms(), C.requests()
  local warnings = {}
  if W.future then return empty_data(W, th, label, warnings, t0, r0) end

  -- Phase 1: the catalogue.
  local schema = orscript.meta()
  if not (schema:metric("total_usage") and schema:metric("tokens_total") and schema:dimension("model")) then
    orscript.error("data", "the analytics catalogue lacks total_usage/tokens_total by model: cannot review spend", 0)
  end

  -- Phase 2: every independent query at once.
  local wrange = weekly_range(W, now)
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
  local pend = {}
  local order = { "weekly_km", "by_model", "daily_detail", "total", "weekly_key", "daily", "surcharges",
                  "surcharges_detail" }
  local phase2 = 0
  local split_later = {}
  for _, name in ipairs(order) do
    if qs[name] then
      if #too_long > 0 and (name == "daily_detail" or name == "surcharges_detail") then
        split_later[name] = true
      else
        pend[name] = qs[name]:submit()
        phase2 = phase2 + 1
      end
    end
  end
  local counts = { split = 0 }
  local model_names  -- every model of the window, once known (to split a truncated answer by model)
  local function get(name, what)
    if not qs[name] then return nil, "not available in the catalogue" end
    if split_later[name] then
      counts.split = counts.split + 1
      local ok, t = pcall(function() return qs[name]:run { split = true } end)
      if not ok then
        warnings[#warnings + 1] = format("%s: %s", what, type(t) == "table" and tostring(t.message) or tostring(t))
        return nil, "its query failed"
      end
      return t
    end
    return whole(pend[name], qs[name], what, warnings, counts, model_names)
  end

  local n_warn = #warnings
  local by_model_t = get("by_model", "spend by model")
  local total_t = get("total", "baseline")
  if not by_model_t or not total_t then
    for _, p in pairs(pend) do pcall(core.wait, p) end
    orscript.error("data", format("cannot review spend: %s", warnings[n_warn + 1] or "the baseline or spend by "
      .. "model could not be read whole"), 0)
  end
  local base = total_t[1] or {}
  local baseline = { spend = num(base.total_usage), tokens = num(base.tokens_total), requests = num(base.request_count),
                     byok_usage = num(base.byok_usage) }
  if baseline.spend == 0 and baseline.requests == 0 and #by_model_t == 0 then
    for _, p in pairs(pend) do pcall(core.wait, p) end
    return empty_data(W, th, label, warnings, t0, r0)
  end
  baseline.blended_per_mtok = C.rate(baseline.spend, baseline.tokens)
  baseline.byok_share = baseline.spend > 0 and baseline.byok_usage / baseline.spend or 0
  local models = model_rows(by_model_t)
  -- File and web-fetch surcharges per model (generation-level): the models' inference rates.
  local dbm = qs.daily_detail and get("daily_detail", "file and web-fetch components by model and day")
  local detail  -- the same by day: {rows() -> (i, {date, total_usage, usage_file, usage_web_fetch})}
  if dbm then
    local extra, days, list = {}, {}, {}
    for _, r in dbm:rows() do
      extra[r.model] = (extra[r.model] or 0) + num(r.usage_file) + num(r.usage_web_fetch)
      local d = days[r.date]
      if not d then d = { date = r.date, total_usage = 0 }; days[r.date] = d; list[#list + 1] = d end
      d.total_usage = d.total_usage + num(r.total_usage)
      for _, name in ipairs(short) do
        if C.has(r[name]) then d[name] = (d[name] or 0) + r[name] end
      end
    end
    for _, m in ipairs(models) do m.surcharges = m.surcharges + (extra[m.model] or 0) end
    detail = { rows = function() return ipairs(list) end }
  end
  local surcharges = 0
  for _, m in ipairs(models) do surcharges = surcharges + m.surcharges end
  -- The blended inference rate (surcharges left out), the yardstick of "expensive".
  local B = C.rate(baseline.spend - surcharges, baseline.tokens)
  model_names = {}
  for i, m in ipairs(models) do model_names[i] = m.model end
  -- Days with data: an account (or the API's history) that starts inside the window is
  -- normalised over the days it has, and the label says so.
  local daily = get("daily", "components by day")
  if daily then
    local first
    for _, r in daily:rows() do
      if num(r.total_usage) > 0 and (not first or r.date < first) then first = r.date end
    end
    local fms = first and time.parse(first)
    if fms and fms > W.from then
      W.days = max(0, (W.data_stop - fms) / time.DAY)
      W.factor = W.days > 0 and R.MONTH_DAYS / W.days or 0
      W.data_from = fms
      label = label .. format(" (data from %s: %.1f days)", first, W.days)
    end
  end
  local flagged = R.flag_models(models, B, th, W.factor)
  local by_rate = R.expensive_by_rate(models, B, th)
  local rates = {}
  for _, m in ipairs(models) do rates[m.model] = m.rate end

  -- Phase 3a: the keys behind each expensive model, as soon as the models are known.
  local phase3 = 0
  local drill_q, drill_p
  if #flagged > 0 and schema:dimension("api_key_id") then
    local list = {}
    for _, f in ipairs(flagged) do list[#list + 1] = f.model end
    drill_q = query { metrics = { "total_usage", "tokens_total", "request_count" },
                               by = { "api_key_id", "model" }, where = { { "model", "in", list } },
                               range = time.range(W.from, W.data_stop), order = { "total_usage", "desc" },
                               limit = 10000 }
    drill_p = drill_q:submit()
    phase3 = phase3 + 1
  end

  -- Weekly series.
  local weeks = wrange and C.week_list(wrange) or nil
  local tk, why_k = get("weekly_key", "weekly spend by key")
  local tkm, why_km = get("weekly_km", "weekly spend by key and model")
  local ks, km = nil, nil
  if weeks and tk then
    -- Leading weeks before the account's data starts (or only partly covered by it) are not
    -- weeks of spend: drop those whose total is under half the median week.
    local totals = {}
    for i, w in ipairs(weeks) do totals[w] = 0 end
    for _, r in tk:rows() do if totals[r.date] then totals[r.date] = totals[r.date] + num(r.total_usage) end end
    local list = {}
    for i, w in ipairs(weeks) do list[i] = totals[w] end
    local med = R.median(list)
    while #weeks > R.SPIKE_WEEKS and totals[weeks[1]] < 0.5 * med do table.remove(weeks, 1) end
  end
  if weeks then ks, km = weekly_series(tk, tkm, weeks) end
  local first_week = 1
  if weeks then
    local fw = time.date(time.floor(W.from, "week"))
    for i, w in ipairs(weeks) do if w == fw then first_week = i end end
    if time.floor(W.from, "week") > time.parse(weeks[#weeks]) then first_week = #weeks + 1 end
  end

  local ctx = { thresholds = th, factor = W.factor, label = C.window_label(range), th = th,
                n_keys = 0 }
  if ks then for _ in pairs(ks) do ctx.n_keys = ctx.n_keys + 1 end end
  local checks = R.new(ctx)
  checks:weekly(ks or {}, km, weeks or {}, rates, first_week,
    (not weeks or not ks) and ("weekly spend by key is unavailable" .. (why_k and (": " .. why_k) or "")) or nil)

  -- Phase 3b: the day of each model move, as soon as the weekly series are known.
  -- Moves whose day we want: key-level moves, and expensive (key, model) series that stopped.
  local day_models, lo, hi = {}, nil, nil
  local function want_days(models_list, wk_index)
    for _, m in ipairs(models_list) do day_models[m] = true end
    local s = time.parse(weeks[max(1, wk_index - 1)])
    local e = time.parse(weeks[min(#weeks, wk_index)]) + 7 * time.DAY
    lo, hi = lo and min(lo, s) or s, hi and max(hi, e) or e
  end
  for _, ch in ipairs(checks.changes or {}) do
    if ch.from_model then want_days({ ch.from_model, ch.to_model }, ch.index) end
  end
  local fixed = km and weeks and checks:fixed(by_rate, km, weeks, first_week) or {}
  for _, o in ipairs(checks.observations) do
    if o.kind == "fixed" then want_days({ o.from_model }, o.index) end
  end
  local days_q, days_p
  local dm = {}
  for m in pairs(day_models) do dm[#dm + 1] = m end
  table.sort(dm)
  if #dm > 0 then
    days_q = query { metrics = { "total_usage" }, by = { "api_key_id", "model" }, grain = "day",
                              where = { { "model", "in", dm } }, range = time.range(lo, hi), limit = 10000 }
    days_p = days_q:submit()
    phase3 = phase3 + 1
  end

  -- The opening section: this month so far, projected and last month by key, and the last
  -- two weeks' single-day spikes (orscript.forecast and orscript.anomalies on one query).
  local month_q = schema:dimension("api_key_id") and orscript.forecast_query { by = "api_key_id" } or nil
  local month_p = month_q and month_q:submit()
  if month_p then phase3 = phase3 + 1 end

  -- Meanwhile: per-model checks, components and surcharges.
  checks:per_model(models)
  local comp = { total = 0, surcharges = 0 }
  local comp_names = {}
  if daily then
    local sums = {}
    local weekly, wk_index = {}, {}
    local series_names = C.append(C.append({}, long), detail and short or {})
    local byday = {}
    if detail then for _, r in detail:rows() do byday[r.date] = r end end
    for _, r in daily:rows() do
      local wk = C.week_of(r.date)
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
        if C.has(v) then
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
  -- Surcharges by key and app.
  local rows_by_metric, unavailable = {}, {}
  local function surcharge_rows(t, metrics)
    for _, m in ipairs(metrics) do rows_by_metric[m] = {} end
    for _, r in t:rows() do
      for _, m in ipairs(metrics) do
        local row = { key = name_of(r.api_key_id) or "(no key)", app = name_of(r.app), total = num(r.total_usage) }
        row[m] = num(r[m])
        table.insert(rows_by_metric[m], row)
      end
    end
  end
  local st, why_s = get("surcharges", "surcharges by key and app")
  if st then
    local ms = {}
    for _, m in ipairs(long) do if m == "usage_web" or m == "usage_upstream_web" then ms[#ms + 1] = m end end
    surcharge_rows(st, ms)
  else
    unavailable.usage_web, unavailable.usage_upstream_web = why_s, why_s
  end
  if qs.surcharges_detail then
    local sd, why_d = get("surcharges_detail", "file and web-fetch surcharges by key and app")
    -- Generation-level data exists only for recent days: say how much of the window it covers.
    local covered = 0
    if sd then for _, r in sd:rows() do covered = covered + num(r.total_usage) end end
    local share = baseline.spend > 0 and covered / baseline.spend or 1
    if sd and share < 0.5 then
      sd, why_d = nil, format("the API keeps generation-level detail (usage_file, usage_web_fetch) for only %s of "
        .. "this window's spend", C.percent(share))
      warnings[#warnings + 1] = why_d .. "; file parsing and web fetch were not checked"
    elseif sd and share < 0.999 then
      warnings[#warnings + 1] = format("usage_file and usage_web_fetch cover %s of this window's spend (the API "
        .. "keeps generation-level detail for recent days only); their findings are sized on that part", C.percent(share))
    end
    if sd then surcharge_rows(sd, short) else for _, m in ipairs(short) do unavailable[m] = why_d end end
  end
  for m, why in pairs(missing) do unavailable[m] = why end
  checks:surcharges(rows_by_metric, unavailable)

  -- Phase 3 answers.
  local drill
  if drill_p then
    local t = whole(drill_p, drill_q, "spend by key on the expensive models", warnings, counts)
    if t then
      drill = {}
      for _, r in t:rows() do
        drill[#drill + 1] = { key = name_of(r.api_key_id) or "(no key)", model = r.model, spend = num(r.total_usage),
                              tokens = num(r.tokens_total), requests = num(r.request_count) }
      end
    end
  end
  local upgraded_to = {}
  for _, f in ipairs(checks.findings) do
    if f.kind == "model_upgrade" then upgraded_to[f.key .. "\0" .. f.to_model] = true end
  end
  local drill_for = {}
  for _, r in ipairs(drill or {}) do
    if not upgraded_to[r.key .. "\0" .. r.model] then drill_for[#drill_for + 1] = r end
  end
  if #flagged > 0 and not drill then
    checks:record("expensive_model", { models = #models }, 0, "spend by key on the expensive models is unavailable")
    checks:record("expensive_model_spread", { models = #models }, 0, "spend by key on the expensive models is unavailable")
  else
    checks:expensive(models, B, flagged, drill_for, km, weeks, first_week, fixed)
  end
  if days_p then
    local t = whole(days_p, days_q, "daily spend around model moves", warnings, counts)
    if t then
      local idx = {}
      for i, w in ipairs(weeks) do idx[w] = i end
      local function first_day(key, model)
        local first
        for _, r in t:rows() do
          if r.api_key_id == key and r.model == model and num(r.total_usage) > 0 and (not first or r.date < first) then
            first = r.date
          end
        end
        return first
      end
      local function last_day(key, model)
        local last
        for _, r in t:rows() do
          if r.api_key_id == key and r.model == model and num(r.total_usage) > 0 and (not last or r.date > last) then
            last = r.date
          end
        end
        return last
      end
      for _, ch in ipairs(checks.changes) do
        if ch.from_model then
          local d = first_day(ch.key, ch.to_model)
          if d then
            ch.date = d
            local i = idx[C.week_of(d)]
            if i then R.move_figures(ch, i, weeks) end
          end
        end
      end
      for _, o in ipairs(checks.observations) do
        if o.kind == "fixed" then
          local d = last_day(o.key, o.from_model)
          if d then o.date = time.date(time.parse(d) + time.DAY) end
          for _, ch in ipairs(checks.changes) do
            if ch.key == o.key and ch.from_model == o.from_model then o.to_model = ch.to_model; o.date = ch.date or o.date end
          end
        end
      end
    end
  end

  -- Recommendations, ranked by monthly impact.
  local recs = {}
  local wctx = { th = th, label = C.window_label(range) }
  for _, f in ipairs(checks.findings) do
    if f.impact_usd >= th.min_monthly_usd then
      Words.apply(f, wctx)
      recs[#recs + 1] = f
    end
  end
  table.sort(recs, function(a, b) return a.impact_usd > b.impact_usd end)
  for i, r in ipairs(recs) do r.rank = i end
  local code_scan = opts.code and #opts.code > 0 and Code.attach(recs, opts.code) or nil  -- --code: rec.where
  local growth_keys, upgrade_keys = {}, {}
  for _, r in ipairs(recs) do
    if r.kind == "growth" then growth_keys[r.key] = true end
    if r.kind == "model_upgrade" then upgrade_keys[r.key] = true end
  end
  local obs = observations(checks.observations, checks.changes or {}, upgrade_keys, growth_keys, checks, comp, rates, th)
  if baseline.byok_share > 0 then
    table.insert(obs, 1, format("%s of spend (%s) is BYOK inference, billed by your providers: savings on that "
      .. "traffic land on their bills, not OpenRouter's. OpenRouter bills BYOK traffic only its platform fee%s.",
      C.percent(baseline.byok_share), C.money(baseline.byok_usage),
      comp.remainder and format(" (%s in this window, the remainder after the usage_* components)",
        C.money(comp.remainder)) or ""))
  end

  -- Which checks ran, and on what.
  local rec_count = {}
  for _, r in ipairs(recs) do rec_count[r.kind] = (rec_count[r.kind] or 0) + 1 end
  local check_list = {}
  local seen = {}
  for _, c in ipairs(checks.records) do
    if not seen[c.kind] then
      seen[c.kind] = true
      c.findings = rec_count[c.kind] or 0
      c.label = KIND_LABEL[c.kind]
      check_list[#check_list + 1] = c
    end
  end
  local kind_pos = {}
  for i, k in ipairs(M.KINDS) do kind_pos[k] = i end
  table.sort(check_list, function(a, b) return (kind_pos[a.kind] or 99) < (kind_pos[b.kind] or 99) end)

  local this_month
  if month_p then
    local t = whole(month_p, month_q, "this month by key and day", warnings, counts)
    if t then
      local TM = require "orscript.report.month"
      this_month = TM.from_forecast(orscript.forecast { by = "api_key_id", table = t })
      this_month.spikes = TM.spikes(orscript.anomalies { by = "api_key_id", table = t }, "api_key_id")
    end
  end

  local generated_at = time.format(orscript.now())
  local total_impact = 0
  for _, r in ipairs(recs) do if not r.one_off then total_impact = total_impact + r.impact_usd end end
  local info = C.window_info(range)
  info.label = label
  local data = {
    title = "OpenRouter cost review",
    account = (orscript.account()),
    generated_at = generated_at,
    window = info, W = M.window_facts(W),
    baseline = { spend = baseline.spend, tokens = baseline.tokens, requests = baseline.requests,
                 blended_per_mtok = baseline.blended_per_mtok, inference_per_mtok = B, byok_usage = baseline.byok_usage, byok_share = baseline.byok_share,
                 monthly_spend = baseline.spend * W.factor,
                 projected_spend = W.partial and W.days > 0 and baseline.spend * W.full_days / W.days or nil,
                 fees = comp.remainder },
    this_month = this_month,
    recommendations = recs,
    observations = obs,
    checks = check_list,
    charts = charts(models, comp, weeks, ks, recs, obs),
    warnings = warnings,
    no_findings = #recs == 0,
    thresholds = th,
    total_impact_usd = total_impact,
  }
  data.verify_script = Verify.script(recs, { label = C.window_label(range), thresholds = th,
                                               generated_at = generated_at })
  local r1 = C.requests()
  data.stats = {
    requests = (r0 and r1) and (r1 - r0) or nil,
    phases = 1 + (phase2 > 0 and 1 or 0) + (phase3 > 0 and 1 or 0),
    phase2_queries = phase2, phase3_queries = phase3, splits = counts.split,
    elapsed_ms = C.clock_ms() - t0,
  }
  data.code_scan = code_scan and Code.summary(code_scan, recs) or nil  -- --code: for stderr
  -- Issue 14 (part 3): a sample of the requests behind the expensive-model and caching
  -- findings (opts.samples per finding, default 5, 0: none); after the stats above, which
  -- stay the analysis's own (review_samples.lua).
  local Samples = require "review_samples"
  data.stats.samples = Samples.attach(recs, W, Samples.count(opts.samples), warnings)
  return data
end

-- ---------------------------------------------------------------------------------
-- The --json report (docs/review-json.md): version 1, stable.

local IDENT = { "key", "model", "app" }
local OMIT = { title = true, target = true, action = true, change = true, risk = true, figures = true, rank = true,
               kind = true, series = true, keys = true, impact_usd = true }

function M.json_report(data)
  local N = orscript.null
  local function v(x) if x == nil then return N end return x end
  local W = data.W or {}
  local doc = {
    version = M.JSON_VERSION,
    generated_at = data.generated_at,
    window = { from = W.from and time.format(W.from) or N, to = W.to and time.format(W.to) or N, days = v(W.days),
               partial = W.partial == true, monthly_factor = v(W.factor), label = v(data.window and data.window.label),
               full_days = v(W.full_days) },
    baseline = { total_usage = v(data.baseline.spend), tokens_total = v(data.baseline.tokens),
                 request_count = v(data.baseline.requests), blended_per_mtok = v(data.baseline.blended_per_mtok),
                 byok_usage = v(data.baseline.byok_usage), byok_share = v(data.baseline.byok_share),
                 monthly_spend = v(data.baseline.monthly_spend), projected_spend = v(data.baseline.projected_spend),
                 byok_fees = v(data.baseline.fees) },
    recommendations = {}, observations = {}, warnings = {}, checks = {},
    no_traffic = data.no_traffic == true,
    this_month = data.this_month or N,
    stats = { requests = v(data.stats and data.stats.requests), phases = v(data.stats and data.stats.phases) },
    thresholds = data.thresholds,
  }
  for _, r in ipairs(data.recommendations or {}) do
    local o = { kind = r.kind, target = r.target, impact_usd = r.impact_usd, action = r.action, title = r.title }
    for _, f in ipairs(IDENT) do o[f] = v(r[f]) end
    for k, x in pairs(r) do
      if not OMIT[k] and o[k] == nil and (type(x) == "number" or type(x) == "string" or type(x) == "boolean") then
        o[k] = x
      end
    end
    if r.where then o.where = r.where end  -- --code
    if r.keys then
      o.keys = {}
      for i, k in ipairs(r.keys) do o.keys[i] = { key = k.key, share = k.share, impact_usd = k.impact_usd } end
    end
    o.samples = require("review_samples").json(r.samples) or N  -- issue 14: the requests behind it
    doc.recommendations[#doc.recommendations + 1] = o
  end
  for _, x in ipairs(data.observations or {}) do
    if type(x) == "table" then
      local o = { kind = x.kind, key = v(x.key), model = v(x.model), date = v(x.date), week = v(x.week),
                  from_model = v(x.from_model), to_model = v(x.to_model), weekly_before = v(x.weekly_before),
                  weekly_after = v(x.weekly_after), title = x.title, text = x.text }
      doc.observations[#doc.observations + 1] = o
    else
      doc.observations[#doc.observations + 1] = { kind = "note", text = x }
    end
  end
  for _, w in ipairs(data.warnings or {}) do doc.warnings[#doc.warnings + 1] = w end
  for _, c in ipairs(data.checks or {}) do
    doc.checks[#doc.checks + 1] = { kind = c.kind, ran = c.ran, findings = c.findings, reason = v(c.reason),
      scope = { models = c.scope.models or 0, keys = c.scope.keys or 0, apps = c.scope.apps or 0 } }
  end
  local ss = data.stats and data.stats.samples  -- issue 14: what the request samples cost on top
  if ss then doc.stats.samples = { findings = ss.findings, requests = v(ss.requests), fetched = ss.fetched,
                                   failed = ss.failed } end
  return orscript.json.encode(doc)
end

-- ---------------------------------------------------------------------------------
-- Output

local OUTPUTS = { "markdown", "html", "json", "verify_script" }

-- Refuses output paths whose folder does not exist (before any query is sent).
function M.check_outputs(opts)
  for _, name in ipairs(OUTPUTS) do
    local path = opts[name]
    if path then
      local dir = path:match("^(.*)[/\\][^/\\]*$")
      if path:match("[/\\]$") then
        C.usage_error("--%s %s: is a folder; give a file name", name:gsub("_", "-"), path)
      end
      if dir and dir ~= "" then
        local probe = io.open(dir .. "/.", "rb")
        local ok = probe ~= nil
        if probe then probe:close() end
        if not ok then
          C.usage_error("--%s %s: the folder %s does not exist; create it or choose another path",
            name:gsub("_", "-"), path, dir)
        end
      end
    end
  end
end

function M.write(data, opts)
  local written = {}
  for _, name in ipairs(OUTPUTS) do
    if opts[name] then
      local text
      if name == "verify_script" then text = data.verify_script
      elseif name == "json" then text = M.json_report(data)
      else text = report[name](data) end
      written[#written + 1] = report.write(opts[name], text)
    end
  end
  return written
end

M.USAGE = [[
usage: orscript [--demo] recipes/cost_review.lua [options]
  --month YYYY-MM | --from DATE --to DATE   the window (default: the last full calendar month)
  --threshold NAME=VALUE (or --NAME VALUE)  change a threshold (see the table at the top of the script)
  --markdown FILE  --html FILE  --json FILE  write the report in that format (--json: docs/review-json.md)
  --verify-script FILE                       write the re-run script
  --code DIR                                 name the places in a source tree to change (repeatable)
  --samples N      requests sampled behind each expensive-model and caching finding (default 5; 0: none)]]

if C.is_main("cost_review") then
  C.main(function()
    local argv, code_dirs = Code.take_args({ unpack(arg) })  -- --code DIR (repeatable)
    local opts = C.parse_args(argv, { thresholds = THRESHOLDS, usage = M.USAGE,
                                      options = { samples = "number" } })  -- issue 14: --samples N
    require("review_samples").count(opts.samples)  -- a bad --samples fails before any request
    if opts.help then io.write(M.USAGE, "\n") return end
    M.check_outputs(opts)
    if #code_dirs > 0 then Code.check(code_dirs); opts.code = code_dirs end
    local data = M.run(opts)
    if data.no_traffic then
      io.write(format("No traffic in this window (%s): nothing to review.\n", data.window.label))
    else
      io.write(report.terminal(data, { color = report.want_color() }))
    end
    for _, path in ipairs(M.write(data, opts)) do io.stderr:write("wrote ", path, "\n") end
    if data.code_scan then io.stderr:write(data.code_scan, "\n") end  -- --code
    if core.verbose then
      io.stderr:write(format("cost_review: %s requests, %d phases (%d + %d queries after the catalogue, %d split), "
        .. "%.0f ms\n", tostring(data.stats.requests), data.stats.phases, data.stats.phase2_queries,
        data.stats.phase3_queries, data.stats.splits or 0, data.stats.elapsed_ms))
      local s = data.stats.samples  -- issue 14: what the request samples cost on top
      if s and s.findings > 0 then
        io.stderr:write(format("review_samples: %s requests for %d findings (%d generations fetched, %d failed), "
          .. "%.0f ms\n", tostring(s.requests), s.findings, s.fetched, s.failed, s.ms))
      end
    end
  end)
end

return M
