-- orscript.forecast: month-to-date spend, a projection to month end with a range, and
-- the comparison with last month; in total and per key, model or app.
--
-- Owns: the weekday-aware run rate (level = the last 14 complete days, weekday shape
-- from the last `weeks` weeks), the range (daily noise and the change in level between
-- the last two weeks), and the Forecast object. The series come from orscript.daily
-- (one query). Reference: docs/scripting.md, "Forecasts".
local core = require "orscript.core"
local U = require "orscript.util"
local D = require "orscript.daily"

local M = {}
local DAY = D.DAY
local floor, max, min, sqrt, abs = math.floor, math.max, math.min, math.sqrt, math.abs
local Z90 = 1.645 -- the range is a 90% interval under the model

local Forecast = U.class("orscript.Forecast")

-- The model for one series: per-weekday expected spend from complete days before `today`.
-- Returns { expected = fn(day_ms) -> usd, level = usd/day, sigma = relative daily sd,
-- drift = relative change of level between the last two weeks }.
local function fit(s, g, today, weeks)
  local shape_start = today - weeks * 7 * DAY
  local by_wd, n_wd, sum = { 0, 0, 0, 0, 0, 0, 0 }, { 0, 0, 0, 0, 0, 0, 0 }, 0
  for d = shape_start, today - DAY, DAY do
    local v = D.value(s, g, d)
    local w = D.weekday(d) + 1
    by_wd[w], n_wd[w], sum = by_wd[w] + v, n_wd[w] + 1, sum + v
  end
  local mean = sum / (weeks * 7)
  local factor = {}
  for w = 1, 7 do factor[w] = (mean > 0 and n_wd[w] > 0) and (by_wd[w] / n_wd[w]) / mean or 1 end
  -- Level: the last two whole weeks (every weekday twice, so the shape averages out).
  local last7, prev7 = 0, 0
  for i = 1, 14 do
    local v = D.value(s, g, today - i * DAY)
    if i <= 7 then last7 = last7 + v else prev7 = prev7 + v end
  end
  local level = (last7 + prev7) / 14
  local function expected(d) return level * factor[D.weekday(d) + 1] end
  -- Relative daily noise around the model over the same 14 days.
  local ss, n = 0, 0
  for i = 1, 14 do
    local d = today - i * DAY
    local e = expected(d)
    if e > 0 then
      local r = D.value(s, g, d) / e - 1
      ss, n = ss + r * r, n + 1
    end
  end
  local sigma = n > 1 and sqrt(ss / (n - 1)) or 0
  local drift = level > 0 and abs(last7 - prev7) / 7 / level / 2 or 0
  return { expected = expected, level = level, sigma = sigma, drift = drift, factor = factor }
end

-- Projection for one series. `ctx` holds the month, today's start and the fraction of
-- today already gone.
local function project(s, g, ctx)
  local m = fit(s, g, ctx.today, ctx.weeks)
  local so_far = 0
  for d = ctx.month_start, ctx.today, DAY do so_far = so_far + D.value(s, g, d) end
  -- Today's remainder (by time of day), then every later day of the month.
  local rest, var = m.expected(ctx.today) * (1 - ctx.frac), 0
  var = (rest * m.sigma) ^ 2
  for d = ctx.today + DAY, ctx.month_stop - DAY, DAY do
    local e = m.expected(d)
    rest, var = rest + e, var + (e * m.sigma) ^ 2
  end
  -- The level itself is uncertain (noise over 14 days, and a level that is moving).
  var = var + (rest * m.sigma / sqrt(14)) ^ 2 + (rest * m.drift) ^ 2
  local sd = sqrt(var)
  local last, last_so_far = 0, 0
  for d = ctx.last_start, ctx.month_start - DAY, DAY do
    local v = D.value(s, g, d)
    last = last + v
    if d < ctx.last_cut then last_so_far = last_so_far + v
    elseif d < ctx.last_cut + DAY then last_so_far = last_so_far + v * ctx.frac end
  end
  local projected = so_far + rest
  return {
    so_far = so_far, projected = projected,
    low = max(so_far, projected - Z90 * sd), high = projected + Z90 * sd,
    last_month = last, last_month_so_far = last_so_far,
    change = projected - last, change_pct = last > 0 and (projected - last) / last or core.null,
    run_rate = m.level, rest = rest,
    _model = m,
  }
end

local OPTIONS = { by = true, metric = true, weeks = true, where = true, table = true }

-- The daily query a forecast (and anomaly detection with its defaults) reads, unsent,
-- for batching with orscript.all: from the start of last month, or 8 weeks back if
-- that is earlier, to the end of today.
function M.query(opts)
  opts = opts or {}
  U.check_options("orscript.forecast_query", opts, { by = true, metric = true, weeks = true, where = true })
  local time = require "orscript.time"
  local weeks = opts.weeks or 8
  if not U.is_integer(weeks) or weeks < 2 or weeks > 26 then
    U.usage("orscript.forecast_query: invalid 'weeks': expected an integer 2..26, got %s", U.show(weeks))
  end
  local now = core.now()
  local today = time.floor(now, "day")
  local start = min(time.add(time.floor(now, "month"), -1, "month"), today - weeks * 7 * DAY)
  return D.query(opts.metric or "total_usage", D.dimensions("orscript.forecast_query", opts.by), start, today + DAY, opts.where)
