-- A failing GET /generation, injected by the simulator (tests/CMakeLists.txt runs this
-- script three times, with the --fault given there):
--   some  generation:status=404#2   the first two fetches fail: the review still succeeds,
--                                   its section lists both failed ids (every output), the
--                                   other requests are summarised from what came back;
--   all   generation:status=404     every fetch fails: the section says so, no evidence;
--   429   generation:burst429=3     the first three get 429 + Retry-After: the client waits
--                                   and retries, nothing is lost.
package.path = "recipes/?.lua;" .. package.path
local T = require "testlib"
local report = require "orscript.report"
local review = require "cost_review"
local mode = assert(arg[1], "usage: generations_fault.lua some|all|429")

local data = review.run {}
local sampled = {}
for _, r in ipairs(data.recommendations) do if r.samples then sampled[#sampled + 1] = r end end
local outputs = { terminal = report.terminal(data, { color = false, width = 120 }), markdown = report.markdown(data),
                  html = report.html(data), json = review.json_report(data) }

T.test("the review runs to its end with the samples' outcome in every output (" .. mode .. ")", function()
  T.eq(#sampled, 2)
  local failed, fetched = 0, 0
  for _, r in ipairs(sampled) do
    failed, fetched = failed + #r.samples.failed, fetched + r.samples.fetched
    T.eq(r.samples.fetched + #r.samples.failed, r.samples.sampled)
    for _, f in ipairs(r.samples.failed) do
      T.eq(f.status, 404)
      for name, text in pairs(outputs) do T.truthy(text:find(f.id, 1, true), name .. " lists " .. f.id) end
      T.truthy(outputs.terminal:find("GET /generation failed for " .. #r.samples.failed .. " ids (HTTP 404: ", 1, true))
    end
  end
  local want = ({ some = 2, all = 10, ["429"] = 0 })[mode]
  T.eq(failed, want, "failed fetches")
  T.eq(fetched, 10 - want, "fetched")
  T.eq(data.stats.samples.failed, want)
  local warned = false
  for _, w in ipairs(data.warnings) do if w:find("/generation fetches failed", 1, true) then warned = true end end
  T.eq(warned, want > 0, "a warning when a fetch failed")
end)

T.test("the summary covers the requests that came back (" .. mode .. ")", function()
  for _, r in ipairs(sampled) do
    local s = r.samples
    if s.fetched == 0 then
      T.eq(s.evidence, nil, "no evidence without requests")
    else
      local total = 0
      for _, row in ipairs(s.rows) do total = total + row.cost end
      T.near(s.summary.cost.total, total, 1e-9)
      T.truthy(s.evidence:find("These " .. s.fetched .. " sampled requests", 1, true), s.evidence)
    end
  end
end)

T.test("orscript.generations reports a failed fetch instead of dropping it (" .. mode .. ")", function()
  -- The faults are spent by now ("some" and "429" apply to the first requests only).
  local g = orscript.generations { model = "openai/gpt-4.5-preview-2025-02-27", range = orscript.time.last_days(2),
                                   n = 3 }
  if mode == "all" then
    T.eq(#g.rows, 0)
    T.eq(#g.failed, 3)
    T.truthy(g.notes[#g.notes]:find("3 of 3 fetches failed", 1, true), g.notes[#g.notes])
    T.truthy(g.rows.meta.warnings[#g.rows.meta.warnings]:find("fetches failed", 1, true))
    T.eq(g.summary.failed, 3)
  else
    T.eq(#g.rows, 3)
    T.eq(#g.failed, 0)
  end
end)

T.done()
