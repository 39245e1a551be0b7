-- recipes/review_samples.lua: the cost review's "requests behind it" (issue 14, part 3).
--
-- Owns: choosing the findings whose risk a sample of requests speaks to (an expensive
-- model on a key or spread over keys, caching, cache writes), sampling each one's
-- generations over the window's last 31 days with orscript.generations (all findings at
-- once: one key lookup, shared id queries, one pool of /generation fetches), and the
-- section's data and words: the figures (sizes, caching, finish reasons, latency,
-- providers, cost), the sentence that is the evidence for the risk line, the sampled
-- requests, the failed fetches and the notes. Does not own the rendering
-- (orscript.report.samples) nor the checks. The sample is deterministic: the same
-- account and --now give the same ids.
--
--   S.attach(recs, W, n, warnings) sets rec.samples on each chosen recommendation, adds a
--   warning per finding whose fetches failed, and returns {findings, requests, ms, fetched,
--   failed}; n = 0 does nothing and sends nothing. S.json(rec.samples) is the --json form.
local here = (debug.getinfo(1, "S").source:match("^@(.-)[^/\\]*$") or ""):gsub("^$", "./") .. "?.lua"
if not package.path:find(here, 1, true) then package.path = here .. ";" .. package.path end
local C = require "common"
local G = require "orscript.generations"

local time = orscript.time
local format, concat = string.format, table.concat
local max = math.max

local S = {}

S.DEFAULT = 5          -- requests sampled per finding (--samples N)
S.MAX = 50
S.MAX_FINDINGS = 6     -- findings sampled, best ranked first
-- The findings a sample of requests is evidence for, and the filters that select them.
S.KINDS = {
  expensive_model = function(r) return { key = r.key, model = r.model } end,
  expensive_model_spread = function(r) return { model = r.model } end,
  caching = function(r) return { model = r.model } end,
  cache_writes = function(r) return { model = r.model } end,
}

-- The sample size from --samples (nil: the default); a usage error unless 0..MAX.
function S.count(v)
  if v == nil then return S.DEFAULT end
  if type(v) ~= "number" or v ~= math.floor(v) or v < 0 or v > S.MAX then
    C.usage_error("--samples expects a whole number of requests per finding, 0..%d (0 turns the section off), got '%s'",
      S.MAX, tostring(v))
  end
  return v
end

-- The window sampled: the review's window up to now, its last 31 days at most (the API
-- serves generation_id over at most 31 days).
function S.range(W)
  local stop = W.data_stop
  local start = max(W.data_from or W.from, stop - G.MAX_DAYS * time.DAY)
  if start >= stop then return nil end
  return time.range(start, stop)
end

local function pct(x) return C.percent(x) end
local function count(x) return C.count(x) end

local function share_of(list, value)
  for _, m in ipairs(list) do if m.value == value then return m.share end end
  return 0
end

