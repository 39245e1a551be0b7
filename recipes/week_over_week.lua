-- recipes/week_over_week.lua: what changed, week by week.
--
--   orscript --demo recipes/week_over_week.lua [--weeks 9] [--growth_ratio 1.8]
--            [--level_change 1.5] [--min_monthly_usd 50] [--weekly_to_monthly 4.348]
--            [--csv DIR] [--json FILE] [--markdown FILE]
--
-- Weekly spend (Sunday-start UTC weeks) by key and by model over the last `weeks`
-- complete weeks (default 9, about two months), from one query grouped by key and
-- model. Reports:
--   * the biggest movers in dollars and percent, latest 2 weeks against the 4 before
--     (mean weekly spend), and how much of the account's total change each key explains;
--   * new keys (no spend before the latest 2 weeks) and vanished keys (none in them);
--   * the week each key's series changed level (the split into two flat levels with
--     the least squared error; reported when one level is level_change × the other
--     and the difference is worth min_monthly_usd a month), and when a key's model mix
--     changed at that point (one model stopped, another started), the day it moved;
--   * growth: a key whose mean weekly spend over the latest 2 of the last 6 weeks is
--     at least growth_ratio × the mean of the 4 before, and the increase is worth at
--     least min_monthly_usd a month: (recent − before) × weekly_to_monthly.
--
-- As a module: M.queries(opts); M.analyse(tables, opts); M.day_queries(res) → the
-- follow-up query that finds the day a key moved model (or nil); M.apply_days(res,
-- table); M.run(opts); M.render(res); M.tables(res).
local C = require "common"
local num = orscript.num
local R = require "review_checks"

local time = orscript.time
local format, abs = string.format, math.abs

local M = {}

M.DEFAULTS = { growth_ratio = 1.8, weekly_to_monthly = 4.348, min_monthly_usd = 50, level_change = 1.5 }
M.WEEKS = 9
M.RECENT, M.BEFORE = 2, 4   -- growth: latest 2 weeks against the 4 before

local NO_KEY = "(no key)"

-- The window: opts.week_range, or the last opts.weeks complete weeks.
function M.window(opts)
  if opts.week_range then return opts.week_range end
  return time.weeks(opts.weeks or M.WEEKS)
end

function M.queries(opts)
  return {
    weekly = orscript.query { metrics = { "total_usage" }, by = { "api_key_id", "model" }, grain = "week",
                              range = M.window(opts), limit = 10000 },
  }
end

-- Means and the least-squares split into two levels are shared with the cost review.
local mean, change_point = R.mean, R.change_point

-- {week start = its index in `weeks`}.
local function week_index(weeks)
  local idx = {}
  for i, w in ipairs(weeks) do idx[w] = i end
  return idx
end

local function zeros(n)
  local v = {}
  for j = 1, n do v[j] = 0 end
  return v
end

