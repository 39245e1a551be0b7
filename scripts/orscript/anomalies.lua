-- orscript.anomalies: days (or weeks) whose spend is far from its usual level, per
-- key, model or app, with the size of the jump in dollars.
--
-- Owns: the robust baseline (median and MAD of the same weekday over the previous
-- weeks; for weeks, of the previous weeks), the score and the thresholds, and the
-- result table. Series come from orscript.daily (one query). Reference:
-- docs/scripting.md, "Anomalies".
local core = require "orscript.core"
local U = require "orscript.util"
local D = require "orscript.daily"

local M = {}
local DAY = D.DAY
local max, abs, floor = math.max, math.abs, math.floor

-- The median of a list of numbers (0 for an empty list); the list is not changed.
local function median(list)
  return U.median_sorted(U.sorted_copy(list)) or 0
end

M.median = median

-- Median, and a robust spread: 1.4826 × MAD, at least 10% of the median (a flat
-- baseline would otherwise make every cent an anomaly).
local function baseline(values)
  local m = median(values)
  local dev = {}
  for i, v in ipairs(values) do dev[i] = abs(v - m) end
  return m, max(1.4826 * median(dev), 0.1 * abs(m))
end

-- Checks one value against its baseline values; returns the row or nil.
local function check(v, base, opts)
  local m, spread = baseline(base)
  local deviation = v - m
  local score = spread > 0 and deviation / spread or (deviation ~= 0 and math.huge or 0)
  if abs(score) < opts.threshold or abs(deviation) < opts.min_usd then return nil end
  return { spend = v, baseline = m, deviation = deviation, score = score, kind = deviation > 0 and "spike" or "drop" }
end

local OPTIONS = { by = true, metric = true, grain = true, days = true, weeks = true, baseline_weeks = true,
  threshold = true, min_usd = true, where = true, table = true }

-- orscript.anomalies{by =, metric =, grain =, days =, weeks =, baseline_weeks =,
-- threshold =, min_usd =, where =, table =} -> orscript.Table
function M.anomalies(opts)
  opts = opts or {}
  U.check_options("orscript.anomalies", opts, OPTIONS)
  local fname = "orscript.anomalies"
  local time = require "orscript.time"
  local metric = opts.metric or "total_usage"
  local grain = opts.grain or "day"
  if grain ~= "day" and grain ~= "week" then U.usage("%s: invalid 'grain': expected \"day\" or \"week\", got %s", fname, U.show(grain)) end
  local function int(name, default, lo, hi)
    local v = opts[name] == nil and default or opts[name]
    if not U.is_integer(v) or v < lo or v > hi then
      U.usage("%s: invalid '%s': expected an integer %d..%d, got %s", fname, name, lo, hi, U.show(v))
    end
    return v
  end
  local checked = grain == "day" and int("days", 14, 1, 90) or int("weeks", 2, 1, 26)
  if grain == "day" and opts.weeks ~= nil then U.usage("%s: 'weeks' is for grain = \"week\"; use 'days' for daily checks", fname) end
  if grain == "week" and opts.days ~= nil then U.usage("%s: 'days' is for grain = \"day\"; use 'weeks' for weekly checks", fname) end
  local base_weeks = int("baseline_weeks", 6, 3, 26)
  local threshold = opts.threshold or 4
  local min_usd = opts.min_usd or 10
  if type(threshold) ~= "number" or threshold <= 0 then U.usage("%s: invalid 'threshold': expected a positive number (robust z-score), got %s", fname, U.show(threshold)) end
  if type(min_usd) ~= "number" or min_usd < 0 then U.usage("%s: invalid 'min_usd': expected dollars >= 0, got %s", fname, U.show(min_usd)) end
  local o = { threshold = threshold, min_usd = min_usd }
  D.check_summable(fname, metric, opts.table)
  local by = D.dimensions(fname, opts.by, opts.table)

  -- Complete periods only: days before today, weeks (Sunday start) before this week.
  local now = core.now()
  local stop = grain == "day" and time.floor(now, "day") or time.floor(now, "week")
  local span = grain == "day" and (checked * DAY + base_weeks * 7 * DAY) or (checked + base_weeks) * 7 * DAY
  local start = stop - span
  local s = opts.table and D.from_table(opts.table, metric, by, start, stop) or D.fetch(metric, by, start, stop, opts.where)
  local groups = by and s.groups or { "total" }

  local rows = {}
  for _, g in ipairs(groups) do
    local key = by and g or nil
    local value
    if grain == "day" then
      value = function(d) return D.value(s, key, d) end
    else
      value = function(w) local sum = 0; for i = 0, 6 do sum = sum + D.value(s, key, w + i * DAY) end; return sum end
    end
    local step = grain == "day" and DAY or 7 * DAY
    local streak, last_kind = 0, nil
    for p = stop - checked * step, stop - step, step do
      local base = {}
      for k = 1, base_weeks do
        -- Same weekday k weeks back for days; the k-th previous week for weeks.
        base[k] = value(p - k * (grain == "day" and 7 * DAY or step))
      end
      local r = check(value(p), base, o)
      if r then
        streak = (last_kind == r.kind) and streak + 1 or 1
        last_kind = r.kind
        r.date = time.date(p)
        r.streak = streak
        if by then for i, b in ipairs(by) do r[b] = s.parts[g][i] end end
        rows[#rows + 1] = r
      else
        streak, last_kind = 0, nil
      end
    end
  end
  local cols = { "date" }
  for _, b in ipairs(by or {}) do cols[#cols + 1] = b end
  for _, c in ipairs({ "kind", "spend", "baseline", "deviation", "score", "streak" }) do cols[#cols + 1] = c end
  local fmt = { spend = "currency", baseline = "currency", deviation = "currency", score = "number", streak = "number" }
  if #rows == 0 then
    -- An empty table with the same columns and types: one typed row, filtered out.
    local typed = { date = "2026-01-01", kind = "spike", spend = 0, baseline = 0, deviation = 0, score = 0, streak = 0 }
    for _, b in ipairs(by or {}) do typed[b] = "" end
    return core.table({ typed }, { columns = cols, formats = fmt }):filter(function() return false end)
  end
  return core.table(rows, { columns = cols, formats = fmt })
    :derive("_size", function(r) return abs(r.deviation) end):sort("_size", "desc"):select(cols)
end

return M
