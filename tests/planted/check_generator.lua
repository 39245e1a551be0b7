-- tests/planted/check_generator.lua: the planted-problem generator is deterministic, spans
-- the sizes it promises, and plants what it says with margin.
--   orscript tests/planted/check_generator.lua [first-last]   (default 1-40)
local here = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
package.path = here .. "/?.lua;" .. package.path
local planted = require "planted"
local json = orscript.json

local lo, hi = (arg[1] or "1-40"):match("^(%d+)%-(%d+)$")
lo, hi = tonumber(lo), tonumber(hi)
local failures = 0
local function check(cond, msg)
  if not cond then
    failures = failures + 1
    io.stderr:write("FAIL: " .. msg .. "\n")
  end
end

local min_keys, max_keys, min_models, max_models, kinds, observed = math.huge, 0, math.huge, 0, {}, 0
local min_rpd, max_rpd = math.huge, 0
for seed = lo, hi do
  local a, b = planted.generate(seed), planted.generate(seed)
  local text = planted.encode(a.scenario)
  check(text == planted.encode(b.scenario), "seed " .. seed .. ": scenario differs between runs")
  check(planted.encode(a.truth) == planted.encode(b.truth), "seed " .. seed .. ": truth differs between runs")
  -- The file text is JSON holding the same scenario (numbers may differ in the 17th digit).
  local back = json.decode(text)
  check(back.name == a.scenario.name and #back.streams == #a.scenario.streams and #back.keys == #a.scenario.keys,
        "seed " .. seed .. ": scenario text does not decode to the scenario")
  local t = a.truth
  min_keys, max_keys = math.min(min_keys, t.account.keys), math.max(max_keys, t.account.keys)
  min_models, max_models = math.min(min_models, t.account.models), math.max(max_models, t.account.models)
  min_rpd, max_rpd = math.min(min_rpd, t.account.requests_per_day), math.max(max_rpd, t.account.requests_per_day)
  check(t.account.keys >= 3 and t.account.keys <= 300, "seed " .. seed .. ": keys out of 3..300")
  check(t.account.models >= 2 and t.account.models <= 50, "seed " .. seed .. ": models out of 2..50")
  check(#a.scenario.keys == t.account.keys and #a.scenario.models == t.account.models,
        "seed " .. seed .. ": truth and scenario disagree on the size")
  for _, p in ipairs(t.problems) do
    kinds[p.kind] = (kinds[p.kind] or 0) + 1
    check(p.margin >= 1.12, string.format("seed %d: %s planted with margin %.3f", seed, p.kind, p.margin))
    check(p.impact_usd >= 50 * 1.12, string.format("seed %d: %s impact %.2f under the minimum", seed, p.kind, p.impact_usd))
  end
  observed = observed + #t.observations
  -- Every stream names a key and model of the scenario.
  local keys, models = {}, {}
  for _, k in ipairs(a.scenario.keys) do keys[k.name] = true end
  for _, m in ipairs(a.scenario.models) do models[m.slug] = true end
  for _, st in ipairs(a.scenario.streams) do
    check(keys[st.key] and models[st.model], "seed " .. seed .. ": a stream names an unknown key or model")
  end
end
for _, k in ipairs({"expensive_model", "expensive_model_spread", "caching", "cache_writes", "prompt_trimming", "reasoning",
                    "web_search", "native_web_search", "file_parsing", "web_fetch", "growth", "spike", "model_upgrade"}) do
  check((kinds[k] or 0) > 0, "no seed plants " .. k)
end
check(observed > 0, "no seed plants an already-fixed move")
check(min_keys <= 10 and max_keys >= 150, string.format("keys span only %d..%d", min_keys, max_keys))
check(min_rpd < 1000 and max_rpd > 20000, string.format("traffic spans only %d..%d requests a day", min_rpd, max_rpd))
print(string.format("seeds %d-%d: keys %d..%d, models %d..%d, requests/day %d..%d, %d fixed moves", lo, hi, min_keys,
                    max_keys, min_models, max_models, min_rpd, max_rpd, observed))
if failures > 0 then os.exit(1) end
