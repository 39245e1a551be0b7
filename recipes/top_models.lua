-- recipes/top_models.lua: spend by model against the blended rate.
--
--   orscript --demo recipes/top_models.lua [--month 2026-10 | --from D --to D]
--            [--expensive_multiple 5] [--min_monthly_usd 50] [--top 15]
--            [--csv DIR] [--json FILE] [--markdown FILE]
--
-- For the window (default: the last full calendar month): spend, requests, tokens and
-- cache_hit_rate by model; each model's effective $/Mtok (total_usage / tokens_total
-- × 1e6) against the blended rate (the same over all traffic, a query with no
-- dimension); models at expensive_multiple × the blended rate or more, with at least
-- min_monthly_usd of spend, are flagged. Also names the cheapest high-volume line: the
-- model at or below the blended rate with the most tokens, the account's own evidence
-- of what a cheaper workload costs.
--
-- As a module: M.queries(opts) → {name = Query}; M.analyse(tables, opts) → result;
-- M.run(opts) → result; M.render(result) → text; M.tables(result) → {{name, Table}}.
local C = require "common"
local num = orscript.num

local format = string.format

local M = {}

M.DEFAULTS = { expensive_multiple = 5, min_monthly_usd = 50 }
M.METRICS = { "total_usage", "request_count", "tokens_total", "cache_hit_rate" }

-- The two queries: the baseline (no dimension) and spend by model (every model, so
-- the blended comparison and the alternative see the whole account).
-- opts.extra_metrics: more metrics for the by-model query (the review shares it with
-- prompt_heaviness instead of asking twice).
function M.queries(opts)
  local by_metrics = C.append(C.append({}, M.METRICS), opts.extra_metrics)
  return {
    total = orscript.query { metrics = M.METRICS, range = opts.range },
    by_model = orscript.query { metrics = by_metrics, by = { "model" }, range = opts.range,
                                order = { "total_usage", "desc" }, limit = 10000 },
  }
end

-- tables = {total = Table, by_model = Table}
function M.analyse(tables, opts)
  opts = C.options(opts, M.DEFAULTS)
  local th = opts.thresholds
  local warnings = {}
  tables.total:note_warnings(warnings, "baseline")
  local whole = tables.by_model:note_warnings(warnings, "spend by model")
  local base = tables.total[1] or {}
  local baseline = {
    spend = num(base.total_usage), tokens = num(base.tokens_total),
    requests = num(base.request_count), cache_hit_rate = num(base.cache_hit_rate, nil),
  }
  local B = C.rate(baseline.spend, baseline.tokens)
  baseline.blended_per_mtok = B

  local models = C.with_rate(tables.by_model)
    :derive("x_blended", function(r)
      return B and C.has(r.usd_per_mtok) and B > 0 and r.usd_per_mtok / B or nil
    end, { format = "number" })
  if whole then models = models:share("total_usage") end

  local flagged, alternative = {}, nil
  for _, r in models:rows() do
    local rate = num(r.usd_per_mtok, nil)
    if B and rate and rate >= th.expensive_multiple * B and num(r.total_usage) >= th.min_monthly_usd then
      flagged[#flagged + 1] = { model = r.model, spend = r.total_usage, tokens = num(r.tokens_total),
                                requests = num(r.request_count), rate = rate, multiple = rate / B,
                                cache_hit_rate = r.cache_hit_rate }
    end
    -- The alternative: the model at or below the blended rate with the most tokens.
    if B and rate and rate <= B and num(r.tokens_total) > 0 and r.model ~= orscript.null
        and (not alternative or num(r.tokens_total) > alternative.tokens) then
      alternative = { model = r.model, rate = rate, tokens = num(r.tokens_total), spend = num(r.total_usage) }
    end
  end
  if not whole then
    warnings[#warnings + 1] = "spend by model was truncated: models outside the result were not compared"
  end
  return C.result(opts, {
    baseline = baseline, blended = B, models = models, by_model = C.index(models, "model"),
    flagged = flagged, alternative = alternative, warnings = warnings, top = opts.top,
  })
end

function M.run(opts) return (C.run(M, opts)) end

function M.tables(res)
  return { { "models", res.models } }
end

function M.render(res)
  local b, th = res.baseline, res.thresholds
  local out, add, put = C.buffer()
  put(C.window_heading("Top models", res))
  add("Spend %s · %s tokens · %s requests · blended rate %s", C.money(b.spend), C.count(b.tokens),
    C.count(b.requests), C.per_mtok(res.blended))
  add("")
  if #res.models == 0 then
    add("No traffic in this window.")
  else
    put(C.show(res.models:view({ "model", { "total_usage", "spend" }, { "total_usage_share", "share" },
      { "usd_per_mtok", "usd_mtok" }, { "x_blended", "x_blended", function(x) return math.floor(x * 10 + 0.5) / 10 end },
      { "request_count", "requests" }, { "tokens_total", "tokens" }, { "cache_hit_rate", "hit_rate" } }), res.top or 40))
  end
  add("")
  if #res.flagged == 0 then
    add("No model costs %g× the blended rate or more with at least %s of spend.", th.expensive_multiple,
      C.money(th.min_monthly_usd))
  else
    add("Flagged: effective rate at least %g× the blended %s and at least %s of spend:", th.expensive_multiple,
      C.per_mtok(res.blended), C.money(th.min_monthly_usd))
    for _, f in ipairs(res.flagged) do
      add("  ! %s: %s = %.1f× blended, %s spend, %s tokens", f.model, C.per_mtok(f.rate), f.multiple,
        C.money(f.spend), C.count(f.tokens))
    end
  end
  if res.alternative then
    add("Highest-volume model at or below the blended rate: %s at %s (%s tokens).", res.alternative.model,
      C.per_mtok(res.alternative.rate), C.count(res.alternative.tokens))
  end
  return C.finish(out, res.warnings)
end

C.script(M, "top_models", { options = { top = "number" }, args = "[--top N] [options]" })

return M
