-- orscript.daily: daily spend series per group, the input of forecasts and anomaly
-- detection (not part of the public API; orscript.forecast and orscript.anomalies are).
--
-- Owns: fetching one metric per UTC day (optionally per dimension) over a window in
-- one query, and turning a result table into dense series (a missing day is 0).
local core = require "orscript.core"
local U = require "orscript.util"

local M = {}
local DAY = 86400000
local floor = math.floor

M.DAY = DAY

-- Friendly names for the usual groupings.
local ALIASES = { key = "api_key_id", keys = "api_key_id", models = "model", apps = "app" }
-- `by` as a list of at most two dimension names (nil when there is none). Aliases
-- ("key" for api_key_id) apply unless `t` (a table given instead of a query) has a
-- column of that name.
function M.dimensions(fname, by, t)
  if by == nil or by == false then return nil end
  local list = type(by) == "table" and by or { by }
  if #list < 1 or #list > 2 then U.usage("%s: invalid 'by': expected one or two dimension names, got %s", fname, U.show(by)) end
  local out = {}
  for i, b in ipairs(list) do
    if type(b) ~= "string" then
      U.usage("%s: invalid 'by': expected a dimension name such as \"api_key_id\", \"model\" or \"app\", got %s", fname, U.show(b))
    end
    local own = false
    if t then for _, c in ipairs(t.columns) do own = own or c == b end end
    out[i] = own and b or ALIASES[b] or b
  end
  return out
end

function M.weekday(day_ms) return (floor(day_ms / DAY) + 4) % 7 end

-- Raises unless `metric` can be summed over days (spend, counts): a rate (a percentile,
-- a hit rate) cannot be added up into a month. Asks the table's column when given,
-- else the catalogue.
function M.check_summable(fname, metric, t)
  local rate
  if t then
    local ok, info = pcall(t.info, t, metric)
    if not ok then U.usage("%s: the table has no column '%s' (columns: %s)", fname, metric, table.concat(t.columns, ", ")) end
    rate = info.is_rate
  else
    local m = require("orscript").meta():metric(metric)
    rate = m and m.is_rate
  end
  if rate then
    U.usage("%s: '%s' is a rate, and a rate cannot be summed over days; use a summable metric such as total_usage or request_count", fname, metric)
  end
end

-- A label for a group value: text as is, null as "(none)".
local function label(v)
  if v == nil or v == core.null then return "(none)" end
  return tostring(v)
end

-- Dense series from a table with a `date` column (day buckets), `metric` and the
-- optional `by` columns (a list): { days = {ms...}, groups = {name...} (first
-- appearance; two dimensions join as "a / b"), parts = {name = {value per by}},
-- values = {name = {[day_ms] = v}}, total = {[day_ms] = v} }. Days span [start, stop).
function M.from_table(t, metric, by, start, stop)
  local s = { days = {}, groups = {}, parts = {}, values = {}, total = {} }
  for d = start, stop - 1, DAY do
    s.days[#s.days + 1] = d
    s.total[d] = 0
  end
  local time = require "orscript.time"
  for _, row in t:rows() do
    local d = row.date
    if type(d) == "string" then d = time.parse(d) end
    d = floor(d / DAY) * DAY
    local v = row[metric]
    if type(v) == "number" and s.total[d] then
      local g, parts = "total", {}
      if by then
        for i, b in ipairs(by) do parts[i] = label(row[b]) end
        g = table.concat(parts, " / ")
      end
      if not s.values[g] then
        s.values[g] = {}
        s.parts[g] = parts
        s.groups[#s.groups + 1] = g
      end
      s.values[g][d] = (s.values[g][d] or 0) + v
      s.total[d] = s.total[d] + v
    end
  end
  return s
end

-- The query for `metric` per day (and per the `by` list) over [start, stop), unsent.
function M.query(metric, by, start, stop, where)
  return require("orscript.query").new {
    metrics = { metric }, by = by, grain = "day",
    range = { start, stop }, where = where, limit = 10000,
  }
end

-- Runs one query for `metric` per day (and per the `by` list) over [start, stop) with the
-- extra `where` filters, and returns its dense series (see from_table).
function M.fetch(metric, by, start, stop, where)
  local t = M.query(metric, by, start, stop, where):run { split = true }
  if t.meta.truncated then
    U.fail("data", "the daily series was truncated by the API's row limit; narrow 'where' or group by fewer values")
  end
  return M.from_table(t, metric, by, start, stop)
end

-- The value of group `g` on day `d` (0 when absent).
function M.value(s, g, d)
  if g == nil then return s.total[d] or 0 end
  local v = s.values[g]
  return v and v[d] or 0
end

return M
