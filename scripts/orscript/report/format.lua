-- orscript.report.format: number formatting and value helpers shared by the renderers.
--
-- Owns: money, percent, count, $/Mtok and compact formatting; the "missing value"
-- test (nil, orscript.null, NaN); display names of spend components; text width
-- and padding for UTF-8 strings. Does not own any output format's escaping (each
-- renderer escapes for its own syntax).
local M = {}

local format, floor, abs = string.format, math.floor, math.abs
local huge = math.huge

local null_ok, core = pcall(require, "orscript.core")
local NULL = null_ok and type(core) == "table" and core.null or nil
M.null = NULL

-- The width terminal text is laid out in: $COLUMNS, else the terminal's width, else
-- 100; the second value is false in that last case (output to a file or a pipe, where
-- nothing wraps).
function M.terminal_width()
  local ok, w, known = pcall(function() return core.terminal_width() end)
  if ok and type(w) == "number" and w >= 20 then return w, known ~= false end
  return 100, false
end

-- What a report prints for a missing figure.
M.MISSING = "—"

-- True for nil, orscript.null, NaN and non-numbers where a number is expected.
function M.missing(v)
  if v == nil then return true end
  if NULL ~= nil and v == NULL then return true end
  if type(v) == "number" and v ~= v then return true end
  return false
end

-- A finite number, or nil.
function M.num(v)
  if type(v) ~= "number" or v ~= v or v == huge or v == -huge then return nil end
  return v
end

-- A string for display: nil/null → nil, anything else via tostring.
function M.str(v)
  if M.missing(v) then return nil end
  if type(v) == "string" then return v end
  return tostring(v)
end

-- Text from the API made safe for a terminal or a text file: C0 controls (ESC, BEL, CR,
-- LF, TAB, NUL), DEL and the C1 controls (U+0080–U+009F, e.g. the 8-bit CSI) become
-- `repl`. Renderers apply it to every data string; escaping for their syntax comes after.
function M.plain(s, repl)
  return (s:gsub("[%z\1-\31\127]", repl):gsub("\194[\128-\159]", repl))
end

-- "1234567" → "1,234,567" (digits only; sign and decimals handled by callers).
local function group(digits)
  local out = digits:reverse():gsub("(%d%d%d)", "%1,"):reverse()
  if out:sub(1, 1) == "," then out = out:sub(2) end
  return out
end

-- Formats |x| with `decimals` decimals and thousands separators; returns sign, text.
local function grouped(x, decimals)
  local text = format("%." .. decimals .. "f", abs(x))
  local int, frac = text:match("^(%d+)(.*)$")
  if not int then return "", text end -- exponent form for absurd values
  local negative = x < 0 and text:find("[1-9]") ~= nil
  return negative and "-" or "", group(int) .. frac
end

-- Dollars with `decimals` decimals and thousands separators.
local function dollars(x, decimals)
  local sign, text = grouped(x, decimals)
  return sign .. "$" .. text
end

-- Money: 12345.678 → "$12,345.68", -5 → "-$5.00". Missing → "—".
function M.money(x)
  x = M.num(x)
  if not x then return M.MISSING end
  return dollars(x, 2)
end

-- Whole dollars for headline figures: 8123.4 → "$8,123".
function M.money0(x)
  x = M.num(x)
  if not x then return M.MISSING end
  return dollars(x, abs(x) < 10 and 2 or 0)
end

-- A 0–1 ratio as a percentage with one decimal: 0.1234 → "12.3%".
function M.percent(x)
  x = M.num(x)
  if not x then return M.MISSING end
  local sign, text = grouped(x * 100, 1)
  return sign .. text .. "%"
end

-- An exact count with thousands separators: 2.1e10 → "21,000,000,000".
function M.count(x)
  x = M.num(x)
  if not x then return M.MISSING end
  local sign, text = grouped(floor(x + 0.5), 0)
  return sign .. text
end

-- A plain number: thousands separators, up to 2 decimals, trailing zeros dropped.
function M.number(x)
  x = M.num(x)
  if not x then return M.MISSING end
  if x == floor(x) then return M.count(x) end
  local sign, text = grouped(x, 2)
  text = text:gsub("(%.%d-)0+$", "%1"):gsub("%.$", "")
  return sign .. text
end

-- Dollars per million tokens: 37.2 → "$37.20/Mtok"; small rates keep 4 decimals.
function M.per_mtok(x)
  x = M.num(x)
  if not x then return M.MISSING end
  if x ~= 0 and abs(x) < 0.1 then
    return (x < 0 and "-" or "") .. format("$%.4f/Mtok", abs(x))
  end
  return M.money(x) .. "/Mtok"
end

