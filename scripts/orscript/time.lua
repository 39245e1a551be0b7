-- orscript.time: UTC instants and half-open ranges, relative to the host clock.
--
-- Owns: ISO-8601 parsing/formatting, calendar arithmetic (days, Sunday-start weeks,
-- months), and orscript.Range. Instants are Unix milliseconds (numbers). Every
-- helper that means "now" reads core.now(), which `--now` fixes; never os.time.
-- Dates without a time mean midnight UTC; a range's end is exclusive.
local core = require "orscript.core"
local U = require "orscript.util"

local floor, format = math.floor, string.format

local M = {}

local MINUTE, HOUR, DAY = 60000, 3600000, 86400000
M.MINUTE, M.HOUR, M.DAY, M.WEEK = MINUTE, HOUR, DAY, 7 * DAY

-- Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = floor(y / 400)
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + floor(yoe / 4) - floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end

local function civil_from_days(z)
  z = z + 719468
  local era = floor(z / 146097)
  local doe = z - era * 146097
  local yoe = floor((doe - floor(doe / 1460) + floor(doe / 36524) - floor(doe / 146096)) / 365)
  local y = yoe + era * 400
  local doy = doe - (365 * yoe + floor(yoe / 4) - floor(yoe / 100))
  local mp = floor((5 * doy + 2) / 153)
  local d = doy - floor((153 * mp + 2) / 5) + 1
  local m = mp < 10 and mp + 3 or mp - 9
  if m <= 2 then y = y + 1 end
  return y, m, d
end

local function days_in_month(y, m)
  if m == 12 then return 31 end
  return days_from_civil(y, m + 1, 1) - days_from_civil(y, m, 1)
end

-- Parses ISO-8601 text; returns Unix ms or nil and a reason. The host's parser, the
-- one --now and the simulator use, so a time means the same everywhere.
local function try_parse(s)
  if type(s) ~= "string" then return nil, "not a string" end
  return core.parse_time(s)
end

-- Instants a time may be: the years 0000..9999 (what ISO-8601 text can show).
local MIN_MS, MAX_MS = days_from_civil(0, 1, 1) * DAY, days_from_civil(10000, 1, 1) * DAY - 1

local function to_ms(v, fname, what)
  if type(v) == "number" then
    if v ~= v or v < MIN_MS or v > MAX_MS then
      U.usage("%s: invalid %s %s: expected Unix milliseconds within the years 0000..9999", fname, what, U.show(v))
    end
    return v
  end
  if type(v) == "string" then
    local t, why = try_parse(v)
    if not t then
      U.usage("%s: invalid %s %s: %s (use ISO-8601 UTC such as \"2026-05-01\" or \"2026-05-01T12:00:00Z\")",
        fname, what, U.show(v), why)
    end
    return t
  end
  U.usage("%s: invalid %s: expected an ISO-8601 string or Unix milliseconds, got %s", fname, what, U.show(v))
end
M._to_ms = to_ms
M._try_parse = try_parse

-- ---------------------------------------------------------------------------------
-- Instants

function M.now() return core.now() end

function M.parse(s)
  return to_ms(s, "orscript.time.parse", "time")
end

