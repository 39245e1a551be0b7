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
-- The parts: review_queries.lua (what is asked, whole answers, reading the rows),
-- review_checks.lua (the checks, pure functions over the results), review_words.lua (what
-- each finding says), review_findings.lua (recommendations, observations, checks, charts),
-- review_verify.lua (the re-run script), review_json.lua (the --json report) and this file
-- (the thresholds, the window, the phases in order, the command line). Every impact is
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


local C = require "common"
local R = require "review_checks"
local Q = require "review_queries"
local Findings = require "review_findings"
local Verify = require "review_verify"
local Json = require "review_json"
local Code = require "review_code"  -- --code DIR: rec.where
local report = require "orscript.report"

local time = orscript.time
local format = string.format
local max, min = math.max, math.min
local num = orscript.num
local name_of = Q.name_of

local M = { THRESHOLDS = THRESHOLDS, MONTH_DAYS = R.MONTH_DAYS, WEEKS_PER_MONTH = R.WEEKS_PER_MONTH }

M.JSON_VERSION = Json.VERSION
M.KINDS = Findings.KINDS
M.verify_script = Verify.script
M.json_report = Json.report

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
  local label = W.range:label()
  if W.future then return label .. " (not started: no data yet)" end
  if W.partial then
    return format("%s (partial: %.1f of %g days so far; impacts projected to a 30.4-day month)", label, W.days,
      W.full_days)
  end
  return label
end

-- ---------------------------------------------------------------------------------
-- The review, phase by phase. One state table `S` carries the window, the thresholds,
-- the warnings, the phase-2 fetch object and what each step reads.

local function empty_data(S)
  local W = S.W
  local data = {
    title = "OpenRouter cost review", account = (orscript.account()), generated_at = time.format(orscript.now()),
    window = { start = time.date(W.from), ["end"] = time.date(W.to), label = S.label }, W = M.window_facts(W),
    baseline = { spend = 0, tokens = 0, requests = 0, byok_usage = 0, byok_share = 0 },
    recommendations = {}, observations = { "No traffic in this window." }, warnings = S.warnings,
    no_findings = true, no_traffic = true, thresholds = S.th, total_impact_usd = 0,
    checks = Findings.no_checks("no traffic in this window"), charts = {},
  }
  data.verify_script = Verify.script({}, { label = S.label, thresholds = S.th, generated_at = data.generated_at })
  local r1 = orscript.stats().requests
  data.stats = { requests = (S.r0 and r1) and (r1 - S.r0) or nil, phases = 1, phase2_queries = 0,
                 phase3_queries = 0, elapsed_ms = time.clock() - S.t0, splits = 0 }
  return data
end

-- The baseline and the models; false when the window has no traffic.
local function read_baseline(S)
  local f = S.fetch
  local n_warn = #S.warnings
  local by_model_t = f:get("by_model", "spend by model")
  local total_t = f:get("total", "baseline")
  if not by_model_t or not total_t then
    f:drain()
    orscript.error("data", format("cannot review spend: %s", S.warnings[n_warn + 1] or "the baseline or spend by "
      .. "model could not be read whole"), 0)
  end
  local base = total_t[1] or {}
  local baseline = { spend = num(base.total_usage), tokens = num(base.tokens_total), requests = num(base.request_count),
                     byok_usage = num(base.byok_usage) }
  if baseline.spend == 0 and baseline.requests == 0 and #by_model_t == 0 then
    f:drain()
    return false
  end
  baseline.blended_per_mtok = C.rate(baseline.spend, baseline.tokens)
  baseline.byok_share = baseline.spend > 0 and baseline.byok_usage / baseline.spend or 0
  S.baseline, S.models = baseline, Q.model_rows(by_model_t)
  return true
end

