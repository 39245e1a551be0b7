-- orscript.generations and the simulator's GET /generation (issue 14, part 3):
--   * every field /generation gives for a generation agrees with what the analytics
--     queries say about that same generation (cost, tokens, model, provider, key, app,
--     finish reason, latency, throughput, time) over 60 generations of every key;
--   * a sample's rows are exactly what /generation says for the sampled ids, and the
--     sample is the same on a second run;
--   * the summary's figures, worked out by hand on fixed rows (strings, nulls);
--   * filters that match nothing: an empty table with a note, no /generation request;
--   * bad options raise before anything is sent.
-- A failing /generation is tests/lua/generations_fault.lua (run with --fault).
local T = require "testlib"
local core = require "orscript.core"
local G = require "orscript.generations"
local time = orscript.time

local function requests() return core.stats().requests end
local null = orscript.null
local function val(v) if v == null then return nil end return v end

-- 60 generations spread over every key of the last 3 days.
local window = time.last_days(3)
local all = orscript.query { metrics = { "request_count" }, by = { "generation_id" }, range = window,
                             limit = 10000 }:run()
local ids = G.pick(all:col("generation_id"), 55, 7)
-- and 5 of a key whose traffic is all BYOK (its cost is billed by the provider)
local byok_ids = orscript.query { metrics = { "request_count" }, by = { "generation_id" }, range = window, limit = 10000,
                                  where = { { "api_key_id", "eq", orscript.key_info("docs-summarizer").hash } } }:run()
