-- recipes/cost_review.lua: how can we cut next month's OpenRouter bill?
--
--   orscript --demo recipes/cost_review.lua [--month 2026-10] [--threshold NAME=VALUE]...
--            [--markdown FILE] [--html FILE] [--json FILE] [--verify-script FILE]
--
-- Chains the five recipes the way a careful analyst would, over M, the last full UTC
-- calendar month (or --month):
--   phase 1  read the analytics catalogue and use only what it offers;
--   phase 2  all independent queries at once: the baseline and spend by model
--            (top_models; the by-model query also carries prompt_heaviness's
--            metrics), components by day and web search by app (components),
--            weekly spend by key and model (week_over_week);
--   phase 3  as soon as the models are known, the keys behind each expensive model
--            (key_drilldown); as soon as the weeks are known, the day a key moved
--            model (week_over_week).
-- Recommendations (ranked by monthly dollar impact; the exact definitions are in
-- docs/recipes.md): expensive_model, caching, web_search, reasoning, growth. A key
-- that already moved to a cheaper model is an observation, never a recommendation.
-- Where caching is already near its ceiling the review says so. A review with nothing
-- over the thresholds says so.
--
-- Output: the terminal report (colour when stdout is a terminal and NO_COLOR is unset),
-- --markdown FILE, --html FILE, --json FILE (orscript.report), and the queries to
-- re-run next month as a runnable Lua script (in the report; --verify-script FILE).
-- With --verbose, a line on stderr gives the request count, phases and time.
--
-- As a module: require("cost_review").run{ range = ..., thresholds = {...} } returns
-- the report's data table (docs/report.md) plus `stats` and `thresholds`.

-- The thresholds: change them here, or per run with --threshold NAME=VALUE.
local THRESHOLDS = {
  expensive_multiple = 5,     -- a model at >= this × the blended $/Mtok is expensive
  min_monthly_usd = 50,       -- nothing worth less than this a month is recommended
  key_share = 0.2,            -- keys with >= this share of an expensive model's spend get a recommendation
  prompt_heavy = 0.75,        -- prompt tokens / (prompt + completion) at or above this is prompt-heavy
  low_cache = 0.2,            -- a cache hit rate below this is low
  target_cache = 0.5,         -- the hit rate caching is priced at; at or above it caching is near its ceiling
  web_share = 0.15,           -- an app spending >= this share of its total on web search
  reasoning_share = 0.5,      -- reasoning tokens / completion tokens at or above this is reasoning-heavy
  reasoning_cut = 0.5,        -- the share of reasoning tokens a lower effort is assumed to save
  growth_ratio = 1.8,         -- a key whose recent weekly spend is >= this × the weeks before grew
  weekly_to_monthly = 4.348,  -- weeks per month
  level_change = 1.5,         -- (observations) a weekly series changed level by this factor or more
  meaningful_share = 0.05,    -- (observations) a component slice worth naming
}

-- common.lua and the other recipes live next to this file, however it was loaded.
local here = (debug.getinfo(1, "S").source:match("^@(.-)[^/\\]*$") or ""):gsub("^$", "./") .. "?.lua"
if not package.path:find(here, 1, true) then package.path = here .. ";" .. package.path end
local C = require "common"
local top_models = require "top_models"
local key_drilldown = require "key_drilldown"
local components = require "components"
local prompt_heaviness = require "prompt_heaviness"
local week_over_week = require "week_over_week"
local report = require "orscript.report"
local core = require "orscript.core"

local time = orscript.time
local format, concat = string.format, table.concat

local M = { THRESHOLDS = THRESHOLDS }

-- What each part of the review needs from the catalogue.
local NEEDS = {
  top = { metrics = { "total_usage", "tokens_total", "request_count", "cache_hit_rate" }, dimensions = { "model" } },
  drill = { metrics = { "total_usage", "tokens_total", "request_count" }, dimensions = { "api_key_id", "model" } },
  prompt = { metrics = prompt_heaviness.METRICS, dimensions = { "model" } },
  components = { metrics = { "total_usage", "usage_web" }, dimensions = { "app" }, granularities = { "day" } },
  weeks = { metrics = { "total_usage" }, dimensions = { "api_key_id", "model" }, granularities = { "week", "day" } },
}

