-- orscript.report.svg: the inline SVG charts of the HTML report.
--
-- Owns: three charts (horizontal bars, multi-line with change-point markers,
-- stacked bars with negative components below zero), axis ticks, the palette and
-- XML escaping. Each chart is one <svg> element with a viewBox, drawn at a fixed
-- 1000-unit width and scaled by CSS. Legends are HTML (html.lua) so they wrap.
local F = require "orscript.report.format"

local concat, format = table.concat, string.format
local floor, ceil, max, min, abs, log10 = math.floor, math.ceil, math.max, math.min, math.abs, math.log10

local M = {}

-- Colour-blind-safe categorical palette (Tableau 10 order).
M.palette = {
  "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
  "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
}
function M.color(i) return M.palette[(i - 1) % #M.palette + 1] end

-- Escapes text for HTML/XML content and attribute values.
function M.escape(s)
  s = F.str(s) or ""
  s = s:gsub("[%z\1-\8\11\12\14-\31\127]", "")
  return (s:gsub("[&<>\"']", { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&#39;" }))
end
local esc = M.escape

local function n(x) -- a coordinate, short and locale-independent
  local s = format("%.1f", x)
  return (s:gsub("%.0$", ""))
end

-- Approximate rendered width of text at `size` px in a sans-serif font.
local function text_width(s, size) return F.width(s) * size * 0.56 end

M.short_date = F.short_date

-- Round tick step covering [lo, hi] in about `count` intervals; returns lo', hi', step.
function M.nice_scale(lo, hi, count)
  if hi <= lo then hi = lo + 1 end
  local raw = (hi - lo) / (count or 5)
  local mag = 10 ^ floor(log10(raw))
  local step
  for _, m in ipairs({ 1, 2, 2.5, 5, 10 }) do
    step = m * mag
    if step >= raw then break end
  end
  return floor(lo / step + 1e-9) * step, ceil(hi / step - 1e-9) * step, step
end

local function open_svg(id, w, h, label)
  return format('<svg id="%s" class="chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img" '
    .. 'aria-labelledby="%s-t" xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">'
    .. '<title id="%s-t">%s</title>', id, w, h, w, h, id, id, esc(label))
end

-- Horizontal y-grid with labels on the left (`fmt`, default compact money); returns
-- the SVG pieces.
local function y_grid(out, lo, hi, step, x0, x1, ymap, fmt)
  fmt = fmt or F.money_compact
  local v = lo
  while v <= hi + step * 1e-6 do
    local y = ymap(v)
    local zero = abs(v) < step * 1e-6
    out[#out + 1] = format('<line x1="%s" y1="%s" x2="%s" y2="%s" class="%s"/>', n(x0), n(y), n(x1), n(y),
      zero and "axis" or "grid")
    out[#out + 1] = format('<text x="%s" y="%s" class="tick" text-anchor="end" dominant-baseline="middle">%s</text>',
      n(x0 - 8), n(y), esc(fmt(zero and 0 or v)))
    v = v + step
  end
end

-- True when one series dwarfs the others (the largest total is over 30 times the
-- smallest positive one): a linear axis would flatten all but the largest.
function M.wants_log(series)
  local lo, hi, count = math.huge, 0, 0
  for _, s in ipairs(series) do
    local sum = 0
    for _, v in pairs(F.list(s.values)) do
      v = F.num(v)
      if v and v > 0 then sum = sum + v end
    end
    if sum > 0 then lo, hi, count = min(lo, sum), max(hi, sum), count + 1 end
  end
  return count >= 2 and hi > 30 * lo
end

-- A log10 axis over the positive values in [lo, hi]: returns the map and draws
-- gridlines at 1, 2 and 5 times each power of ten (only powers when there are many).
local function log_axis(out, lo, hi, x0, x1, y0, y1, fmt)
  fmt = fmt or F.money_compact
  local a, b = floor(log10(lo)), ceil(log10(hi))
  if b <= a then b = a + 1 end
  local function ymap(v) return y1 - (y1 - y0) * (log10(v) - a) / (b - a) end
  local mults = (b - a) <= 3 and { 1, 2, 5 } or { 1 }
  for e = a, b do
    for _, m in ipairs(mults) do
      local v = m * 10 ^ e
      if v <= 10 ^ b * 1.0001 then
        local y = ymap(v)
        out[#out + 1] = format('<line x1="%s" y1="%s" x2="%s" y2="%s" class="%s"/>', n(x0), n(y), n(x1), n(y),
          e == a and m == 1 and "axis" or "grid")
        out[#out + 1] = format('<text x="%s" y="%s" class="tick" text-anchor="end" dominant-baseline="middle">%s</text>',
          n(x0 - 8), n(y), esc(fmt(v)))
      end
    end
  end
  return ymap
end

-- Week labels along the bottom, thinned to at most ~12.
local function x_labels(out, weeks, xmap, y)
  local every = max(1, ceil(#weeks / 12))
  for i, w in ipairs(weeks) do
    if (i - 1) % every == 0 or i == #weeks and #weeks <= 12 then
      out[#out + 1] = format('<text x="%s" y="%s" class="tick" text-anchor="middle">%s</text>',
        n(xmap(i)), n(y), esc(M.short_date(w)))
    end
  end
end

-- (1) Spend by model: horizontal bars with value and share labels.
function M.bars(items, opts)
  opts = opts or {}
  local money, money_compact = opts.value_format or F.money, opts.format or F.money_compact
  local W, row, barh = 1000, 30, 18
  local rows, total, top = {}, 0, 0
  for _, it in ipairs(F.sorted_by_value(items)) do
    local v = F.num(it.value)
    rows[#rows + 1] = { label = F.str(it.label) or "?", value = v }
    if v then total, top = total + max(v, 0), max(top, v) end
  end
  local longest = 0
  for _, r in ipairs(rows) do longest = max(longest, text_width(r.label, 13)) end
  local lw = min(330, max(120, longest + 20))
  local x0, x1 = lw, W - 150
  local _, hi, step = M.nice_scale(0, top > 0 and top or 1, 5)
  local H = 16 + #rows * row + 30
  local out = { open_svg(opts.id or "chart-models", W, H, opts.title or "Spend by model") }
  local function xmap(v) return x0 + (x1 - x0) * v / hi end
  local ybottom = 10 + #rows * row
  local v = 0
  while v <= hi + step * 1e-6 do
    out[#out + 1] = format('<line x1="%s" y1="6" x2="%s" y2="%s" class="%s"/>', n(xmap(v)), n(xmap(v)),
      n(ybottom), v == 0 and "axis" or "grid")
    out[#out + 1] = format('<text x="%s" y="%s" class="tick" text-anchor="middle">%s</text>', n(xmap(v)),
      n(ybottom + 18), esc(money_compact(v)))
    v = v + step
  end
  for i, r in ipairs(rows) do
    local y = 10 + (i - 1) * row + (row - barh) / 2
    local label = r.label
    local maxw = lw - 20
    if text_width(label, 13) > maxw then label = F.truncate(label, floor(maxw / (13 * 0.56))) end
    out[#out + 1] = format('<g class="bar"><title>%s: %s</title>', esc(r.label), esc(money(r.value)))
    out[#out + 1] = format('<text x="%s" y="%s" class="label" text-anchor="end" dominant-baseline="middle">%s</text>',
      n(x0 - 10), n(y + barh / 2), esc(label))
    local wv = r.value and max(r.value, 0) or 0
    local bw = max(wv > 0 and 1.5 or 0, xmap(wv) - x0)
    out[#out + 1] = format('<rect x="%s" y="%s" width="%s" height="%d" rx="3" fill="%s"/>', n(x0), n(y), n(bw),
      barh, i == 1 and "#2f5d8c" or "#4e79a7")
    local share = (r.value and total > 0) and ("  " .. F.percent(r.value / total)) or ""
    out[#out + 1] = format('<text x="%s" y="%s" class="value" dominant-baseline="middle">%s<tspan class="share">%s</tspan></text></g>',
      n(x0 + bw + 8), n(y + barh / 2), esc(money(r.value)), esc(share))
  end
  out[#out + 1] = "</svg>"
  return concat(out, "\n")
end

-- The index of `week` in `weeks`, or of the first week after it; nil if none.
local function week_index(weeks, week)
  week = F.str(week)
  if not week then return nil end
  for i, w in ipairs(weeks) do if F.str(w) == week then return i end end
  for i, w in ipairs(weeks) do if (F.str(w) or "") > week then return i end end
  return nil
end

-- (2) Weekly spend per series as lines; markers = {series, week, label} draw a
-- vertical line at that week with a label on top and a ring on the series' point.
function M.lines(weeks, series, markers, opts)
  opts = opts or {}
  local W, left, right, bottom = 1000, 72, 24, 44
  -- Lay out marker labels in rows so they do not overlap.
  local rows_used = 0
  local rows_end = {} -- per label row, the x-intervals already taken
  local pending = {}
  local plot_x0, plot_x1 = left, W - right
  local nweeks = #weeks
  local function xmap(i)
    if nweeks <= 1 then return (plot_x0 + plot_x1) / 2 end
    return plot_x0 + (plot_x1 - plot_x0) * (i - 1) / (nweeks - 1)
  end
  local series_index = {}
  for i, s in ipairs(series) do series_index[F.str(s.name) or ""] = i end
  for _, m in ipairs(markers or {}) do
    local wi = week_index(weeks, m.week)
    if wi then
      local text = F.truncate((F.str(m.series) or "?") .. ": " .. (F.str(m.label) or "level changed"), 46)
      local x = xmap(wi)
      local tw = F.width(text) * 12 * 0.6 + 18
      local anchor_end = x + tw > W - 4
      local a, b = anchor_end and x - tw or x, anchor_end and x or x + tw
      local r = 1
      while true do
        local clash = false
        for _, iv in ipairs(rows_end[r] or {}) do
          if iv.b > a and iv.a < b then clash = true; break end
        end
        if not clash then break end
        r = r + 1
      end
      rows_end[r] = rows_end[r] or {}
      table.insert(rows_end[r], { a = a, b = b })
      rows_used = max(rows_used, r)
      pending[#pending + 1] = { m = m, wi = wi, x = x, text = text, row = r, anchor_end = anchor_end,
        si = series_index[F.str(m.series) or ""], tw = tw }
    end
  end
  local top = 14 + rows_used * 24
  local H = top + 300 + bottom
  local y0, y1 = top, top + 300 -- plot area (y0 = top edge)

  local lo, hi, pos = 0, 0, math.huge
  for _, s in ipairs(series) do
    local vals = F.list(s.values)
    for i = 1, nweeks do
      local v = F.num(vals[i])
      if v then lo, hi = min(lo, v), max(hi, v) end
      if v and v > 0 then pos = min(pos, v) end
    end
  end
  -- opts.log: true, false or "auto" (log when one series dwarfs the others); a log
  -- axis leaves out values <= 0 (gaps in the line).
  local log = opts.log == true or (opts.log == "auto" and M.wants_log(series))
  if pos == math.huge then log = false end
  local out = { open_svg(opts.id or "chart-weekly", W, H, opts.title or "Weekly spend by key") }
  local ymap
  if log then
    ymap = log_axis(out, pos, hi, plot_x0, plot_x1, y0, y1, opts.format)
  else
    local step
    lo, hi, step = M.nice_scale(lo, hi > lo and hi or lo + 1, 5)
    ymap = function(v) return y1 - (y1 - y0) * (v - lo) / (hi - lo) end
    y_grid(out, lo, hi, step, plot_x0, plot_x1, ymap, opts.format)
  end
  local function value(v)
    v = F.num(v)
    if log and v and v <= 0 then return nil end
    return v
  end
  x_labels(out, weeks, xmap, y1 + 24)

  -- markers under the lines
  for _, p in ipairs(pending) do
    local ly = 4 + (p.row - 1) * 24 -- top of this label row
    local color = p.si and M.color(p.si) or "#52606d"
    local bx = p.anchor_end and p.x - p.tw or p.x
    out[#out + 1] = format('<g class="marker"><title>%s</title>', esc((F.str(p.m.series) or "?") .. ", week of "
      .. (F.str(p.m.week) or "?") .. ": " .. (F.str(p.m.label) or "level changed")))
    out[#out + 1] = format('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" class="marker-line"/>',
      n(p.x), n(ly + 19), n(p.x), n(y1), color)
    out[#out + 1] = format('<rect x="%s" y="%s" width="%s" height="19" rx="3" fill="#fff" stroke="%s" stroke-width="1.5"/>',
      n(bx), n(ly), n(p.tw), color)
    out[#out + 1] = format('<rect x="%s" y="%s" width="4" height="19" fill="%s"/>',
      n(p.anchor_end and p.x - 4 or p.x), n(ly), color)
    out[#out + 1] = format('<text x="%s" y="%s" class="marker-label">%s</text></g>',
      n(bx + (p.anchor_end and 6 or 9)), n(ly + 14), esc(p.text))
  end

  local dots = nweeks <= 26
  for si, s in ipairs(series) do
    local color = M.color(si)
    local vals = F.list(s.values)
    local d, pen = {}, false
    for i = 1, nweeks do
      local v = value(vals[i])
      if v then
        d[#d + 1] = (pen and "L" or "M") .. n(xmap(i)) .. " " .. n(ymap(v))
        pen = true
      else
        pen = false
      end
    end
    out[#out + 1] = format('<g class="series"><title>%s</title>', esc(F.str(s.name) or "?"))
    if #d > 0 then
      out[#out + 1] = format('<path d="%s" fill="none" stroke="%s" stroke-width="2.5" stroke-linejoin="round" stroke-linecap="round"/>',
        concat(d, " "), color)
    end
    for i = 1, nweeks do
      local v = value(vals[i])
      if v then
        local lone = not value(vals[i - 1]) and not value(vals[i + 1])
        if dots or lone then
          out[#out + 1] = format('<circle cx="%s" cy="%s" r="3" fill="%s"><title>%s, %s: %s</title></circle>',
            n(xmap(i)), n(ymap(v)), color, esc(F.str(s.name) or "?"), esc(F.str(weeks[i]) or ""), esc((opts.value_format or F.money)(v)))
        end
      end
    end
    out[#out + 1] = "</g>"
  end

  -- rings on the marked points, above the lines
  for _, p in ipairs(pending) do
    local v = p.si and value(F.list(series[p.si].values)[p.wi])
    if v then
      out[#out + 1] = format('<circle cx="%s" cy="%s" r="7" fill="none" stroke="%s" stroke-width="2.5" class="marker-ring"/>',
        n(p.x), n(ymap(v)), M.color(p.si))
    end
  end
  out[#out + 1] = "</svg>"
  return concat(out, "\n"), #pending, log
end

-- (3) Stacked bars per week: positive components up from zero, negative ones
-- (discounts, credits) down from zero and hatched; a dark tick marks the net total.
function M.stacked(weeks, series, opts)
  opts = opts or {}
  local money, money_compact = opts.value_format or F.money, opts.format or F.money_compact
  local W, left, right, bottom = 1000, 72, 24, 44
  local nweeks = #weeks
  for _, s in ipairs(series) do nweeks = max(nweeks, #F.list(s.values)) end
  -- Window totals per component, for the 100% band above the weekly bars.
  local totals, gross, credit = {}, 0, 0
  for si, s in ipairs(series) do
    local sum = 0
    for w = 1, nweeks do sum = sum + (F.num(F.list(s.values)[w]) or 0) end
    totals[si] = sum
    if sum > 0 then gross = gross + sum elseif sum < 0 then credit = credit + sum end
  end
  local band = gross > 0 and opts.band ~= false
  local top = band and (credit < 0 and 124 or 100) or 24
  local H = top + 280 + bottom
  local x0, x1, y0, y1 = left, W - right, top, top + 280
  local lo, hi = 0, 0
  for w = 1, nweeks do
    local pos, neg = 0, 0
    for _, s in ipairs(series) do
      local v = F.num(F.list(s.values)[w])
      if v and v > 0 then pos = pos + v elseif v then neg = neg + v end
    end
    lo, hi = min(lo, neg), max(hi, pos)
  end
  local step
  lo, hi, step = M.nice_scale(lo, hi > lo and hi or lo + 1, 5)
  local function ymap(v) return y1 - (y1 - y0) * (v - lo) / (hi - lo) end
  local slot = (x1 - x0) / max(1, nweeks)
  local bw = min(64, slot * 0.62)
  local function xmap(i) return x0 + slot * (i - 0.5) end
  local id = opts.id or "chart-components"

  local out = { open_svg(id, W, H, opts.title or "Spend components by week") }
  out[#out + 1] = "<defs>"
  for si in ipairs(series) do
    out[#out + 1] = format('<pattern id="%s-neg%d" width="7" height="7" patternUnits="userSpaceOnUse" '
      .. 'patternTransform="rotate(45)"><rect width="7" height="7" fill="#fff"/><rect width="3.5" height="7" fill="%s"/></pattern>',
      id, si, M.color(si))
  end
  out[#out + 1] = "</defs>"
  if band then
    local bx0, bx1, by = x0, x1, 22
    out[#out + 1] = format('<text x="%s" y="14" class="tick">%s</text>', n(bx0),
      esc("Whole window: share of gross spend " .. F.money(gross)
        .. (credit < 0 and (", less " .. F.money(-credit) .. " of credits = " .. F.money(gross + credit) .. " net") or "")))
    local x = bx0
    for si, s in ipairs(series) do
      local v = totals[si]
      if v > 0 then
        local w = (bx1 - bx0) * v / gross
        out[#out + 1] = format('<rect x="%s" y="%d" width="%s" height="26" fill="%s"><title>%s: %s (%s)</title></rect>',
          n(x), by, n(w), M.color(si), esc(F.component_name(s)), esc(F.money(v)), esc(F.percent(v / gross)))
        local text = F.component_name(s) .. " " .. F.percent(v / gross)
        if text_width(text, 12) + 12 > w then text = F.percent(v / gross) end
        if text_width(text, 12) + 8 <= w then
          out[#out + 1] = format('<text x="%s" y="%d" class="band-label" text-anchor="middle">%s</text>',
            n(x + w / 2), by + 17, esc(text))
        end
        x = x + w
      end
    end
    if credit < 0 then
      local w = max(2, (bx1 - bx0) * -credit / gross)
      local cx = bx1
      for si, s in ipairs(series) do
        local v = totals[si]
        if v < 0 then
          local sw = max(1, (bx1 - bx0) * -v / gross)
          out[#out + 1] = format('<rect x="%s" y="%d" width="%s" height="14" fill="url(#%s-neg%d)" stroke="%s"><title>%s: %s</title></rect>',
            n(cx - sw), by + 32, n(sw), id, si, M.color(si), esc(F.component_name(s)), esc(F.money(v)))
          cx = cx - sw
        end
      end
      out[#out + 1] = format('<text x="%s" y="%d" class="tick" text-anchor="end">%s</text>', n(bx1 - w - 8),
        by + 43, esc("credits " .. F.money(credit)))
    end
  end
  y_grid(out, lo, hi, step, x0, x1, ymap, opts.format)
  local labels = {}
  for w = 1, nweeks do labels[w] = weeks[w] or ("#" .. w) end
  x_labels(out, labels, xmap, y1 + 24)

  for w = 1, nweeks do
    local pos, neg, net = 0, 0, 0
    local cx = xmap(w)
    out[#out + 1] = format('<g class="stack"><title>%s</title>', esc("Week of " .. (F.str(labels[w]) or "")))
    for si, s in ipairs(series) do
      local v = F.num(F.list(s.values)[w])
      if v and v ~= 0 then
        local a, b
        if v > 0 then a, b = pos, pos + v; pos = b else a, b = neg + v, neg; neg = a end
        net = net + v
        local ya, yb = ymap(b), ymap(a)
        local fill = v > 0 and M.color(si) or format("url(#%s-neg%d)", id, si)
        out[#out + 1] = format('<rect x="%s" y="%s" width="%s" height="%s" fill="%s"%s><title>%s, %s: %s</title></rect>',
          n(cx - bw / 2), n(ya), n(bw), n(max(0.8, yb - ya)), fill,
          v < 0 and format(' stroke="%s" stroke-width="1"', M.color(si)) or "",
          esc(F.component_name(s)), esc(F.str(labels[w]) or ""), esc(money(v)))
      end
    end
    if neg < 0 then
      local y = ymap(net)
      out[#out + 1] = format('<line x1="%s" y1="%s" x2="%s" y2="%s" class="net"/>', n(cx - bw / 2 - 4), n(y),
        n(cx + bw / 2 + 4), n(y))
    end
    if nweeks <= 14 and pos > 0 then
      out[#out + 1] = format('<text x="%s" y="%s" class="value small" text-anchor="middle">%s</text>',
        n(cx), n(ymap(pos) - 6), esc(money_compact(net)))
    end
    out[#out + 1] = "</g>"
  end
  out[#out + 1] = "</svg>"
  return concat(out, "\n")
end

-- (4) Stacked areas over `xs` (any labels, in order): each series' positive values
-- stacked on the ones before it. Used by t:plot{kind = "area"}.
function M.area(xs, series, opts)
  opts = opts or {}
  local W, left, right, top, bottom = 1000, 72, 24, 16, 44
  local H = top + 300 + bottom
  local x0, x1, y0, y1 = left, W - right, top, top + 300
  local nx = #xs
  local function xmap(i)
    if nx <= 1 then return (x0 + x1) / 2 end
    return x0 + (x1 - x0) * (i - 1) / (nx - 1)
  end
  local cum = {}
  for i = 1, nx do cum[i] = 0 end
  local hi = 0
  for _, s in ipairs(series) do
    for i = 1, nx do
      cum[i] = cum[i] + max(0, F.num(F.list(s.values)[i]) or 0)
      hi = max(hi, cum[i])
    end
  end
  local lo, step
  lo, hi, step = M.nice_scale(0, hi > 0 and hi or 1, 5)
  local function ymap(v) return y1 - (y1 - y0) * (v - lo) / (hi - lo) end
  local out = { open_svg(opts.id or "chart-area", W, H, opts.title or "Stacked areas") }
  y_grid(out, lo, hi, step, x0, x1, ymap, opts.format)
  x_labels(out, xs, xmap, y1 + 24)
  local base = {}
  for i = 1, nx do base[i] = 0 end
  for si, s in ipairs(series) do
    local upper, d = {}, {}
    for i = 1, nx do upper[i] = base[i] + max(0, F.num(F.list(s.values)[i]) or 0) end
    for i = 1, nx do d[#d + 1] = (i == 1 and "M" or "L") .. n(xmap(i)) .. " " .. n(ymap(upper[i])) end
    for i = nx, 1, -1 do d[#d + 1] = "L" .. n(xmap(i)) .. " " .. n(ymap(base[i])) end
    out[#out + 1] = format('<path d="%s Z" fill="%s" fill-opacity="0.85" stroke="%s" stroke-width="1"><title>%s</title></path>',
      concat(d, " "), M.color(si), M.color(si), esc(F.str(s.name) or "?"))
    base = upper
  end
  out[#out + 1] = "</svg>"
  return concat(out, "\n")
end

return M