for _, id in ipairs(G.pick(byok_ids:col("generation_id"), 5)) do ids[#ids + 1] = id end

-- One analytics query per angle, filtered to those ids: {id -> row}.
local function by_id(dim, metrics, extra)
  local spec = { metrics = metrics, by = { "generation_id", dim }, range = window, limit = 10000,
                 where = { { "generation_id", "in", ids } } }
  for k, v in pairs(extra or {}) do spec[k] = v end
  local out = {}
  for _, r in orscript.query(spec):run():rows() do
    T.truthy(out[r.generation_id] == nil, "one row per generation for " .. dim)
    out[r.generation_id] = r
  end
  return out
end

T.test("the simulator's /generation agrees with analytics for 60 generations", function()
  T.eq(#ids, 60)
  local money = by_id("model", { "total_usage", "credits_usage", "usage_upstream", "usage_cache", "byok_usage",
                                 "byok_request_count", "tokens_prompt", "tokens_completion", "reasoning_tokens",
                                 "cached_tokens", "avg_latency", "avg_throughput" })
  local provider = by_id("provider", { "request_count" })
  local key = by_id("api_key_id", { "request_count" })
  local finish = by_id("finish_reason", { "request_count" })
  local app = by_id("app", { "request_count" })
  local hour = by_id("model", { "request_count" }, { grain = "hour" })
  local key_ws = {}
  for _, k in orscript.keys():rows() do key_ws[k.name] = k.workspace_id end
  local gens = {}
  local pend = {}
  for i, id in ipairs(ids) do pend[i] = orscript.request.generation(id):submit() end
  local with_app, byok = 0, 0
  for i, id in ipairs(ids) do
    local g = core.wait(pend[i])
    gens[id] = g
    local a = T.truthy(money[id], "analytics row for " .. id)
    T.eq(g.id, id)
    T.eq(g.model, a.model, "model")
    T.near(g.total_cost, a.total_usage, 1e-9, "total_cost = total_usage")
    T.near(g.usage, a.credits_usage, 1e-9, "usage = credits_usage")
    T.eq(g.is_byok, a.byok_request_count == 1, "is_byok")
    if g.is_byok then byok = byok + 1; T.near(g.upstream_inference_cost, a.byok_usage, 1e-9, "BYOK upstream cost")
    else T.near(g.upstream_inference_cost, a.usage_upstream, 1e-9, "upstream cost") end
    T.eq(val(g.cache_discount) == nil, val(a.usage_cache) == nil, "cache_discount null where usage_cache is")
    T.near(val(g.cache_discount) or 0, -(val(a.usage_cache) or 0), 1e-9, "cache_discount = -usage_cache")
    T.eq(g.native_tokens_prompt, a.tokens_prompt, "prompt tokens")
    T.eq(g.native_tokens_completion, a.tokens_completion, "completion tokens")
    T.eq(g.native_tokens_reasoning, a.reasoning_tokens, "reasoning tokens")
    T.eq(g.native_tokens_cached, a.cached_tokens, "cached tokens")
    T.eq(g.latency, a.avg_latency, "latency")
    if g.native_tokens_completion > 0 then
      T.near(g.native_tokens_completion / (g.generation_time / 1000), a.avg_throughput, 1e-3, "throughput")
    end
    T.eq(g.provider_name, provider[id].provider, "provider")
    T.eq(g.finish_reason, finish[id].finish_reason, "finish reason")
    T.eq(g.workspace_id, key_ws[key[id].api_key_id], "workspace of the key")
    T.eq(time.format(time.floor(time.parse(g.created_at), "hour")), time.format(time.parse(hour[id].date)),
      "created_at in its hour bucket")
    T.truthy(window:contains(time.parse(g.created_at)), "created_at in the window")
    if val(g.app_id) then
      with_app = with_app + 1
      T.truthy(val(app[id].app), "analytics has an app for " .. id)
    else
      T.eq(val(app[id].app), nil, "no app in analytics either")
    end
  end
  T.truthy(with_app > 0, "some generations come from an app")
  T.truthy(byok >= 5, "BYOK generations compared: " .. byok)
  -- The app id /generation names is the one analytics filters by.
  local one
  for _, id in ipairs(ids) do if val(gens[id].app_id) then one = id break end end
  local t = orscript.query { metrics = { "request_count" }, by = { "generation_id" }, range = window,
                             where = { { "generation_id", "eq", one }, { "app", "eq", gens[one].app_id } } }:run()
  T.eq(#t, 1, "the generation is found under its app_id")
end)

local SLUG = "openai/gpt-4.5-preview-2025-02-27"
local sample = orscript.generations { key = "batch-pipeline", model = SLUG, range = time.last_month(), n = 6 }

T.test("a sample's rows are what /generation says for its ids", function()
  T.eq(#sample.ids, 6)
  T.eq(#sample.rows, 6)
  T.eq(#sample.failed, 0)
  T.truthy(sample.population > 6, "population " .. tostring(sample.population))
  for _, r in sample.rows:rows() do
    local g = orscript.generation(r.id)
    T.eq(r.model, g.model)
    T.eq(r.provider, g.provider_name)
    T.eq(r.tokens_prompt, g.native_tokens_prompt)
    T.eq(r.tokens_completion, g.native_tokens_completion)
    T.eq(r.tokens_reasoning, g.native_tokens_reasoning)
    T.eq(r.tokens_cached, g.native_tokens_cached)
    T.eq(r.finish_reason, g.finish_reason)
    T.eq(r.latency, g.latency)
    T.eq(r.generation_time, g.generation_time)
    T.eq(r.cost, g.total_cost)
    T.eq(time.parse(r.created_at), time.parse(g.created_at))
  end
  local spend = 0
  for _, r in sample.rows:rows() do spend = spend + r.cost end
  T.near(sample.summary.cost.total, spend, 1e-12)
  T.near(sample.summary.cost.mean, spend / 6, 1e-12)
end)

T.test("the sample is of the key and model asked for, and the same on a second run", function()
  local hash = orscript.key_info("batch-pipeline").hash
  local t = orscript.query { metrics = { "request_count" }, by = { "generation_id" }, range = time.last_month(),
                             where = { { "generation_id", "in", sample.ids }, { "api_key_id", "eq", hash },
                                       { "model", "eq", SLUG } } }:run()
  T.eq(#t, 6, "every sampled id is the key's, on the model")
  local again = orscript.generations { key = hash, model = SLUG, range = time.last_month(), n = 6 }
  T.eq(table.concat(again.ids, ","), table.concat(sample.ids, ","))
  local other = orscript.generations { key = hash, model = SLUG, range = time.last_month(), n = 6, seed = 3 }
  T.truthy(table.concat(other.ids, ",") ~= table.concat(sample.ids, ","), "another seed, another sample")
end)

T.test("a window with more generations than one answer holds is narrowed, and says so", function()
  -- batch-pipeline sent > 10,000 requests to the model in October: the later half is sampled.
  T.truthy(sample.range.start > time.last_month().start and sample.range.stop == time.last_month().stop)
  T.truthy(sample.notes[1]:find("more than 10,000 generations match", 1, true), sample.notes[1])
  T.truthy(sample.rows.meta.warnings[1]:find("more than 10,000", 1, true))
end)

T.test("the summary, worked out by hand, with strings and nulls", function()
  local rows = {
    G.row({ id = "a", native_tokens_prompt = "100", native_tokens_completion = 10, native_tokens_cached = "50",
            native_tokens_reasoning = null, finish_reason = "stop", latency = "200", provider_name = "P",
            total_cost = "0.5" }),
    G.row({ id = "b", native_tokens_prompt = 300, native_tokens_completion = "30", native_tokens_cached = 0,
            finish_reason = "stop", latency = 400, provider_name = "P", total_cost = 1.5 }),
    G.row({ id = "c", tokens_prompt = 200, native_tokens_prompt = null, native_tokens_completion = 20,
            native_tokens_cached = 10, finish_reason = "length", latency = null, provider_name = "Q", total_cost = null,
            usage = 1 }),
    G.row({ id = "d", native_tokens_prompt = "n/a", native_tokens_completion = 40, finish_reason = null,
            latency = 100, provider_name = "Q", total_cost = 2 }),
  }
  T.eq(rows[1].tokens_prompt, 100); T.eq(rows[1].cost, 0.5); T.eq(rows[1].tokens_reasoning, nil)
  T.eq(rows[3].tokens_prompt, 200, "normalised count when the native one is null")
  T.eq(rows[3].cost, 1, "usage when total_cost is null")
  T.eq(rows[4].tokens_prompt, nil, "a non-numeric string is missing, not 0")
  local s = G.summarise(rows)
  -- prompts 100, 200, 300 (d missing): median 200, p90 = ceil(2.7) = 3rd = 300
  T.eq(s.prompt.median, 200); T.eq(s.prompt.p90, 300); T.eq(s.prompt.n, 3)
  -- completions 10, 20, 30, 40: median (20 + 30) / 2 = 25, p90 = ceil(3.6) = 4th = 40
  T.eq(s.completion.median, 25); T.eq(s.completion.p90, 40)
  -- cached over rows with both: (50 + 0 + 10) / (100 + 300 + 200) = 0.1; 2 of 3 with any
  T.near(s.cached_share, 0.1); T.near(s.cached_requests, 2 / 3)
  -- finish: stop 2, length 1 of 3 that have one
  T.eq(s.finish_reasons[1].value, "stop"); T.near(s.finish_reasons[1].share, 2 / 3)
  T.eq(s.finish_reasons[2].value, "length")
  -- latency 100, 200, 400: median 200; cost 0.5 + 1.5 + 1 + 2 = 5, mean 1.25
  T.eq(s.latency.median, 200); T.near(s.cost.total, 5); T.near(s.cost.mean, 1.25)
  T.eq(s.providers[1].value, "P"); T.eq(s.providers[1].share, 0.5)
  T.eq(s.missing.tokens_prompt, 1); T.eq(s.missing.latency, 1); T.eq(s.missing.finish_reason, 1)
  T.eq(s.missing.tokens_reasoning, 4, "null (a) and absent (b, c, d) alike")
end)

T.test("filters that match nothing: an empty table with a note, no /generation request", function()
  local before = requests()
  local g = orscript.generations { key = "staging", model = SLUG, range = time.last_days(3) }
  T.eq(#g.rows, 0)
  T.eq(g.rows.columns[1], "id")
  T.eq(#g.rows.columns, #G.COLUMNS)
  T.truthy(g.note and g.note:find("no generations match key staging, model " .. SLUG, 1, true), tostring(g.note))
  T.eq(g.summary.requests, 0)
  T.eq(g:describe(), "no generations")
  -- the key lookup (workspaces, then keys per workspace) and one id query: nothing else
  T.eq(requests() - before, 1 + #orscript.workspaces() + 1)
end)

T.test("ids given: fetched as they are", function()
  local g = orscript.generations { ids = { sample.ids[1], sample.ids[2] } }
  T.eq(#g.rows, 2)
  T.eq(g.population, false, "no population: the ids were given")
end)

T.test("bad options raise before anything is sent", function()
  local before = requests()
  T.raises(function() orscript.generations { n = 0 } end, "invalid 'n': expected integer 1..200, got 0")
  T.raises(function() orscript.generations { modle = SLUG } end, "unknown option 'modle' (did you mean 'model'?)")
  T.raises(function() orscript.generations { app = "Acme" } end, "invalid 'app': expected the numeric app id")
  T.raises(function() orscript.generations { ids = { "gen-1" }, n = 3 } end, "give either 'ids'")
  T.raises(function() orscript.generations { where = { { "provder", "eq", "OpenAI" } } } end, "unknown")
  T.raises(function() orscript.generations { concurrency = 50 } end, "invalid 'concurrency'")
  T.eq(requests() - before, 0)
  T.raises(function() orscript.generations { key = "no-such-key" } end, "no key named \"no-such-key\"")
end)

T.test("a range over 31 days is narrowed to its last 31 days, with a note", function()
  local g = orscript.generations { model = SLUG, range = time.range("2026-09-01", "2026-11-01"), n = 2 }
  T.eq(g.range:days() <= 31, true)
  T.truthy(g.notes[1]:find("generation-level data allows 31", 1, true), g.notes[1])
end)

T.done()