-- The figures in one sentence, and what they say about the finding's risk.
function S.evidence(kind, s)
  if not s or s.requests == 0 then return nil end
  local p, c = s.prompt, s.completion
  local parts = {}
  if p and c then
    parts[#parts + 1] = format("prompts of %s tokens (median; p90 %s), answers of %s (p90 %s)", count(p.median),
      count(p.p90), count(c.median), count(c.p90))
  end
  if #s.finish_reasons > 0 then
    local f = {}
    for i, m in ipairs(s.finish_reasons) do
      if i <= 3 then f[#f + 1] = format("%s `%s`", pct(m.share), m.value) end
    end
    parts[#parts + 1] = "finish " .. concat(f, ", ")
  end
  if s.cached_share then parts[#parts + 1] = format("%s of prompt tokens cached", pct(s.cached_share)) end
  if s.latency then parts[#parts + 1] = format("median latency %s ms", count(s.latency.median)) end
  if #s.providers > 0 then parts[#parts + 1] = "via " .. G.mix_text(s.providers) end
  if s.cost then parts[#parts + 1] = format("%s a request", require("orscript.report.samples").cost(s.cost.mean)) end
  local stop, length, tools = share_of(s.finish_reasons, "stop"), share_of(s.finish_reasons, "length"),
    share_of(s.finish_reasons, "tool_calls")
  local what
  if c and p and c.median <= 50 and stop >= 0.9 then
    what = "short, classification-like calls"
  elseif p and c and p.median >= 10 * max(1, c.median) then
    what = "prompt-heavy requests"
  elseif c and c.median >= 2000 then
    what = "long generations"
  elseif tools >= 0.2 then
    what = "agent turns with tool calls"
  end
  local text = what and format("These %d sampled requests are %s: %s.", s.requests, what, concat(parts, "; "))
    or format("These %d sampled requests: %s.", s.requests, concat(parts, "; "))
  local hint
  if kind == "expensive_model" or kind == "expensive_model_spread" then
    if length >= 0.1 then
      hint = format("%s stop at the length limit: compare whole answers, and check the cheaper model's output limit.",
        pct(length))
    elseif tools >= 0.2 then
      hint = format("%s end in tool calls: test the cheaper model's tool use on these requests, not only its answers.",
        pct(tools))
    elseif c and c.median <= 300 and stop >= 0.9 then
      hint = "Short answers that finish normally are where a cheaper model most often copes: compare a few of them."
    elseif c and c.median >= 2000 then
      hint = "Long answers are where models differ most: compare whole outputs, not only the first lines."
    end
    if s.reasoning and s.reasoning.total > 0 and c and c.total and c.total > 0 and s.reasoning.total / c.total >= 0.3 then
      hint = (hint and (hint .. " ") or "") .. format("%s of the answer tokens are reasoning: a model without "
        .. "reasoning may answer differently.", pct(s.reasoning.total / c.total))
    end
  elseif (kind == "caching" or kind == "cache_writes") and s.cached_requests and s.cached_share then
    local some = s.cached_requests * s.requests
    if kind == "cache_writes" then
      hint = format("%d of %d read anything from the cache (%s of their prompt tokens): a prefix written on every "
        .. "call and rarely read is what this finding pays for.", math.floor(some + 0.5), s.requests, pct(s.cached_share))
    elseif s.cached_requests >= 0.5 and s.cached_share < 0.2 then
      hint = format("%d of %d read part of the prompt from the cache, but only %s of its tokens: the cached prefix "
        .. "is short next to prompts of %s tokens; move more of the stable context into it.", math.floor(some + 0.5),
        s.requests, pct(s.cached_share), p and count(p.median) or "many")
    elseif s.cached_requests < 0.5 then
      hint = format("Only %d of %d read anything from the cache: the prefix changes between calls or is not marked "
        .. "cacheable.", math.floor(some + 0.5), s.requests)
    else
      hint = format("%s of these prompt tokens are already cached.", pct(s.cached_share))
    end
  end
  return text .. (hint and (" " .. hint) or "")
end

-- The section's data for one recommendation, from its orscript.Generations result.
local function section(kind, g, n, range)
  local rows = {}
  for _, r in g.rows:rows() do
    local o = {}
    for _, c in ipairs(G.COLUMNS) do
      local v = r[c]
      if v ~= orscript.null then o[c] = v end
    end
    rows[#rows + 1] = o
  end
  local s = g.summary
  local function fig(x) return x and { median = x.median, p90 = x.p90, mean = x.mean, total = x.total } or nil end
  local mixes = function(list)
    local out = {}
    for i, m in ipairs(list) do out[i] = { value = m.value, count = m.count, share = m.share } end
    return out
  end
  local gr = g.range
  return {
    requested = n, sampled = #g.ids, fetched = #rows, population = g.population or nil,
    range = gr and { from = time.format(gr.start), to = time.format(gr.stop),
                     label = format("%s – %s", time.date(gr.start), time.date(gr.stop - 1)) }
      or { from = time.format(range.start), to = time.format(range.stop),
           label = format("%s – %s", time.date(range.start), time.date(range.stop - 1)) },
    rows = rows, failed = g.failed, notes = g.notes, note = g.note or nil,
    summary = { prompt = fig(s.prompt), completion = fig(s.completion), reasoning = fig(s.reasoning),
                latency = fig(s.latency), generation_time = fig(s.generation_time), cost = fig(s.cost),
                cached_share = s.cached_share, cached_requests = s.cached_requests,
                finish_reasons = mixes(s.finish_reasons), providers = mixes(s.providers) },
    evidence = S.evidence(kind, s),
  }
end

-- Samples the requests behind the chosen recommendations of `recs` (ranked) over the
-- window `W`; `n` requests each. Never raises for the API's sake: a failure becomes the
-- section's note (and `warnings`).
function S.attach(recs, W, n, warnings)
  local stats = { findings = 0, requests = 0, ms = 0, fetched = 0, failed = 0 }
  if not n or n <= 0 then return stats end
  local range = S.range(W)
  local chosen, specs, expected = {}, {}, {}
  for _, r in ipairs(recs) do
    local pick = S.KINDS[r.kind]
    if pick and #chosen < S.MAX_FINDINGS and r.model then
      local f = pick(r)
      if f.key == "(no key)" then f.key = nil end  -- traffic without a key name: the model's
      if range then
        f.range, f.n = range, n
        chosen[#chosen + 1] = r
        specs[#specs + 1] = f
        -- about how many generations the range holds: the finding's requests, pro rata
        expected[#specs] = (r.requests or 0) * range:days() / max(W.days, range:days())
      else
        r.samples = { requested = n, sampled = 0, fetched = 0, rows = {}, failed = {}, notes = {},
                      note = "the window has no days with data to sample" }
      end
    end
  end
  if #specs == 0 then return stats end
  local t0, r0 = C.clock_ms(), C.requests()
  local ok, res = pcall(G.sample_many, specs, true, "cost review --samples", expected)
  if not ok then
    if type(res) == "table" and res.kind == "interrupted" then error(res, 0) end
    local why = type(res) == "table" and tostring(res.message) or tostring(res)
    warnings[#warnings + 1] = "request samples: " .. why
    for _, r in ipairs(chosen) do
      r.samples = { requested = n, sampled = 0, fetched = 0, rows = {}, failed = {}, notes = { why }, note = why }
    end
  else
    for i, r in ipairs(chosen) do
      r.samples = section(r.kind, res[i], n, range)
      stats.fetched = stats.fetched + r.samples.fetched
      stats.failed = stats.failed + #r.samples.failed
      if #r.samples.failed > 0 then
        warnings[#warnings + 1] = format("request samples for \"%s\": %d of %d /generation fetches failed "
          .. "(listed in the section)", r.title, #r.samples.failed, r.samples.sampled)
      end
    end
  end
  stats.findings = #chosen
  local r1 = C.requests()
  stats.requests = (r0 and r1) and (r1 - r0) or nil
  stats.ms = C.clock_ms() - t0
  return stats
end

-- The section in the --json report (docs/review-json.md, "samples"): nulls where missing.
function S.json(s)
  if type(s) ~= "table" then return nil end
  local N = orscript.null
  local function v(x) if x == nil then return N end return x end
  local rows = {}
  for i, r in ipairs(s.rows or {}) do
    local o = {}
    for _, c in ipairs(G.COLUMNS) do o[c] = v(r[c]) end
    rows[i] = o
  end
  local failed = {}
  for i, f in ipairs(s.failed or {}) do failed[i] = { id = f.id, status = f.status, message = f.message } end
  local sum = s.summary or {}
  local function fig(x) return x and { median = v(x.median), p90 = v(x.p90), mean = v(x.mean), total = v(x.total) } or N end
  return {
    requested = s.requested, sampled = s.sampled, fetched = s.fetched, population = v(s.population),
    from = v(s.range and s.range.from), to = v(s.range and s.range.to),
    evidence = v(s.evidence), note = v(s.note), notes = s.notes or {},
    summary = { prompt_tokens = fig(sum.prompt), completion_tokens = fig(sum.completion),
                reasoning_tokens = fig(sum.reasoning), latency_ms = fig(sum.latency),
                generation_time_ms = fig(sum.generation_time), cost = fig(sum.cost),
                cached_share = v(sum.cached_share), cached_requests = v(sum.cached_requests),
                finish_reasons = sum.finish_reasons or {}, providers = sum.providers or {} },
    requests = rows, failed = failed,
  }
end

return S