-- Compact: 2.1e10 → "21.0B", 1234 → "1.2K", 12 → "12". For chart labels.
function M.compact(x)
  x = M.num(x)
  if not x then return M.MISSING end
  local a = abs(x)
  local sign = x < 0 and "-" or ""
  local units = { { 1e12, "T" }, { 1e9, "B" }, { 1e6, "M" }, { 1e3, "K" } }
  for _, u in ipairs(units) do
    if a >= u[1] * 0.9995 then return format("%s%.1f%s", sign, a / u[1], u[2]) end
  end
  if a == floor(a) then return sign .. format("%d", a) end
  return sign .. format("%.2f", a)
end

-- Compact money for axes: 12000 → "$12K", 950 → "$950", 1.5 → "$1.50".
function M.money_compact(x)
  x = M.num(x)
  if not x then return M.MISSING end
  local a, sign = abs(x), x < 0 and "-" or ""
  local function trim(s) return (s:gsub("%.0([KMB])$", "%1")) end
  if a >= 1e9 then return sign .. "$" .. trim(format("%.1fB", a / 1e9)) end
  if a >= 1e6 then return sign .. "$" .. trim(format("%.1fM", a / 1e6)) end
  if a >= 1e3 then return sign .. "$" .. trim(format("%.1fK", a / 1e3)) end
  if a >= 10 or a == 0 then return sign .. format("$%.0f", a) end
  return sign .. format("$%.2f", a)
end

-- A supporting figure {label, value, kind} rendered as text.
local kinds = {
  currency = M.money, percent = M.percent, per_mtok = M.per_mtok,
  count = M.count, number = M.number,
}
function M.figure(value, kind)
  if M.missing(value) then return M.MISSING end
  local f = kinds[kind or ""]
  if f and type(value) == "number" then return f(value) end
  if type(value) == "number" then return M.number(value) end
  return tostring(value)
end

-- Display names of the spend components (metric names from the schema).
local component_names = {
  usage_upstream = "Upstream inference",
  usage_cache = "Cache",
  usage_data = "Data discount",
  usage_web = "Web search",
  usage_upstream_web = "Upstream web search",
  usage_file = "File parsing",
  usage_upstream_file = "Upstream file parsing",
  usage_web_fetch = "Web fetch",
  usage_upstream_web_fetch = "Upstream web fetch",
  remainder = "Remainder (unattributed)",
  other = "Other",
}
function M.component_name(series)
  if series.label and not M.missing(series.label) then return tostring(series.label) end
  local name = M.str(series.name) or "?"
  return component_names[name] or name
end

-- Number of characters (UTF-8 code points) in s, for alignment.
function M.width(s)
  local _, n = s:gsub("[^\128-\191]", "")
  return n
end

function M.pad_right(s, w) return s .. string.rep(" ", w - M.width(s)) end
function M.pad_left(s, w) return string.rep(" ", w - M.width(s)) .. s end

