-- recipes/review_json.lua: the cost review's --json report (docs/review-json.md).
--
-- Owns: the versioned, stable JSON document made from the review's data table: which
-- fields each recommendation, observation and check carries, and null for what is
-- missing. Does not own the data (cost_review.lua) or the other formats (orscript.report).
local time = orscript.time

local J = {}

J.VERSION = 1

local IDENT = { "key", "model", "app" }
local OMIT = { title = true, target = true, action = true, change = true, risk = true, figures = true, rank = true,
               kind = true, series = true, keys = true, impact_usd = true }

function J.report(data)
  local N = orscript.null
  local function v(x) if x == nil then return N end return x end
  local W = data.W or {}
  local doc = {
    version = J.VERSION,
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

return J
