-- tests/planted/score.lua: runs the cost review on planted-problem accounts and scores it.
--
--   orscript tests/planted/score.lua [--seeds 1-10 | --seeds 3,7,9] [--orscript BIN]
--            [--review recipes/cost_review.lua] [--work DIR] [--assert] [--quiet]
--
-- For each seed: planted.generate(seed) writes DIR/planted-SEED.json (the scenario) and
-- DIR/planted-SEED.truth.json, runs `BIN --demo --scenario FILE --seed SEED --now NOW
-- REVIEW --json DIR/planted-SEED.review.json`, and matches the report against the truth:
--
--   a recommendation matches a planted problem when `kind` is equal, the problem's own
--   target (key and model for expensive_model; model for the model checks; app or key for
--   the surcharges; key for growth, spike, model_upgrade) is equal, and no other of
--   key/model/app that the recommendation sets contradicts the problem's. A second
--   recommendation for the same problem counts as unmatched (a duplicate).
--   recall    = planted problems matched / planted problems
--   precision = recommendations matched / recommendations
--   sizing    = |impact_usd - truth| / truth of each matched recommendation
--   fixed moves: an observation of kind "fixed" (or "repointed") on the planted key.
--
-- Prints a table per kind and the totals; with --assert exits 1 unless recall >= 98 %,
-- precision >= 98 %, every sizing error <= 5 % and every fixed move is observed.
-- Exit 2 for bad arguments, 1 when a review run fails (its output is kept in DIR).
local here = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
package.path = here .. "/?.lua;" .. package.path
local planted = require "planted"
local json = orscript.json

local opts = {seeds = "1-10", orscript = "build/orscript", review = "recipes/cost_review.lua",
              work = os.getenv("TMPDIR") and (os.getenv("TMPDIR") .. "/planted") or "/tmp/planted"}
local i = 1
while i <= #arg do
  local a = arg[i]
  local function value()
    i = i + 1
    if not arg[i] then
      io.stderr:write("score.lua: " .. a .. " needs a value\n")
      os.exit(2)
    end
    return arg[i]
  end
  if a == "--seeds" then opts.seeds = value()
  elseif a == "--orscript" then opts.orscript = value()
  elseif a == "--review" then opts.review = value()
  elseif a == "--work" then opts.work = value()
  elseif a == "--assert" then opts.assert = true
  elseif a == "--quiet" then opts.quiet = true
  else
    io.stderr:write("score.lua: unknown argument '" .. a .. "' (see the header of tests/planted/score.lua)\n")
    os.exit(2)
  end
  i = i + 1
end