-- Cuts s to at most w code points, ending in "…" when cut.
function M.truncate(s, w)
  if M.width(s) <= w then return s end
  local out, n = {}, 0
  for ch in s:gmatch("[^\128-\191][\128-\191]*") do
    if n >= w - 1 then break end
    out[#out + 1] = ch
    n = n + 1
  end
  return table.concat(out) .. "…"
end

-- Greedy word wrap to `width` columns; returns a list of lines (at least one).
function M.wrap(text, width)
  local lines, line = {}, ""
  for para in (text .. "\n"):gmatch("([^\n]*)\n") do
    line = ""
    for word in para:gmatch("%S+") do
      if line == "" then
        line = word
      elseif M.width(line) + 1 + M.width(word) <= width then
        line = line .. " " .. word
      else
        lines[#lines + 1] = line
        line = word
      end
    end
    lines[#lines + 1] = line
  end
  if #lines > 1 and lines[#lines] == "" then lines[#lines] = nil end
  return lines
end

-- A copy of a list of {label, value} items, largest value first (missing last;
-- ties keep their order).
function M.sorted_by_value(items)
  local copy = {}
  for i, it in ipairs(M.list(items)) do copy[i] = { it = it, i = i, v = M.num(type(it) == "table" and it.value or nil) } end
  table.sort(copy, function(a, b)
    if a.v and b.v and a.v ~= b.v then return a.v > b.v end
    if (a.v == nil) ~= (b.v == nil) then return a.v ~= nil end
    return a.i < b.i
  end)
  local out = {}
  for i, c in ipairs(copy) do out[i] = c.it end
  return out
end

-- "▁▃█▅": one block per value of the list (1..n, n the largest index), scaled from 0
-- (or the smallest value, when one is negative) to the largest, so that a steady
-- series looks steady; a missing value is a space.
local BLOCKS = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" }
function M.sparkline(values, n)
  if not n then
    n = 0
    for k in pairs(values) do if type(k) == "number" and k > n then n = k end end
  end
  local lo, hi = 0, -math.huge
  for i = 1, n do
    local v = M.num(values[i])
    if v then lo, hi = math.min(lo, v), math.max(hi, v) end
  end
  local out = {}
  for i = 1, n do
    local v = M.num(values[i])
    if not v then out[i] = " "
    elseif hi <= lo then out[i] = v == 0 and BLOCKS[1] or BLOCKS[4]
    else out[i] = BLOCKS[math.min(8, math.floor((v - lo) / (hi - lo) * 7 + 0.5) + 1)] end
  end
  return table.concat(out)
end

-- "2026-09-20" → "Sep 20"; anything else unchanged.
local months = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" }
function M.short_date(s)
  s = M.str(s) or ""
  local m, d = s:match("^%d%d%d%d%-(%d%d)%-(%d%d)")
  if m and months[tonumber(m)] then return months[tonumber(m)] .. " " .. tonumber(d) end
  return s
end

-- The list part of t, or an empty table when t is missing or not a table.
function M.list(t)
  if type(t) ~= "table" then return {} end
  return t
end

-- The supporting figures of a recommendation as rows {label(fig[1]), value text}
-- (entries that are not {label, value, kind} tables are skipped).
function M.figure_rows(rec, label)
  local rows = {}
  for _, fig in ipairs(M.list(rec.figures)) do
    if type(fig) == "table" then rows[#rows + 1] = { label(fig[1]), M.figure(fig[2], fig[3]) } end
  end
  return rows
end

-- The sum of the impacts of a list of recommendations (missing impacts skipped).
-- The impact as printed: "$1,234.00/mo", or "$1,234.00 once" for a one-off (r.one_off).
function M.impact_text(r, per)
  return M.money(r.impact_usd) .. (r.one_off == true and " once" or (per or "/mo"))
end

-- The sum of the monthly impacts (one-offs left out), or nil when there is none.
function M.total_impact(recs)
  local total, any = 0, false
  for _, r in ipairs(M.list(recs)) do
    local v = M.num(r.impact_usd)
    if v and r.one_off ~= true then total, any = total + v, true end
  end
  return any and total or nil
end

-- "October 2026 (2026-10-01 – 2026-11-01)" or whatever part of the window is known.
-- Extra baseline lines the review may give: {label, text} for the BYOK share, the monthly
-- figure of a window that is not 30.4 days and the projection of a partial window.
function M.baseline_extra(b)
  local out = {}
  if M.num(b.byok_share) and b.byok_share > 0 then
    out[#out + 1] = { "BYOK share", M.percent(b.byok_share) .. " (" .. M.money(b.byok_usage) .. ", billed by providers)" }
  end
  if M.num(b.monthly_spend) and M.num(b.spend) and math.abs(b.monthly_spend - b.spend) > 0.005 then
    out[#out + 1] = { "Per 30.4-day month", M.money(b.monthly_spend) }
  end
  if M.num(b.projected_spend) then out[#out + 1] = { "Projected for the window", M.money(b.projected_spend) } end
  return out
end

-- The review's checks as table rows {check, ran, scope, found}: which checks ran, on how
-- many models/keys/apps, and which found nothing (or why one did not run).
function M.check_rows(checks)
  local rows = {}
  for _, c in ipairs(M.list(checks)) do
    local sc = M.list(c.scope)
    local parts = {}
    for _, k in ipairs({ "models", "keys", "apps" }) do
      local n = M.num(sc[k])
      if n and n > 0 then parts[#parts + 1] = string.format("%d %s", n, k) end
    end
    local ran = c.ran == true
    rows[#rows + 1] = { M.str(c.label) or M.str(c.kind) or "?", ran and "ran" or "not run",
      ran and table.concat(parts, ", ") or (M.str(c.reason) or ""),
      ran and ((M.num(c.findings) or 0) > 0 and string.format("%d", c.findings) or "nothing") or "—" }
  end
  return rows
end

function M.window_text(w)
  if type(w) ~= "table" then return nil end
  local label, s, e = M.str(w.label), M.str(w.start), M.str(w["end"])
  local range = (s and e) and (s .. " – " .. e) or s or e
  if label and range then return label .. " (" .. range .. ")" end
  return label or range
end

-- --code (recipes/review_code.lua): a recommendation's places in the source, one
-- "file:line text" string each, best first; {} when the review ran without --code.
function M.where_lines(r)
  local out = {}
  for _, w in ipairs(type(r) == "table" and type(r.where) == "table" and r.where or {}) do
    if type(w) == "table" and M.str(w.file) and M.num(w.line) then
      out[#out + 1] = M.plain(string.format("%s:%d %s", w.file, math.floor(w.line), M.str(w.text) or ""), "?")
    end
  end
  return out
end

return M
