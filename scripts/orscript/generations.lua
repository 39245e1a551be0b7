-- orscript.generations: the requests behind an analytics slice, one by one.
--
-- Owns: finding generation ids through the analytics `generation_id` dimension filtered
-- to a key, model, app (or any filter), a deterministic sample of them, fetching each
-- with GET /generation (at most `concurrency` in flight; the client retries 429 and 5xx
-- after the server's Retry-After), reading the fields whether they arrive as numbers,
-- numeric strings or null, and the summary: prompt and completion sizes, caching, finish
-- reasons, latency, providers, cost. A fetch that fails is kept and reported, never
-- dropped. Does not own: HTTP (core.submit/core.wait), key lookup (keys.lua), the
-- review's section (recipes/review_samples.lua). Reference: docs/scripting.md,
-- "orscript.generations".
local core = require "orscript.core"
local U = require "orscript.util"
local T = require "orscript.time"

local format, concat = string.format, table.concat
local floor, max, min, ceil = math.floor, math.max, math.min, math.ceil

local M = {}

M.ID_LIMIT = 10000          -- rows per id query: the API's maximum
M.MAX_DAYS = 31             -- generation_id is a generation-level field: windows of at most 31 days
M.MAX_N = 200               -- generations fetched per call
M.DEFAULT_N = 10
M.DEFAULT_CONCURRENCY = 8   -- /generation requests in flight
M.MAX_CONCURRENCY = 20      -- the client's connection pool per host
M.MAX_HALVINGS = 12         -- a truncated id query is asked again on the later half of its window

-- The columns of the rows table, in order.
M.COLUMNS = { "id", "created_at", "model", "provider", "tokens_prompt", "tokens_completion", "tokens_reasoning",
              "tokens_cached", "finish_reason", "latency", "generation_time", "cost" }
local FORMATS = { latency = "latency", generation_time = "latency", cost = "currency" }
local NUMERIC = { tokens_prompt = true, tokens_completion = true, tokens_reasoning = true, tokens_cached = true,
                  latency = true, generation_time = true, cost = true }

local Generations = U.class("orscript.Generations")
M.Generations = Generations

local function fail(fname, msg, ...) U.usage(fname .. ": " .. msg, ...) end

-- ---------------------------------------------------------------------------------
-- Reading a /generation answer: numbers may arrive as JSON numbers, numeric strings or
-- null; a value that is none of these (or not finite) is missing, never 0.

local function number(v)
  if type(v) == "string" then v = tonumber((v:gsub("^%s+", ""):gsub("%s+$", ""))) end
  if type(v) ~= "number" or v ~= v or v == math.huge or v == -math.huge then return nil end
  return v
end
M.number = number

local function text(v)
  if type(v) == "string" and v ~= "" then return v end
  if type(v) == "number" then return tostring(v) end
  return nil
end

local function first_number(...)
  for i = 1, select("#", ...) do
    local v = number(select(i, ...))
    if v ~= nil then return v end
  end
  return nil
end

-- One row (Lua values, nil where missing) from the `data` object of GET /generation.
-- Token counts are the native ones (what analytics counts), the normalised ones when
-- the native are missing; cost is total_cost, `usage` when it is missing.
function M.row(d, id)
  d = type(d) == "table" and d or {}
  return {
    id = text(d.id) or id,
    created_at = text(d.created_at),
    model = text(d.model),
    provider = text(d.provider_name),
    tokens_prompt = first_number(d.native_tokens_prompt, d.tokens_prompt),
    tokens_completion = first_number(d.native_tokens_completion, d.tokens_completion),
    tokens_reasoning = number(d.native_tokens_reasoning),
    tokens_cached = number(d.native_tokens_cached),
    finish_reason = text(d.finish_reason) or text(d.native_finish_reason),
    latency = number(d.latency),
    generation_time = number(d.generation_time),
    cost = first_number(d.total_cost, d.usage),
  }
end

-- ---------------------------------------------------------------------------------
-- The summary

-- Median (mean of the two middle values for an even count) and p90 (nearest rank:
-- the ceil(0.9 n)-th smallest) of the non-missing values among values[1..n] (nil holes
-- allowed); nil when there are none.
local function spread(values, n)
  local v = {}
  for i = 1, n or #values do
    local x = values[i]
    if x ~= nil then v[#v + 1] = x end
  end
  if #v == 0 then return nil end
  table.sort(v)
  local sum = 0
  n = #v
  for _, x in ipairs(v) do sum = sum + x end
  return { median = U.median_sorted(v), p90 = U.rank_sorted(v, 0.9), mean = sum / n, min = v[1], max = v[n], n = n,
           total = sum }
end
M.spread = spread

-- Shares of each value of `field` over the rows that have one: {{value, count, share}},
-- the most frequent first (ties by value).
local function mix(rows, field)
  local counts, n = {}, 0
  for _, r in ipairs(rows) do
    local v = r[field]
    if v ~= nil then counts[v] = (counts[v] or 0) + 1; n = n + 1 end
  end
  local out = {}
  for v, c in pairs(counts) do out[#out + 1] = { value = v, count = c, share = c / n } end
  table.sort(out, function(a, b) return a.count > b.count or (a.count == b.count and a.value < b.value) end)
  return out
end

local function column(rows, field)
  local out = {}
  for i, r in ipairs(rows) do out[i] = r[field] end
  return out, #rows
end

-- The summary of rows (Lua values, nil where missing). `missing` counts the rows that
-- lack each field, so a figure over fewer rows says so.
function M.summarise(rows)
  local s = { requests = #rows, missing = {} }
  for _, c in ipairs(M.COLUMNS) do
    local n = 0
    for _, r in ipairs(rows) do if r[c] == nil then n = n + 1 end end
    if n > 0 then s.missing[c] = n end
  end
  s.prompt = spread(column(rows, "tokens_prompt"))
  s.completion = spread(column(rows, "tokens_completion"))
  s.reasoning = spread(column(rows, "tokens_reasoning"))
  s.latency = spread(column(rows, "latency"))
  s.generation_time = spread(column(rows, "generation_time"))
  s.cost = spread(column(rows, "cost"))
  -- Caching: cached tokens as a share of prompt tokens, over the rows that report both.
  local cached, prompt, with_cache, both = 0, 0, 0, 0
  for _, r in ipairs(rows) do
    if r.tokens_cached ~= nil and r.tokens_prompt ~= nil then
      cached, prompt, both = cached + r.tokens_cached, prompt + r.tokens_prompt, both + 1
      if r.tokens_cached > 0 then with_cache = with_cache + 1 end
    end
  end
  s.cached_share = prompt > 0 and cached / prompt or nil
  s.cached_requests = both > 0 and with_cache / both or nil
  s.finish_reasons = mix(rows, "finish_reason")
  s.providers = mix(rows, "provider")
  s.models = mix(rows, "model")
  return s
end

local function count(x) return require("orscript.report.format").count(x) end
local function money(x) return require("orscript.report.format").money(x) end
local function pct(x) return require("orscript.report.format").percent(x) end

local function mix_text(list, n)
  local parts = {}
  for i, m in ipairs(list) do
    if i > (n or 3) then parts[#parts + 1] = format("%d more", #list - (n or 3)) break end
    parts[#parts + 1] = format("%s %s", m.value, pct(m.share))
  end
  return concat(parts, ", ")
end
M.mix_text = mix_text

-- The summary in words: one line of figures.
function M.describe(s)
  if not s or s.requests == 0 then return "no generations" end
  local parts = {}
  if s.prompt then parts[#parts + 1] = format("prompt median %s tokens (p90 %s)", count(s.prompt.median), count(s.prompt.p90)) end
  if s.completion then
    parts[#parts + 1] = format("completion median %s (p90 %s)", count(s.completion.median), count(s.completion.p90))
  end
  if s.reasoning and s.reasoning.total > 0 then parts[#parts + 1] = format("reasoning median %s", count(s.reasoning.median)) end
  if s.cached_share then parts[#parts + 1] = format("%s of prompt tokens cached", pct(s.cached_share)) end
  if #s.finish_reasons > 0 then parts[#parts + 1] = "finish " .. mix_text(s.finish_reasons) end
  if s.latency then parts[#parts + 1] = format("median latency %s ms", count(s.latency.median)) end
  if #s.providers > 0 then parts[#parts + 1] = "provider " .. mix_text(s.providers) end
  if s.cost then parts[#parts + 1] = format("cost %s in all, %s a request", money(s.cost.total), money(s.cost.mean)) end
  return format("%d request%s: %s", s.requests, s.requests == 1 and "" or "s", concat(parts, "; "))
end

-- ---------------------------------------------------------------------------------
-- Options

local OPTIONS = { key = true, model = true, app = true, where = true, range = true, n = true, seed = true,
                  ids = true, concurrency = true }

local function is_hash(s) return type(s) == "string" and #s == 64 and s:match("^%x+$") ~= nil end

local function check_int(...) return require("orscript.endpoints").check_int(...) end

-- A checked request from the options of orscript.generations (no request sent).
function M.prepare(opts, fname)
  fname = fname or "orscript.generations"
  opts = U.check_options(fname, opts, OPTIONS)
  local s = { fname = fname, notes = {}, filters = {} }
  s.concurrency = check_int(fname, "concurrency", opts.concurrency or M.DEFAULT_CONCURRENCY, 1, M.MAX_CONCURRENCY)
  if opts.seed ~= nil then check_int(fname, "seed", opts.seed, 0, 2 ^ 31) end
  s.seed = opts.seed
  if opts.ids ~= nil then
    for _, k in ipairs({ "key", "model", "app", "where", "range", "n", "seed" }) do
      if opts[k] ~= nil then fail(fname, "give either 'ids' (fetch these) or filters to sample from, not '%s' too", k) end
    end
    if type(opts.ids) ~= "table" or #opts.ids == 0 or #opts.ids > M.MAX_N then
      fail(fname, "invalid 'ids': expected a list of 1..%d generation ids, got %s", M.MAX_N, U.show(opts.ids))
    end
    s.ids = {}
    for i, id in ipairs(opts.ids) do
      if type(id) ~= "string" or id == "" then
        fail(fname, "invalid 'ids'[%d]: expected a generation id such as \"gen-...\", got %s", i, U.show(id))
      end
      s.ids[i] = id
    end
    s.n = #s.ids
    return s
  end
  s.n = check_int(fname, "n", opts.n or M.DEFAULT_N, 1, M.MAX_N)
  local r = opts.range ~= nil and T.range(opts.range) or T.last_days(7)
  if r:days() > M.MAX_DAYS then
    local narrowed = T.range(r.stop - M.MAX_DAYS * T.DAY, r.stop)
    s.notes[#s.notes + 1] = format("the range is %g days; generation-level data allows %d: sampled from its last %d days (%s)",
      r:days(), M.MAX_DAYS, M.MAX_DAYS, tostring(narrowed))
    r = narrowed
  end
  s.range, s.window = r, r
  if opts.key ~= nil then
    if type(opts.key) ~= "string" or opts.key == "" then
      fail(fname, "invalid 'key': expected its name or 64-hex hash, got %s", U.show(opts.key))
    end
    s.filters.key = opts.key
    if is_hash(opts.key) then s.key_hash = opts.key:lower() end
  end
  if opts.model ~= nil then
    if type(opts.model) ~= "string" or opts.model == "" then
      fail(fname, "invalid 'model': expected a model slug such as \"openai/gpt-4.1\", got %s", U.show(opts.model))
    end
    s.filters.model = opts.model
  end
  if opts.app ~= nil then
    local app = opts.app
    if type(app) == "string" and app:match("^%d+$") then app = tonumber(app) end
    if not U.is_integer(app) or app < 0 then
      fail(fname, "invalid 'app': expected the numeric app id (app_id in /generation; analytics filters apps by id), got %s",
        U.show(opts.app))
    end
    s.filters.app = app
  end
  s.where = opts.where
  s.query = M.id_query(s, r)  -- checked now, against the catalogue: a bad filter raises before any request
  s.query:body()
  return s
end

-- The analytics query listing the generation ids of request `s` in `range`.
function M.id_query(s, range)
  local where = {}
  if s.key_hash then where[#where + 1] = { "api_key_id", "eq", s.key_hash } end
  if s.filters.model then where[#where + 1] = { "model", "eq", s.filters.model } end
  if s.filters.app then where[#where + 1] = { "app", "eq", s.filters.app } end
  local q = require("orscript.query").new { metrics = { "request_count" }, by = { "generation_id" }, range = range,
                                            limit = M.ID_LIMIT }
  if #where > 0 then q = q:where(where) end
  if s.where ~= nil then q = q:where(s.where) end
  return q
end

-- ---------------------------------------------------------------------------------
-- Sampling

-- Every `step`-th id of the sorted population, from an offset inside the first step that
-- the seed sets (the middle of each stratum without one): a systematic sample, the same
-- for the same population and seed. API ids (`gen-<unix time>-...`) sort by time, so the
-- sample spreads over the window.
function M.pick(ids, n, seed)
  local sorted = {}
  for i, id in ipairs(ids) do sorted[i] = id end
  table.sort(sorted)
  local N = #sorted
  if N <= n then return sorted end
  local frac = seed == nil and 0.5 or (seed * 0.6180339887498949) % 1
  local step = N / n
  local out = {}
  for i = 0, n - 1 do out[#out + 1] = sorted[min(N, floor(i * step + frac * step) + 1)] end
  return out
end

-- Later half of `r`, cut on an hour (or minute) boundary when the range is long enough.
local function later_half(r)
  local mid = r.start + (r.stop - r.start) / 2
  for _, unit in ipairs({ T.DAY, T.HOUR, T.MINUTE }) do
    local m = floor(mid / unit) * unit
    if m > r.start and m < r.stop and r.stop - r.start >= 2 * unit then return T.range(m, r.stop) end
  end
  if r.stop - r.start < 2 then return nil end
  return T.range(floor(mid), r.stop)
end

-- Starts request `s` on the later part of its range that should hold about half an id
-- answer when about `expected` generations match over the whole range (whole days; half,
-- because traffic is rarely even over the days), saving the rounds of halving a truncated
-- answer would take.
local function narrow(s, expected)
  local r = s.range
  if not expected or expected <= 0.8 * M.ID_LIMIT or r:days() < 2 then return end
  local days = math.max(1, floor(r:days() * 0.5 * M.ID_LIMIT / expected))
  s.window = T.range(max(r.start, r.stop - days * T.DAY), r.stop)
  s.narrowed = expected
  s.query = M.id_query(s, s.window)
end

-- Resolves key names to hashes for every request, listing the keys once.
local function resolve_keys(list)
  local names = {}
  for _, s in ipairs(list) do if s.filters.key and not s.key_hash then names[#names + 1] = s end end
  if #names == 0 then return end
  local K = require "orscript.keys"
  local by_name = {}
  for _, k in K.keys({ include_disabled = true }):rows() do
    by_name[k.name] = by_name[k.name] or {}
    table.insert(by_name[k.name], k.hash)
  end
  for _, s in ipairs(names) do
    local found = by_name[s.filters.key]
    if found and #found == 1 then s.key_hash = found[1]
    else s.key_hash = K.resolve_key(s.filters.key, s.fname) end  -- raises: unknown or ambiguous
    s.query = M.id_query(s, s.window)
  end
end

-- Rounds of id queries, every request at once; a truncated answer is asked again on the
-- later half of its window until it is whole. Fills s.population (ids) and s.window.
-- The requests filtered by a key name wait for `resolve(those)` (the key lookup), which
-- runs while the others' first id queries are in flight.
local function find_ids(list, soft, resolve)
  local active, keyed, pend = {}, {}, {}
  for _, s in ipairs(list) do
    if not s.ids and not s.error then
      s.halvings = 0
      if s.filters.key and not s.key_hash then keyed[#keyed + 1] = s else active[#active + 1] = s end
    end
  end
  for _, s in ipairs(active) do pend[s] = s.query:submit() end
  if #keyed > 0 then
    resolve(keyed)
    for _, s in ipairs(keyed) do
      if not s.error then active[#active + 1] = s; pend[s] = s.query:submit() end
    end
  end
  while #active > 0 do
    local again = {}
    for _, s in ipairs(active) do
      local ok, t = pcall(core.wait, pend[s])
      if not ok then
        if not soft or (type(t) == "table" and t.kind == "interrupted") then error(t, 0) end
        s.error = format("the generation ids could not be listed: %s", type(t) == "table" and tostring(t.message) or tostring(t))
      elseif s.narrowed and not t.meta.truncated and #t < s.n then
        -- The guess was wrong (the traffic stopped, or generation-level data ends earlier):
        -- the whole range after all.
        s.narrowed, s.window = nil, s.range
        s.query = M.id_query(s, s.window)
        again[#again + 1] = s
      elseif t.meta.truncated and s.halvings < M.MAX_HALVINGS and later_half(s.window) then
        s.halvings = s.halvings + 1
        s.window = later_half(s.window)
        s.query = M.id_query(s, s.window)
        again[#again + 1] = s
      else
        local ids = {}
        for _, r in t:rows() do
          if type(r.generation_id) == "string" and r.generation_id ~= "" then ids[#ids + 1] = r.generation_id end
        end
        s.population, s.population_truncated = ids, t.meta.truncated == true
        if s.halvings > 0 or s.narrowed then
          local w = s.window
          s.notes[#s.notes + 1] = format("%s generations match over the whole range: sampled from its last %s, "
            .. "%s .. %s (%s generations)", s.halvings > 0 and ("more than " .. count(M.ID_LIMIT))
              or ("about " .. count(s.narrowed)),
            w:days() >= 1 and format("%g days", floor(w:days() * 10 + 0.5) / 10)
              or format("%g hours", floor(w:hours() * 10 + 0.5) / 10),
            T.format(w.start), T.format(w.stop), count(#ids))
        end
        if s.population_truncated then
          s.notes[#s.notes + 1] = format("the id list stopped at the API's row limit (%s): sampled from those",
            count(M.ID_LIMIT))
        end
        s.ids = M.pick(ids, s.n, s.seed)
      end
    end
    active, pend = again, {}
    for _, s in ipairs(active) do pend[s] = s.query:submit() end
  end
end

-- GET /generation for every id of every request, at most `concurrency` in flight.
-- Fills s.rows (Lua values) and s.failed ({id, status, kind, message}).
local function fetch(list, concurrency)
  local jobs = {}
  for _, s in ipairs(list) do
    s.rows, s.failed = {}, {}
    for _, id in ipairs(s.ids or {}) do jobs[#jobs + 1] = { s = s, id = id } end
  end
  local pend, nexti = {}, 1
  local function launch()
    local j = jobs[nexti]
    pend[nexti] = core.submit("generation", { id = j.id })
    nexti = nexti + 1
  end
  for _ = 1, min(concurrency, #jobs) do launch() end
  for i, j in ipairs(jobs) do
    local ok, g = pcall(core.wait, pend[i])
    pend[i] = nil
    if nexti <= #jobs then launch() end
    local s = j.s
    if not ok then
      if type(g) == "table" and g.kind == "interrupted" then error(g, 0) end
      local e = type(g) == "table" and g or { message = tostring(g) }
      s.failed[#s.failed + 1] = { id = j.id, status = e.status or 0, kind = e.kind or "internal",
                                  message = tostring(e.message) }
    elseif type(g) ~= "table" or (g.id == nil and g.model == nil and g.total_cost == nil) then
      s.failed[#s.failed + 1] = { id = j.id, status = 0, kind = "data", message = "the API sent no generation object" }
    elseif g.id ~= nil and g.id ~= j.id then
      s.failed[#s.failed + 1] = { id = j.id, status = 0, kind = "data",
                                  message = format("the API answered with another generation (%s)", tostring(g.id)) }
    else
      s.rows[#s.rows + 1] = M.row(g, j.id)
    end
  end
end

-- The result object of request `s`.
local function result(s)
  local rows = s.rows or {}
  table.sort(rows, function(a, b) return (a.created_at or "") < (b.created_at or "") or
    ((a.created_at or "") == (b.created_at or "") and a.id < b.id) end)
  local notes = {}
  for _, n in ipairs(s.notes) do notes[#notes + 1] = n end
  if s.error then notes[#notes + 1] = s.error end
  local filters = {}
  for _, k in ipairs({ "key", "model", "app" }) do
    if s.filters[k] ~= nil then filters[#filters + 1] = format("%s %s", k, tostring(s.filters[k])) end
  end
  local what = #filters > 0 and concat(filters, ", ") or "this account"
  local note
  if s.dry_run then
    note = "nothing sent (--dry-run)"
  elseif s.error then
    note = s.error
  elseif s.population and #s.population == 0 then
    note = format("no generations match %s in %s (generation-level data covers recent days only; check the "
      .. "filters and the range)", what, tostring(s.window))
  end
  if note and note ~= s.error then notes[#notes + 1] = note end
  if #(s.failed or {}) > 0 then
    local f = s.failed[1]
    notes[#notes + 1] = format("%d of %d fetches failed (first: %s: %s)", #s.failed, #s.ids, f.id, f.message)
  end
  local cells = {}
  for i, r in ipairs(rows) do
    local c = {}
    for _, name in ipairs(M.COLUMNS) do
      local v = r[name]
      if v == nil then v = core.null end
      c[name] = v
    end
    cells[i] = c
  end
  local opts = { columns = M.COLUMNS, formats = FORMATS, meta = { warnings = notes } }
  local t
  if #cells == 0 then
    local typed = {}
    for _, name in ipairs(M.COLUMNS) do typed[name] = NUMERIC[name] and 0 or "x" end
    typed.created_at = "2026-01-01T00:00:00Z"  -- keeps the column's type (time) when empty
    t = core.table({ typed }, opts):filter(function() return false end)
  else
    t = core.table(cells, opts)
  end
  local summary = M.summarise(rows)
  summary.sampled = s.ids and #s.ids or 0
  summary.failed = #(s.failed or {})
  summary.population = s.population and #s.population or nil
  return setmetatable({
    rows = t, summary = summary, failed = s.failed or {}, ids = s.ids or {}, population = summary.population or false,
    range = s.window or false, filters = s.filters, notes = notes, note = note or false,
  }, Generations)
end

-- Samples for several requests at once: the key lookup, each round of id queries and
-- the /generation fetches are shared. `specs` are option tables of orscript.generations;
-- with `soft`, a request whose ids cannot be listed gets a note instead of raising;
-- `expected[i]`, when known, is about how many generations spec i matches (the caller's
-- request_count), which narrows the first id query (see narrow).
-- Returns a list of orscript.Generations in the order of `specs`.
function M.sample_many(specs, soft, fname, expected)
  fname = fname or "orscript.generations"
  local list, concurrency = {}, 1
  for i, o in ipairs(specs) do
    list[i] = M.prepare(o, fname)
    concurrency = max(concurrency, list[i].concurrency)
    if not list[i].ids then narrow(list[i], expected and expected[i]) end
  end
  if core.dry_run() then
    for _, s in ipairs(list) do s.dry_run, s.ids = true, {} end
  else
    local function resolve(keyed)
      if not soft then return resolve_keys(keyed) end
      local ok, err = pcall(resolve_keys, keyed)
      if not ok then
        if type(err) == "table" and err.kind == "interrupted" then error(err, 0) end
        for _, s in ipairs(keyed) do
          if not s.key_hash then
            s.error = format("the key could not be looked up: %s", type(err) == "table" and tostring(err.message) or tostring(err))
          end
        end
      end
    end
    find_ids(list, soft, resolve)
    fetch(list, concurrency)
  end
  local out = {}
  for i, s in ipairs(list) do out[i] = result(s) end
  return out
end

-- orscript.generations{key =, model =, app =, where =, range =, n =, seed =, ids =, concurrency =}
function M.generations(opts)
  return M.sample_many({ opts or {} }, false)[1]
end

function Generations:describe() return M.describe(self.summary) end

Generations.__tostring = function(self)
  local head = self.note and ("orscript.Generations: " .. self.note) or ("orscript.Generations: " .. self:describe())
  return head .. "\n" .. tostring(self.rows)
end

return M