local seeds = {}
for part in opts.seeds:gmatch("[^,]+") do
  local lo, hi = part:match("^(%d+)%-(%d+)$")
  if lo then
    for s = tonumber(lo), tonumber(hi) do seeds[#seeds + 1] = s end
  elseif part:match("^%d+$") then
    seeds[#seeds + 1] = tonumber(part)
  else
    io.stderr:write("score.lua: --seeds takes N, N-M or a comma list, got '" .. opts.seeds .. "'\n")
    os.exit(2)
  end
end

local function shell_quote(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end
local function write_file(path, text)
  local tmp = path .. ".tmp"
  local f = assert(io.open(tmp, "w"))
  f:write(text)
  f:close()
  assert(os.rename(tmp, path))
end
local read_file = planted.read_file
os.execute("mkdir -p " .. shell_quote(opts.work))

-- The fields that identify a problem of each kind (the rest must not contradict).
local TARGET = {expensive_model = {"key", "model"}, expensive_model_spread = {"model"}, caching = {"model"},
                cache_writes = {"model"}, prompt_trimming = {"model"}, reasoning = {"model"}, growth = {"key"},
                spike = {"key"}, model_upgrade = {"key"}}
local function matches(problem, rec)
  if problem.kind ~= rec.kind then return false end
  local target = TARGET[problem.kind] or (problem.app and {"app"} or {"key"})
  for _, f in ipairs(target) do
    if rec[f] == nil or rec[f] == orscript.null or rec[f] ~= problem[f] then return false end
  end
  for _, f in ipairs({"key", "model", "app"}) do
    local v = rec[f]
    if v ~= nil and v ~= orscript.null and problem[f] ~= nil and v ~= problem[f] then return false end
  end
  return true
end

local per_kind = {}
local function K(kind)
  per_kind[kind] = per_kind[kind] or {planted = 0, found = 0, recs = 0, matched = 0, errors = {}}
  return per_kind[kind]
end
local totals = {planted = 0, found = 0, recs = 0, matched = 0, fixed = 0, fixed_seen = 0, worst = 0, runs = 0}
local failures, misses, extras, bad_sizes = {}, {}, {}, {}

for _, seed in ipairs(seeds) do
  local account = planted.generate(seed)
  local base = opts.work .. "/planted-" .. seed
  write_file(base .. ".json", planted.encode(account.scenario))
  write_file(base .. ".truth.json", planted.encode(account.truth))
  os.remove(base .. ".review.json")
  local cmd = table.concat({shell_quote(opts.orscript), "--demo", "--scenario", shell_quote(base .. ".json"), "--seed",
                            tostring(seed), "--now", account.now, shell_quote(opts.review), "--json",
                            shell_quote(base .. ".review.json"), ">", shell_quote(base .. ".out"), "2>&1"}, " ")
  local ok = os.execute(cmd)
  local text = read_file(base .. ".review.json")
  local report = text and json.decode(text)
  if (ok ~= 0 and ok ~= true) or not report then
    failures[#failures + 1] = string.format("seed %d: the review failed (see %s.out)", seed, base)
  else
    totals.runs = totals.runs + 1
    local truth = account.truth
    local used = {}
    for _, p in ipairs(truth.problems) do
      K(p.kind).planted = K(p.kind).planted + 1
      totals.planted = totals.planted + 1
    end
    local recs = report.recommendations or {}
    for _, rec in ipairs(recs) do
      K(rec.kind).recs = K(rec.kind).recs + 1
      totals.recs = totals.recs + 1
      local hit
      for pi, p in ipairs(truth.problems) do
        if not used[pi] and matches(p, rec) then
          hit = pi
          break
        end
      end
      if hit then
        used[hit] = true
        local p = truth.problems[hit]
        local err = math.abs(rec.impact_usd - p.impact_usd) / p.impact_usd
        K(rec.kind).matched = K(rec.kind).matched + 1
        K(rec.kind).found = K(rec.kind).found + 1
        K(rec.kind).errors[#K(rec.kind).errors + 1] = err
        totals.matched, totals.found = totals.matched + 1, totals.found + 1
        totals.worst = math.max(totals.worst, err)
        if err > 0.05 then
          bad_sizes[#bad_sizes + 1] = string.format("seed %d %s %s: %.2f vs truth %.2f (%.1f %%)", seed, rec.kind,
                                                    rec.target or "", rec.impact_usd, p.impact_usd, err * 100)
        end
      else
        extras[#extras + 1] = string.format("seed %d: unplanted %s on %s ($%.2f)", seed, tostring(rec.kind),
                                            tostring(rec.target or rec.key or rec.model or rec.app), rec.impact_usd or 0)
      end
    end
    for pi, p in ipairs(truth.problems) do
      if not used[pi] then
        misses[#misses + 1] = string.format("seed %d: missed %s on %s ($%.2f)", seed, p.kind,
                                            p.key or p.model or p.app or "?", p.impact_usd)
      end
    end
    for _, o in ipairs(truth.observations) do
      totals.fixed = totals.fixed + 1
      local seen = false
      for _, ob in ipairs(report.observations or {}) do
        if (ob.kind == "fixed" or ob.kind == "repointed") and ob.key == o.key then seen = true end
      end
      if seen then totals.fixed_seen = totals.fixed_seen + 1
      else misses[#misses + 1] = string.format("seed %d: fixed move of %s not observed", seed, o.key) end
    end
    if not opts.quiet then
      io.write(string.format("seed %3d  %s  %3d keys %2d models %6d req/day  planted %2d  recs %2d\n", seed, account.now,
                             truth.account.keys, truth.account.models, truth.account.requests_per_day,
                             #truth.problems, #recs))
    end
  end
end

local function pct(a, b) return b > 0 and string.format("%5.1f %%", 100 * a / b) or "    -  " end
io.write(string.format("\n%-24s %7s %5s %5s %7s %9s %9s %9s\n", "kind", "planted", "found", "recs", "recall",
                       "precision", "mean err", "max err"))
local kinds = {}
for k in pairs(per_kind) do kinds[#kinds + 1] = k end
table.sort(kinds)
for _, k in ipairs(kinds) do
  local s = per_kind[k]
  local sum, max = 0, 0
  for _, e in ipairs(s.errors) do sum, max = sum + e, math.max(max, e) end
  io.write(string.format("%-24s %7d %5d %5d %7s %9s %8.2f%% %8.2f%%\n", k, s.planted, s.found, s.recs,
                         pct(s.found, s.planted), pct(s.matched, s.recs), #s.errors > 0 and 100 * sum / #s.errors or 0,
                         100 * max))
end
io.write(string.format("%-24s %7d %5d %5d %7s %9s %9s %8.2f%%\n", "all", totals.planted, totals.found, totals.recs,
                       pct(totals.found, totals.planted), pct(totals.matched, totals.recs), "", 100 * totals.worst))
io.write(string.format("fixed moves observed: %d of %d; accounts reviewed: %d of %d\n", totals.fixed_seen, totals.fixed,
                       totals.runs, #seeds))
for _, list in ipairs({failures, misses, extras, bad_sizes}) do
  for _, line in ipairs(list) do io.write(line, "\n") end
end

if #failures > 0 then os.exit(1) end
if opts.assert then
  local recall = totals.planted > 0 and totals.found / totals.planted or 1
  local precision = totals.recs > 0 and totals.matched / totals.recs or 1
  if recall < 0.98 or precision < 0.98 or totals.worst > 0.05 or totals.fixed_seen < totals.fixed then
    io.write(string.format("FAIL: recall %.1f %% (>= 98), precision %.1f %% (>= 98), worst sizing error %.2f %% (<= 5), fixed %d/%d\n",
                           100 * recall, 100 * precision, 100 * totals.worst, totals.fixed_seen, totals.fixed))
    os.exit(1)
  end
  io.write("PASS\n")
end
