-- recipes/prompt_heaviness.lua: prompts, completions, reasoning and caching by model.
--
--   orscript --demo recipes/prompt_heaviness.lua [--month 2026-10 | --from D --to D]
--            [--prompt_heavy 0.75] [--low_cache 0.2] [--target_cache 0.5]
--            [--reasoning_share 0.5] [--reasoning_cut 0.5] [--min_monthly_usd 50]
--            [--csv DIR] [--json FILE] [--markdown FILE]
--
-- Per model over the window: prompt share (tokens_prompt / (tokens_prompt +
-- tokens_completion)), reasoning share (reasoning_tokens / tokens_completion) and
-- cache_hit_rate. Says where caching would pay off (prompt-heavy, hit rate below
-- low_cache, at least min_monthly_usd of spend, and caching already proven to save on
-- this model: cached_tokens > 0 and usage_cache < 0, which gives the saving per cached
-- token), where caching is already near its ceiling (hit rate at target_cache or
-- above), where prompt trimming is the only lever (prompt-heavy with no cache
-- savings), and where reasoning tokens dominate the completions.
--
--   caching saving  = (target_cache − cache_hit_rate) × tokens_prompt × s,
--                     s = −usage_cache / cached_tokens
--   reasoning saving = reasoning_cut × reasoning_tokens × rate / 1e6,
--                     rate = total_usage / tokens_total × 1e6
--
-- As a module: M.queries(opts); M.analyse(tables, opts); M.run(opts); M.render(res);
-- M.tables(res).
local C = require "common"
local num = orscript.num

local M = {}

M.DEFAULTS = { prompt_heavy = 0.75, low_cache = 0.2, target_cache = 0.5, reasoning_share = 0.5,
               reasoning_cut = 0.5, min_monthly_usd = 50 }
M.METRICS = { "tokens_prompt", "tokens_completion", "reasoning_tokens", "cached_tokens", "cache_hit_rate",
              "usage_cache", "total_usage", "tokens_total" }

function M.queries(opts)
  return {
    by_model = orscript.query { metrics = M.METRICS, by = { "model" }, range = opts.range,
                                order = { "tokens_prompt", "desc" }, limit = 10000 },
  }
end

