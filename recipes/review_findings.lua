-- recipes/review_findings.lua: the cost review's findings as a reader gets them.
--
-- Owns: the recommendations (findings worth at least min_monthly_usd a month, worded by
-- review_words.lua and ranked by monthly impact), the observations (what changed or is
-- already fixed, prose), which checks ran and on what, and the data of the report's
-- charts. Does not own the checks themselves (review_checks.lua) or how any of it is
-- printed (orscript.report).
local C = require "common"
local R = require "review_checks"
local Words = require "review_words"

local format = string.format

local F = {}

F.KIND_LABEL = {
  expensive_model = "expensive model on a key", expensive_model_spread = "expensive model spread over keys",
  caching = "caching", cache_writes = "cache writes", prompt_trimming = "prompt trimming",
  reasoning = "reasoning effort", web_search = "web search (plugin)", native_web_search = "native web search",
  file_parsing = "file parsing", web_fetch = "web fetch", growth = "growth", spike = "single-week spike",
  model_upgrade = "move to a dearer model",
}
F.KINDS = { "expensive_model", "expensive_model_spread", "caching", "cache_writes", "prompt_trimming", "reasoning",
            "web_search", "native_web_search", "file_parsing", "web_fetch", "growth", "spike", "model_upgrade" }

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

-- ---------------------------------------------------------------------------------
-- Recommendations, observations, checks

-- The findings of `checks` worth at least th.min_monthly_usd a month, worded and ranked by
-- monthly impact (each gets `rank`).
function F.recommendations(checks, th, label)
  local recs = {}
  local wctx = { th = th, label = label }
  for _, f in ipairs(checks.findings) do
    if f.impact_usd >= th.min_monthly_usd then
      Words.apply(f, wctx)
      recs[#recs + 1] = f
    end
  end
  table.sort(recs, function(a, b) return a.impact_usd > b.impact_usd end)
  for i, r in ipairs(recs) do r.rank = i end
  return recs
end

-- The observations: moves already made, level changes, caching near its ceiling,
-- prompt-heavy models, surcharges and fees worth naming; the BYOK share first.
function F.observations(checks, recs, comp, rates, th, baseline)
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
  return obs
end

-- Which checks ran, on what, and how many recommendations each gave, in F.KINDS order.
function F.check_list(checks, recs)
  local rec_count = {}
  for _, r in ipairs(recs) do rec_count[r.kind] = (rec_count[r.kind] or 0) + 1 end
  local list, seen = {}, {}
  for _, c in ipairs(checks.records) do
    if not seen[c.kind] then
      seen[c.kind] = true
      c.findings = rec_count[c.kind] or 0
      c.label = F.KIND_LABEL[c.kind]
      list[#list + 1] = c
    end
  end
  local kind_pos = {}
  for i, k in ipairs(F.KINDS) do kind_pos[k] = i end
  table.sort(list, function(a, b) return (kind_pos[a.kind] or 99) < (kind_pos[b.kind] or 99) end)
  return list
end

-- The checks of a window without traffic: none ran.
function F.no_checks(reason)
  local list = {}
  for _, kind in ipairs(F.KINDS) do
    list[#list + 1] = { kind = kind, ran = false, scope = { models = 0, keys = 0, apps = 0 }, findings = 0,
                        reason = reason }
  end
  return list
end

F.charts = charts

return F
