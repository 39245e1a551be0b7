-- tests/planted/guardrails_check.lua: recipes/guardrails.lua's proposals on planted-problem accounts.
--
--   orscript tests/planted/guardrails_check.lua [--seeds 5,7,19] [--orscript BIN] [--work DIR]
--
-- For each seed: planted.generate(seed) writes DIR/guard-SEED.json (scenario) and runs
-- `BIN --demo --scenario FILE --seed SEED --now NOW tests/planted/guardrails_check.lua --check
-- FILE.truth.json FILE.json`, which plans (every reset period, and auto) and checks each
-- proposal against the generator's truth, never against the recipe's own classification:
--
--   truth-abnormal days   a planted spike's week and a planted growth's weeks since its start,
--                         read from the scenario's volume changes (week_start_ago), and the days
--                         before a planted move off an expensive model (its old level); decoys
--                         (a spike 2-2.6×, growth 1.35-1.6×, under the review's thresholds)
--                         are normal use;
--   never blocks normal   replaying each proposed limit on the key's daily spend (queried
--                         here, summed by this file's own loop) refuses nothing on a day of
--                         a period (UTC day, Monday week, month) without a truth-abnormal day;
--   stops the problem     the auto proposal of a key with a planted spike or growth refuses
--                         spend on its truth-abnormal days.
-- Exit 1 with the failures listed, 2 for bad arguments.
local here = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
package.path = here .. "/?.lua;" .. here .. "/../../recipes/?.lua;" .. package.path
local json = orscript.json

local read_file = require("planted").read_file

-- ---------------------------------------------------------------------------------
-- Check mode: inside the simulated account.
if arg[1] == "--check" then
  local G = require "guardrails"
  local time = orscript.time
  local DAY = time.DAY
  local truth = json.decode(read_file(arg[2]))
  local scenario = json.decode(read_file(arg[3]))
  local now = orscript.now()
  local sun_stop = time.floor(now, "week")
  -- Truth-abnormal spans per key: from the planted plants' volume changes.
  local bad = {}
  local problem = {}
  for _, p in ipairs(truth.problems) do
    if p.kind == "spike" or p.kind == "growth" then problem[p.key] = p.kind end
  end
  for _, st in ipairs(scenario.streams) do
    local kind = problem[st.key]
    if kind and st.changes then
      local first = st.changes[1]
      local from = sun_stop - first.week_start_ago * 7 * DAY
      bad[st.key] = { from = from, to = kind == "spike" and from + 7 * DAY or math.huge }
    end
  end
  -- A planted move off an expensive model (truth "fixed"): the key's spend fell on that date; the
  -- days before are its old level, neither normal use now nor a problem.
  local old_level = {}
  for _, o in ipairs(truth.observations or {}) do
    if o.kind == "fixed" and o.date then old_level[o.key] = time.parse(o.date) end
  end
  local failures = {}
  local function fail(...) failures[#failures + 1] = string.format(...) end

  -- Daily counted spend per key (own query, own sums).
  local span = G.span(8, now)
  -- In slices of at most 9,000 key-days (the row limit is 10,000).
  local step = math.max(1, math.floor(9000 / math.max(1, #orscript.keys { include_disabled = true }))) * DAY
  local series = {}
  for a = span.from, span.today - DAY, step do
   local t = orscript.query { metrics = { "total_usage", "byok_usage" }, by = { "api_key_id" }, grain = "day",
                              range = time.range(a, math.min(a + step, span.today)), limit = 10000 }:run()
   assert(not t.meta.truncated, "daily spend by key truncated")
   for _, r in t:rows() do
    local k = r.api_key_id
    series[k] = series[k] or {}
    local v = (type(r.total_usage) == "number" and r.total_usage or 0) - (type(r.byok_usage) == "number" and r.byok_usage or 0)
    series[k][time.parse(r.date)] = (series[k][time.parse(r.date)] or 0) + v
   end
  end
  local function period_of(d, reset)
    if reset == "daily" then return d end
    if reset == "monthly" then
      local y, m = time.parts(d)
      return y * 12 + m
    end
    return math.floor((d / DAY - 4) / 7)   -- 1970-01-05 was a Monday: day index - 4 = Monday-based
  end
  local function is_bad(key, d) local b = bad[key] return b and d >= b.from and d < b.to end
  local function is_old(key, d) return old_level[key] ~= nil and d < old_level[key] end
  -- Spend refused per day by `limit` per `reset` over the span; {clean_normal = usd, bad = usd}.
  local function replay(key, limit, reset)
    local used, cur, dirty = 0, nil, {}
    local days = {}
    for d = span.from, span.today - DAY, DAY do days[#days + 1] = d end
    for _, d in ipairs(days) do
      if is_bad(key, d) or is_old(key, d) then dirty[period_of(d, reset)] = true end
    end
    local out = { clean_normal = 0, bad = 0, clean_days = {} }
    for _, d in ipairs(days) do
      local p = period_of(d, reset)
      if p ~= cur then cur, used = p, 0 end
      local s = (series[key] or {})[d] or 0
      local refused = math.max(0, math.min(s, used + s - limit))
      used = used + s
      if refused > 1e-6 and d >= span.mon_start then
        if is_bad(key, d) then
          out.bad = out.bad + refused
        elseif not dirty[p] then
          out.clean_normal = out.clean_normal + refused
          out.clean_days[#out.clean_days + 1] = time.date(d)
        end
      end
    end
    return out
  end

  local proposals = 0
  for _, reset in ipairs({ "auto", "daily", "weekly", "monthly" }) do
    local plan = G.plan { reset = reset }
    for _, k in ipairs(plan.keys) do
      if k.proposed then
        proposals = proposals + 1
        local r = replay(k.name, k.proposed.limit, k.proposed.reset)
        if r.clean_normal > 0 then
          fail("seed %s key %s (%s): %s per %s refuses $%.2f of normal use on %s", truth.seed, k.name,
            problem[k.name] or "no planted spike/growth", k.proposed.limit, k.proposed.reset, r.clean_normal,
            table.concat(r.clean_days, ", "))
        end
        if reset == "auto" and problem[k.name] and k.action == "change" and r.bad <= 0 then
          fail("seed %s key %s: the planted %s is not stopped by %s per %s", truth.seed, k.name, problem[k.name],
            k.proposed.limit, k.proposed.reset)
        end
      end
    end
    if reset == "auto" then
      for key, kind in pairs(problem) do
        local found
        for _, k in ipairs(plan.keys) do if k.name == key then found = k end end
        if not found or not found.proposed then
          fail("seed %s key %s (planted %s): no proposal (%s)", truth.seed, key, kind,
            found and tostring(found.reason) or "not in the plan")
        end
      end
    end
  end
  print(string.format("seed %s: %d proposals checked, %d failures", truth.seed, proposals, #failures))
  for _, f in ipairs(failures) do print("  " .. f) end
  os.exit(#failures == 0 and 0 or 1)
end

-- ---------------------------------------------------------------------------------
-- Driver mode.
local planted = require "planted"
local opts = { seeds = "5,7,19,31,38,59", orscript = "build/orscript",
               work = (os.getenv("TMPDIR") or "/tmp") .. "/planted-guardrails" }
local i = 1
while i <= #arg do
  local a, v = arg[i], arg[i + 1]
  if a == "--seeds" and v then opts.seeds = v
  elseif a == "--orscript" and v then opts.orscript = v
  elseif a == "--work" and v then opts.work = v
  else
    io.stderr:write("guardrails_check.lua: unknown or incomplete argument '" .. tostring(a) .. "' (see its header)\n")
    os.exit(2)
  end
  i = i + 2
end
local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end
os.execute("mkdir -p " .. q(opts.work))
local bad = 0
for s in opts.seeds:gmatch("[^,]+") do
  local seed = tonumber(s)
  if not seed then io.stderr:write("guardrails_check.lua: --seeds takes a comma list of numbers\n") os.exit(2) end
  local account = planted.generate(seed)
  local base = opts.work .. "/guard-" .. seed
  for path, v in pairs({ [base .. ".json"] = account.scenario, [base .. ".truth.json"] = account.truth }) do
    local f = assert(io.open(path, "w"))
    f:write(planted.encode(v))
    f:close()
  end
  local cmd = table.concat({ q(opts.orscript), "--demo", "--no-rate-limit", "--scenario", q(base .. ".json"), "--seed",
    tostring(seed), "--now", account.now, q(arg[0]), "--check", q(base .. ".truth.json"), q(base .. ".json"),
    ">", q(base .. ".out"), "2>&1" }, " ")
  local ok = os.execute(cmd)
  io.write(((read_file(base .. ".out") or ""):gsub("orscript: demo mode:[^\n]*\n", "")))
  if ok ~= 0 and ok ~= true then bad = bad + 1 end
end
if bad > 0 then
  print(bad .. " seed(s) failed")
  os.exit(1)
end
print("all seeds passed")