-- File and web-fetch surcharges per model (generation-level) for the models' inference
-- rates, and the blended inference rate B (surcharges left out), the yardstick of "expensive".
local function read_rates(S)
  local f, models = S.fetch, S.models
  local dbm = f.qs.daily_detail and f:get("daily_detail", "file and web-fetch components by model and day")
  if dbm then
    local extra, days, list = {}, {}, {}
    for _, r in dbm:rows() do
      extra[r.model] = (extra[r.model] or 0) + num(r.usage_file) + num(r.usage_web_fetch)
      local d = days[r.date]
      if not d then d = { date = r.date, total_usage = 0 }; days[r.date] = d; list[#list + 1] = d end
      d.total_usage = d.total_usage + num(r.total_usage)
      for _, name in ipairs(f.short) do
        if C.has(r[name]) then d[name] = (d[name] or 0) + r[name] end
      end
    end
    for _, m in ipairs(models) do m.surcharges = m.surcharges + (extra[m.model] or 0) end
    -- The same by day: {rows() -> (i, {date, total_usage, usage_file, usage_web_fetch})}
    S.detail = { rows = function() return ipairs(list) end }
  end
  local surcharges = 0
  for _, m in ipairs(models) do surcharges = surcharges + m.surcharges end
  S.B = C.rate(S.baseline.spend - surcharges, S.baseline.tokens)
  f.model_names = {}
  for i, m in ipairs(models) do f.model_names[i] = m.model end
end

-- Days with data: an account (or the API's history) that starts inside the window is
-- normalised over the days it has, and the label says so.
local function read_days(S)
  local W = S.W
  S.daily = S.fetch:get("daily", "components by day")
  if not S.daily then return end
  local first
  for _, r in S.daily:rows() do
    if num(r.total_usage) > 0 and (not first or r.date < first) then first = r.date end
  end
  local fms = first and time.parse(first)
  if fms and fms > W.from then
    W.days = max(0, (W.data_stop - fms) / time.DAY)
    W.factor = W.days > 0 and R.MONTH_DAYS / W.days or 0
    W.data_from = fms
    S.label = S.label .. format(" (data from %s: %.1f days)", first, W.days)
  end
end

-- Phase 3a: the keys behind each expensive model, as soon as the models are known.
local function send_drilldown(S)
  if #S.flagged == 0 or not S.schema:dimension("api_key_id") then return end
  local list = {}
  for _, f in ipairs(S.flagged) do list[#list + 1] = f.model end
  S.drill_q = Q.query { metrics = { "total_usage", "tokens_total", "request_count" },
                        by = { "api_key_id", "model" }, where = { { "model", "in", list } },
                        range = time.range(S.W.from, S.W.data_stop), order = { "total_usage", "desc" },
                        limit = 10000 }
  S.drill_p = S.drill_q:submit()
  S.phase3 = S.phase3 + 1
end

-- The weekly series by key and by key and model, and the window's first week among them.
local function read_weekly(S)
  local W, f = S.W, S.fetch
  local weeks = S.wrange and S.wrange:week_dates() or nil
  local tk, why_k = f:get("weekly_key", "weekly spend by key")
  local tkm = f:get("weekly_km", "weekly spend by key and model")
  if weeks and tk then
    -- Leading weeks before the account's data starts (or only partly covered by it) are not
    -- weeks of spend: drop those whose total is under half the median week.
    local totals = {}
    for _, w in ipairs(weeks) do totals[w] = 0 end
    for _, r in tk:rows() do if totals[r.date] then totals[r.date] = totals[r.date] + num(r.total_usage) end end
    local list = {}
    for i, w in ipairs(weeks) do list[i] = totals[w] end
    local med = R.median(list)
    while #weeks > R.SPIKE_WEEKS and totals[weeks[1]] < 0.5 * med do table.remove(weeks, 1) end
  end
  if weeks then S.ks, S.km = Q.weekly_series(tk, tkm, weeks) end
  S.first_week = 1
  if weeks then
    local fw = time.date(time.floor(W.from, "week"))
    for i, w in ipairs(weeks) do if w == fw then S.first_week = i end end
    if time.floor(W.from, "week") > time.parse(weeks[#weeks]) then S.first_week = #weeks + 1 end
  end
  S.weeks, S.why_weekly = weeks, why_k
end

-- Phase 3b: the day of each model move, as soon as the weekly series are known. Moves
-- whose day we want: key-level moves, and expensive (key, model) series that stopped.
local function send_move_days(S)
  local checks, weeks = S.checks, S.weeks
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
  S.fixed = S.km and weeks and checks:fixed(S.by_rate, S.km, weeks, S.first_week) or {}
  for _, o in ipairs(checks.observations) do
    if o.kind == "fixed" then want_days({ o.from_model }, o.index) end
  end
  local dm = {}
  for m in pairs(day_models) do dm[#dm + 1] = m end
  table.sort(dm)
  if #dm > 0 then
    S.days_q = Q.query { metrics = { "total_usage" }, by = { "api_key_id", "model" }, grain = "day",
                         where = { { "model", "in", dm } }, range = time.range(lo, hi), limit = 10000 }
    S.days_p = S.days_q:submit()
    S.phase3 = S.phase3 + 1
  end
end

-- The opening section's query: this month so far, projected and last month by key, and the
-- last two weeks' single-day spikes (orscript.forecast and orscript.anomalies on one query).
local function send_month(S)
  S.month_q = S.schema:dimension("api_key_id") and orscript.forecast_query { by = "api_key_id" } or nil
  S.month_p = S.month_q and S.month_q:submit()
  if S.month_p then S.phase3 = S.phase3 + 1 end
end

-- The surcharge checks: web search and native web search by key and app (long-lived data),
-- file parsing and web fetch (generation-level data, only as far back as the API keeps it).
local function check_surcharges(S)
  local f, warnings, baseline = S.fetch, S.warnings, S.baseline
  local long, short = f.long, f.short
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
  local st, why_s = f:get("surcharges", "surcharges by key and app")
  if st then
    local ms = {}
    for _, m in ipairs(long) do if m == "usage_web" or m == "usage_upstream_web" then ms[#ms + 1] = m end end
    surcharge_rows(st, ms)
  else
    unavailable.usage_web, unavailable.usage_upstream_web = why_s, why_s
  end
  if f.qs.surcharges_detail then
    local sd, why_d = f:get("surcharges_detail", "file and web-fetch surcharges by key and app")
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
  for m, why in pairs(f.missing) do unavailable[m] = why end
  S.checks:surcharges(rows_by_metric, unavailable)
end

-- Phase 3a's answer: the keys behind each expensive model (a key that moved to a model
-- already has its own recommendation there), then the expensive-model checks.
local function check_expensive(S)
  local checks, models, flagged = S.checks, S.models, S.flagged
  local drill
  if S.drill_p then
    local t = Q.whole(S.drill_p, S.drill_q, "spend by key on the expensive models", S.warnings, S.fetch.counts)
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
    local why = "spend by key on the expensive models is unavailable"
    checks:record("expensive_model", { models = #models }, 0, why)
    checks:record("expensive_model_spread", { models = #models }, 0, why)
  else
    checks:expensive(models, S.B, flagged, drill_for, S.km, S.weeks, S.first_week, S.fixed)
  end
end

-- The first (or last) day `key` spent on `model` in the daily table `t`.
local function spend_day(t, key, model, last)
  local found
  for _, r in t:rows() do
    if r.api_key_id == key and r.model == model and num(r.total_usage) > 0
        and (not found or (last and r.date > found) or (not last and r.date < found)) then
      found = r.date
    end
  end
  return found
end

-- Phase 3b's answer: the day of each model move (its figures re-measured around that day),
-- and the day after an expensive series stopped.
local function date_moves(S)
  if not S.days_p then return end
  local checks, weeks = S.checks, S.weeks
  local t = Q.whole(S.days_p, S.days_q, "daily spend around model moves", S.warnings, S.fetch.counts)
  if not t then return end
  local idx = {}
  for i, w in ipairs(weeks) do idx[w] = i end
  for _, ch in ipairs(checks.changes) do
    if ch.from_model then
      local d = spend_day(t, ch.key, ch.to_model, false)
      if d then
        ch.date = d
        local i = idx[time.week_of(d)]
        if i then R.move_figures(ch, i, weeks) end
      end
    end
  end
  for _, o in ipairs(checks.observations) do
    if o.kind == "fixed" then
      local d = spend_day(t, o.key, o.from_model, true)
      if d then o.date = time.date(time.parse(d) + time.DAY) end
      for _, ch in ipairs(checks.changes) do
        if ch.key == o.key and ch.from_model == o.from_model then o.to_model = ch.to_model; o.date = ch.date or o.date end
      end
    end
  end
end

-- The opening section: this month by key, its forecast and recent single-day spikes.
local function read_month(S)
  if not S.month_p then return nil end
  local t = Q.whole(S.month_p, S.month_q, "this month by key and day", S.warnings, S.fetch.counts)
  if not t then return nil end
  local TM = require "orscript.report.month"
  local this_month = TM.from_forecast(orscript.forecast { by = "api_key_id", table = t })
  this_month.spikes = TM.spikes(orscript.anomalies { by = "api_key_id", table = t }, "api_key_id")
  return this_month
end

-- The report's data table from everything the phases read.
local function assemble(S)
  local th, W, baseline, comp, range = S.th, S.W, S.baseline, S.comp, S.range
  local recs = Findings.recommendations(S.checks, th, range:label())
  local code_scan = S.opts.code and #S.opts.code > 0 and Code.attach(recs, S.opts.code) or nil  -- --code: rec.where
  local obs = Findings.observations(S.checks, recs, comp, S.rates, th, baseline)
  local check_list = Findings.check_list(S.checks, recs)
  local this_month = read_month(S)
  local generated_at = time.format(orscript.now())
  local total_impact = 0
  for _, r in ipairs(recs) do if not r.one_off then total_impact = total_impact + r.impact_usd end end
  local info = C.window_info(range)
  info.label = S.label
  local data = {
    title = "OpenRouter cost review",
    account = (orscript.account()),
    generated_at = generated_at,
    window = info, W = M.window_facts(W),
    baseline = { spend = baseline.spend, tokens = baseline.tokens, requests = baseline.requests,
                 blended_per_mtok = baseline.blended_per_mtok, inference_per_mtok = S.B,
                 byok_usage = baseline.byok_usage, byok_share = baseline.byok_share,
                 monthly_spend = baseline.spend * W.factor,
                 projected_spend = W.partial and W.days > 0 and baseline.spend * W.full_days / W.days or nil,
                 fees = comp.remainder },
    this_month = this_month,
    recommendations = recs,
    observations = obs,
    checks = check_list,
    charts = Findings.charts(S.models, comp, S.weeks, S.ks, recs, obs),
    warnings = S.warnings,
    no_findings = #recs == 0,
    thresholds = th,
    total_impact_usd = total_impact,
  }
  data.verify_script = Verify.script(recs, { label = range:label(), thresholds = th, generated_at = generated_at })
  local r1 = orscript.stats().requests
  local phase2 = S.fetch.phase2
  data.stats = {
    requests = (S.r0 and r1) and (r1 - S.r0) or nil,
    phases = 1 + (phase2 > 0 and 1 or 0) + (S.phase3 > 0 and 1 or 0),
    phase2_queries = phase2, phase3_queries = S.phase3, splits = S.fetch.counts.split,
    elapsed_ms = time.clock() - S.t0,
  }
  data.code_scan = code_scan and Code.summary(code_scan, recs) or nil  -- --code: for stderr
  -- Issue 14 (part 3): a sample of the requests behind the expensive-model and caching
  -- findings (opts.samples per finding, default 5, 0: none); after the stats above, which
  -- stay the analysis's own (review_samples.lua).
  local Samples = require "review_samples"
  data.stats.samples = Samples.attach(recs, W, Samples.count(S.opts.samples), S.warnings)
  return data
end

-- opts: range (default the last full month), thresholds (over THRESHOLDS), code (a list of source
-- folders: recommendations get `where`, recipes/review_code.lua). Returns the data table.
function M.run(opts)
  opts = opts or {}
  local range = opts.range or time.last_month()
  local now = orscript.now()
  local S = { opts = opts, th = C.merge(THRESHOLDS, opts.thresholds), range = range, W = M.window(range, now),
              warnings = {}, phase3 = 0, t0 = time.clock(), r0 = orscript.stats().requests }
  S.label = window_label(S.W)
  if S.W.future then return empty_data(S) end

  -- Phase 1: the catalogue.
  S.schema = orscript.meta()
  if not (S.schema:metric("total_usage") and S.schema:metric("tokens_total") and S.schema:dimension("model")) then
    orscript.error("data", "the analytics catalogue lacks total_usage/tokens_total by model: cannot review spend", 0)
  end

  -- Phase 2: every independent query at once.
  S.wrange = Q.weekly_range(S.W, now)
  S.fetch = Q.send(S.W, S.schema, S.wrange, S.warnings)
  if not read_baseline(S) then return empty_data(S) end
  read_rates(S)
  read_days(S)
  S.flagged = R.flag_models(S.models, S.B, S.th, S.W.factor)
  S.by_rate = R.expensive_by_rate(S.models, S.B, S.th)
  S.rates = {}
  for _, m in ipairs(S.models) do S.rates[m.model] = m.rate end
  send_drilldown(S)
  read_weekly(S)

  local ctx = { thresholds = S.th, factor = S.W.factor, label = range:label(), th = S.th, n_keys = 0 }
  if S.ks then for _ in pairs(S.ks) do ctx.n_keys = ctx.n_keys + 1 end end
  S.checks = R.new(ctx)
  S.checks:weekly(S.ks or {}, S.km, S.weeks or {}, S.rates, S.first_week,
    (not S.weeks or not S.ks) and ("weekly spend by key is unavailable"
      .. (S.why_weekly and (": " .. S.why_weekly) or "")) or nil)
  send_move_days(S)
  send_month(S)

  -- Meanwhile: per-model checks, components and surcharges; then the phase-3 answers.
  S.checks:per_model(S.models)
  S.comp = Q.components(S.daily, S.detail, S.fetch.long, S.fetch.short)
  check_surcharges(S)
  check_expensive(S)
  date_moves(S)
  return assemble(S)
end

-- ---------------------------------------------------------------------------------
-- Output

local OUTPUTS = { "markdown", "html", "json", "verify_script" }

-- Refuses output paths whose folder does not exist (before any query is sent).
function M.check_outputs(opts)
  for _, name in ipairs(OUTPUTS) do
    if opts[name] then C.check_output("--" .. name:gsub("_", "-"), opts[name]) end
  end
end

function M.write(data, opts)
  local written = {}
  for _, name in ipairs(OUTPUTS) do
    if opts[name] then
      local text
      if name == "verify_script" then text = data.verify_script
      elseif name == "json" then text = Json.report(data)
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

if orscript.args.is_script("cost_review") then
  orscript.args.main(function()
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
    if orscript.verbose() then
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
