-- The cost review's "requests behind it" on the demo (issue 14, part 3): the sampled
-- requests of the expensive-model and caching findings match GET /generation for their
-- ids (tests/lua/check_samples.lua), the sample is the same on a second run, --samples 0
-- removes the section and sends no /generation request, and the evidence says what the
-- demo's planted traffic is. Other accounts: tests/lua/samples_accounts.lua; a failing
-- /generation: tests/lua/generations_fault.lua.
package.path = "recipes/?.lua;" .. package.path
local T = require "testlib"
local core = require "orscript.core"
local report = require "orscript.report"
local CS = require "check_samples"
local review = require "cost_review"

-- Counts the requests submitted per endpoint while `fn` runs.
local function counting(fn)
  local counts, real = {}, core.submit
  core.submit = function(endpoint, ...)
    counts[endpoint] = (counts[endpoint] or 0) + 1
    return real(endpoint, ...)
  end
  local ok, res = pcall(fn)
  core.submit = real
  if not ok then error(res, 0) end
  return res, counts
end

local data, counts = counting(function() return review.run {} end)

local function rec(kind)
  for _, r in ipairs(data.recommendations) do if r.kind == kind then return r end end
end

T.test("the expensive-model and caching findings carry 5 requests that match /generation", function()
  T.eq(CS.check(T, data, { n = 5 }), 2, "two findings sampled")
  T.eq(counts.generation, 10, "/generation requests")
  T.eq(data.stats.samples.fetched, 10)
  T.eq(data.stats.samples.failed, 0)
end)

T.test("the demo's evidence: batch-pipeline sends long generations to the preview model", function()
  local s = rec("expensive_model").samples
  T.eq(rec("expensive_model").key, "batch-pipeline")
  T.truthy(s.evidence:find("These 5 sampled requests are long generations", 1, true), s.evidence)
  for _, r in ipairs(s.rows) do
    T.eq(r.model, "openai/gpt-4.5-preview-2025-02-27")
    T.eq(r.provider, "OpenAI")
    T.truthy(r.tokens_completion > 2000, "a long answer: " .. r.tokens_completion)
  end
  local c = rec("caching").samples
  T.truthy(c.evidence:find("prompt-heavy requests", 1, true), c.evidence)
  T.truthy(c.summary.cached_share < 0.2, "the sampled prompts are mostly uncached")
  -- The sample lies in the review's window (October), in its last part when the window holds
  -- more generations than one id answer (10,000).
  T.truthy(s.range.from >= "2026-10-01" and s.range.to == "2026-11-01T00:00:00Z", s.range.from)
  T.truthy(s.population > 5)
end)

T.test("the same account and --now give the same sample", function()
  local again = review.run {}
  for _, kind in ipairs({ "expensive_model", "caching" }) do
    local a, b = rec(kind).samples, nil
    for _, r in ipairs(again.recommendations) do if r.kind == kind then b = r.samples end end
    local ia, ib = {}, {}
    for i, r in ipairs(a.rows) do ia[i] = r.id end
    for i, r in ipairs(b.rows) do ib[i] = r.id end
    T.eq(table.concat(ib, ","), table.concat(ia, ","), kind)
  end
end)

T.test("--samples 0: no section and no /generation request", function()
  local none, c = counting(function() return review.run { samples = 0 } end)
  T.eq(c.generation, nil, "no /generation request")
  for _, r in ipairs(none.recommendations) do T.eq(r.samples, nil, r.kind) end
  T.eq(none.stats.samples.findings, 0)
  -- Compared with a run made after this file's first one: the first run of a fresh cache
  -- directory also fetches the catalogue, which later runs read from the cache.
  local with = review.run {}
  T.eq(none.stats.requests, with.stats.requests, "the review's own requests are the same with and without")
  for name, text in pairs({ terminal = report.terminal(none, { color = false }), markdown = report.markdown(none),
                            html = report.html(none), json = review.json_report(none) }) do
    T.truthy(not text:find("Requests behind it", 1, true), name)
  end
  local doc = orscript.json.decode(review.json_report(none))
  T.eq(doc.recommendations[1].samples, orscript.null)
end)

T.test("a window older than the generation-level data: the section says so, nothing fetched", function()
  -- August 2026: the simulator keeps generation-level detail from mid-October on. The id
  -- query first aims at the window's last days (the finding's request count says they hold
  -- thousands), finds none, and then asks for the whole window: none either.
  local aug, c = counting(function() return review.run { range = orscript.time.month(orscript.time.parse("2026-08-01")) } end)
  T.eq(c.generation, nil, "no /generation request")
  local n = 0
  for _, r in ipairs(aug.recommendations) do
    if r.samples then
      n = n + 1
      T.eq(r.samples.population, 0)
      T.eq(r.samples.range.from, "2026-08-01T00:00:00Z", "the whole window was asked in the end")
      T.truthy(r.samples.note:find("no generations match", 1, true), r.samples.note)
    end
  end
  T.truthy(n >= 1, "sampled findings in August")
  local text = report.terminal(aug, { color = false })
  T.truthy(text:find("Requests behind it: no generations found (2026-08-01 – 2026-08-31)", 1, true))
end)

T.test("a bad --samples is a usage error", function()
  local Samples = require "review_samples"
  for _, v in ipairs({ -1, 2.5, 51 }) do
    local ok, err = pcall(Samples.count, v)
    T.truthy(not ok and err.kind == "usage", tostring(v))
    T.truthy(tostring(err.message):find("--samples expects a whole number", 1, true), tostring(err.message))
  end
  T.eq(Samples.count(nil), 5)
  T.eq(Samples.count(0), 0)
end)

T.done()
