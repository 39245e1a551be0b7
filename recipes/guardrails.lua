-- recipes/guardrails.lua: a spending limit per key and a monthly budget per workspace, from the spend history
--
-- "Set the guardrails": proposes each limit from the key's own history and, with --apply, sets it.
--
--   orscript recipes/guardrails.lua [--weeks 8] [--headroom 1.5] [--reset auto|daily|weekly|monthly]
--            [--key NAME[,NAME...]] [--workspace REF] [--json FILE|-] [--apply [--yes] | --dry-run]
--
-- Owns: the proposal method (docs/recipes.md "guardrails.lua"), the plan table, and applying
-- it (PATCH /keys/{hash}, PUT /workspaces/{ref}/budgets/monthly) with a read-back. Does not
-- own: what counts as a spike or growth (review_checks.lua, the cost review's own weekly
-- checks, run here on the same weekly series) or the key-management calls (orscript.keys,
-- set_key_limit, set_budget).
--
-- Method, per key, over the last N complete Monday-Sunday weeks (the weeks a key's weekly
-- counter uses) of spend as the key's limit counts it (credit spend, plus BYOK when the key
-- has include_byok_in_limit):
--   abnormal days  the week of a spike and the two recent weeks of growth, as the cost review's
--                  weekly checks find them (Sunday weeks, review_checks.lua);
--   normal days    every other day from the key's first day of spend (or, when its weekly
--                  spend fell to a lower level at least 14 days ago, the review's level
--                  change, from the week after that change: the old level is history);
--   daily limit    p95 of normal days × headroom, never below the highest normal day;
--   weekly limit   p95 of normal weeks (Monday weeks without an abnormal day) × headroom,
--                  never below the highest normal week;
--   monthly limit  the weekly figures × 31/7 (the longest month);
--   rounded up to two significant figures, whole dollars at least ($1 minimum).
-- The reset period (--reset auto): for a key with a finding, the one that would have blocked
-- the most abnormal spend less the normal spend it blocks (ties: the shorter period); else the
-- period of its current limit, else weekly. A key with fewer than 21 days since its first spend, or no spend, gets no
-- proposal (the plan says why). A key whose current limit already fits (same period, at
-- least the unrounded proposal, at most the proposal) is kept; a lifetime cap is kept.
-- Workspace: a monthly budget = p95 of the workspace's normal weeks (each key's abnormal days
-- counted at that key's median normal day) × 31/7 × headroom, never below the highest such
-- week × 31/7, rounded as above; it must fit between the workspace's other budgets
-- (lifetime > monthly > weekly > daily) or it is not proposed.
--
-- Exit codes: 0 plan shown (applied, nothing to change, or a dry run); 2 bad arguments, or
-- --apply with stdin not a terminal and no --yes; 3 not a management key; 11 --apply not
-- confirmed (nothing changed); 12 --apply changed some but not all (the report lists which).
local C = require "common"
local R = require "review_checks"
local U = require "orscript.util"

local time = orscript.time
local null = orscript.null
local format, concat = string.format, table.concat
local floor, ceil, max, min = math.floor, math.ceil, math.max, math.min
local DAY = time.DAY

local M = {}

M.EXIT_DECLINED, M.EXIT_PARTIAL = 11, 12
M.MIN_DAYS = 21          -- days since a key's first spend before a limit is proposed
M.PERCENTILE = 0.95      -- the "high percentile" of normal periods
M.MONTH_WEEKS = 31 / 7   -- weeks in the longest month
M.PERIODS = { "daily", "weekly", "monthly" }
M.DEFAULTS = { weeks = 8, headroom = 1.5, reset = "auto" }

-- The cost review's thresholds (spike_ratio, growth_ratio, min_monthly_usd, level_change):
-- the same findings as the review, from its own table.
local function review_thresholds()
  local ok, review = pcall(require, "cost_review")
  if ok and type(review) == "table" and review.THRESHOLDS then return review.THRESHOLDS end
  return { spike_ratio = 3, growth_ratio = 1.8, min_monthly_usd = 50, level_change = 1.5 }
end

-- ---------------------------------------------------------------------------------
-- Numbers

-- Nearest-rank percentile p (0..1) of a list (nil when empty).
local function percentile(list, p)
  return U.rank_sorted(U.sorted_copy(list), p)
end
M.percentile = percentile

local function maximum(list)
  local m
  for _, v in ipairs(list) do if not m or v > m then m = v end end
  return m
end

-- v rounded up to two significant figures, whole dollars at least: 37.2 → 38, 1234 → 1300.
function M.step_up(v)
  if not v or v <= 0 then return 1 end
  local step = max(1, 10 ^ (floor(math.log10(v)) - 1))
  local r = ceil(v / step - 1e-9) * step
  return r < v and r + step or r
end

-- "$1,300/week"; "none" without a limit; "$50 lifetime" for a limit that never resets.
function M.limit_text(limit, reset)
  if limit == nil or limit == null then return "none" end
  local money = C.money(limit):gsub("%.00$", "")
  if reset == nil or reset == null then return money .. " lifetime" end
  return money .. "/" .. ({ daily = "day", weekly = "week", monthly = "month" })[reset]
end

-- ---------------------------------------------------------------------------------
-- Periods and the blocking simulation

-- The start (ms) of the period of `reset` that holds day `d` (ms, UTC midnight).
local function period_start(d, reset)
  if reset == "daily" then return d end
  if reset == "weekly" then
    local sun = time.floor(d, "week")
    return d - sun >= DAY and sun + DAY or sun - 6 * DAY   -- Monday
  end
  return time.floor(d, "month")
end
M.period_start = period_start