function M.analyse(tables, opts)
  opts = C.options(opts, M.DEFAULTS)
  local th = opts.thresholds
  local warnings = {}
  local whole = tables.by_model:note_warnings(warnings, "prompt and reasoning by model")
  local t = C.with_rate(tables.by_model
    :derive("prompt_share", function(r)
      return C.ratio(num(r.tokens_prompt), num(r.tokens_prompt) + num(r.tokens_completion))
    end, { format = "percent" })
    :derive("reasoning_share", function(r)
      return C.ratio(num(r.reasoning_tokens), num(r.tokens_completion))
    end, { format = "percent" }))

  local caching, ceiling, trimming, reasoning, moderate = {}, {}, {}, {}, {}
  for _, r in t:rows() do
    local usage = num(r.total_usage)
    local hit = num(r.cache_hit_rate)
    local prompt, cached, cache_usd = num(r.tokens_prompt), num(r.cached_tokens), num(r.usage_cache)
    local heavy = C.has(r.prompt_share) and r.prompt_share >= th.prompt_heavy
    local big = usage >= th.min_monthly_usd
    local item = { model = r.model, total_usage = usage, prompt_share = r.prompt_share, cache_hit_rate = hit,
                   tokens_prompt = prompt, cached_tokens = cached, usage_cache = cache_usd,
                   rate = num(r.usd_per_mtok, nil) }
    if heavy and big then
      if hit < th.low_cache and cached > 0 and cache_usd < 0 then
        local s = -cache_usd / cached
        item.saving_per_cached_token = s
        item.impact_usd = (th.target_cache - hit) * prompt * s
        caching[#caching + 1] = item
      elseif hit >= th.target_cache then
        ceiling[#ceiling + 1] = item
      elseif cached == 0 or cache_usd >= 0 then
        trimming[#trimming + 1] = item
      else
        moderate[#moderate + 1] = item
      end
    end
    local rs = num(r.reasoning_share, nil)
    if rs and rs >= th.reasoning_share and big then
      reasoning[#reasoning + 1] = {
        model = r.model, reasoning_tokens = num(r.reasoning_tokens), tokens_completion = num(r.tokens_completion),
        reasoning_share = rs, rate = item.rate, total_usage = usage,
        impact_usd = th.reasoning_cut * num(r.reasoning_tokens) * (item.rate or 0) / 1e6,
      }
    end
  end
  local by_impact = function(a, b) return a.impact_usd > b.impact_usd end
  table.sort(caching, by_impact)
  table.sort(reasoning, by_impact)
  if not whole then
    warnings[#warnings + 1] = "prompt and reasoning by model was truncated: models outside the result were not checked"
  end
  return C.result(opts, { models = t, by_model = C.index(t, "model"), caching = caching, ceiling = ceiling,
                          trimming = trimming, moderate = moderate, reasoning = reasoning, warnings = warnings })
end

function M.run(opts) return (C.run(M, opts)) end

function M.tables(res) return { { "prompt_heaviness", res.models } } end

function M.render(res)
  local th = res.thresholds
  local out, add, put = C.buffer()
  put(C.window_heading("Prompt-heaviness", res))
  put(C.show(res.models:view({ "model", { "total_usage", "spend" }, "prompt_share",
    { "reasoning_share", "reasoning" }, { "cache_hit_rate", "hit_rate" }, { "usage_cache", "cache_usd" },
    { "tokens_prompt", "prompt" }, { "tokens_completion", "completion" } })))
  add("")
  add("Prompt-heavy: at least %s of tokens are prompt; thresholds: hit rate < %s is low, %s is the target.",
    C.percent(th.prompt_heavy), C.percent(th.low_cache), C.percent(th.target_cache))
  for _, c in ipairs(res.caching) do
    add("  ! caching would pay off on %s: %s prompt, hit rate %s; raising it to %s saves about %s/month "
      .. "(at %s saved per million cached tokens)", c.model, C.percent(c.prompt_share), C.percent(c.cache_hit_rate),
      C.percent(th.target_cache), C.money(c.impact_usd), C.money(c.saving_per_cached_token * 1e6))
  end
  for _, c in ipairs(res.ceiling) do
    add("  = caching is already near its ceiling on %s: hit rate %s (%s prompt); nothing to gain there",
      c.model, C.percent(c.cache_hit_rate), C.percent(c.prompt_share))
  end
  for _, c in ipairs(res.trimming) do
    add("  - %s is prompt-heavy (%s) without cache savings: prompt trimming is the lever there (%s spend)",
      c.model, C.percent(c.prompt_share), C.money(c.total_usage))
  end
  for _, c in ipairs(res.moderate) do
    add("  ~ %s: hit rate %s is between low and target; no recommendation", c.model, C.percent(c.cache_hit_rate))
  end
  if #res.caching + #res.ceiling + #res.trimming + #res.moderate == 0 then
    add("  No prompt-heavy model with at least %s of spend.", C.money(th.min_monthly_usd))
  end
  add("")
  if #res.reasoning == 0 then
    add("No model spends %s or more of its completion tokens on reasoning (with at least %s of spend).",
      C.percent(th.reasoning_share), C.money(th.min_monthly_usd))
  else
    add("Reasoning-heavy (reasoning tokens at least %s of completion tokens):", C.percent(th.reasoning_share))
    for _, r in ipairs(res.reasoning) do
      add("  ! %s: %s reasoning, %s tokens at %s; cutting reasoning by %s saves about %s/month", r.model,
        C.percent(r.reasoning_share), C.count(r.reasoning_tokens), C.per_mtok(r.rate), C.percent(th.reasoning_cut),
        C.money(r.impact_usd))
    end
  end
  return C.finish(out, res.warnings)
end

C.script(M, "prompt_heaviness", {})

return M