local function series_of(t, dim, weeks)
  local idx = week_index(weeks)
  local out, order = {}, {}
  for _, r in t:rows() do
    local name = r[dim]
    if name == orscript.null then name = NO_KEY end
    local i = idx[r.date]
    if i then
      if not out[name] then
        out[name] = zeros(#weeks)
        order[#order + 1] = name
      end
      out[name][i] = out[name][i] + num(r.total_usage)
    end
  end
  table.sort(order)
  return out, order
end

function M.analyse(tables, opts)
  opts = C.options(opts, M.DEFAULTS)
  local th = opts.thresholds
  local range = M.window(opts)
  local weeks = range:week_dates()
  local n = #weeks
  local warnings, notes = {}, {}
  local t = tables.weekly
  local whole = t:note_warnings(warnings, "weekly spend by key and model")

  local by_key = t:group({ "date", "api_key_id" }, { { "total_usage", "sum", "total_usage" } })
  local by_model = t:group({ "date", "model" }, { { "total_usage", "sum", "total_usage" } })
  local key_series, keys = series_of(t, "api_key_id", weeks)
  local model_series, models = series_of(t, "model", weeks)
  -- key -> model -> series
  local mix = {}
  do
    local idx = week_index(weeks)
    for _, r in t:rows() do
      local k = r.api_key_id == orscript.null and NO_KEY or r.api_key_id
      local i = idx[r.date]
      if i then
        mix[k] = mix[k] or {}
        local v = mix[k][r.model] or zeros(n)
        mix[k][r.model] = v
        v[i] = v[i] + num(r.total_usage)
      end
    end
  end

  local res = { window = { start = time.date(range.start), ["end"] = time.date(range.stop),
                           label = format("the %d weeks %s .. %s", n, time.date(range.start),
                             time.date(range.stop - time.DAY)) },
                thresholds = th, weeks = weeks, weekly = t, by_key = by_key, by_model = by_model,
                key_series = key_series, keys = keys, model_series = model_series, models = models, mix = mix,
                movers = {}, new_keys = {}, vanished_keys = {}, changes = {}, growth = {}, warnings = warnings,
                notes = notes, whole = whole }
  if not whole then return res end
  if n < M.RECENT + M.BEFORE then
    notes[#notes + 1] = format("need at least %d complete weeks to compare; have %d", M.RECENT + M.BEFORE, n)
    return res
  end

  -- Movers, new and vanished keys: latest 2 weeks against the 4 before.
  local total_change = 0
  for _, k in ipairs(keys) do
    local v = key_series[k]
    local before = mean(v, n - M.RECENT - M.BEFORE + 1, n - M.RECENT)
    local recent = mean(v, n - M.RECENT + 1, n)
    local earlier = mean(v, 1, n - M.RECENT)
    local m = { key = k, before = before, recent = recent, delta = recent - before,
                pct = before > 0 and (recent - before) / before or nil }
    total_change = total_change + m.delta
    res.movers[#res.movers + 1] = m
    if earlier == 0 and recent > 0 then res.new_keys[#res.new_keys + 1] = m end
    if recent == 0 and earlier > 0 then res.vanished_keys[#res.vanished_keys + 1] = m end
    -- Growth (the review's definition).
    if before > 0 and recent >= th.growth_ratio * before
        and (recent - before) * th.weekly_to_monthly >= th.min_monthly_usd then
      res.growth[#res.growth + 1] = { kind = "growth", key = k, before_weekly = before, recent_weekly = recent,
                                      impact_usd = (recent - before) * th.weekly_to_monthly }
    end
  end
  for _, m in ipairs(res.movers) do
    m.explains = total_change ~= 0 and m.delta / total_change or nil
  end
  res.total_change = total_change
  table.sort(res.movers, function(a, b) return abs(a.delta) > abs(b.delta) end)
  table.sort(res.growth, function(a, b) return a.impact_usd > b.impact_usd end)

  -- Change points, and model moves behind them.
  for _, k in ipairs(keys) do
    local v = key_series[k]
    local c, b, a = change_point(v)
    if c then
      local lo, hi = math.min(a, b), math.max(a, b)
      if hi >= th.level_change * math.max(lo, 1e-9) and abs(a - b) * th.weekly_to_monthly >= th.min_monthly_usd
          and b > 0 then
        local ch = { key = k, index = c, week = weeks[c], before = b, after = a,
                     direction = a < b and "down" or "up", ratio = b > 0 and a / b or nil }
        -- A move: one model stops, another starts (transition weeks c-1 and c left out).
        local from, to
        for model, s in pairs(mix[k] or {}) do
          local mb = mean(s, 1, c - 2)
          local ma = mean(s, c + 1, n)
          if mb > 0 and ma <= 0.05 * mb and (not from or mb > from.before) then
            from = { model = model, before = mb, after = ma }
          end
          if ma > 0 and mb <= 0.05 * ma and (not to or ma > to.after) then
            to = { model = model, before = mb, after = ma }
          end
        end
        if from and to then ch.from_model, ch.to_model = from.model, to.model end
        M.level_figures(ch, v, c)
        res.changes[#res.changes + 1] = ch
      end
    end
  end
  table.sort(res.changes, function(x, y) return abs(x.after - x.before) > abs(y.after - y.before) end)
  return res
end

-- Weekly spend in the 3 weeks before week i and in the complete weeks after it (up to 3).
function M.level_figures(ch, v, i)
  ch.weekly_before = mean(v, i - 3, i - 1)
  local after, na = mean(v, i + 1, i + 3)
  ch.weekly_after, ch.weeks_after = after, na
  ch.saving_weekly = ch.weekly_before - ch.weekly_after
end

-- The follow-up query for the day each model move happened: daily spend by key and
-- model over the two weeks around each change, for the models involved. nil when there
-- is no model move.
function M.day_queries(res)
  local models, seen, lo, hi = {}, {}, nil, nil
  for _, ch in ipairs(res.changes) do
    if ch.from_model then
      for _, m in ipairs { ch.from_model, ch.to_model } do
        if not seen[m] then seen[m] = true; models[#models + 1] = m end
      end
      local s = time.parse(res.weeks[math.max(1, ch.index - 1)])
      local e = time.add(time.parse(res.weeks[ch.index]), 7, "day")
      lo = lo and math.min(lo, s) or s
      hi = hi and math.max(hi, e) or e
    end
  end
  if #models == 0 then return nil end
  table.sort(models)
  return {
    days = orscript.query { metrics = { "total_usage" }, by = { "api_key_id", "model" }, grain = "day",
                            where = { { "model", "in", models } }, range = { lo, hi }, limit = 10000 },
  }
end

-- Fills ch.date (the first day the new model carried the key's traffic) and the
-- before/after figures around the week holding that day.
function M.apply_days(res, days)
  if not days then return res end
  days:note_warnings(res.warnings, "daily spend around model moves")
  local idx = week_index(res.weeks)
  for _, ch in ipairs(res.changes) do
    if ch.from_model then
      local first
      for _, r in days:filter("model", "eq", ch.to_model):rows() do
        if r.api_key_id == ch.key and num(r.total_usage) > 0 and (not first or r.date < first) then
          first = r.date
        end
      end
      if first then
        ch.date = first
        local wk = orscript.time.week_of(first)
        local i = idx[wk]
        if i then
          ch.week, ch.index = wk, i
          M.level_figures(ch, res.key_series[ch.key], i)
        end
      end
    end
  end
  return res
end

function M.run(opts)
  opts = C.options(opts, M.DEFAULTS)
  if opts.from or opts.to then
    -- An explicit window, cut to whole weeks.
    opts.week_range = time.range(time.floor(opts.range.start, "week"), time.floor(opts.range.stop, "week"))
  end
  local res = M.analyse(C.run_all(M.queries(opts)), opts)
  local dq = M.day_queries(res)
  if dq then M.apply_days(res, dq.days:run()) end
  return res
end

function M.tables(res)
  local pivot = res.by_key:pivot("api_key_id", "date", "total_usage")
  local mpivot = res.by_model:pivot("model", "date", "total_usage")
  local movers = orscript.table(#res.movers > 0 and res.movers or { { key = "" } }, {
    columns = { "key", "before", "recent", "delta", "pct", "explains" },
    formats = { before = "currency", recent = "currency", delta = "currency", pct = "percent", explains = "percent" },
  })
  return { { "weekly_by_key", pivot }, { "weekly_by_model", mpivot }, { "movers", movers },
           { "weekly", res.weekly } }
end

-- The last `k` week columns of a pivot by `dim`.
local function last_weeks(p, dim, weeks, k)
  local cols = { dim }
  for i = math.max(1, #weeks - k + 1), #weeks do
    if C.has_col(p, weeks[i]) then cols[#cols + 1] = weeks[i] end
  end
  return p:select(cols)
end

function M.render(res)
  local th = res.thresholds
  local out, add, put = C.buffer()
  put(C.heading(format("Week over week: %s", res.window.label)))
  for _, n in ipairs(res.notes) do add("note: %s", n) end
  if #res.weekly == 0 then
    add("No traffic in this window.")
  else
    local tabs = M.tables(res)
    for i, part in ipairs { { "api_key_id", "Weekly spend by key (latest weeks; weeks start on Sunday):" },
                            { "model", "Weekly spend by model (latest weeks):" } } do
      add(part[2])
      put(C.show(last_weeks(tabs[i][2]:sort(res.weeks[#res.weeks], "desc"), part[1], res.weeks, 5)))
      add("")
    end
  end
  if #res.movers > 0 then
    add("Biggest movers: mean weekly spend, latest %d weeks against the %d before (total change %s/week):",
      M.RECENT, M.BEFORE, C.money(res.total_change))
    for i, m in ipairs(res.movers) do
      if i > 8 then break end
      add("  %-24s %12s -> %12s  %13s/wk  %8s  explains %s", m.key, C.money(m.before), C.money(m.recent),
        (m.delta >= 0 and "+" or "") .. C.money(m.delta), m.pct and ((m.pct >= 0 and "+" or "") .. C.percent(m.pct))
          or "new", m.explains and C.percent(m.explains) or "—")
    end
    add("")
  end
  for _, m in ipairs(res.new_keys) do add("New key: %s (%s/week recently)", m.key, C.money(m.recent)) end
  for _, m in ipairs(res.vanished_keys) do add("Vanished key: %s (was %s/week)", m.key, C.money(m.before)) end
  if #res.changes == 0 and res.whole then
    add("No key's weekly spend changed level by %g× or more.", th.level_change)
  end
  for _, ch in ipairs(res.changes) do
    add("Level change: %s in the week of %s: %s/week -> %s/week (%s)", ch.key, ch.week, C.money(ch.weekly_before),
      C.money(ch.weekly_after), ch.direction)
    if ch.from_model then
      add("  moved from %s to %s%s", ch.from_model, ch.to_model, ch.date and (" on " .. ch.date) or "")
    end
  end
  add("")
  if #res.growth == 0 then
    add("No key grew %g× or more (latest 2 weeks against the 4 before) by at least %s a month.", th.growth_ratio,
      C.money(th.min_monthly_usd))
  else
    for _, g in ipairs(res.growth) do
      add("Growth: %s from %s/week to %s/week: about %s a month more", g.key, C.money(g.before_weekly),
        C.money(g.recent_weekly), C.money(g.impact_usd))
    end
  end
  return C.finish(out, res.warnings)
end

C.script(M, "week_over_week", { options = { weeks = "number" }, args = "[--weeks N] [options]" })

return M
