-- recipes/review_checks.lua: the cost review's checks, as pure functions over query results.
--
-- Owns: the definitions of every recommendation kind and observation of the cost review
-- (docs/recipes.md "The cost review", docs/review-json.md), each as a function from the
-- review's tables to findings with their monthly impact, plus a record per check of what it
-- looked at and what it found. Weekly series, spike removal and change points live here too.
-- Does not own: queries (cost_review.lua sends them), wording, rendering.
--
-- Monthly figures: a window figure × monthly_factor (30.4 / days in the window); a weekly
-- run rate × WEEKS_PER_MONTH (30.4 / 7). Every monetary threshold applies to a monthly figure.
local C = require "common"

local abs, max, min = math.abs, math.max, math.min

local M = {}

M.MONTH_DAYS = 30.4                  -- a month, in days: 365.25 / 12 rounded, the usual billing month
M.WEEKS_PER_MONTH = M.MONTH_DAYS / 7 -- weekly run rate → monthly
M.GROWTH_RECENT, M.GROWTH_BEFORE = 2, 4  -- growth: the latest 2 complete weeks against the 4 before
M.SPIKE_WEEKS = 6                    -- spikes: one of the last 6 complete weeks
M.GONE = 0.05                        -- a series at or below this share of its old level has stopped

-- ---------------------------------------------------------------------------------
-- Series helpers

