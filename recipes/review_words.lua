-- recipes/review_words.lua: the cost review's words around each finding.
--
-- Owns: turning a finding of review_checks.lua into a recommendation a person can act on:
-- its target, title, one-line action, the change (with the figures behind it and the BYOK
-- note), the risk and the supporting figures (docs/report.md). Does not own the checks or
-- the rendering. W.apply(finding, {th = thresholds, label = window label}) fills them in.
local here = (debug.getinfo(1, "S").source:match("^@(.-)[^/\\]*$") or ""):gsub("^$", "./") .. "?.lua"
if not package.path:find(here, 1, true) then package.path = here .. ";" .. package.path end
local C = require "common"

local format, concat = string.format, table.concat

local W = {}

local function byok_note(share)
  if not share or share < 0.005 then return "" end
  return format(" %s of this traffic is BYOK: that part of the saving lands on your provider's bill, not "
    .. "OpenRouter's.", C.percent(share))
end

local function keys_text(list, n)
  local parts = {}
  for i, k in ipairs(list) do
    if i > (n or 3) then parts[#parts + 1] = format("and %d more", #list - (n or 3)) break end
    parts[#parts + 1] = format("%s %s", k.key, C.percent(k.share))
  end
  return concat(parts, ", ")
end

local WORDS = {}
W.WORDS = WORDS

function WORDS.expensive_model(r, ctx)
  local alt = r.alternative
  r.target = format("key %s on model %s", r.key, r.model)
  r.title = format("Move %s's traffic from %s to %s", r.key, r.model, alt or "a cheaper model")
  r.action = format("switch key %s from %s to %s", r.key, r.model, alt or "a cheaper model")
  local basis = r.basis == "run_rate"
    and format(" Sized on the current run rate: %s a week since the week of %s (it was %s a week before).",
      C.money(r.weekly_after), r.change_week, C.money(r.weekly_before)) or ""
  r.change = (alt and format("switch this key from %s (%s, %.1f× the blended %s) to %s (%s, the model at or below "
      .. "the blended rate that carries the most tokens), priced at the account's own effective rates.",
      r.model, C.per_mtok(r.rate), r.multiple, C.per_mtok(r.blended), alt, C.per_mtok(r.alt_rate))
    or "no model at or below the blended rate carries traffic to price an alternative; find a cheaper model "
      .. "for this workload.") .. basis .. byok_note(r.byok_share)
  r.risk = format("quality and behaviour differ between models (answers, formatting, tool use, refusals): run a "
    .. "sample of %s's requests through %s and compare before switching the key", r.key, alt or "the candidate")
  r.figures = {
    { format("spend on %s by this key (%s)", r.model, ctx.label), r.spend, "currency" },
    { "share of the model's spend", r.share, "percent" },
    { "tokens", r.tokens, "count" },
    { "model's effective rate", r.rate, "per_mtok" },
    { "blended rate", r.blended, "per_mtok" },
    { "alternative's effective rate", r.alt_rate, "per_mtok" },
  }
end

function WORDS.expensive_model_spread(r, ctx)
  local alt = r.alternative
  r.target = format("model %s (%d keys, none with %s of its spend)", r.model, #r.keys, C.percent(ctx.th.key_share))
  r.title = format("Move %s's traffic, spread over %d keys, to %s", r.model, #r.keys, alt or "a cheaper model")
  r.action = format("move the callers of %s to %s (a default model change, not one key)", r.model,
    alt or "a cheaper model")
  r.change = format("%s costs %s, %.1f× the blended %s, and no single key carries %s of it (largest %s): change "
    .. "the default model where these keys pick it (%s)%s.", r.model, C.per_mtok(r.rate), r.multiple,
    C.per_mtok(r.blended), C.percent(ctx.th.key_share), C.percent(r.top_share), keys_text(r.keys, 4),
    alt and format(", priced at %s's %s", alt, C.per_mtok(r.alt_rate)) or "") .. byok_note(r.byok_share)
  r.risk = "quality differs between models: test a sample of each caller's requests first"
  r.figures = {
    { format("spend on the model (%s)", ctx.label), r.model_spend, "currency" },
    { "keys", #r.keys, "count" },
    { "largest key share", r.top_share, "percent" },
    { "model's effective rate", r.rate, "per_mtok" },
    { "alternative's effective rate", r.alt_rate, "per_mtok" },
  }
end

function WORDS.caching(r, ctx)
  r.target = "model " .. r.model
  r.title = format("Cache the prompts sent to %s", r.model)
  r.action = format("mark the stable prompt prefix cacheable on %s (hit rate %s -> %s)", r.model,
    C.percent(r.cache_hit_rate), C.percent(ctx.th.target_cache))
  r.change = format("put the stable part of each prompt (system prompt, tools, shared documents) first and mark it "
    .. "cacheable, so the hit rate rises from %s to %s; this model already saves %s per million cached tokens "
    .. "here.", C.percent(r.cache_hit_rate), C.percent(ctx.th.target_cache), C.money(r.saving_per_cached_token * 1e6))
    .. byok_note(r.byok_share)
  r.risk = "cache writes can cost extra and a prefix that changes between calls never hits: check the hit rate a "
    .. "week after the change"
  r.figures = {
    { format("spend on the model (%s)", ctx.label), r.spend, "currency" },
    { "prompt share of tokens", r.prompt_share, "percent" },
    { "cache hit rate", r.cache_hit_rate, "percent" },
    { "prompt tokens", r.tokens_prompt, "count" },
    { "cached tokens", r.cached_tokens, "count" },
    { "cache component (usage_cache)", r.usage_cache, "currency" },
  }
end

function WORDS.cache_writes(r, ctx)
  r.target = "model " .. r.model
  r.title = format("Stop paying for cache writes that are not read on %s", r.model)
  r.action = format("stop marking prompts cacheable on %s where the prefix is not reused (or use a shorter TTL)",
    r.model)
  r.change = format("cache writes on %s cost %s more than cache reads saved (%s hit rate): only mark a prefix "
    .. "cacheable when the same prefix is sent again within the cache lifetime.", r.model, C.money(r.usage_cache),
    C.percent(r.cache_hit_rate)) .. byok_note(r.byok_share)
  r.risk = "a prefix that is reused later loses its reads: check the hit rate and usage_cache a week after"
  r.figures = {
    { format("net cache component (usage_cache, %s)", ctx.label), r.usage_cache, "currency" },
    { "cache hit rate", r.cache_hit_rate, "percent" },
    { "prompt tokens", r.tokens_prompt, "count" },
    { "spend on the model", r.spend, "currency" },
  }
end

function WORDS.prompt_trimming(r, ctx)
  r.target = "model " .. r.model
  r.title = format("Trim the prompts sent to %s (%s tokens per request)", r.model, C.count(r.prompt_per_request))
  r.action = format("send less context to %s: retrieve the relevant parts instead of whole documents or histories",
    r.model)
  r.change = format("requests to %s carry %s prompt tokens on average and caching cannot lower that (%s); "
    .. "trimming %s of the uncached prompt saves the estimate (prompt spend approximated by its share of tokens).",
    r.model, C.count(r.prompt_per_request),
    r.cached_tokens > 0 and format("hit rate already %s", C.percent(r.cache_hit_rate)) or "no cache savings here",
    C.percent(ctx.th.prompt_trim_share)) .. byok_note(r.byok_share)
  r.risk = "answers that need the dropped context get worse: compare a sample before and after"
  r.figures = {
    { format("spend on the model (%s)", ctx.label), r.spend, "currency" },
    { "mean prompt tokens per request", r.prompt_per_request, "count" },
    { "estimated uncached prompt spend", r.prompt_spend, "currency" },
    { "cache hit rate", r.cache_hit_rate, "percent" },
  }
end

function WORDS.reasoning(r, ctx)
  r.target = "model " .. r.model
  r.title = format("Lower the reasoning effort on %s", r.model)
  r.action = format("set a lower reasoning effort (or cap reasoning tokens) on %s", r.model)
  r.change = format("%s of its completion tokens are reasoning: set a lower reasoning effort or cap reasoning "
    .. "tokens where the task does not need it; the estimate assumes %s fewer reasoning tokens at the model's "
    .. "effective %s.", C.percent(r.reasoning_share), C.percent(ctx.th.reasoning_cut), C.per_mtok(r.rate))
    .. byok_note(r.byok_share)
  r.risk = "accuracy on hard, multi-step tasks can drop: compare answers on a sample before and after"
  r.figures = {
    { format("spend on the model (%s)", ctx.label), r.spend, "currency" },
    { "reasoning tokens", r.reasoning_tokens, "count" },
    { "completion tokens", r.tokens_completion, "count" },
    { "reasoning share", r.reasoning_share, "percent" },
    { "effective rate", r.rate, "per_mtok" },
  }
end

local SURCHARGE_WORDS = {
  web_search = { "web search (plugin)", "Use web search in %s only where it is needed",
    "turn the web plugin off by default and enable it only for requests that need fresh information",
    "answers that depend on current information get worse where search is turned off" },
  native_web_search = { "the model's built-in web search", "Use built-in web search in %s only where it is needed",
    "disable the model's native search by default (or use a model without it) and enable it per request",
    "answers that depend on current information get worse where search is turned off" },
  file_parsing = { "file parsing", "Parse files in %s once, not on every request",
    "parse each file once and send its text (or cache the parsed result) instead of attaching the file again",
    "parsed text can differ from what the parser produces per request (tables, scans): check a sample" },
  web_fetch = { "web fetch", "Fetch web pages in %s only where needed",
    "cache fetched pages and fetch only where the request needs a page's current content",
    "answers that need a page's current content get worse where it is served from a cache" },
}

local function surcharge_words(r, ctx)
  local w = SURCHARGE_WORDS[r.kind]
  local who = r.app and ("app " .. r.app) or ("key " .. r.key .. " (traffic without an app)")
  r.target = who
  r.title = format(w[2], r.app or r.key)
  r.action = format("%s: %s", who, w[3])
  r.change = format("%s costs %s %s in the window (%s a month), %s of its spend: %s.", w[1], who, C.money(r.usd),
    C.money(r.impact_usd), C.percent(r.share), w[3])
  r.risk = w[4]
  r.figures = {
    { format("%s (%s, %s)", w[1], r.metric, ctx.label), r.usd, "currency" },
    { "total spend", r.total, "currency" },
    { "share", r.share, "percent" },
  }
end
for kind in pairs(SURCHARGE_WORDS) do WORDS[kind] = surcharge_words end

-- (issue 14) The link from a growth or spike finding to recipes/guardrails.lua, which proposes
-- the key's limit from its own history. A name with spaces or quotes is quoted for the shell.
function W.guardrail_hint(key)
  local arg = tostring(key)
  if not arg:match("^[%w%._%-/@:]+$") then arg = "'" .. arg:gsub("'", "'\\''") .. "'" end
  return format(" `orscript recipes/guardrails.lua --key %s` proposes a limit that covers its normal use and "
    .. "would have stopped this.", arg)
end

function WORDS.growth(r, ctx)
  r.target = "key " .. r.key
  r.title = format("Find out why %s's spend grew %.1f×", r.key, r.recent_weekly / r.before_weekly)
  r.action = format("confirm key %s's growth is intended; if not, fix the caller or set a spending limit", r.key)
  r.change = format("mean weekly spend rose from %s (weeks of %s .. %s) to %s (weeks of %s and %s): confirm the "
    .. "growth is intended; if not (a loop, retries, a new caller), fix it or set a spending limit on the key.",
    C.money(r.before_weekly), r.weeks[1], r.weeks[2], C.money(r.recent_weekly), r.weeks[3], r.weeks[4])
    .. W.guardrail_hint(r.key)
  r.risk = "if the growth is real demand, a spending limit throttles the product that depends on it"
  r.figures = {
    { "mean weekly spend, 4 weeks before", r.before_weekly, "currency" },
    { "mean weekly spend, latest 2 weeks", r.recent_weekly, "currency" },
    { "growth", r.recent_weekly / r.before_weekly, "number" },
  }
end

function WORDS.spike(r, ctx)
  r.target = "key " .. r.key
  r.title = format("Find the cause of %s's spike in the week of %s", r.key, r.week)
  r.action = format("find what ran on key %s in the week of %s (a loop, a backfill, a retry storm) and guard "
    .. "against a repeat", r.key, r.week)
  r.change = format("the week of %s cost %s against a median of %s for its other recent weeks: %s extra, once. "
    .. "If it was a runaway job, add a spending limit or a rate limit on the key.", r.week, C.money(r.spike_weekly),
    C.money(r.median_weekly), C.money(r.impact_usd)) .. W.guardrail_hint(r.key)
  r.risk = "a planned batch job is not a problem: confirm before limiting the key"
  r.figures = {
    { "spend in the spike week", r.spike_weekly, "currency" },
    { "median of the other weeks", r.median_weekly, "currency" },
    { "excess (one-off)", r.impact_usd, "currency" },
  }
end

function WORDS.model_upgrade(r, ctx)
  r.target = "key " .. r.key
  r.title = format("%s moved to the dearer %s%s: revert or justify", r.key, r.to_model,
    r.date and (" on " .. r.date) or (" in the week of " .. r.week))
  r.action = format("move key %s back from %s to %s, or record why the dearer model is needed", r.key, r.to_model,
    r.from_model)
  r.change = format("since %s %s's traffic goes to %s instead of %s; its weekly spend rose from %s to %s on "
    .. "comparable traffic (%s -> %s requests a week), %s a month more.", r.date or ("the week of " .. r.week),
    r.key, r.to_model, r.from_model, C.money(r.weekly_before), C.money(r.weekly_after),
    C.count(r.requests_before), C.count(r.requests_after), C.money(r.impact_usd))
  r.risk = "the move may have been made for quality: check with the key's owner before reverting"
  r.figures = {
    { "weekly spend before", r.weekly_before, "currency" },
    { "weekly spend after (run rate)", r.weekly_after, "currency" },
    { "weekly requests before", r.requests_before, "count" },
    { "weekly requests after", r.requests_after, "count" },
  }
end


-- Fills in the words of finding `r` (by its kind); returns r.
function W.apply(r, ctx)
  WORDS[r.kind](r, ctx)
  return r
end

W.SURCHARGE_WORDS = SURCHARGE_WORDS

return W
