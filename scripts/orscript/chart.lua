-- orscript.chart: a chart for any result table (t:plot, t:write("x.svg"/"x.html")),
-- and sparklines for the terminal.
--
-- Owns: turning a table into chart series (x, y, by), choosing the renderer by kind
-- (line, bar, area), the self-contained HTML page around the SVG (the cost report's
-- look: orscript.report.html's stylesheet and legend), text charts, and the
-- sparklines the REPL prints under a table holding a time series. The drawing itself
-- is orscript.report.svg. Reference: docs/scripting-tables.md, "Charts".
local core = require "orscript.core"
local U = require "orscript.util"
local F = require "orscript.report.format"

local M = {}
local concat, format = table.concat, string.format
local max, min, floor = math.max, math.min, math.floor

-- "▁▃█▅": one block per value, scaled from 0 (or the smallest, when negative) to the
-- largest; a missing value is a space (orscript.report.format draws it, for the
-- reports too).
function M.sparkline(values)
  if type(values) ~= "table" then U.usage("orscript.chart.sparkline: expected a list of numbers, got %s", U.show(values)) end
  return F.sparkline(values)
end

local function info(t, name) return t:info(name) end

local function check_column(t, name, what)
  for _, c in ipairs(t.columns) do if c == name then return name end end
  U.usage("t:plot: unknown %s column '%s'%s (columns: %s)", what, tostring(name),
    U.suggest(tostring(name), t.columns), concat(t.columns, ", "))
end

-- The columns a plot uses when not told: x = the time column, else the first text
-- column; y = the first number column that is not a rate, else the first number.
local function defaults(t, opts)
  local x, y, rate_y = opts.x, opts.y, nil
  local cols = t:info()
  if not x then
    for _, c in ipairs(cols) do if c.type == "time" then x = c.name; break end end
    if not x then for _, c in ipairs(cols) do if c.type == "string" and c.name ~= opts.by then x = c.name; break end end end
  end
  if not y then
    for _, c in ipairs(cols) do
      if c.type == "number" and c.name ~= x and c.name ~= opts.by then
        if not c.is_rate then y = c.name; break end
        rate_y = rate_y or c.name
      end
    end
    y = y or rate_y
  end
  if not x then U.usage("t:plot: no column for the x axis: name one with x = \"column\"") end
  if not y then U.usage("t:plot: no number column to plot: name one with y = \"column\"") end
  return x, y
end

local function label(v)
  if v == nil or v == core.null then return "(none)" end
  return tostring(v)
end

-- The table as series: { xs = {label...}, series = {{name, values}}, time = bool,
-- format = value formatter, y = {names} }. Several y columns (a list) are several
-- series; `by` splits one y column into a series per value (largest total first).
function M.series(t, opts)
  opts = opts or {}
  local x, y = defaults(t, opts)
  check_column(t, x, "x")
  local ys = type(y) == "table" and y or { y }
  for _, c in ipairs(ys) do
    check_column(t, c, "y")
    if info(t, c).type ~= "number" then U.usage("t:plot: y column '%s' is not a number column", c) end
  end
  if opts.by then
    check_column(t, opts.by, "by")
    if #ys > 1 then U.usage("t:plot: 'by' splits one y column; got %d y columns", #ys) end
  end
  local is_time = info(t, x).type == "time"
  local xs, xi = {}, {}
  local series, si = {}, {}
  local function serie(name)
    if not si[name] then
      series[#series + 1] = { name = name, values = {}, total = 0 }
      si[name] = series[#series]
    end
    return si[name]
  end
  for _, row in t:rows() do
    local xv = label(row[x])
    if not xi[xv] then
      xs[#xs + 1] = xv
      xi[xv] = #xs
    end
    local i = xi[xv]
    for _, c in ipairs(ys) do
      local s = serie(opts.by and label(row[opts.by]) or c)
      local v = row[c]
      if type(v) == "number" then
        s.values[i] = (s.values[i] or 0) + v
        s.total = s.total + v
      end
    end
  end
  if is_time then
    local order = {}
    for i, v in ipairs(xs) do order[i] = { v = v, i = i } end
    table.sort(order, function(a, b) return a.v < b.v end)
    local new_xs = {}
    for k, o in ipairs(order) do new_xs[k] = o.v end
    for _, s in ipairs(series) do
      local vals = {}
      for k, o in ipairs(order) do vals[k] = s.values[o.i] end
      s.values = vals
    end
    xs = new_xs
  end
  if opts.by then table.sort(series, function(a, b) return a.total > b.total end) end
  local fmt = info(t, ys[1]).format
  local money = fmt == "currency"
  local function compact(v)
    if fmt == "percent" then return F.percent(v) end
    return money and F.money_compact(v) or F.compact(v)
  end
  local function full(v)
    if fmt == "percent" then return F.percent(v) end
    return money and F.money(v) or F.number(v)
  end
  return { xs = xs, series = series, time = is_time, x = x, y = ys, by = opts.by, format = compact, full = full }
end

local KINDS = { line = true, bar = true, area = true }
local PLOT_OPTIONS = { x = true, y = true, by = true, kind = true, title = true, log = true, path = true, format = true }

local function check_plot_opts(opts)
  if opts ~= nil and type(opts) ~= "table" then U.usage("t:plot: expected an options table, got %s", U.show(opts)) end
  opts = opts or {}
  U.check_options("t:plot", opts, PLOT_OPTIONS)
  local kind = opts.kind or "line"
  if not KINDS[kind] then U.usage("t:plot: invalid 'kind' %s: expected \"line\", \"bar\" or \"area\"", U.show(kind)) end
  if opts.log ~= nil and opts.log ~= true and opts.log ~= false and opts.log ~= "auto" then
    U.usage("t:plot: invalid 'log' %s: expected true, false or \"auto\"", U.show(opts.log))
  end
  return opts, kind
end

local function default_title(d)
  local what = concat(d.y, ", ")
  return what .. (d.by and (" by " .. d.by) or "") .. " over " .. d.x
end

-- The SVG element for the table and the series it drew.
local function render_svg(t, opts, kind)
  local S = require "orscript.report.svg"
  local d = M.series(t, opts)
  local title = opts.title or default_title(d)
  local so = { id = "chart", title = title, format = d.format, value_format = d.full, log = opts.log == nil and "auto" or opts.log, band = false }
  local svg, log = nil, false
  if kind == "line" then
    local _
    svg, _, log = S.lines(d.xs, d.series, nil, so)
  elseif kind == "area" then
    svg = S.area(d.xs, d.series, so)
  elseif #d.series == 1 and not d.time then
    local items = {}
    for i, xv in ipairs(d.xs) do items[i] = { label = xv, value = d.series[1].values[i] } end
    svg = S.bars(items, so)
  else
    svg = S.stacked(d.xs, d.series, so)
  end
  -- A standalone SVG file needs its own styles (the page's CSS is not there).
  return svg, d, title, log
end

local SVG_STYLE = "<style>.grid{stroke:#e9edf1;stroke-width:1}.axis{stroke:#9aa5b1;stroke-width:1.2}"
  .. ".tick{font:12px system-ui,'DejaVu Sans',sans-serif;fill:#616e7c}"
  .. ".label{font:13px system-ui,'DejaVu Sans',sans-serif;fill:#1f2933}"
  .. ".value{font:600 13px system-ui,'DejaVu Sans',sans-serif;fill:#1f2933}"
  .. ".value.small{font-size:11px}.share{fill:#7b8794;font-weight:400}.net{stroke:#1f2933;stroke-width:2.5}"
  .. "text.legend{font:13px system-ui,'DejaVu Sans',sans-serif;fill:#3e4c59}"
  .. "text.title{font:700 17px system-ui,'DejaVu Sans',sans-serif;fill:#1f2933}</style>"

-- A standalone SVG document: a title, the chart and its legend on white, with the
-- styles the report's page would give (the chart is nested as its own <svg>).
function M.svg(t, opts)
  local kind
  opts, kind = check_plot_opts(opts)
  local S = require "orscript.report.svg"
  local svg, d, title, log = render_svg(t, opts, kind)
  local w, h = svg:match('viewBox="0 0 (%d+) (%d+)"')
  w, h = tonumber(w), tonumber(h)
  local top = 40
  local legend, lx, ly, rows = {}, 10, top + h + 18, 1
  if #d.series > 1 then
    for i, s in ipairs(d.series) do
      local text = F.truncate(s.name, 40)
      local tw = F.width(text) * 13 * 0.56 + 34
      if lx + tw > w - 10 then lx, ly, rows = 10, ly + 22, rows + 1 end
      legend[#legend + 1] = format('<rect x="%d" y="%d" width="14" height="14" rx="3" fill="%s"/><text x="%d" y="%d" class="legend">%s</text>',
        floor(lx), ly - 11, S.color(i), floor(lx + 20), ly, S.escape(text))
      lx = lx + tw
    end
  end
  local total_h = top + h + (#legend > 0 and (rows * 22 + 8) or 0)
  local sub = log and "log scale" or ""
  return concat({
    '<?xml version="1.0" encoding="UTF-8"?>',
    format('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s">',
      w, total_h, w, total_h, S.escape(title)),
    SVG_STYLE,
    format('<rect x="0" y="0" width="%d" height="%d" fill="#fff"/>', w, total_h),
    format('<text x="10" y="24" class="title">%s</text>%s', S.escape(title),
      sub ~= "" and format('<text x="%d" y="24" class="tick" text-anchor="end">%s</text>', w - 10, sub) or ""),
    (svg:gsub("^<svg ", format('<svg x="0" y="%d" ', top), 1)),
    concat(legend),
    "</svg>",
  }, "\n") .. "\n"
end

-- One self-contained HTML page (no scripts, no external assets) in the report's look.
function M.html(t, opts)
  local kind
  opts, kind = check_plot_opts(opts)
  local H = require "orscript.report.html"
  local S = require "orscript.report.svg"
  local svg, d, title, log = render_svg(t, opts, kind)
  local esc = S.escape
  local out = {}
  local function p(s) out[#out + 1] = s end
  p("<!DOCTYPE html>")
  p('<html lang="en"><head><meta charset="utf-8">')
  p('<meta name="viewport" content="width=device-width,initial-scale=1">')
  p('<meta name="generator" content="orscript">')
  p("<title>" .. esc(title) .. "</title>")
  p("<style>" .. H.CSS .. "</style></head><body>")
  p('<header class="top"><div class="wrap"><p class="eyebrow">OpenRouter usage · chart</p>')
  p("<h1>" .. esc(title) .. "</h1>")
  p('<div class="meta"><span class="pill"><b>Rows</b>' .. esc(tostring(#t)) .. "</span>")
  local ok, account = pcall(function() return require("orscript").account() end)
  if ok and account then p('<span class="pill"><b>Account</b>' .. esc(account) .. "</span>") end
  p("</div></div></header>")
  p('<main class="wrap"><section class="charts"><figure id="fig-chart">')
  p("<h3>" .. esc(title) .. "</h3>")
  local caption = format("%d points along %s", #d.xs, d.x) .. (log and "; log scale, so that smaller series are not flattened under the largest" or "")
  p('<p class="caption">' .. esc(caption) .. "</p>")
  p(svg)
  if #d.series > 1 then
    local items = {}
    for i, s in ipairs(d.series) do items[i] = { label = s.name, background = S.color(i), line = kind == "line" } end
    p(H.legend(items))
  end
  p("</figure></section>")
  p("<footer>Generated by orscript.</footer></main></body></html>")
  return concat(out, "\n") .. "\n"
end

-- A text chart for the terminal: one sparkline per series with its range and total.
function M.text(t, opts)
  opts = check_plot_opts(opts)
  local d = M.series(t, opts)
  local width = 0
  for _, s in ipairs(d.series) do width = max(width, F.width(F.truncate(s.name, 30))) end
  local lines = { (opts.title or default_title(d)) .. format("  (%s .. %s)", d.xs[1] or "", d.xs[#d.xs] or "") }
  for _, s in ipairs(d.series) do
    local lo, hi = math.huge, -math.huge
    for i = 1, #d.xs do
      local v = s.values[i]
      if v then lo, hi = min(lo, v), max(hi, v) end
    end
    local vals = {}
    for i = 1, #d.xs do vals[i] = s.values[i] or core.null end
    lines[#lines + 1] = format("%s  %s  %s .. %s", F.pad_right(F.truncate(s.name, 30), width), M.sparkline(vals),
      d.format(lo ~= math.huge and lo or nil), d.format(hi ~= -math.huge and hi or nil))
  end
  return concat(lines, "\n")
end

-- Writes the chart to `path` (temp file + rename): .svg or .html/.htm.
function M.write(t, path, opts)
  local ext = tostring(path):match("%.(%w+)$")
  ext = ext and ext:lower()
  local text
  if ext == "svg" then text = M.svg(t, opts)
  elseif ext == "html" or ext == "htm" then text = M.html(t, opts)
  else U.usage("t:plot: cannot tell the format of '%s': use a .svg or .html path", tostring(path)) end
  local tmp = path .. ".tmp" .. tostring(os.time())
  local f, err = io.open(tmp, "wb")
  if not f then U.usage("t:plot: cannot write '%s': %s", tostring(path), tostring(err)) end
  f:write(text)
  f:close()
  local ok, rerr = os.rename(tmp, path)
  if not ok then
    os.remove(tmp)
    U.usage("t:plot: cannot write '%s': %s", tostring(path), tostring(rerr))
  end
  return path
end

-- t:plot(opts): with opts.path writes the file and returns the path; otherwise
-- returns the chart as text in opts.format ("svg", "html" or "text", the default).
function M.plot(t, opts)
  opts = check_plot_opts(opts)
  if opts.path then
    if opts.format then U.usage("t:plot: give 'path' or 'format', not both (the path's extension is the format)") end
    local o = {}
    for k, v in pairs(opts) do if k ~= "path" then o[k] = v end end
    return M.write(t, opts.path, o)
  end
  local fmt = opts.format or "text"
  local o = {}
  for k, v in pairs(opts) do if k ~= "format" then o[k] = v end end
  if fmt == "svg" then return M.svg(t, o) end
  if fmt == "html" then return M.html(t, o) end
  if fmt == "text" then return M.text(t, o) end
  U.usage("t:plot: invalid 'format' %s: expected \"svg\", \"html\" or \"text\"", U.show(fmt))
end

-- Sparklines for the REPL: when `t` has a time column and a summable number column,
-- one line per series (split by the table's text columns, at most `limit`), else nil.
function M.sparklines(t, limit)
  local time_col, y, by
  for _, c in ipairs(t:info()) do
    if c.type == "time" and not time_col then time_col = c.name end
    if c.type == "number" and not c.is_rate and not y then y = c.name end
    if c.type == "string" and not by then by = c.name end
  end
  if not time_col or not y or #t < 3 then return nil end
  local d = M.series(t, { x = time_col, y = y, by = by })
  if #d.xs < 3 then return nil end
  limit = limit or 8
  local width = 0
  for i = 1, min(#d.series, limit) do width = max(width, F.width(F.truncate(d.series[i].name, 30))) end
  local lines = { format("%s by %s, %s .. %s:", y, time_col, d.xs[1], d.xs[#d.xs]) }
  for i = 1, min(#d.series, limit) do
    local s = d.series[i]
    local vals = {}
    for k = 1, #d.xs do vals[k] = s.values[k] or core.null end
    lines[#lines + 1] = format("  %s  %s  total %s", F.pad_right(F.truncate(s.name, 30), width), M.sparkline(vals), d.full(s.total))
  end
  if #d.series > limit then lines[#lines + 1] = format("  … %d more series", #d.series - limit) end
  return concat(lines, "\n")
end

return M