-- What limit `limit` per `reset` would have refused over `days` ({date ms, spend, abnormal,
-- earlier}, in order): {usd, days, normal_usd, normal_days, abnormal_usd, earlier_usd,
-- earlier_days} counted on days >= from (earlier: before the key's spend fell to a new level).
-- The period's counter starts at its first day in `days`.
function M.simulate(days, limit, reset, from)
  local out = { usd = 0, days = 0, normal_usd = 0, normal_days = 0, abnormal_usd = 0, earlier_usd = 0, earlier_days = 0 }
  local cur, used = nil, 0
  for _, d in ipairs(days) do
    local p = period_start(d.date, reset)
    if p ~= cur then cur, used = p, 0 end
    local blocked = used >= limit and d.spend or max(0, used + d.spend - limit)
    used = used + d.spend
    if blocked > 1e-9 and d.date >= from then
      out.usd, out.days = out.usd + blocked, out.days + 1
      if d.abnormal then
        out.abnormal_usd = out.abnormal_usd + blocked
      elseif d.earlier then
        out.earlier_usd, out.earlier_days = out.earlier_usd + blocked, out.earlier_days + 1
      else
        out.normal_usd, out.normal_days = out.normal_usd + blocked, out.normal_days + 1
      end
    end
  end
  return out
end

-- ---------------------------------------------------------------------------------
-- History

-- The history's dates: Monday weeks [mon_start, mon_stop), Sunday weeks for the review's
-- checks, and the fetched span [from, today) (from the first of the month of its start).
function M.span(weeks, now)
  local today = time.floor(now, "day")
  local sun_stop = time.floor(now, "week")
  local mon_stop = period_start(today, "weekly")
  local mon_start, sun_start = mon_stop - weeks * 7 * DAY, sun_stop - weeks * 7 * DAY
  local from = min(time.floor(mon_start, "month"), sun_start)
  return { today = today, mon_start = mon_start, mon_stop = mon_stop, sun_start = sun_start, sun_stop = sun_stop,
           from = from }
end

-- Daily credit and BYOK spend by key name over [from, to): {name = {date ms = {usd, byok}}}.
-- Asked in time slices small enough for the row limit; a truncated slice is halved.
local function daily_by_key(from, to, n_keys)
  local out = {}
  local function add(t)
    for _, r in t:rows() do
      local name = r.api_key_id
      if name ~= null and name ~= nil then
        local d = time.parse(r.date)
        out[name] = out[name] or {}
        local e = out[name][d] or { usd = 0, byok = 0 }
        e.usd, e.byok = e.usd + orscript.num(r.total_usage), e.byok + orscript.num(r.byok_usage)
        out[name][d] = e
      end
    end
  end
  local function spec(a, b)
    return orscript.query { metrics = { "total_usage", "byok_usage" }, by = { "api_key_id" }, grain = "day",
                            range = time.range(a, b), limit = 10000 }
  end
  local days = min(365, max(1, floor(8000 / max(1, n_keys))))   -- row limit and the 365-day window
  local pend = {}
  local a = from
  while a < to do
    local b = min(to, a + days * DAY)
    pend[#pend + 1] = { a, b, spec(a, b):submit() }
    a = b
  end
  local function run(slice)
    local t = slice[3]:wait()
    if t == nil then return false end            -- orscript --dry-run: nothing was sent
    if t.meta.truncated then
      local n = (slice[2] - slice[1]) / DAY
      if n < 2 then
        orscript.error("data", format("guardrails: spend by key for one day passes the API's row limit (%s)",
          time.date(slice[1])), 0)
      end
      local mid = slice[1] + floor(n / 2) * DAY
      run({ slice[1], mid, spec(slice[1], mid):submit() })
      run({ mid, slice[2], spec(mid, slice[2]):submit() })
    else
      add(t)
    end
    return true
  end
  for _, s in ipairs(pend) do
    if not run(s) then return nil end
  end
  return out
end

-- The cost review's spike and growth findings on the Sunday weeks of `series`
-- ({name = {date ms = usd}}): {name = {{kind, week, from, to, text}...}}, why the checks did
-- not run (nil when they did), and {name = {week, from, before, after, text}} for keys whose
-- weekly spend fell to a lower level (the review's level change, down).
function M.findings(series, span, th)
  local weeks = {}
  for w = span.sun_start, span.sun_stop - 1, 7 * DAY do weeks[#weeks + 1] = time.date(w) end
  -- As the review does: leading weeks before the account's data starts (under half the median
  -- week with spend) are not weeks of spend, so a key's level changes are not measured against them.
  local totals = {}
  for _, days in pairs(series) do
    for d, usd in pairs(days) do local w = orscript.time.week_of(d) totals[w] = (totals[w] or 0) + usd end
  end
  local list = {}
  for _, w in ipairs(weeks) do if (totals[w] or 0) > 0 then list[#list + 1] = totals[w] end end
  local med = #list > 0 and R.median(list) or 0   -- of the weeks with spend (a long --weeks has empty ones)
  while #weeks > R.SPIKE_WEEKS and (totals[weeks[1]] or 0) < 0.5 * med do table.remove(weeks, 1) end
  local idx = {}
  for i, w in ipairs(weeks) do idx[w] = i end
  local ks = {}
  for name, days in pairs(series) do
    local s = { spend = R.zeros(#weeks), requests = R.zeros(#weeks) }
    for d, usd in pairs(days) do
      local i = idx[orscript.time.week_of(d)]
      if i then s.spend[i] = s.spend[i] + usd end
    end
    ks[name] = s
  end
  local checks = R.new { thresholds = th, factor = 1, n_keys = 0 }
  checks:weekly(ks, nil, weeks, {}, 1, nil)
  local out, why = {}, nil
  for _, rec in ipairs(checks.records) do
    if (rec.kind == "spike" or rec.kind == "growth") and not rec.ran then why = rec.reason end
  end
  for _, f in ipairs(checks.findings) do
    if f.kind == "spike" then
      local w = time.parse(f.week)
      out[f.key] = out[f.key] or {}
      table.insert(out[f.key], { kind = "spike", week = f.week, from = w, to = w + 7 * DAY,
        text = format("spike in the week of %s (%s against a median week of %s)", f.week, C.money(f.spike_weekly),
          C.money(f.median_weekly)) })
    elseif f.kind == "growth" then
      local w = time.parse(f.weeks[3])
      out[f.key] = out[f.key] or {}
      table.insert(out[f.key], { kind = "growth", week = f.weeks[3], from = w, to = span.today + DAY,
        text = format("growth %.1f× since the week of %s (%s a week, was %s)", f.recent_weekly / f.before_weekly,
          f.weeks[3], C.money(f.recent_weekly), C.money(f.before_weekly)) })
    end
  end
  -- Level changes down (the review's level_change observations): the key's normal is the new level.
  local lower = {}
  for _, ch in ipairs(checks.changes or {}) do
    if not ch.from_model and ch.direction == "down" and ch.week then
      -- The change week holds the move; the new level is the weeks after it (as the review's run rate).
      lower[ch.key] = { week = ch.week, from = time.parse(ch.week) + 7 * DAY, before = ch.weekly_before,
        after = ch.weekly_after,
        text = format("spend fell to %s a week after the week of %s (was %s): sized on the weeks since",
          C.money(ch.weekly_after), ch.week, C.money(ch.weekly_before)) }
    end
  end
  return out, why, lower
end

-- ---------------------------------------------------------------------------------
-- The proposal for one key

-- Candidates {daily, weekly, monthly} for the day list `days` ({date, spend, abnormal}) of one
-- key over the span; nil and the reason when it has too little history. `since` (ms): the
-- key's spend fell to a new level then; with at least 14 days since, only those days are
-- normal and the days before are marked `earlier`.
M.MIN_LEVEL_DAYS = 14
function M.candidates(days, span, headroom, since)
  local first
  for _, d in ipairs(days) do
    if d.spend > 0 then first = d.date break end
  end
  if not first then return nil, "no spend in the history" end
  local have = (span.today - max(first, span.mon_start)) / DAY
  if have < M.MIN_DAYS then
    return nil, format("first spend on %s: %d days of history, %d needed", time.date(first), have, M.MIN_DAYS)
  end
  local start = max(first, span.mon_start)
  if since and since > start and (span.today - since) / DAY >= M.MIN_LEVEL_DAYS then start = since else since = nil end
  local normal_days, weeks = {}, {}
  for _, d in ipairs(days) do
    d.earlier = since ~= nil and d.date < since or nil
    if d.date >= start and d.date < span.today and not d.abnormal then
      normal_days[#normal_days + 1] = d.spend
    end
    if d.date >= span.mon_start and d.date < span.mon_stop then
      local w = period_start(d.date, "weekly")
      local e = weeks[w] or { sum = 0, clean = w >= start }
      weeks[w] = e
      e.sum = e.sum + d.spend
      if d.abnormal then e.clean = false end
    end
  end
  local normal_weeks = {}
  for _, e in pairs(weeks) do if e.clean then normal_weeks[#normal_weeks + 1] = e.sum end end
  local c = { first = first, since = since, normal_days = #normal_days, normal_weeks = #normal_weeks }
  if #normal_days >= 7 then
    local p, m = percentile(normal_days, M.PERCENTILE), maximum(normal_days)
    c.daily = { raw = max(p * headroom, m), p95 = p, max = m }
  end
  if #normal_weeks >= 2 then
    local p, m = percentile(normal_weeks, M.PERCENTILE), maximum(normal_weeks)
    c.weekly = { raw = max(p * headroom, m), p95 = p, max = m }
    c.monthly = { raw = max(p * headroom, m) * M.MONTH_WEEKS, p95 = p * M.MONTH_WEEKS, max = m * M.MONTH_WEEKS }
  end
  if not c.daily and not c.weekly then
    return nil, format("too few normal days (%d) to size a limit", #normal_days)
  end
  c.median_normal_day = percentile(normal_days, 0.5) or 0
  for _, reset in ipairs(M.PERIODS) do
    local k = c[reset]
    if k then
      k.limit = M.step_up(k.raw)
      k.blocked = M.simulate(days, k.limit, reset, span.mon_start)
    end
  end
  return c
end

-- The period chosen for `c` (candidates): `want` unless auto; auto = the most abnormal spend
-- blocked less the normal spend blocked when the key has findings (ties: shorter), else the
-- key's current period (`current`, when it has one), else weekly.
function M.choose(c, want, has_findings, current)
  if want ~= "auto" then return c[want] and want or nil end
  if not has_findings then
    if current and c[current] then return current end
    for _, p in ipairs({ "weekly", "daily", "monthly" }) do if c[p] then return p end end
  end
  local best, score
  for _, p in ipairs(M.PERIODS) do
    local k = c[p]
    if k then
      local s = k.blocked.abnormal_usd - k.blocked.normal_usd
      if not best or s > score + 0.005 then best, score = p, s end
    end
  end
  return best
end

-- ---------------------------------------------------------------------------------
-- The plan

local function is_tty(fd) return orscript.isatty(fd) end
M.is_tty = is_tty

local function split_names(text)
  local out = {}
  for n in tostring(text):gmatch("[^,]+") do
    n = n:match("^%s*(.-)%s*$")
    if n ~= "" then out[#out + 1] = n end
  end
  return out
end

-- opts: weeks, headroom, reset ("auto"|"daily"|"weekly"|"monthly"), keys (list of names or
-- hashes), workspace (id, slug or name). Returns the plan (docs/recipes.md "guardrails.lua"),
-- or nil under orscript --dry-run (nothing can be read).
function M.plan(opts)
  opts = C.merge(M.DEFAULTS, opts)
  local weeks, headroom = opts.weeks, opts.headroom
  if type(weeks) ~= "number" or weeks ~= floor(weeks) or weeks < 2 or weeks > 52 then
    orscript.args.usage_error("--weeks expects a whole number from 2 to 52, got %s", tostring(weeks))
  end
  if type(headroom) ~= "number" or headroom ~= headroom or headroom < 1 or headroom > 10 then
    orscript.args.usage_error("--headroom expects a number from 1 to 10, got %s", tostring(headroom))
  end
  if opts.reset ~= "auto" and opts.reset ~= "daily" and opts.reset ~= "weekly" and opts.reset ~= "monthly" then
    orscript.args.usage_error("--reset expects auto, daily, weekly or monthly, got '%s'", tostring(opts.reset))
  end
  local now = orscript.now()
  local span = M.span(weeks, now)
  local th = review_thresholds()

  local spaces = orscript.workspaces()
  if spaces == nil then return nil end
  local ws_by_id, ws_list = {}, {}
  for _, w in spaces:rows() do
    local e = { id = w.id, name = w.name, slug = w.slug, include_byok = w.include_byok_in_budgets == true, keys = {} }
    ws_by_id[w.id] = e
    ws_list[#ws_list + 1] = e
  end
  local ws_only
  if opts.workspace then
    for _, w in ipairs(ws_list) do
      if w.id == opts.workspace or w.slug == opts.workspace or w.name == opts.workspace then ws_only = w end
    end
    if not ws_only then
      local names = {}
      for _, w in ipairs(ws_list) do names[#names + 1] = w.slug end
      orscript.args.usage_error("--workspace: no workspace '%s' (workspaces: %s)", opts.workspace, concat(names, ", "))
    end
  end

  local keys_t = orscript.keys()
  local all_keys, by_name = {}, {}
  for _, k in keys_t:rows() do
    local e = { name = k.name, hash = k.hash, workspace_id = k.workspace_id, limit = k.limit,
                reset = k.limit_reset, include_byok = k.include_byok_in_limit == true,
                usage = { daily = orscript.num(k.usage_daily), weekly = orscript.num(k.usage_weekly), monthly = orscript.num(k.usage_monthly) },
                byok = { daily = orscript.num(k.byok_usage_daily), weekly = orscript.num(k.byok_usage_weekly),
                         monthly = orscript.num(k.byok_usage_monthly) } }
    all_keys[#all_keys + 1] = e
    by_name[k.name] = by_name[k.name] or {}
    table.insert(by_name[k.name], e)
  end
  local wanted
  if opts.keys and #opts.keys > 0 then
    wanted = {}
    for _, n in ipairs(opts.keys) do
      local found = by_name[n]
      if not found then
        for _, k in ipairs(all_keys) do if k.hash == n:lower() then found = { k } end end
      end
      if not found then
        local names = {}
        for _, k in ipairs(all_keys) do names[#names + 1] = k.name end
        table.sort(names)
        orscript.args.usage_error("--key: no enabled key named '%s'%s (keys: %s)", n, U.suggest(n, names), concat(names, ", "))
      end
      for _, k in ipairs(found) do wanted[k.hash] = true end
    end
  end

  local raw = daily_by_key(span.from, span.today, #all_keys)
  if raw == nil then return nil end
  -- Each key's days as its limit counts them (credit spend, + BYOK when included).
  local credit_series = {}
  for name, days in pairs(raw) do
    credit_series[name] = {}
    for d, e in pairs(days) do credit_series[name][d] = e.usd end
  end
  local found, why_not, lower = M.findings(credit_series, span, th)

  local plan = { as_of = time.format(now), weeks = weeks, headroom = headroom, reset = opts.reset,
                 history = { from = time.date(span.mon_start), to = time.date(span.today),
                             weeks_from = time.date(span.mon_start), weeks_to = time.date(span.mon_stop) },
                 checks_note = why_not, keys = {}, workspaces = {}, span = span }
  for _, k in ipairs(all_keys) do
    local in_scope = (not wanted or wanted[k.hash]) and (not ws_only or k.workspace_id == ws_only.id)
    local dup = #by_name[k.name] > 1
    local fs = (not dup and found[k.name]) or {}
    local days = {}
    local mine = (not dup) and raw[k.name] or {}
    for d = span.from, span.today - DAY, DAY do
      local e = mine[d]
      local spend = e and (e.usd - e.byok + (k.include_byok and e.byok or 0)) or 0
      local ws_spend = e and e.usd or 0
      local abnormal = false
      for _, f in ipairs(fs) do if d >= f.from and d < f.to then abnormal = true end end
      days[#days + 1] = { date = d, spend = max(0, spend), usd = ws_spend, byok = e and e.byok or 0, abnormal = abnormal }
    end
    local entry = { name = k.name, hash = k.hash, workspace_id = k.workspace_id,
                    workspace = ws_by_id[k.workspace_id] and ws_by_id[k.workspace_id].name or k.workspace_id,
                    current = { limit = k.limit ~= null and k.limit or nil, reset = k.reset ~= null and k.reset or nil },
                    findings = fs, action = "none", days = days }
    local c, why
    if dup then
      why = format("%d keys share the name '%s': analytics cannot tell their spend apart; rename one", #by_name[k.name],
        k.name)
    else
      c, why = M.candidates(days, span, headroom, lower[k.name] and lower[k.name].from)
      if c and c.since then entry.level = lower[k.name] end
    end
    entry.candidates = c
    if c then
      local w = ws_by_id[k.workspace_id]
      if w then table.insert(w.keys, { entry = entry, median = c.median_normal_day }) end
    elseif ws_by_id[k.workspace_id] then
      table.insert(ws_by_id[k.workspace_id].keys, { entry = entry })
    end
    if in_scope then
      if not c then
        entry.action, entry.reason = "skip", why
      elseif entry.current.limit and not entry.current.reset then
        entry.action = "keep"
        entry.reason = format("has a lifetime cap (%s): kept; remove it to use a periodic limit", C.money(entry.current.limit))
      else
        local p = M.choose(c, opts.reset, #fs > 0, entry.current.reset)
        if not p then
          entry.action, entry.reason = "skip", format("too little normal history for a %s limit", opts.reset)
        else
          local k2 = c[p]
          entry.proposed = { limit = k2.limit, reset = p }
          entry.basis = { p95 = k2.p95, max = k2.max, raw = k2.raw }
          entry.blocked = k2.blocked
          local cur = entry.current
          if cur.limit and cur.reset == p and cur.limit >= k2.raw - 1e-9 and cur.limit <= k2.limit + 1e-9 then
            entry.action, entry.reason = "keep", "the current limit already fits"
            entry.proposed = { limit = cur.limit, reset = cur.reset }
          else
            entry.action = "change"
            if cur.limit and cur.reset then
              local b = M.simulate(days, cur.limit, cur.reset, span.mon_start)
              entry.current_blocked = b
              if b.normal_days > 0 then
                entry.reason = format("the current limit would have blocked normal use on %d day%s", b.normal_days,
                  b.normal_days == 1 and "" or "s")
              elseif #fs > 0 and b.abnormal_usd + 0.005 < k2.blocked.abnormal_usd then
                entry.reason = "the current limit would not have stopped the " .. fs[1].kind
              elseif cur.reset ~= p then
                entry.reason = format("a %s limit stops it better than the current %s one", p, cur.reset)
              elseif cur.limit < k2.raw then
                entry.reason = format("the current limit leaves less than %g× headroom over normal use", headroom)
              else
                entry.reason = "the current limit is looser than normal use needs"
              end
            else
              entry.reason = #fs > 0 and ("no limit; " .. fs[1].text) or "no limit"
            end
          end
          -- Already spent this period: the limit would refuse the key's next request at once.
          local spent = k.usage[p == "daily" and "daily" or p == "weekly" and "weekly" or "monthly"]
            + (k.include_byok and k.byok[p] or 0)
          if entry.action == "change" and spent >= entry.proposed.limit then
            entry.warning = format("already spent %s this %s: the limit would block the key at once",
              C.money(spent), ({ daily = "day", weekly = "week", monthly = "month" })[p])
          end
        end
      end
      plan.keys[#plan.keys + 1] = entry
    end
  end
  table.sort(plan.keys, function(a, b)
    local ra = a.action == "change" and 1 or a.action == "keep" and 2 or 3
    local rb = b.action == "change" and 1 or b.action == "keep" and 2 or 3
    if ra ~= rb then return ra < rb end
    return a.name < b.name
  end)

  -- Workspace budgets (all workspaces, or --workspace; none with --key).
  if not wanted then
    local list, reqs = {}, {}
    for _, w in ipairs(ws_list) do
      if not ws_only or ws_only == w then
        list[#list + 1] = w
        reqs[#reqs + 1] = orscript.request.call("budgets", { ref = w.id })
      end
    end
    -- Every workspace's budgets at once (GET /workspaces/{id}/budgets).
    local answers = #reqs > 0 and orscript.all(reqs) or {}
    for i, w in ipairs(list) do
      local cur = {}
      for _, b in ipairs(answers[i] or {}) do
        cur[(b.reset_interval == null or b.reset_interval == nil) and "lifetime" or b.reset_interval] = b.limit_usd
      end
      plan.workspaces[#plan.workspaces + 1] = M.budget_plan(w, span, headroom, cur)
    end
  end
  return plan
end

-- The monthly budget proposal of workspace `w` (with its keys' entries in w.keys); `cur` its
-- current budgets {daily, weekly, monthly, lifetime} in USD.
function M.budget_plan(w, span, headroom, cur)
  local e = { id = w.id, name = w.name, slug = w.slug, include_byok = w.include_byok,
              current = { daily = cur.daily, weekly = cur.weekly, monthly = cur.monthly, lifetime = cur.lifetime },
              action = "none" }
  -- Daily spend of the workspace as budgets count it; each key's abnormal days (and days before
  -- its spend fell to a new level) at its median normal day.
  local normal, actual = {}, {}
  local any = false
  for _, kk in ipairs(w.keys) do
    for _, d in ipairs(kk.entry.days) do
      local spend = d.usd - d.byok + (w.include_byok and d.byok or 0)
      actual[d.date] = (actual[d.date] or 0) + spend
      local n = ((d.abnormal or d.earlier) and kk.median) and kk.median or spend
      normal[d.date] = (normal[d.date] or 0) + n
      if spend > 0 then any = true end
    end
  end
  if not any then
    e.action, e.reason = "skip", "no spend in the history"
    return e
  end
  local weeks, first = {}, nil
  for d = span.mon_start, span.mon_stop - DAY, DAY do
    if not first and (actual[d] or 0) > 0 then first = period_start(d, "weekly") end
    if first then
      local wk = period_start(d, "weekly")
      weeks[wk] = (weeks[wk] or 0) + (normal[d] or 0)
    end
  end
  local list = {}
  for _, v in pairs(weeks) do list[#list + 1] = v end
  if #list < 2 then
    e.action, e.reason = "skip", format("%d week%s of spend, 2 needed", #list, #list == 1 and "" or "s")
    return e
  end
  local p, m = percentile(list, M.PERCENTILE), maximum(list)
  local raw = max(p * headroom, m) * M.MONTH_WEEKS
  local limit = M.step_up(raw)
  e.basis = { p95 = p * M.MONTH_WEEKS, max = m * M.MONTH_WEEKS, raw = raw }
  local days = {}
  for d = span.from, span.today - DAY, DAY do days[#days + 1] = { date = d, spend = actual[d] or 0, abnormal = false } end
  e.blocked = M.simulate(days, limit, "monthly", span.mon_start)
  local c = e.current
  local below = max(c.daily or 0, c.weekly or 0)
  if c.monthly and c.monthly >= raw - 1e-9 and c.monthly <= limit + 1e-9 then
    e.action, e.reason, e.proposed = "keep", "the current monthly budget already fits", c.monthly
  elseif limit <= below then
    e.action = "skip"
    e.reason = format("the %s budget (%s) is not below the proposed %s: budgets must shrink from monthly to weekly to daily",
      (c.weekly or 0) >= (c.daily or 0) and "weekly" or "daily", C.money(below), C.money(limit))
  elseif c.lifetime and limit >= c.lifetime then
    e.action = "skip"
    e.reason = format("the lifetime budget (%s) is already lower than the proposed %s", C.money(c.lifetime), C.money(limit))
  else
    e.action, e.proposed = "change", limit
    e.reason = c.monthly and (c.monthly < raw and "the current budget is below normal use" or
      "the current budget is looser than normal use needs") or "no monthly budget"
  end
  return e
end

-- ---------------------------------------------------------------------------------
-- Applying

-- The changes a plan asks for: {kind = "key"|"budget", entry, before, after}.
function M.changes(plan)
  local out = {}
  for _, k in ipairs(plan.keys) do
    if k.action == "change" then
      out[#out + 1] = { kind = "key", name = k.name, hash = k.hash, entry = k,
                        before = M.limit_text(k.current.limit, k.current.reset),
                        after = M.limit_text(k.proposed.limit, k.proposed.reset) }
    end
  end
  for _, w in ipairs(plan.workspaces) do
    if w.action == "change" then
      out[#out + 1] = { kind = "budget", name = w.name, id = w.id, entry = w,
                        before = w.current.monthly and M.limit_text(w.current.monthly, "monthly") or "none",
                        after = M.limit_text(w.proposed, "monthly") }
    end
  end
  return out
end

-- One line for an error raised by a change: "HTTP 404: message" for an API error.
function M.error_text(err)
  if type(err) ~= "table" then return tostring(err) end
  local msg = tostring(err.message or err)
  return err.status and err.status ~= 0 and format("HTTP %s: %s", tostring(err.status), msg) or msg
end

-- Sends every change (PATCH /keys/{hash}, PUT …/budgets/monthly) at once, then reads each
-- back (GET /keys/{hash}, GET …/budgets), each answer waited for on its own so one failure
-- leaves the others applied. Returns the changes with sent, ok, error and read_back.
-- (One budget per workspace and independent keys: no order between the changes matters.)
local function each(list, request_of)
  local pend, out = {}, {}
  for i, ch in ipairs(list) do
    local ok, p = pcall(function() return request_of(ch):submit() end)
    if ok then pend[i] = p else out[i] = { false, p } end
  end
  for i in ipairs(list) do
    if pend[i] then out[i] = { pcall(pend[i].wait, pend[i]) } end
  end
  return out
end

function M.apply(plan)
  local list = M.changes(plan)
  local sent = each(list, function(ch)
    if ch.kind == "key" then
      return orscript.request.call("key_update", { hash = ch.hash, limit = ch.entry.proposed.limit,
                                                   limit_reset = ch.entry.proposed.reset })
    end
    return orscript.request.call("budget_set", { ref = ch.id, interval = "monthly", limit_usd = ch.entry.proposed })
  end)
  local got = each(list, function(ch)
    if ch.kind == "key" then return orscript.request.call("key_get", { hash = ch.hash }) end
    return orscript.request.call("budgets", { ref = ch.id })
  end)
  for i, ch in ipairs(list) do
    ch.sent = sent[i][1]
    if not ch.sent then ch.error = M.error_text(sent[i][2]) end
    if got[i][1] then
      local v = got[i][2]
      if ch.kind == "key" then
        ch.read_back = M.limit_text(v.limit, v.limit_reset)
      else
        ch.read_back = "none"
        for _, b in ipairs(v or {}) do
          if b.reset_interval == "monthly" then ch.read_back = M.limit_text(b.limit_usd, "monthly") end
        end
      end
    else
      ch.read_error = M.error_text(got[i][2])
    end
    ch.ok = ch.sent and ch.read_back == ch.after
    if ch.sent and not ch.ok and not ch.error then
      ch.error = ch.read_back and ("read back " .. ch.read_back .. ", not " .. ch.after)
        or ("could not read back: " .. tostring(ch.read_error))
    end
  end
  return list
end

-- ---------------------------------------------------------------------------------
-- Output

local function blocked_text(b)
  if not b then return "" end
  if b.usd < 0.005 then return "nothing" end
  local t = format("%s on %d day%s", C.money(b.usd), b.days, b.days == 1 and "" or "s")
  local parts = {}
  if b.normal_days > 0 then parts[#parts + 1] = format("%d normal", b.normal_days) end
  if (b.earlier_days or 0) > 0 then parts[#parts + 1] = format("%d old level", b.earlier_days) end
  if #parts > 0 then t = t .. " (" .. concat(parts, ", ") .. ")" end
  return t
end

function M.render(plan)
  local out = {}
  local function add(...) out[#out + 1] = format(...) end
  add("Guardrails as of %s: key limits from the last %d weeks (%s .. %s), headroom %g×", plan.as_of, plan.weeks,
    plan.history.weeks_from, time.date(time.parse(plan.history.weeks_to) - DAY), plan.headroom)
  if plan.checks_note then
    add("note: the cost review's spike and growth checks did not run (%s): limits cover all days", plan.checks_note)
  end
  add("")
  local PER = { daily = "day", weekly = "week", monthly = "month" }
  local rows, notes = {}, {}
  for _, k in ipairs(plan.keys) do
    rows[#rows + 1] = {
      key = k.name, workspace = k.workspace or "",
      current = M.limit_text(k.current.limit, k.current.reset),
      proposed = k.action == "change" and M.limit_text(k.proposed.limit, k.proposed.reset)
        or k.action == "keep" and "keep" or "no proposal",
      ["normal p95 / max"] = k.basis and format("%s / %s a %s", C.money(k.basis.p95), C.money(k.basis.max),
        PER[k.proposed.reset]) or "",
      [format("would have blocked (%d weeks)", plan.weeks)] = k.action ~= "skip" and blocked_text(k.blocked) or "",
    }
    local why = { k.reason }
    for _, f in ipairs(k.findings) do
      if not (k.reason or ""):find(f.text, 1, true) then why[#why + 1] = f.text end
    end
    if k.level then why[#why + 1] = k.level.text end
    if k.warning then why[#why + 1] = k.warning end
    if #why > 1 or (k.reason and k.reason ~= "no limit") then notes[#notes + 1] = format("  %s: %s", k.name, concat(why, "; ")) end
  end
  local cols = { "key", "workspace", "current", "proposed", "normal p95 / max",
                 format("would have blocked (%d weeks)", plan.weeks) }
  if #rows > 0 then
    out[#out + 1] = (orscript.table(rows, { columns = cols }):format { max_rows = 1000, width = 1000 }):gsub("\n+$", "")
    if #notes > 0 then out[#out + 1] = "\n" .. concat(notes, "\n") end
  else
    add("(no keys in scope)")
  end
  if #plan.workspaces > 0 then
    add("")
    add("Workspace budgets (monthly: the workspace's normal weeks × 31/7, headroom %g×)", plan.headroom)
    local wrows, wnotes = {}, {}
    for _, w in ipairs(plan.workspaces) do
      local others = {}
      for _, i in ipairs({ "daily", "weekly", "lifetime" }) do
        if w.current[i] then others[#others + 1] = i .. " " .. C.money(w.current[i]) end
      end
      wrows[#wrows + 1] = {
        workspace = w.name, ["current monthly"] = w.current.monthly and M.limit_text(w.current.monthly, "monthly") or "none",
        proposed = w.action == "change" and M.limit_text(w.proposed, "monthly")
          or w.action == "keep" and "keep" or "no proposal",
        ["normal month p95 / max"] = w.basis and format("%s / %s", C.money(w.basis.p95), C.money(w.basis.max)) or "",
        [format("would have blocked (%d weeks)", plan.weeks)] = w.blocked and blocked_text(w.blocked) or "",
        ["other budgets"] = #others > 0 and concat(others, ", ") or "none",
      }
      if w.reason and w.reason ~= "no monthly budget" then wnotes[#wnotes + 1] = format("  %s: %s", w.name, w.reason) end
    end
    out[#out + 1] = orscript.table(wrows, { columns = { "workspace", "current monthly", "proposed", "normal month p95 / max",
      format("would have blocked (%d weeks)", plan.weeks), "other budgets" } }):format { max_rows = 1000, width = 1000 }
      :gsub("\n+$", "")
    if #wnotes > 0 then out[#out + 1] = "\n" .. concat(wnotes, "\n") end
  end
  local n = #M.changes(plan)
  add("")
  add(n == 0 and "Nothing to change." or format("%d change%s proposed.", n, n == 1 and "" or "s"))
  return concat(out, "\n") .. "\n"
end

-- The plan (and what --apply did) as a JSON document.
function M.json(plan, applied, status)
  local N = null
  local function v(x) if x == nil then return N end return x end
  local doc = { as_of = plan.as_of, weeks = plan.weeks, headroom = plan.headroom, reset = plan.reset,
                history = plan.history, checks_note = v(plan.checks_note), keys = {}, workspaces = {},
                status = v(status), applied = N }
  for _, k in ipairs(plan.keys) do
    local f = {}
    for _, x in ipairs(k.findings) do f[#f + 1] = { kind = x.kind, week = x.week, text = x.text } end
    doc.keys[#doc.keys + 1] = {
      name = k.name, hash = k.hash, workspace = v(k.workspace), workspace_id = v(k.workspace_id), action = k.action,
      reason = v(k.reason), warning = v(k.warning), findings = f,
      current = { limit = v(k.current.limit), reset = v(k.current.reset) },
      proposed = k.proposed and { limit = k.proposed.limit, reset = k.proposed.reset } or N,
      basis = k.basis or N,
      blocked = k.blocked and { usd = k.blocked.usd, days = k.blocked.days, normal_usd = k.blocked.normal_usd,
                                normal_days = k.blocked.normal_days, abnormal_usd = k.blocked.abnormal_usd } or N,
    }
  end
  for _, w in ipairs(plan.workspaces) do
    doc.workspaces[#doc.workspaces + 1] = {
      name = w.name, id = w.id, slug = w.slug, action = w.action, reason = v(w.reason),
      current = { daily = v(w.current.daily), weekly = v(w.current.weekly), monthly = v(w.current.monthly),
                  lifetime = v(w.current.lifetime) },
      proposed_monthly = v(w.proposed), basis = w.basis or N,
      blocked = w.blocked and { usd = w.blocked.usd, days = w.blocked.days } or N,
    }
  end
  if applied then
    doc.applied = {}
    for _, ch in ipairs(applied) do
      doc.applied[#doc.applied + 1] = { kind = ch.kind, name = ch.name, before = ch.before, after = ch.after,
        read_back = v(ch.read_back), ok = ch.ok == true, error = v(ch.error) }
    end
  end
  return orscript.json.encode(doc)
end

M.USAGE = [[
usage: orscript recipes/guardrails.lua [options]
Proposes a spending limit and reset period per key, and a monthly budget per workspace,
from each key's spend history; changes nothing unless --apply.
  --weeks N          history: the last N complete Monday-Sunday weeks (2-52, default 8; the
                     spike and growth checks need 6)
  --headroom X       multiply the normal level by X (1-10, default 1.5)
  --reset PERIOD     auto (default), daily, weekly or monthly
  --key NAME[,NAME]  only these keys (names or hashes; no workspace budgets)
  --workspace REF    only this workspace's keys and budget (id, slug or name)
  --json FILE        also write the plan (and what --apply did) as JSON; '-' prints it instead
  --apply            after the plan, send the changes (PATCH /keys/{hash}, PUT budgets) and
                     read them back; asks you to type 'apply' when stdin is a terminal
  --yes              with --apply: no confirmation (needed when stdin is not a terminal)
  --dry-run          with --apply: show the changes and send nothing
Exit codes: 0 done (plan shown, applied, nothing to change, or dry run); 2 bad arguments,
or --apply with stdin not a terminal and no --yes; 3 not a management key; 11 --apply not
confirmed (nothing changed); 12 some changes failed (the report lists which).]]

-- Parses the arguments (common.lua's parser); returns opts for M.plan plus the flags.
function M.parse(argv)
  local o = C.parse_args(argv, {
    options = { weeks = "number", headroom = "number", reset = "text", key = "text", workspace = "text" },
    flags = { apply = true, yes = true, ["dry-run"] = true }, usage = M.USAGE })
  if o.help then return o end
  if o.range then orscript.args.usage_error("guardrails takes --weeks N, not a window (--month/--from)") end
  for _, f in ipairs({ "csv", "markdown", "html", "verify_script" }) do
    if o[f] then orscript.args.usage_error("guardrails has no --%s; use --json FILE", f:gsub("_", "-")) end
  end
  if (o.yes or o.dry_run) and not o.apply then
    orscript.args.usage_error("--%s only goes with --apply", o.yes and "yes" or "dry-run")
  end
  o.keys = o.key and split_names(o.key) or nil
  -- The --json file's folder must exist before anything is changed (a plan applied and then
  -- not written would be a change without its record).
  if o.json and o.json ~= "-" then C.check_output("--json", o.json) end
  return o
end

local function write_json(path, text)
  if path == "-" then io.write(text, "\n") else orscript.write_file(path, text .. "\n") end
end

-- The command line: plan, print, and with --apply confirm, apply and report.
function M.main(argv)
  local o = M.parse(argv)
  if o.help then io.write(M.USAGE, "\n") return 0 end
  local to_stdout = o.json == "-"
  local say = to_stdout and function(s) io.stderr:write(s) end or io.write
  if orscript.dry_run() then
    io.stderr:write("guardrails: under orscript's --dry-run no request is answered, so there is no spend history "
      .. "to plan from; nothing was changed (for a plan, run without --dry-run; to see the changes without "
      .. "sending them: guardrails.lua --apply --dry-run)\n")
    return 0
  end
  local me = orscript.key()
  if not (me and me.is_management_key == true) then
    io.stderr:write("guardrails: needs a management key (key limits, budgets and spend by key are management "
      .. "endpoints; create one at https://openrouter.ai/settings/management-keys); nothing was changed\n")
    return 3
  end
  -- Refuse an --apply that cannot be confirmed before any work.
  local interactive = is_tty(0)
  if o.apply and not o.dry_run and not o.yes and not interactive then
    orscript.args.usage_error("--apply asks for a typed confirmation and stdin is not a terminal: add --yes to apply "
      .. "without one (nothing was changed)")
  end
  local plan = M.plan(o)
  if plan == nil then return 0 end
  if not to_stdout then io.write(M.render(plan)) else io.stderr:write(M.render(plan)) end
  local changes = M.changes(plan)
  if not o.apply then
    if o.json then write_json(o.json, M.json(plan, nil, "planned")) end
    if #changes > 0 then say("Run again with --apply to make these changes.\n") end
    return 0
  end
  if #changes == 0 then
    say("--apply: nothing to change; no request sent.\n")
    if o.json then write_json(o.json, M.json(plan, {}, "nothing_to_change")) end
    return 0
  end
  if o.dry_run then
    say(format("--apply --dry-run: nothing was changed; %d change%s would be sent:\n", #changes,
      #changes == 1 and "" or "s"))
    for _, ch in ipairs(changes) do
      say(format("  %s %s: %s -> %s\n", ch.kind == "key" and "key" or "workspace budget", ch.name, ch.before, ch.after))
    end
    if o.json then write_json(o.json, M.json(plan, nil, "dry_run")) end
    return 0
  end
  if not o.yes then
    io.stderr:write(format("Type 'apply' to make these %d change%s: ", #changes, #changes == 1 and "" or "s"))
    io.stderr:flush()
    local line = io.read("*l")
    if not line or line:gsub("%s+$", "") ~= "apply" then
      io.stderr:write("guardrails: not confirmed; nothing was changed\n")
      if o.json then write_json(o.json, M.json(plan, nil, "declined")) end
      return M.EXIT_DECLINED
    end
  end
  local applied = M.apply(plan)
  local failed = 0
  say("Applied (read back from the API):\n")
  for _, ch in ipairs(applied) do
    local what = ch.kind == "key" and ("key " .. ch.name) or ("workspace budget " .. ch.name)
    if ch.ok then
      say(format("  changed  %s: %s -> %s\n", what, ch.before, ch.read_back))
    else
      failed = failed + 1
      say(format("  FAILED   %s: %s -> %s not applied: %s\n", what, ch.before, ch.after, tostring(ch.error)))
    end
  end
  say(format("%d of %d changes applied%s\n", #applied - failed, #applied,
    failed > 0 and format("; %d failed (listed above): run again to retry them", failed) or ""))
  if o.json then write_json(o.json, M.json(plan, applied, failed > 0 and "partial" or "applied")) end
  return failed > 0 and M.EXIT_PARTIAL or 0
end

if orscript.args.is_script("guardrails") then
  local code = 0
  orscript.args.main(function() code = M.main({ unpack(arg) }) end)
  if code ~= 0 then
    io.stdout:flush()
    io.stderr:flush()
    os.exit(code)
  end
end

return M