local function mean(v, a, b)
  local s, n = 0, 0
  for i = max(1, a), min(#v, b) do s = s + v[i]; n = n + 1 end
  return n > 0 and s / n or 0, n
end
M.mean = mean

local median = require("orscript.anomalies").median
M.median = median

local function zeros(n)
  local v = {}
  for i = 1, n do v[i] = 0 end
  return v
end
M.zeros = zeros

-- The single spike among weeks lo..#v of `v`: the index of the only week at least `ratio` ×
-- the median of the other weeks of that span (and, where they exist, at least `ratio` × the
-- mean of the up to 3 weeks just before it and just after it in the whole series, so the edge
-- of a level change is not a spike), and that median. nil when no week or more than one week
-- qualifies (several high weeks are a level change or growth, not a spike).
function M.spike(v, ratio, lo)
  lo = max(1, lo or 1)
  local found, base
  for i = lo, #v do
    local others = {}
    for j = lo, #v do if j ~= i then others[#others + 1] = v[j] end end
    local m = median(others)
    local before, nb = mean(v, i - 3, i - 1)
    local after, na = mean(v, i + 1, i + 3)
    if #others >= 2 and v[i] > 0 and m > 0 and v[i] >= ratio * m and (nb == 0 or v[i] >= ratio * before)
        and (na == 0 or v[i] >= ratio * after) then
      if found then return nil end
      found, base = i, m
    end
  end
  return found, base
end

-- A copy of `v` with every isolated spike (a week >= ratio × the median of all other weeks,
-- the only such week) replaced by that median: change points and growth then see levels.
function M.despiked(v, ratio)
  local i, m = M.spike(v, ratio, 1)
  if not i then return v end
  local out = {}
  for j, x in ipairs(v) do out[j] = x end
  out[i] = m
  return out
end

-- The split of `v` into two flat levels with the least squared error: the index of the first
-- week of the new level and the two means (nil when the series has fewer than 4 weeks).
function M.change_point(v)
  local n = #v
  local best, bc, bb, ba
  for c = 3, n - 1 do
    local b = mean(v, 1, c - 1)
    local a = mean(v, c, n)
    local sse = 0
    for i = 1, n do
      local m = i < c and b or a
      sse = sse + (v[i] - m) ^ 2
    end
    if not best or sse < best then best, bc, bb, ba = sse, c, b, a end
  end
  return bc, bb, ba
end

-- A level change of `v` (despiked): {index, before, after} when one level is at least
-- `factor` × the other and the difference is worth min_monthly a month; else nil.
function M.level_change(v, factor, min_monthly, spike_ratio)
  local d = M.despiked(v, spike_ratio)
  local c, b, a = M.change_point(d)
  if not c then return nil end
  local lo, hi = min(a, b), max(a, b)
  if b > 0 and hi >= factor * max(lo, 1e-9) and abs(a - b) * M.WEEKS_PER_MONTH >= min_monthly then
    return { index = c, before = b, after = a, series = d }
  end
  return nil
end

-- Mean of the 3 weeks before week i and of every complete week after it (the current run rate).
function M.around(v, i)
  local before = mean(v, i - 3, i - 1)
  local after, n = mean(v, i + 1, #v)
  return before, after, n
end

-- The figures of a model move `ch` taken at week index i (the week the new model started):
-- the key's spend on the old model over the 3 weeks before, on the new one over the complete
-- weeks after (the run rate), the same for requests, and the key's total around it.
function M.move_figures(ch, i, weeks)
  ch.index, ch.week = i, weeks[i]
  ch.weekly_before = mean(ch.from_spend, i - 3, i - 1)
  ch.weekly_after, ch.weeks_after = mean(ch.to_spend, i + 1, #ch.to_spend)
  ch.requests_before = mean(ch.from_req, i - 3, i - 1)
  ch.requests_after = mean(ch.to_req, i + 1, #ch.to_req)
  local kb, ka = M.around(ch.key_series, i)
  ch.key_before, ch.key_after = kb, ka
  ch.direction = ch.weekly_after < ch.weekly_before and "down" or "up"
  ch.impact_usd = (ch.weekly_after - ch.weekly_before) * M.WEEKS_PER_MONTH
end

-- A move to a dearer model: per-token rate up, weekly spend and spend per request up by at
-- least upgrade_ratio (the model, not the volume), worth min_monthly_usd a month.
function M.is_upgrade(ch, th)
  local pb = ch.requests_before > 0 and ch.weekly_before / ch.requests_before or nil
  local pa = ch.requests_after > 0 and ch.weekly_after / ch.requests_after or nil
  return ch.rate_from and ch.rate_to and ch.rate_to > ch.rate_from and ch.weeks_after >= 1
    and ch.weekly_after >= th.upgrade_ratio * ch.weekly_before and pb and pa and pa >= th.upgrade_ratio * pb
    and ch.impact_usd >= th.min_monthly_usd
end

-- ---------------------------------------------------------------------------------
-- Checks. Each returns findings (tables with kind, key/model/app, impact_usd and the
-- figures behind it) and adds a check record {kind, ran, scope, findings, reason, nothing}.

local Checks = {}
Checks.__index = Checks

function M.new(ctx)
  return setmetatable({ ctx = ctx, th = ctx.thresholds, records = {}, findings = {}, observations = {} }, Checks)
end

-- Records one check; `found` is the list of its findings (or a number), `scope` what it covered.
function Checks:record(kind, scope, found, reason)
  local n = type(found) == "table" and #found or (found or 0)
  self.records[#self.records + 1] = { kind = kind, ran = reason == nil, scope = scope or {}, findings = n,
                                      reason = reason }
  if type(found) == "table" then C.append(self.findings, found) end
end

function Checks:monthly(x) return x * self.ctx.factor end

-- Expensive models: rate >= expensive_multiple × blended and monthly spend >= min_monthly_usd.
function M.flag_models(models, B, th, factor)
  local flagged = {}
  for _, m in ipairs(models) do
    m.rate = C.rate(m.spend, m.tokens)
    -- The inference rate: what the model itself costs, without the surcharges (web search, files,
    -- web fetch) its callers add; a model is not expensive because its traffic searches the web.
    m.inf_rate = C.rate(m.spend - (m.surcharges or 0), m.tokens)
    if B and m.inf_rate and m.inf_rate >= th.expensive_multiple * B and m.spend * factor >= th.min_monthly_usd then
      flagged[#flagged + 1] = m
    end
  end
  return flagged
end

-- Models expensive by rate alone (any spend): a key that left one has fixed a problem.
function M.expensive_by_rate(models, B, th)
  local out = {}
  for _, m in ipairs(models) do
    if B and m.inf_rate and m.inf_rate >= th.expensive_multiple * B then out[#out + 1] = m end
  end
  return out
end

-- The alternative for model `m`: the model != m at or below the blended rate with the most tokens.
function M.alternative(models, B, not_model)
  local alt
  for _, a in ipairs(models) do
    if B and a.inf_rate and a.inf_rate <= B and a.tokens > 0 and a.model ~= not_model and a.model ~= orscript.null
        and (not alt or a.tokens > alt.tokens) then
      alt = a
    end
  end
  return alt
end

-- Already-fixed moves: a key whose weekly spend on a model expensive by rate changed level in or
-- after the window and fell to <= GONE of what it was, which was worth min_monthly_usd a month.
-- Returns {key .. "\0" .. model = true} and adds "fixed" observations.
function Checks:fixed(expensive, km, weeks, first_week)
  local th, out = self.th, {}
  for _, m in ipairs(expensive) do
    for key, mm in pairs(km or {}) do
      local s = mm[m.model]
      if s then
        local ch = M.level_change(s.spend, th.level_change, 0, th.spike_ratio)
        if ch and ch.index >= first_week then
          local before, after, n = M.around(ch.series, ch.index)
          if n >= 1 and after <= M.GONE * before and before * M.WEEKS_PER_MONTH >= th.min_monthly_usd then
            out[key .. "\0" .. m.model] = true
            self.observations[#self.observations + 1] = { kind = "fixed", key = key, from_model = m.model,
              week = weeks[ch.index], index = ch.index, weekly_before = before, weekly_after = after, weeks_after = n,
              saving_monthly = (before - after) * M.WEEKS_PER_MONTH }
          end
        end
      end
    end
  end
  return out
end

-- expensive_model / expensive_model_spread, with the run rate after a (key, model) change
-- point and already-fixed moves as observations.
--   drill: list of {key, model, spend, tokens, requests} over the window (flagged models only)
--   km: key -> model -> {spend = {...}, tokens = {...}} weekly (nil when unavailable)
function Checks:expensive(models, B, flagged, drill, km, weeks, first_week, fixed)
  local th = self.th
  fixed = fixed or {}
  local recs, spread = {}, {}
  local by_model = {}
  for _, r in ipairs(drill or {}) do
    by_model[r.model] = by_model[r.model] or {}
    table.insert(by_model[r.model], r)
  end
  for _, f in ipairs(flagged) do
    local alt = M.alternative(models, B, f.model)
    local alt_rate = alt and alt.inf_rate or 0
    local rows = by_model[f.model] or {}
    local major = {}
    local live = {}
    for _, k in ipairs(rows) do
      k.share = f.spend > 0 and k.spend / f.spend or 0
      if not fixed[k.key .. "\0" .. f.model] then
        live[#live + 1] = k
        if k.share >= th.key_share then major[#major + 1] = k end
      end
    end
    rows = live
    local function sized(k)
      local item = { model = f.model, key = k.key, alternative = alt and alt.model or nil, rate = f.inf_rate,
                     multiple = f.inf_rate / B, blended = B, alt_rate = alt and alt.inf_rate or nil, spend = k.spend,
                     tokens = k.tokens, requests = k.requests, share = k.share, model_spend = f.spend,
                     byok_share = f.byok_share,
                     basis = "window", impact_usd = self:monthly(k.spend - k.tokens * alt_rate / 1e6) }
      local s = km and km[k.key] and km[k.key][f.model]
      if s and weeks then
        local ch = M.level_change(s.spend, th.level_change, 0, th.spike_ratio)
        if ch and ch.index >= first_week then
          local before, after, n = M.around(ch.series, ch.index)
          local tafter = mean(s.tokens, ch.index + 1, #s.tokens)
          if n >= 1 then
            item.basis, item.change_week, item.weeks_after = "run_rate", weeks[ch.index], n
            item.weekly_before, item.weekly_after = before, after
            item.impact_usd = (after - tafter * alt_rate / 1e6) * M.WEEKS_PER_MONTH
            if after <= M.GONE * before then item.fixed = true end
          end
        end
      end
      return item
    end
    if #major > 0 then
      for _, k in ipairs(major) do
        local item = sized(k)
        item.kind = "expensive_model"
        if not item.fixed and item.impact_usd >= th.min_monthly_usd then
          recs[#recs + 1] = item
        end
      end
    elseif #rows > 0 then
      local total = { kind = "expensive_model_spread", model = f.model, alternative = alt and alt.model or nil,
                      rate = f.inf_rate, multiple = f.inf_rate / B, blended = B, alt_rate = alt and alt.inf_rate or nil,
                      model_spend = f.spend, byok_share = f.byok_share, keys = {}, impact_usd = 0, spend = 0,
                      tokens = 0, requests = 0 }
      local top_share = 0
      for _, k in ipairs(rows) do
        local item = sized(k)
        if not item.fixed then
          total.impact_usd = total.impact_usd + item.impact_usd
          total.spend, total.tokens, total.requests = total.spend + k.spend, total.tokens + k.tokens,
            total.requests + k.requests
          total.keys[#total.keys + 1] = { key = k.key, share = k.share, impact_usd = item.impact_usd }
          top_share = max(top_share, k.share)
        end
      end
      table.sort(total.keys, function(a, b) return a.impact_usd > b.impact_usd end)
      total.top_share = top_share
      if total.impact_usd >= th.min_monthly_usd and #total.keys > 0 then spread[#spread + 1] = total end
    end
  end
  local scope = { models = #models, keys = self.ctx.n_keys, apps = 0 }
  local reason = not B and "no tokens in the window" or nil
  self:record("expensive_model", scope, recs, reason)
  self:record("expensive_model_spread", scope, spread, reason)
end

-- caching, cache_writes, prompt_trimming and reasoning, per model over the window.
function Checks:per_model(models)
  local th = self.th
  local caching, writes, trimming, reasoning = {}, {}, {}, {}
  self.ceiling, self.heavy = {}, {}
  for _, m in ipairs(models) do
    local pt = m.prompt + m.completion
    local prompt_share = pt > 0 and m.prompt / pt or nil
    local hit = m.prompt > 0 and m.cached / m.prompt or 0
    local base = { model = m.model, spend = m.spend, prompt_share = prompt_share, cache_hit_rate = hit,
                   tokens_prompt = m.prompt, cached_tokens = m.cached, usage_cache = m.cache_usd,
                   requests = m.requests, rate = m.rate, byok_share = m.byok_share }
    local heavy = prompt_share and prompt_share >= th.prompt_heavy
    local proven = m.cached > 0 and m.cache_usd < 0
    if heavy and hit < th.low_cache and proven then
      local s = -m.cache_usd / m.cached
      local item = C.merge(base, { kind = "caching", saving_per_cached_token = s,
                                   impact_usd = self:monthly((th.target_cache - hit) * m.prompt * s) })
      if item.impact_usd >= th.min_monthly_usd then caching[#caching + 1] = item end
    elseif heavy and hit >= th.target_cache and m.spend * self.ctx.factor >= th.min_monthly_usd then
      self.ceiling[#self.ceiling + 1] = base
    elseif heavy and not proven and m.cache_usd <= 0 and m.spend * self.ctx.factor >= th.min_monthly_usd then
      self.heavy[#self.heavy + 1] = base
    end
    if m.cache_usd > 0 then
      local item = C.merge(base, { kind = "cache_writes", impact_usd = self:monthly(m.cache_usd) })
      if item.impact_usd >= th.min_monthly_usd then writes[#writes + 1] = item end
    end
    -- Prompt trimming: very large prompts where caching cannot help (no cache savings at all,
    -- or the hit rate already at the target).
    local per_request = m.requests > 0 and m.prompt / m.requests or 0
    if per_request >= th.prompt_trim_tokens and (m.cached == 0 or hit >= th.target_cache) then
      local uncached = m.prompt - m.cached
      local denom = m.tokens - m.cached
      local prompt_spend = denom > 0 and m.spend * uncached / denom or 0
      local item = C.merge(base, { kind = "prompt_trimming", prompt_per_request = per_request,
                                   prompt_spend = prompt_spend,
                                   impact_usd = self:monthly(th.prompt_trim_share * prompt_spend) })
      if item.impact_usd >= th.min_monthly_usd then trimming[#trimming + 1] = item end
    end
    local rs = m.completion > 0 and m.reasoning / m.completion or nil
    if rs and rs >= th.reasoning_share then
      local item = C.merge(base, { kind = "reasoning", reasoning_tokens = m.reasoning,
                                   tokens_completion = m.completion, reasoning_share = rs,
                                   impact_usd = self:monthly(th.reasoning_cut * m.reasoning * (m.rate or 0) / 1e6) })
      if item.impact_usd >= th.min_monthly_usd then reasoning[#reasoning + 1] = item end
    end
  end
  local scope = { models = #models, keys = 0, apps = 0 }
  self:record("caching", scope, caching)
  self:record("cache_writes", scope, writes)
  self:record("prompt_trimming", scope, trimming)
  self:record("reasoning", scope, reasoning)
end

-- The surcharge components, per app (attributed traffic) and per key (its traffic without an
-- app). rows: list of {key, app (nil = unattributed), total, <component> = usd}.
M.SURCHARGES = {
  { kind = "web_search", metric = "usage_web" },
  { kind = "native_web_search", metric = "usage_upstream_web" },
  { kind = "file_parsing", metric = "usage_file" },
  { kind = "web_fetch", metric = "usage_web_fetch" },
}

function Checks:surcharges(rows_by_metric, unavailable)
  local th = self.th
  for _, s in ipairs(M.SURCHARGES) do
    local rows = rows_by_metric[s.metric]
    if not rows then
      self:record(s.kind, { models = 0, keys = 0, apps = 0 }, 0, unavailable[s.metric] or "not queried")
    else
      local apps, keys = {}, {}
      local n_apps, n_keys = 0, 0
      for _, r in ipairs(rows) do
        local into, name = r.app and apps or keys, r.app or r.key
        if not into[name] then
          into[name] = { total = 0, usd = 0, keys = {} }
          if r.app then n_apps = n_apps + 1 else n_keys = n_keys + 1 end
        end
        local e = into[name]
        e.total, e.usd = e.total + r.total, e.usd + (r[s.metric] or 0)
        if r.app and (r[s.metric] or 0) > 0 then e.keys[r.key] = (e.keys[r.key] or 0) + r[s.metric] end
      end
      local found = {}
      local function check(name, e, is_app)
        if e.total > 0 and e.usd >= th.web_share * e.total and self:monthly(e.usd) >= th.min_monthly_usd then
          found[#found + 1] = { kind = s.kind, metric = s.metric, app = is_app and name or nil,
                                key = (not is_app) and name or nil, usd = e.usd, total = e.total,
                                share = e.usd / e.total, impact_usd = self:monthly(e.usd), keys = e.keys }
        end
      end
      for name, e in pairs(apps) do check(name, e, true) end
      for name, e in pairs(keys) do check(name, e, false) end
      table.sort(found, function(a, b) return a.impact_usd > b.impact_usd end)
      self:record(s.kind, { models = 0, keys = n_keys, apps = n_apps }, found)
    end
  end
end

-- Weekly checks over the key series (complete Sunday-start weeks ending before now):
-- growth, spike and model moves (model_upgrade; repointed, level_change observations).
--   ks: key -> {spend = {...}, requests = {...}}; km: key -> model -> {spend = {...}} or nil
--   rates: model -> effective $/Mtok over the window (to call a move cheaper or dearer)
function Checks:weekly(ks, km, weeks, rates, first_week, reason)
  local th = self.th
  local growth, spikes, upgrades = {}, {}, {}
  self.changes = {}
  if reason then
    self:record("growth", {}, 0, reason)
    self:record("spike", {}, 0, reason)
    self:record("model_upgrade", {}, 0, reason)
    return
  end
  local n = #weeks
  local n_keys = 0
  local upgraded, moved = {}, {}
  -- Model moves: in one key, one model's weekly spend stops (<= GONE of its old level) in the
  -- week (or the week next to) another model's starts; the largest start takes the nearest stop.
  for key, mm in pairs(km or {}) do
    local stops, starts = {}, {}
    for model, ms in pairs(mm) do
      local d = M.despiked(ms.spend, th.spike_ratio)
      local c = M.change_point(d)
      if c then
        -- Levels away from the transition: weeks before c - 1 and after c (one holds the move day).
        local b, a = mean(d, 1, c - 2), mean(d, c + 1, n)
        if b > 0 and a <= M.GONE * b then stops[#stops + 1] = { model = model, c = c, level = b } end
        if a > 0 and b <= M.GONE * a then starts[#starts + 1] = { model = model, c = c, level = a } end
      end
    end
    table.sort(starts, function(x, y) return x.level > y.level end)
    table.sort(stops, function(x, y) return x.level > y.level end)
    local used = {}
    for _, st in ipairs(starts) do
      local best
      for j, sp in ipairs(stops) do
        if not used[j] and not best and abs(sp.c - st.c) <= 1 then best = j end
      end
      if best then
        used[best] = true
        local from, to = mm[stops[best].model], mm[st.model]
        local ch = { key = key, from_model = stops[best].model, to_model = st.model,
                     from_spend = M.despiked(from.spend, th.spike_ratio), to_spend = M.despiked(to.spend, th.spike_ratio),
                     from_req = from.requests, to_req = to.requests, key_series = ks[key] and ks[key].spend or zeros(n) }
        -- Per-token rates of the two models in this key, before and after the move.
        local sb, tb, sa, ta = 0, 0, 0, 0
        for i = 1, st.c - 1 do sb, tb = sb + from.spend[i], tb + from.tokens[i] end
        for i = st.c + 1, n do sa, ta = sa + to.spend[i], ta + to.tokens[i] end
        ch.rate_from, ch.rate_to = tb > 0 and sb / tb * 1e6 or nil, ta > 0 and sa / ta * 1e6 or nil
        M.move_figures(ch, st.c, weeks)
        self.changes[#self.changes + 1] = ch
        moved[key] = true
      end
    end
  end
  for key, s in pairs(ks) do
    n_keys = n_keys + 1
    -- A change of level without a model move (an observation unless it is growth).
    local ch = not moved[key] and M.level_change(s.spend, th.level_change, th.min_monthly_usd, th.spike_ratio)
    if ch then
      ch.key, ch.week = key, weeks[ch.index]
      ch.direction = ch.after < ch.before and "down" or "up"
      ch.weekly_before, ch.weekly_after, ch.weeks_after = M.around(ch.series, ch.index)
      self.changes[#self.changes + 1] = ch
    end
  end
  for _, ch in ipairs(self.changes) do
    if ch.from_model and M.is_upgrade(ch, th) then
      ch.kind = "model_upgrade"
      upgrades[#upgrades + 1] = ch
      upgraded[ch.key] = true
    end
  end
  -- Growth and spikes over the last 6 complete weeks.
  if n >= M.SPIKE_WEEKS then
    local lo = n - M.SPIKE_WEEKS + 1
    for key, s in pairs(ks) do
      local v = s.spend
      local i, base = M.spike(v, th.spike_ratio, lo)
      local w = {}
      for j = lo, n do w[#w + 1] = v[j] end
      if i then
        local excess = v[i] - base
        if excess >= th.min_monthly_usd then
          spikes[#spikes + 1] = { kind = "spike", key = key, week = weeks[i], spike_weekly = v[i],
                                  median_weekly = base, impact_usd = excess, one_off = true }
        end
        w[i - lo + 1] = base
      end
      local before = mean(w, 1, M.GROWTH_BEFORE)
      local recent = mean(w, M.GROWTH_BEFORE + 1, M.GROWTH_BEFORE + M.GROWTH_RECENT)
      if not upgraded[key] and before > 0 and recent >= th.growth_ratio * before
          and (recent - before) * M.WEEKS_PER_MONTH >= th.min_monthly_usd then
        growth[#growth + 1] = { kind = "growth", key = key, before_weekly = before, recent_weekly = recent,
                                impact_usd = (recent - before) * M.WEEKS_PER_MONTH,
                                weeks = { weeks[lo], weeks[n - 2], weeks[n - 1], weeks[n] } }
      end
    end
  end
  local scope = { models = 0, keys = n_keys, apps = 0 }
  local short = n < M.SPIKE_WEEKS and string.format("need %d complete weeks, have %d", M.SPIKE_WEEKS, n) or nil
  self:record("growth", scope, growth, short)
  self:record("spike", scope, spikes, short)
  self:record("model_upgrade", scope, upgrades, not km and "weekly spend by key and model is unavailable" or nil)
end

return M