-- "2026-05-01T00:00:00Z" (milliseconds shown only when not zero).
function M.format(t)
  t = to_ms(t, "orscript.time.format", "time")
  local days = floor(t / DAY)
  local rem = t - days * DAY
  local y, m, d = civil_from_days(days)
  local h = floor(rem / HOUR)
  local mi = floor((rem % HOUR) / MINUTE)
  local s = floor((rem % MINUTE) / 1000)
  local ms = rem % 1000
  if ms ~= 0 then return format("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, m, d, h, mi, s, ms) end
  return format("%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, h, mi, s)
end

-- "2026-05-01"
function M.date(t)
  t = to_ms(t, "orscript.time.date", "time")
  local y, m, d = civil_from_days(floor(t / DAY))
  return format("%04d-%02d-%02d", y, m, d)
end

-- Year, month, day, hour, minute, second, weekday (0 = Sunday) of an instant.
function M.parts(t)
  t = to_ms(t, "orscript.time.parts", "time")
  local days = floor(t / DAY)
  local y, m, d = civil_from_days(days)
  local rem = t - days * DAY
  return y, m, d, floor(rem / HOUR), floor((rem % HOUR) / MINUTE), floor((rem % MINUTE) / 1000), (days + 4) % 7
end

local GRAINS = { minute = true, hour = true, day = true, week = true, month = true, year = true }

-- Start of the bucket holding `t` (weeks start on Sunday, as the analytics API's do).
function M.floor(t, grain)
  t = to_ms(t, "orscript.time.floor", "time")
  if grain == "minute" then return floor(t / MINUTE) * MINUTE end
  if grain == "hour" then return floor(t / HOUR) * HOUR end
  local days = floor(t / DAY)
  if grain == "day" then return days * DAY end
  if grain == "week" then return (days - (days + 4) % 7) * DAY end
  local y, m = civil_from_days(days)
  if grain == "month" then return days_from_civil(y, m, 1) * DAY end
  if grain == "year" then return days_from_civil(y, 1, 1) * DAY end
  U.usage("orscript.time.floor: invalid grain %s: expected minute, hour, day, week, month or year", U.show(grain))
end

-- `t` moved by `n` units (calendar months keep the day, clamped to the month's end).
function M.add(t, n, unit)
  t = to_ms(t, "orscript.time.add", "time")
  if not U.is_integer(n) then U.usage("orscript.time.add: invalid count %s: expected an integer", U.show(n)) end
  if unit == "minute" then return t + n * MINUTE end
  if unit == "hour" then return t + n * HOUR end
  if unit == "day" then return t + n * DAY end
  if unit == "week" then return t + n * 7 * DAY end
  if unit == "month" or unit == "year" then
    if unit == "year" then n = n * 12 end
    local days = floor(t / DAY)
    local y, m, d = civil_from_days(days)
    local idx = y * 12 + (m - 1) + n
    local ny, nm = floor(idx / 12), idx % 12 + 1
    local nd = math.min(d, days_in_month(ny, nm))
    return days_from_civil(ny, nm, nd) * DAY + (t - days * DAY)
  end
  U.usage("orscript.time.add: invalid unit %s: expected minute, hour, day, week, month or year", U.show(unit))
end

-- The ISO date of the Sunday that starts the week holding `t` (ms or date text).
function M.week_of(t)
  return M.date(M.floor(to_ms(t, "orscript.time.week_of", "time"), "week"))
end

-- A monotonic clock in milliseconds (not fixed by --now): for measuring how long
-- something took, never for dates. Falls back to os.clock() without the FFI.
local clock
function M.clock()
  if clock == nil then
    local ok, ffi = pcall(require, "ffi")
    if ok and pcall(ffi.cdef, [[
        typedef struct { long tv_sec; long tv_nsec; } orscript_timespec;
        int clock_gettime(int clk, orscript_timespec* ts);
      ]]) then
      local ts = ffi.new("orscript_timespec")
      clock = function()
        ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
        return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
      end
    else
      clock = function() return os.clock() * 1000 end
    end
  end
  return clock()
end

-- ---------------------------------------------------------------------------------
-- Ranges

local Range = U.class("orscript.Range")
M.Range = Range

local function new_range(start, stop, period)
  return setmetatable({ start = start, stop = stop, ["end"] = stop, period = period or false }, Range)
end

-- orscript.time.range(start, end) or range{start, end}: a half-open UTC range.
function M.range(a, b)
  if getmetatable(a) == Range and b == nil then return a end
  if type(a) == "table" and b == nil then
    a, b = a.start or a[1], a["end"] or a.stop or a[2]
  end
  local s = to_ms(a, "orscript.time.range", "start")
  local e = to_ms(b, "orscript.time.range", "end")
  if s >= e then
    U.usage("orscript.time.range: start %s is not before end %s (the end is exclusive)", M.format(s), M.format(e))
  end
  return new_range(s, e)
end

-- The calendar month containing `t` (default: now).
function M.month(t)
  local s = M.floor(t or core.now(), "month")
  return new_range(s, M.add(s, 1, "month"), "month")
end

function M.last_month()
  local this = M.floor(core.now(), "month")
  return new_range(M.add(this, -1, "month"), this, "month")
end

-- From the start of the current `grain` bucket to now (never empty).
local function so_far(grain)
  local now = core.now()
  local s = M.floor(now, grain)
  if now <= s then now = s + 1 end
  return new_range(s, now, grain)
end

-- From the start of this month to now.
function M.this_month() return so_far("month") end

-- The last `n` complete UTC days (today excluded).
function M.last_days(n)
  if not U.is_integer(n) or n < 1 then
    U.usage("orscript.time.last_days: invalid 'n': expected an integer >= 1, got %s", U.show(n))
  end
  local today = M.floor(core.now(), "day")
  return new_range(today - n * DAY, today, n == 1 and "day" or false)
end

-- The last `n` hours up to now (minute-aligned), e.g. for `minute` grain.
function M.last_hours(n)
  if not U.is_integer(n) or n < 1 then
    U.usage("orscript.time.last_hours: invalid 'n': expected an integer >= 1, got %s", U.show(n))
  end
  local now = M.floor(core.now(), "minute")
  return new_range(now - n * HOUR, now)
end

-- Today so far (UTC).
function M.today() return so_far("day") end

-- The last `n` complete Sunday-start weeks.
function M.weeks(n)
  n = n or 1
  if not U.is_integer(n) or n < 1 then
    U.usage("orscript.time.weeks: invalid 'n': expected an integer >= 1, got %s", U.show(n))
  end
  local this = M.floor(core.now(), "week")
  return new_range(this - n * 7 * DAY, this, n == 1 and "week" or false)
end

function Range:days() return (self.stop - self.start) / DAY end
function Range:hours() return (self.stop - self.start) / HOUR end
function Range:ms() return self.stop - self.start end
function Range:contains(t)
  t = to_ms(t, "Range:contains", "time")
  return t >= self.start and t < self.stop
end

-- Moved by `n` periods: calendar months for month ranges, else the range's length.
function Range:shift(n)
  n = n or 1
  if not U.is_integer(n) then U.usage("Range:shift: invalid 'n': expected an integer, got %s", U.show(n)) end
  if self.period == "month" then
    return new_range(M.add(self.start, n, "month"), M.add(self.stop, n, "month"), "month")
  end
  local len = self.stop - self.start
  return new_range(self.start + n * len, self.stop + n * len, self.period)
end

-- The period just before this one (for period-over-period comparisons).
function Range:prev() return self:shift(-1) end

-- Start and end as ISO text.
function Range:iso() return M.format(self.start), M.format(self.stop) end

-- First and last day as inclusive dates ("2026-10-01", "2026-10-31"), as the datasets take.
function Range:dates() return M.date(self.start), M.date(self.stop - 1) end

-- Consecutive sub-ranges of at most `days` days each.
function Range:split(days)
  if type(days) ~= "number" or days <= 0 then
    U.usage("Range:split: invalid 'days': expected a positive number, got %s", U.show(days))
  end
  local out, cur = {}, self.start
  while cur < self.stop do
    local nxt = math.min(cur + days * DAY, self.stop)
    out[#out + 1] = new_range(cur, nxt)
    cur = nxt
  end
  return out
end

-- Start instants of the `grain` buckets overlapping the range, oldest first.
function Range:buckets(grain)
  local out, cur = {}, M.floor(self.start, grain)
  while cur < self.stop do
    out[#out + 1] = cur
    cur = (grain == "month" or grain == "year") and M.add(cur, 1, grain)
      or cur + ({ minute = MINUTE, hour = HOUR, day = DAY, week = 7 * DAY })[grain]
  end
  return out
end

-- The Sunday starts of the weeks overlapping the range, as ISO dates, oldest first.
function Range:week_dates()
  local out = {}
  for i, ms in ipairs(self:buckets("week")) do out[i] = M.date(ms) end
  return out
end

local MONTHS = { "January", "February", "March", "April", "May", "June", "July", "August", "September",
                 "October", "November", "December" }

-- "October 2026" for a calendar month, else "2026-10-01 .. 2026-10-31" (inclusive dates).
function Range:label()
  local first, last = self:dates()
  local y, mo, d = M.parts(self.start)
  if d == 1 and M.date(M.add(self.start, 1, "month")) == M.date(self.stop) then
    return format("%s %d", MONTHS[mo], y)
  end
  return first .. " .. " .. last
end

Range.__tostring = function(r)
  local s, e = r:iso()
  return format("%s .. %s (%s days)", s, e, (r.stop - r.start) % DAY == 0 and format("%d", r:days())
    or format("%.2f", r:days()))
end
Range.__eq = function(a, b) return a.start == b.start and a.stop == b.stop end

return U.module("orscript.time", M)