-- Phase 1: which parts the catalogue supports; a list of what is missing.
local function supported(schema)
  local ok, missing = {}, {}
  for part, need in pairs(NEEDS) do
    local lacks = {}
    for _, m in ipairs(need.metrics or {}) do if not schema:metric(m) then lacks[#lacks + 1] = "metric " .. m end end
    for _, d in ipairs(need.dimensions or {}) do
      if not schema:dimension(d) then lacks[#lacks + 1] = "dimension " .. d end
    end
    for _, g in ipairs(need.granularities or {}) do
      if not schema:granularity(g) then lacks[#lacks + 1] = "granularity " .. g end
    end
    ok[part] = #lacks == 0
    if #lacks > 0 then missing[#missing + 1] = part .. ": " .. concat(lacks, ", ") end
  end
  table.sort(missing)
  return ok, missing
end

local function prefixed(into, prefix, queries)
  for name, q in pairs(queries) do into[prefix .. name] = q end
end

local function pick(tables, prefix)
  local out = {}
  for name, t in pairs(tables) do
    if name:sub(1, #prefix) == prefix then out[name:sub(#prefix + 1)] = t end
  end
  return out
end

-- Keys carrying a model in the weekly data, largest first: "coding-agent 81%, ...".
local function keys_on(model, wk)
  local list, total = {}, 0
  for key, models in pairs(wk.mix or {}) do
    local s = 0
    for _, v in ipairs(models[model] or {}) do s = s + v end
    if s > 0 then list[#list + 1] = { key = key, usd = s }; total = total + s end
  end
  table.sort(list, function(a, b) return a.usd > b.usd end)
  local parts = {}
  for i, k in ipairs(list) do
    if i > 3 then break end
    parts[#parts + 1] = format("%s %s", k.key, C.percent(k.usd / total))
  end
  return concat(parts, ", "), list
end

-- "model M (keys: a 81%, b 19%)", or "model M" when no key carries it in the weekly data.
local function model_target(model, wk)
  local keys = keys_on(model, wk)
  return format("model %s%s", model, keys ~= "" and (" (keys: " .. keys .. ")") or "")
end

-- ---------------------------------------------------------------------------------
-- Recommendations

-- One recommendation per item of `list`, as make(item) builds it.
local function recs_for(list, make)
  local recs = {}
  for _, x in ipairs(list) do recs[#recs + 1] = make(x) end
  return recs
end

local function expensive_recs(top, drill, th, label)
  local recs = {}
  local alt = top.alternative
  for _, f in ipairs(top.flagged) do
    for _, e in ipairs(drill and drill.per_model or {}) do
      if e.model == f.model then
        for _, k in ipairs(e.major) do
          local alt_rate = alt and alt.rate or 0
          local impact = k.spend - k.tokens * alt_rate / 1e6
          recs[#recs + 1] = {
            kind = "expensive_model", model = f.model, key = k.key, alternative = alt and alt.model or nil,
            impact_usd = impact,
            title = format("Move %s's traffic from %s to %s", k.key, f.model, alt and alt.model or "a cheaper model"),
            target = "key " .. k.key,
            change = alt and format("switch this key from %s (%s, %.1f× the blended %s) to %s (%s, the model "
                .. "at or below the blended rate that carries the most tokens); priced at the account's own "
                .. "effective rates its %s tokens would cost %s instead of %s",
                f.model, C.per_mtok(f.rate), f.multiple, C.per_mtok(top.blended), alt.model, C.per_mtok(alt.rate),
                C.count(k.tokens), C.money(k.tokens * alt.rate / 1e6), C.money(k.spend))
              or "no model at or below the blended rate carries traffic to price an alternative; find a cheaper model for this workload",
            risk = format("quality and behaviour differ between models (answers, formatting, tool use, refusals): "
              .. "run a sample of %s's requests through %s and compare before switching the key",
              k.key, alt and alt.model or "the candidate"),
            figures = {
              { format("spend on %s by this key (%s)", f.model, label), k.spend, "currency" },
              { "share of the model's spend", k.share, "percent" },
              { "tokens", k.tokens, "count" },
              { "requests", k.requests, "count" },
              { "model's effective rate", f.rate, "per_mtok" },
              { "blended rate", top.blended, "per_mtok" },
              { "alternative's effective rate", alt and alt.rate, "per_mtok" },
            },
          }
        end
      end
    end
  end
  return recs
end

local function caching_recs(ph, wk, th, label)
  return recs_for(ph.caching, function(c)
    return {
      kind = "caching", model = c.model, impact_usd = c.impact_usd,
      title = format("Cache the prompts sent to %s", c.model),
      target = model_target(c.model, wk),
      change = format("put the stable part of each prompt (system prompt, tools, shared documents) first and "
        .. "mark it cacheable, so the hit rate rises from %s to %s; this model already saves %s per million "
        .. "cached tokens here", C.percent(c.cache_hit_rate), C.percent(th.target_cache),
        C.money(c.saving_per_cached_token * 1e6)),
      risk = "cache writes can cost extra and a prefix that changes between calls never hits: check the hit "
        .. "rate a week after the change",
      figures = {
        { format("spend on the model (%s)", label), c.total_usage, "currency" },
        { "prompt share of tokens", c.prompt_share, "percent" },
        { "cache hit rate", c.cache_hit_rate, "percent" },
        { "prompt tokens", c.tokens_prompt, "count" },
        { "cached tokens", c.cached_tokens, "count" },
        { "cache component (usage_cache)", c.usage_cache, "currency" },
      },
    }
  end)
end

local function web_recs(comp, th, label)
  return recs_for(comp.findings, function(f)
    return {
      kind = "web_search", app = f.app, impact_usd = f.usage_web,
      title = format("Use web search in %s only where it is needed", f.app),
      target = "app " .. f.app,
      change = format("web search costs this app %s a month, %s of its spend: turn it off by default and "
        .. "enable it only for requests that need fresh information (or cache search results)",
        C.money(f.usage_web), C.percent(f.share)),
      risk = "answers that depend on current information get worse where search is turned off",
      figures = {
        { format("web search (usage_web, %s)", label), f.usage_web, "currency" },
        { "app's total spend", f.total_usage, "currency" },
        { "web search share", f.share, "percent" },
      },
    }
  end)
end

local function reasoning_recs(ph, wk, th, label)
  return recs_for(ph.reasoning, function(r)
    return {
      kind = "reasoning", model = r.model, impact_usd = r.impact_usd,
      title = format("Lower the reasoning effort on %s", r.model),
      target = model_target(r.model, wk),
      change = format("%s of its completion tokens are reasoning: set a lower reasoning effort or cap "
        .. "reasoning tokens where the task does not need it; the estimate assumes %s fewer reasoning tokens "
        .. "at the model's effective %s", C.percent(r.reasoning_share), C.percent(th.reasoning_cut),
        C.per_mtok(r.rate)),
      risk = "accuracy on hard, multi-step tasks can drop: compare answers on a sample before and after",
      figures = {
        { format("spend on the model (%s)", label), r.total_usage, "currency" },
        { "reasoning tokens", r.reasoning_tokens, "count" },
        { "completion tokens", r.tokens_completion, "count" },
        { "reasoning share", r.reasoning_share, "percent" },
        { "effective rate", r.rate, "per_mtok" },
      },
    }
  end)
end

local function growth_recs(wk, th)
  if not wk.weeks then return {} end  -- no weekly series (e.g. the catalogue lacks week buckets)
  local n = #wk.weeks
  return recs_for(wk.growth, function(g)
    return {
      kind = "growth", key = g.key, impact_usd = g.impact_usd,
      title = format("Find out why %s's spend grew %.1f×", g.key, g.recent_weekly / g.before_weekly),
      target = "key " .. g.key,
      change = format("mean weekly spend rose from %s (weeks of %s .. %s) to %s (weeks of %s and %s): confirm "
        .. "the growth is intended; if not (a loop, retries, a new caller), fix it or set a spending limit on the key",
        C.money(g.before_weekly), wk.weeks[n - 5], wk.weeks[n - 2], C.money(g.recent_weekly), wk.weeks[n - 1],
        wk.weeks[n]),
      risk = "if the growth is real demand, a spending limit throttles the product that depends on it",
      figures = {
        { "mean weekly spend, 4 weeks before", g.before_weekly, "currency" },
        { "mean weekly spend, latest 2 weeks", g.recent_weekly, "currency" },
        { "growth", g.recent_weekly / g.before_weekly, "number" },
        { "monthly increase", g.impact_usd, "currency" },
      },
    }
  end)
end

-- ---------------------------------------------------------------------------------
-- Observations

local function observations(top, ph, comp, wk, growth_keys, th)
  local obs = {}
  for _, ch in ipairs(wk.changes or {}) do
    local from, to = ch.from_model and top.by_model[ch.from_model], ch.to_model and top.by_model[ch.to_model]
    local rf = from and C.val(from.usd_per_mtok)
    local rt = to and C.val(to.usd_per_mtok)
    local cheaper = rf and rt and rt < rf or (not (rf and rt) and ch.weekly_after < ch.weekly_before)
    if ch.from_model and ch.direction == "down" and cheaper then
      obs[#obs + 1] = {
        kind = "repointed", key = ch.key, from_model = ch.from_model, to_model = ch.to_model,
        date = ch.date, week = ch.week, weekly_before = ch.weekly_before, weekly_after = ch.weekly_after,
        saving_weekly = ch.saving_weekly,
        title = format("%s moved from %s to %s%s: already saving %s/week", ch.key, ch.from_model, ch.to_model,
          ch.date and (" on " .. ch.date) or (" in the week of " .. ch.week), C.money(ch.saving_weekly)),
        text = format("Its weekly spend fell from %s (mean of the 3 weeks before the week of %s) to %s (mean of "
          .. "the %d complete week%s after), about %s a month%s. Nothing to do: this change is already paying off.",
          C.money(ch.weekly_before), ch.week, C.money(ch.weekly_after), ch.weeks_after or 0,
          ch.weeks_after == 1 and "" or "s", C.money(ch.saving_weekly * th.weekly_to_monthly),
          rf and rt and format("; %s costs %s against %s", ch.to_model, C.per_mtok(rt), C.per_mtok(rf)) or ""),
      }
    elseif not growth_keys[ch.key] then
      obs[#obs + 1] = {
        kind = "level_change", key = ch.key, week = ch.week, weekly_before = ch.weekly_before,
        weekly_after = ch.weekly_after,
        title = format("%s's weekly spend changed level in the week of %s", ch.key, ch.week),
        text = format("From %s to %s a week%s.", C.money(ch.weekly_before), C.money(ch.weekly_after),
          ch.from_model and format(" (moved from %s to %s)", ch.from_model, ch.to_model) or ""),
      }
    end
  end
  for _, c in ipairs(ph.ceiling or {}) do
    obs[#obs + 1] = {
      kind = "cache_ceiling", model = c.model,
      title = format("Caching on %s is already near its ceiling", c.model),
      text = format("Prompt-heavy (%s of tokens) with a cache hit rate of %s, at or above the %s target: "
        .. "more caching has little left to gain there.", C.percent(c.prompt_share), C.percent(c.cache_hit_rate),
        C.percent(th.target_cache)),
    }
  end
  for _, c in ipairs(ph.trimming or {}) do
    obs[#obs + 1] = {
      kind = "prompt_heavy", model = c.model,
      title = format("%s is prompt-heavy without cache savings", c.model),
      text = format("%s of its tokens are prompt (%s spend) and no cache savings show on it; if its provider "
        .. "cannot cache, shorter prompts are the only lever.", C.percent(c.prompt_share), C.money(c.total_usage)),
    }
  end
  if comp then
    local s = comp.slices
    if s.surcharges.meaningful then
      obs[#obs + 1] = format("Surcharges (web search, files, web fetch) are a meaningful slice of spend: %s, %s.",
        C.money(s.surcharges.usd), C.percent(s.surcharges.share))
    end
    if s.cache.writes_meaningful then
      obs[#obs + 1] = format("Cache writes cost more than cache reads save: %s net, %s of spend.",
        C.money(s.cache.usd), C.percent(s.cache.share))
    end
    if comp.remainder and comp.total_usage and comp.total_usage > 0
        and math.abs(comp.remainder) / comp.total_usage >= th.meaningful_share then
      obs[#obs + 1] = format("%s of spend (%s) is in none of the usage_* components (BYOK inference and fees "
        .. "are counted in total_usage only).", C.percent(comp.remainder / comp.total_usage), C.money(comp.remainder))
    end
  end
  for _, m in ipairs(wk.new_keys or {}) do
    obs[#obs + 1] = format("New key %s: %s a week over the latest 2 weeks.", m.key, C.money(m.recent))
  end
  for _, m in ipairs(wk.vanished_keys or {}) do
    obs[#obs + 1] = format("Key %s stopped spending (it spent %s a week before).", m.key, C.money(m.before))
  end
  return obs
end

-- ---------------------------------------------------------------------------------
-- Charts

local function charts(top, comp, wk, recs, obs)
  local out = {}
  local list = {}
  for i, r in top.models:rows() do
    if i <= 12 then
      list[#list + 1] = { label = r.model, value = C.num(r.total_usage) }
    else
      local last = list[13] or { label = "other models", value = 0 }
      last.value = last.value + C.num(r.total_usage)
      list[13] = last
    end
  end
  out.spend_by_model = list

  if wk.weeks then
    local totals, names, wanted = {}, {}, {}
    for k, v in pairs(wk.key_series or {}) do
      local s = 0
      for _, x in ipairs(v) do s = s + x end
      totals[k] = s
      names[#names + 1] = k
    end
    table.sort(names, function(a, b) return totals[a] > totals[b] end)
    local chosen = {}
    for _, r in ipairs(recs) do if r.key then wanted[r.key] = true end end
    for _, o in ipairs(obs) do if type(o) == "table" and o.key then wanted[o.key] = true end end
    for _, k in ipairs(names) do if wanted[k] then chosen[#chosen + 1] = k end end
    for _, k in ipairs(names) do
      if #chosen >= 8 then break end
      if not wanted[k] then chosen[#chosen + 1] = k end
    end
    local series = {}
    for _, k in ipairs(chosen) do series[#series + 1] = { name = k, values = wk.key_series[k] } end
    local markers = {}
    for _, o in ipairs(obs) do
      if type(o) == "table" and (o.kind == "repointed" or o.kind == "level_change") and o.week then
        markers[#markers + 1] = { series = o.key, week = o.week,
                                  label = o.kind == "repointed" and ("moved to " .. o.to_model) or "level change" }
      end
    end
    for _, r in ipairs(recs) do
      if r.kind == "growth" then
        for _, ch in ipairs(wk.changes or {}) do
          if ch.key == r.key then
            markers[#markers + 1] = { series = r.key, week = ch.week,
                                      label = format("%.1f× from here", ch.after / ch.before) }
          end
        end
      end
    end
    out.weekly_by_key = { weeks = wk.weeks, series = series, markers = markers }
  end

  if comp then
    local weeks, series = {}, {}
    local byname = {}
    for _, name in ipairs(comp.components) do
      byname[name] = { name = name, values = {} }
      series[#series + 1] = byname[name]
    end
    local rem = { name = "remainder", values = {} }
    for i, r in comp.weekly:rows() do
      weeks[i] = r.week
      local sum = 0
      for _, name in ipairs(comp.components) do
        local v = r[name]
        byname[name].values[i] = C.has(v) and v or nil
        sum = sum + C.num(v)
      end
      rem.values[i] = C.num(r.total_usage) - sum
    end
    series[#series + 1] = rem
    out.components = { weeks = weeks, series = series }
  end
  return out
end

-- ---------------------------------------------------------------------------------
-- The verification script

-- A Lua string literal on one line: %q, with a newline as \n (names come from the API).
local function q(s) return (format("%q", s):gsub("\\\n", "\\n")) end

-- One check of the verification script per kind of recommendation: the title, the
-- query and measure code (a list of lines each; lines after the first are indented
-- under it), the goal and the text shown when it is met.
local CHECKS = {
  expensive_model = function(r)
    return {
      title = format("%s's spend on %s", r.key, r.model),
      query = { "orscript.query { metrics = { \"total_usage\", \"tokens_total\" }, by = { \"api_key_id\" },",
                format("  where = { { \"model\", \"eq\", %s } }, range = month, limit = 10000 },", q(r.model)) },
      measure = { format("function(t) return num(row(t, \"api_key_id\", %s).total_usage) end,", q(r.key)) },
      goal = "<=", target = r.figures[1][2] * 0.1, before = r.figures[1][2], format = "$%.2f",
      done = "the key's traffic has left the model",
    }
  end,
  caching = function(r, th)
    return {
      title = "cache hit rate on " .. r.model,
      query = { "orscript.query { metrics = { \"cache_hit_rate\", \"tokens_prompt\" },",
                format("  where = { { \"model\", \"eq\", %s } }, range = month },", q(r.model)) },
      measure = { "function(t) return t[1] and num(t[1].cache_hit_rate) or 0 end," },
      goal = ">=", target = th.target_cache, before = r.figures[3][2], format = "%.3f",
      done = "prompts are being cached",
    }
  end,
  web_search = function(r, th)
    return {
      title = "web search share of " .. r.app .. "'s spend",
      query = { "orscript.query { metrics = { \"usage_web\", \"total_usage\" }, by = { \"app\" },",
                "  range = month, limit = 10000 }," },
      measure = { "function(t)",
                  format("  local r = row(t, \"app\", %s)", q(r.app)),
                  "  return num(r.total_usage) > 0 and num(r.usage_web) / num(r.total_usage) or 0",
                  "end," },
      goal = "<", target = th.web_share, before = r.figures[3][2], format = "%.3f",
      done = "web search is no longer a large share of the app's spend",
    }
  end,
  reasoning = function(r, th)
    return {
      title = "reasoning share of completions on " .. r.model,
      query = { "orscript.query { metrics = { \"reasoning_tokens\", \"tokens_completion\" },",
                format("  where = { { \"model\", \"eq\", %s } }, range = month },", q(r.model)) },
      measure = { "function(t)",
                  "  local r = t[1] or {}",
                  "  return num(r.tokens_completion) > 0 and num(r.reasoning_tokens) / num(r.tokens_completion) or 0",
                  "end," },
      goal = "<=", target = r.figures[4][2] * (1 - th.reasoning_cut), before = r.figures[4][2], format = "%.3f",
      done = "reasoning tokens are down",
    }
  end,
  growth = function(r, th)
    return {
      title = "mean weekly spend of " .. r.key .. " over the latest 2 complete weeks",
      query = { "orscript.query { metrics = { \"total_usage\" }, by = { \"api_key_id\" }, grain = \"week\",",
                "  range = time.weeks(2), limit = 10000 }," },
      measure = { "function(t)",
                  "  local s = 0",
                  format("  for _, r in t:rows() do if r.api_key_id == %s then s = s + num(r.total_usage) end end",
                    q(r.key)),
                  "  return s / 2",
                  "end," },
      goal = "<=", target = r.figures[1][2] * th.growth_ratio, before = r.figures[2][2], format = "$%.2f",
      done = "the key's spend is back under the growth threshold (or the growth was confirmed as intended)",
    }
  end,
}

function M.verify_script(recs, ctx)
  local th = ctx.thresholds
  local L = {}
  local function add(s, ...) L[#L + 1] = select("#", ...) > 0 and format(s, ...) or s end
  -- "  NAME = " before the first line of `code`, two more spaces before the others.
  local function field(name, code)
    for j, l in ipairs(code) do add(j == 1 and ("  " .. name .. " = " .. l) or ("  " .. l)) end
  end
  add("-- Re-run next month to verify the fixes recommended by the cost review of %s", ctx.label)
  add("-- (generated %s). Usage: orscript verify.lua [--month YYYY-MM]", ctx.generated_at)
  add("-- Each check re-runs the query behind one recommendation over the last full month.")
  add("local time = orscript.time")
  add("local month = time.last_month()")
  add("if arg and arg[1] == \"--month\" and arg[2] then month = time.month(time.parse(arg[2] .. \"-01\")) end")
  add("local function num(v) return type(v) == \"number\" and v == v and v or 0 end")
  add("local function row(t, col, value)")
  add("  for _, r in t:rows() do if r[col] == value then return r end end")
  add("  return {}")
  add("end")
  add("local checks = {}")
  for i, r in ipairs(recs) do
    add("")
    add("-- %d. %s", i, (r.title:gsub("[%c\127]", "?")))  -- a CR or LF would end the comment
    local make = CHECKS[r.kind]
    if make then
      local c = make(r, th)
      add("checks[#checks + 1] = {")
      add("  title = %s,", q(c.title))
      field("query", c.query)
      field("measure", c.measure)
      add("  goal = %s, target = %.17g, before = %.17g, format = %s,", q(c.goal), c.target, c.before, q(c.format))
      add("  done = %s,", q(c.done))
      add("}")
    end
  end
  add("")
  add("if #checks == 0 then")
  add("  local t = orscript.query { metrics = { \"total_usage\", \"tokens_total\" }, range = month }:run()")
  add("  print(string.format(\"Nothing to verify: the review recommended no change. Spend %s: $%.2f\",")
  add("    time.date(month.start), t[1] and num(t[1].total_usage) or 0))")
  add("  return")
  add("end")
  add("local queries = {}")
  add("for i, c in ipairs(checks) do queries[i] = c.query end")
  add("local results = orscript.all(queries)")
  add("local confirmed = 0")
  add("for i, c in ipairs(checks) do")
  add("  local v = c.measure(results[i])")
  add("  local ok = (c.goal == \"<=\" and v <= c.target) or (c.goal == \"<\" and v < c.target)")
  add("    or (c.goal == \">=\" and v >= c.target)")
  add("  if ok then confirmed = confirmed + 1 end")
  add("  print(string.format(\"%-4s %s: \" .. c.format .. \" (before \" .. c.format .. \", goal %s \" .. c.format .. \")%s\",")
  add("    ok and \"ok\" or \"open\", c.title, v, c.before, c.goal, c.target, ok and (\": \" .. c.done) or \"\"))")
  add("end")
  add("print(string.format(\"%d of %d fixes confirmed\", confirmed, #checks))")
  return concat(L, "\n") .. "\n"
end

-- ---------------------------------------------------------------------------------
-- The review

-- opts: range (default the last full month), thresholds (over THRESHOLDS), weeks
-- (weekly window, default 9). Returns the report's data table.
function M.run(opts)
  opts = opts or {}
  local th = C.merge(THRESHOLDS, opts.thresholds)
  local range = opts.range or time.last_month()
  local label = C.window_label(range)
  local t0, r0 = C.clock_ms(), C.requests()
  local warnings = {}

  -- Phase 1: the catalogue.
  local schema = orscript.meta()
  local ok, missing = supported(schema)
  for _, m in ipairs(missing) do
    warnings[#warnings + 1] = "the catalogue lacks what this part of the review needs, so it was skipped: " .. m
  end
  if not ok.top then
    orscript.error("data", "the analytics catalogue lacks total_usage/tokens_total by model: cannot review spend")
  end

  -- Phase 2: every independent query at once.
  local ctx = { range = range, label = label, thresholds = th, schema = schema,
                extra_metrics = ok.prompt and prompt_heaviness.METRICS or nil }
  local wctx = { thresholds = th, weeks = opts.weeks or week_over_week.WEEKS }
  local all = {}
  prefixed(all, "top.", top_models.queries(ctx))
  if ok.components then prefixed(all, "comp.", components.queries(ctx)) end
  if ok.weeks then prefixed(all, "wk.", week_over_week.queries(wctx)) end
  -- The weekly query and the model queries lead to phase 3: send them first.
  local pend = C.submit_all(all, { "wk.weekly", "top.by_model", "top.total" })
  local phase2 = 0
  for _ in pairs(pend) do phase2 = phase2 + 1 end

  -- Phase 3a: the keys behind each expensive model, as soon as the models are known.
  local by_model = core.wait(pend["top.by_model"])
  local top = top_models.analyse({ total = core.wait(pend["top.total"]), by_model = by_model }, ctx)
  local flagged = {}
  for _, f in ipairs(top.flagged) do flagged[#flagged + 1] = f.model end
  local drill_pend, phase3 = nil, 0
  if #flagged > 0 and ok.drill then
    drill_pend = key_drilldown.queries { range = range, models = flagged }.keys:submit()
    phase3 = phase3 + 1
  end

  -- Phase 3b: the day a key moved model, as soon as the weeks are known.
  local wk = { weeks = nil, changes = {}, growth = {}, new_keys = {}, vanished_keys = {}, warnings = {} }
  local day_pend
  if ok.weeks then
    wk = week_over_week.analyse({ weekly = core.wait(pend["wk.weekly"]) }, wctx)
    local dq = week_over_week.day_queries(wk)
    if dq then day_pend = dq.days:submit(); phase3 = phase3 + 1 end
  end

  local ph = { caching = {}, reasoning = {}, ceiling = {}, trimming = {}, warnings = {} }
  if ok.prompt then ph = prompt_heaviness.analyse({ by_model = by_model }, ctx) end
  local comp
  if ok.components then
    comp = components.analyse({ daily = core.wait(pend["comp.daily"]), by_app = core.wait(pend["comp.by_app"]) }, ctx)
  end
  local drill
  if drill_pend then
    local spend = {}
    for _, f in ipairs(top.flagged) do spend[f.model] = f.spend end
    drill = key_drilldown.analyse({ keys = core.wait(drill_pend) },
      { range = range, models = flagged, model_spend = spend, thresholds = th })
  end
  if day_pend then week_over_week.apply_days(wk, core.wait(day_pend)) end

  -- Recommendations, ranked by impact.
  local recs = {}
  local function extend(list) for _, r in ipairs(list) do recs[#recs + 1] = r end end
  extend(expensive_recs(top, drill, th, label))
  extend(caching_recs(ph, wk, th, label))
  if comp then extend(web_recs(comp, th, label)) end
  extend(reasoning_recs(ph, wk, th, label))
  extend(growth_recs(wk, th))
  table.sort(recs, function(a, b) return a.impact_usd > b.impact_usd end)
  for i, r in ipairs(recs) do r.rank = i end
  local growth_keys = {}
  for _, g in ipairs(wk.growth or {}) do growth_keys[g.key] = true end
  local obs = observations(top, ph, comp, wk, growth_keys, th)

  for _, part in ipairs { top, ph, comp or { warnings = {} }, drill or { warnings = {} }, wk } do
    for _, w in ipairs(part.warnings or {}) do warnings[#warnings + 1] = w end
  end
  for _, n in ipairs(comp and comp.notes or {}) do warnings[#warnings + 1] = n end
  for _, n in ipairs(wk.notes or {}) do warnings[#warnings + 1] = n end

  local generated_at = time.format(orscript.now())
  local b = top.baseline
  local total_impact = 0
  for _, r in ipairs(recs) do total_impact = total_impact + r.impact_usd end
  local data = {
    title = "OpenRouter cost review",
    account = (orscript.account()),
    generated_at = generated_at,
    window = C.window_info(range),
    baseline = { spend = b.spend, tokens = b.tokens, requests = b.requests, blended_per_mtok = b.blended_per_mtok },
    recommendations = recs,
    observations = obs,
    charts = charts(top, comp, wk, recs, obs),
    warnings = warnings,
    no_findings = #recs == 0,
    thresholds = th,
    total_impact_usd = total_impact,
  }
  data.verify_script = M.verify_script(recs, { label = label, thresholds = th, generated_at = generated_at })
  local r1 = C.requests()
  data.stats = {
    requests = (r0 and r1) and (r1 - r0) or nil,
    phases = 1 + (phase2 > 0 and 1 or 0) + (phase3 > 0 and 1 or 0),
    phase2_queries = phase2, phase3_queries = phase3,
    elapsed_ms = C.clock_ms() - t0,
  }
  return data
end

-- Writes the outputs the options ask for (--markdown, --html, --json: the report in
-- that format; --verify-script: the verification script); returns the paths.
function M.write(data, opts)
  local written = {}
  for _, name in ipairs { "markdown", "html", "json", "verify_script" } do
    if opts[name] then
      local text
      if name == "verify_script" then text = data.verify_script else text = report[name](data) end
      written[#written + 1] = report.write(opts[name], text)
    end
  end
  return written
end

M.USAGE = [[
usage: orscript [--demo] recipes/cost_review.lua [options]
  --month YYYY-MM | --from DATE --to DATE   the window (default: the last full calendar month)
  --threshold NAME=VALUE (or --NAME VALUE)  change a threshold (see the table at the top of the script)
  --markdown FILE  --html FILE  --json FILE  write the report in that format
  --verify-script FILE                       write the re-run script
  --weeks N                                  weeks of weekly history to compare (default 9)]]

if C.is_main("cost_review") then
  C.main(function()
    local opts = C.parse_args({ unpack(arg) }, { thresholds = THRESHOLDS, options = { weeks = "number" },
                                                  usage = M.USAGE })
    if opts.help then io.write(M.USAGE, "\n") return end
    local data = M.run(opts)
    io.write(report.terminal(data, { color = report.want_color() }))
    for _, path in ipairs(M.write(data, opts)) do io.stderr:write("wrote ", path, "\n") end
    if core.verbose then
      io.stderr:write(format("cost_review: %s requests, %d phases (%d + %d queries after the catalogue), %.0f ms\n",
        tostring(data.stats.requests), data.stats.phases, data.stats.phase2_queries, data.stats.phase3_queries,
        data.stats.elapsed_ms))
    end
  end)
end

return M