end

-- orscript.forecast{by =, metric =, weeks =, where =, table =} -> orscript.Forecast
function M.forecast(opts)
  opts = opts or {}
  U.check_options("orscript.forecast", opts, OPTIONS)
  local time = require "orscript.time"
  local metric = opts.metric or "total_usage"
  if type(metric) ~= "string" then U.usage("orscript.forecast: invalid 'metric': expected a metric name, got %s", U.show(metric)) end
  local weeks = opts.weeks or 6
  if not U.is_integer(weeks) or weeks < 2 or weeks > 26 then
    U.usage("orscript.forecast: invalid 'weeks': expected an integer 2..26 (weeks of history for the weekday shape), got %s", U.show(weeks))
  end
  D.check_summable("orscript.forecast", metric, opts.table)
  local by = D.dimensions("orscript.forecast", opts.by, opts.table)
  local now = core.now()
  local month = time.month(now)
  local today = time.floor(now, "day")
  local ctx = {
    weeks = weeks, today = today, frac = (now - today) / DAY,
    month_start = month.start, month_stop = month.stop,
    last_start = time.add(month.start, -1, "month"),
  }
  ctx.last_cut = ctx.last_start + (today - month.start)
  local start = min(ctx.last_start, today - weeks * 7 * DAY)
  -- `table` (daily rows with date, the `by` columns and the metric) replaces the query.
  local s = opts.table and D.from_table(opts.table, metric, by, start, today + DAY)
    or D.fetch(metric, by, start, today + DAY, opts.where)

  local f = setmetatable({
    metric = metric, by = by or false, as_of = time.format(now), groups = false, movers = false,
    month = month, days_in_month = month:days(), days_elapsed = (now - month.start) / DAY,
  }, Forecast)
  f.total = project(s, nil, ctx)
  local rows, cols = {}, {}
  if by then
    for _, g in ipairs(s.groups) do
      local p = project(s, g, ctx)
      local row = { so_far = p.so_far, projected = p.projected, low = p.low, high = p.high,
        last_month = p.last_month, change = p.change, change_pct = p.change_pct }
      for i, b in ipairs(by) do row[b] = s.parts[g][i] end
      rows[#rows + 1] = row
    end
    cols = { unpack(by) }
    for _, c in ipairs({ "so_far", "projected", "low", "high", "last_month", "change", "change_pct" }) do cols[#cols + 1] = c end
  end
  local fmt = { so_far = "currency", projected = "currency", low = "currency", high = "currency",
    last_month = "currency", change = "currency", change_pct = "percent" }
  if by and #rows == 0 then
    -- No spend at all: an empty table with the same columns and types.
    local typed = { so_far = 0, projected = 0, low = 0, high = 0, last_month = 0, change = 0, change_pct = 0 }
    for _, b in ipairs(by) do typed[b] = "" end
    f.groups = core.table({ typed }, { columns = cols, formats = fmt }):filter(function() return false end)
    f.movers = f.groups
  elseif by then
    f.groups = core.table(rows, { columns = cols, formats = fmt }):sort("projected", "desc")
    f.movers = f.groups:derive("abs_change", function(r) return abs(r.change) end)
      :sort("abs_change", "desc"):select(cols)
  end
  -- The total series day by day: actual where known, expected from today on.
  local daily = {}
  for d = ctx.last_start, month.stop - DAY, DAY do
    local actual = d <= today and D.value(s, nil, d) or core.null
    local e = d >= today - 14 * DAY and f.total._model.expected(d) or core.null
    daily[#daily + 1] = { date = time.date(d), actual = actual, expected = e }
  end
  f.daily = core.table(daily, { columns = { "date", "actual", "expected" },
    formats = { actual = "currency", expected = "currency" } })
  f.total._model = nil
  return f
end

local function money(x) return require("orscript.report.format").money(x) end

-- One line: "November 2026 so far $X; projected $Y ($lo–$hi); last month $Z (+n%)".
function Forecast:summary()
  local t = self.total
  local label = os.date("!%B %Y", floor(self.month.start / 1000))
  local pct = t.change_pct ~= core.null and string.format(" (%+.0f%%)", t.change_pct * 100) or ""
  return string.format("%s so far %s; projected %s (%s to %s); last month %s%s", label, money(t.so_far),
    money(t.projected), money(t.low), money(t.high), money(t.last_month), pct)
end

Forecast.__tostring = function(self)
  local s = self:summary()
  if self.groups then s = s .. "\n" .. tostring(self.groups) end
  return s
end

M.Forecast = Forecast
return M
