-- check_samples: the cost review's "requests behind it" checked against the API itself,
-- on whatever account the test runs against (no figure of a particular scenario):
--   * every expensive-model and caching recommendation (up to the review's cap) carries a
--     sample, and no other kind does;
--   * each sampled request's figures are what GET /generation says for its id, fetched
--     here independently, and the summary (cost, sizes, finish shares) is recomputed from
--     those fetches, not from the review's rows;
--   * the sampled ids are the finding's: an analytics query filtered to the ids and the
--     finding's model (and key) finds every one of them;
--   * every output (terminal, Markdown, HTML, --json) shows the section with every id.
--   local CS = require "check_samples"; CS.check(T, data, { n = 5 })  -- T: testlib
local core = require "orscript.core"
local report = require "orscript.report"

local CS = {}

local SAMPLED = { expensive_model = true, expensive_model_spread = true, caching = true, cache_writes = true }
CS.SAMPLED = SAMPLED

local function median(list)
  local v = {}
  for i, x in ipairs(list) do v[i] = x end
  table.sort(v)
  local n = #v
  if n % 2 == 1 then return v[(n + 1) / 2] end
  return (v[n / 2] + v[n / 2 + 1]) / 2
end

local function val(x) if x == orscript.null then return nil end return x end

-- Checks `data` (cost_review.run's result) made with opts.n samples per finding.
-- Returns the number of recommendations that carried a sample with requests.
function CS.check(T, data, opts)
  local n, max_findings = opts.n, opts.max_findings or 6
  local review = require "cost_review"
  local Samples = require "review_samples"
  local text = report.terminal(data, { color = false, width = 120 })
  local md, html = report.markdown(data), report.html(data)
  local doc = orscript.json.decode(review.json_report(data))
  local eligible, sampled = 0, 0
  for i, r in ipairs(data.recommendations) do
    local s = r.samples
    if SAMPLED[r.kind] and eligible < max_findings then
      eligible = eligible + 1
      T.truthy(s, "a sample for " .. r.kind .. " " .. tostring(r.title))
      T.eq(s.requested, n)
      if s.population and s.population > 0 then
        T.eq(s.sampled, math.min(n, s.population), "sampled")
        T.eq(s.fetched + #s.failed, s.sampled, "every sampled id fetched or reported")
        T.eq(#s.failed, 0, "no fetch failed: " .. (s.failed[1] and s.failed[1].message or ""))
        -- The figures, against /generation fetched here.
        local costs, prompts, finish, total = {}, {}, {}, 0
        local ids = {}
        for j, row in ipairs(s.rows) do
          local g = orscript.generation(row.id)
          ids[j] = row.id
          T.eq(row.model, g.model, "model")
          T.eq(row.provider, g.provider_name, "provider")
          T.eq(row.tokens_prompt, g.native_tokens_prompt, "prompt tokens")
          T.eq(row.tokens_completion, g.native_tokens_completion, "completion tokens")
          T.eq(row.tokens_cached, val(g.native_tokens_cached), "cached tokens")
          T.eq(row.finish_reason, val(g.finish_reason), "finish reason")
          T.eq(row.latency, val(g.latency), "latency")
          T.eq(row.cost, g.total_cost, "cost")
          T.eq(orscript.time.parse(row.created_at), orscript.time.parse(g.created_at), "created_at")
          costs[#costs + 1], prompts[#prompts + 1] = g.total_cost, g.native_tokens_prompt
          finish[g.finish_reason] = (finish[g.finish_reason] or 0) + 1
          total = total + g.total_cost
        end
        T.near(s.summary.cost.total, total, 1e-9, "total cost")
        T.near(s.summary.cost.mean, total / #costs, 1e-9, "mean cost")
        T.eq(s.summary.prompt.median, median(prompts), "median prompt")
        local top = s.summary.finish_reasons[1]
        T.eq(top.share, finish[top.value] / #costs, "top finish reason's share")
        T.truthy(s.evidence and s.evidence:find(report.format_percent(top.share) .. " `" .. top.value .. "`", 1, true),
          "the evidence names the finish mix: " .. tostring(s.evidence))
        -- The ids are the finding's.
        local where = { { "generation_id", "in", ids }, { "model", "eq", r.model } }
        if r.kind == "expensive_model" and r.key ~= "(no key)" then
          where[#where + 1] = { "api_key_id", "eq", orscript.key_info(r.key).hash }
        end
        local t = orscript.query { metrics = { "request_count" }, by = { "generation_id" }, where = where,
                                   range = { s.range.from, s.range.to } }:run()
        T.eq(#t, #ids, "every sampled id is the finding's (" .. r.kind .. ")")
        -- Every output shows the section and every id.
        local title = "Requests behind it: " .. s.sampled .. " sampled"
        for name, out in pairs({ terminal = text, markdown = md, html = html }) do
          T.truthy(out:find(title, 1, true), name .. " shows the section")
          for _, id in ipairs(ids) do T.truthy(out:find(id, 1, true), name .. " shows " .. id) end
        end
        local js = doc.recommendations[i].samples
        T.eq(js.sampled, s.sampled)
        for j, id in ipairs(ids) do T.eq(js.requests[j].id, id, "json id") end
        if #ids > 0 then sampled = sampled + 1 end
      else
        T.truthy(s.note, "a sample without generations says why")
        T.truthy(text:find("Requests behind it: no generations found", 1, true)
          or text:find("Requests behind it: 0 sampled", 1, true), "the section says there is nothing")
      end
    else
      T.eq(r.samples, nil, "no sample for " .. r.kind)
      T.eq(doc.recommendations[i].samples, orscript.null)
    end
  end
  T.eq(data.stats.samples.findings, eligible, "findings sampled")
  T.truthy(Samples.DEFAULT >= 1)
  return sampled
end

return CS
