-- orscript.report.month: the review's opening section, "this month so far /
-- projected / last month" and the keys that moved most against last month.
--
-- Owns: turning an orscript.Forecast into the report's `this_month` data, and the
-- section's rows as text for every renderer (terminal, Markdown, HTML; JSON passes
-- the data through). Does not query anything.
--
--   data.this_month = {
--     label = "November 2026", as_of = "2026-11-18T12:00:00Z", days_elapsed = 17.5, days = 30,
--     so_far = 15802.35, projected = 26950.31, low = 26331.51, high = 27569.11,
--     last_month = 27460.12, last_month_label = "October 2026", last_month_so_far = 14100.2,
--     movers = { { name = "sales-copilot", last_month = 535.87, so_far = 747.08,
--                  projected = 1273.2, change = 737.33, change_pct = 1.376 }, ... },
--     spikes = { { key = "batch-pipeline", date = "2026-11-12", spend = 980.1, baseline = 610.4,
--                  deviation = 369.7 }, ... },   -- single-day spikes of the last two weeks
--   }
local F = require "orscript.report.format"

local format = string.format
local M = {}

local MONTHS = { "January", "February", "March", "April", "May", "June", "July", "August", "September",
  "October", "November", "December" }

local function month_label(ms)
  local d = os.date("!*t", math.floor(ms / 1000))
  return MONTHS[d.month] .. " " .. d.year
end

-- The section's data from a Forecast made with by = "api_key_id" (or any `by`): the
-- totals and the `n` biggest movers (default 8).
function M.from_forecast(f, n)
  local t = f.total
  local null = F.null
  local function v(x) if x == null then return nil end return x end
  local out = {
    label = month_label(f.month.start), as_of = f.as_of, days_elapsed = f.days_elapsed, days = f.days_in_month,
    so_far = t.so_far, projected = t.projected, low = t.low, high = t.high,
    last_month = t.last_month, last_month_so_far = t.last_month_so_far, change_pct = v(t.change_pct),
    last_month_label = month_label(f.month.start - 86400000), movers = {},
  }
  if f.movers then
    local by = f.by[1]
    for i, r in f.movers:rows() do
      if i > (n or 8) then break end
      out.movers[i] = { name = r[by], last_month = r.last_month, so_far = r.so_far, projected = r.projected,
        change = r.change, change_pct = v(r.change_pct) }
    end
  end
  return out
end

-- Single-day spikes from an orscript.anomalies table grouped by `by`: spikes whose
-- day before and day after were not anomalies of the same key (a level change is a run
-- of them and is left to the weekly checks). Largest first, at most `n` (default 5).
function M.spikes(a, by, n)
  local flagged = {}
  for _, r in a:rows() do flagged[tostring(r[by]) .. "\0" .. r.date] = true end
  local function shifted(date, days)
    local y, m, d = date:match("^(%d+)-(%d+)-(%d+)$")
    local t = os.time { year = tonumber(y), month = tonumber(m), day = tonumber(d) + days, hour = 12 }
    return os.date("%Y-%m-%d", t)
  end
  local out = {}
  for _, r in a:rows() do
    local key = tostring(r[by])
    if r.kind == "spike" and not flagged[key .. "\0" .. shifted(r.date, -1)] and not flagged[key .. "\0" .. shifted(r.date, 1)] then
      out[#out + 1] = { key = key, date = r.date, spend = r.spend, baseline = r.baseline, deviation = r.deviation }
      if #out >= (n or 5) then break end
    end
  end
  return out
end

-- "key on 2026-11-12: $980.10 against a usual $610.40 (+$369.70)" per spike.
function M.spike_lines(tm)
  local out = {}
  if type(tm) ~= "table" then return out end
  for _, x in ipairs(F.list(tm.spikes)) do
    out[#out + 1] = format("%s on %s: %s against a usual %s (+%s)", F.str(x.key) or "?", F.str(x.date) or "?",
      F.money(x.spend), F.money(x.baseline), F.money(x.deviation))
  end
  return out
end

local function signed_money(x)
  x = F.num(x)
  if not x then return F.MISSING end
  return (x >= 0 and "+" or "") .. F.money(x)
end

local function signed_pct(x)
  x = F.num(x)
  if not x then return "new" end
  return (x >= 0 and "+" or "") .. F.percent(x)
end

-- {label, value, note} rows: so far, projected (with its range), last month.
function M.summary_rows(tm)
  if type(tm) ~= "table" then return {} end
  return {
    { "So far", F.money(tm.so_far), format("%s, %s of %s days", F.str(tm.label) or "this month",
      F.number(tm.days_elapsed), F.number(tm.days)) },
    { "Projected", F.money(tm.projected), format("range %s to %s", F.money(tm.low), F.money(tm.high)) },
    { "Last month", F.money(tm.last_month), format("%s: %s by this point%s", F.str(tm.last_month_label) or "",
      F.money(tm.last_month_so_far), F.num(tm.change_pct) and ("; this month projected " .. signed_pct(tm.change_pct)) or "") },
  }
end

-- The movers as text rows under a header: key, last month, projected, change, change %.
function M.mover_rows(tm)
  local rows = {}
  if type(tm) ~= "table" then return rows end
  for _, m in ipairs(F.list(tm.movers)) do
    rows[#rows + 1] = { F.str(m.name) or "?", F.money(m.last_month), F.money(m.projected), signed_money(m.change),
      signed_pct(m.change_pct) }
  end
  return rows
end

M.MOVER_HEADER = { "key", "last month", "projected", "change", "change %" }

return M
