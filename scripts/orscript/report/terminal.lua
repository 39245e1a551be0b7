-- orscript.report.terminal: the cost review as plain text for a terminal.
--
-- Owns: layout (aligned columns, wrapped prose, bars) and optional ANSI colour; what
-- each section shows is orscript.report.sections.
-- Colour codes are added after padding so alignment never counts them. Does not
-- decide whether to colour: the caller passes opts.color (see report.want_color).
local F = require "orscript.report.format"

local concat, rep, format = table.concat, string.rep, string.format
local max = math.max

local M = {}

local ANSI = {
  bold = "\27[1m", dim = "\27[2m", red = "\27[31m", green = "\27[32m",
  yellow = "\27[33m", blue = "\27[34m", cyan = "\27[36m", reset = "\27[0m",
}

local function painter(on)
  if not on then return function(_, s) return s end end
  return function(style, s)
    local codes = {}
    for word in style:gmatch("%a+") do codes[#codes + 1] = ANSI[word] end
    return concat(codes) .. s .. ANSI.reset
  end
end

-- Terminal text must not carry control characters from the data (escape sequences
-- in a key name could restyle or clear the terminal).
local function clean(s)
  s = F.str(s)
  if not s then return nil end
  return F.plain(s, "?")
end

-- Renders rows (lists of cells) with column alignment `align` ("l"/"r" per column).
-- `style(row_index, col, text)` may colour an already padded cell. With `fit` (a
-- width), a first column that would make lines wider is cut to fit (figures never are).
local function table_lines(rows, align, indent, style, fit)
  local widths = {}
  for _, row in ipairs(rows) do
    for c, cell in ipairs(row) do widths[c] = max(widths[c] or 0, F.width(cell)) end
  end
  if fit and #widths > 1 and align[1] ~= "r" then
    local rest = F.width(indent) + 2 * (#widths - 1)
    for c = 2, #widths do rest = rest + widths[c] end
    if widths[1] + rest > fit then
      widths[1] = max(8, fit - rest)
      for _, row in ipairs(rows) do row[1] = F.truncate(row[1], widths[1]) end
    end
  end
  local out = {}
  for r, row in ipairs(rows) do
    local cells = {}
    for c, cell in ipairs(row) do
      local padded = align[c] == "r" and F.pad_left(cell, widths[c]) or F.pad_right(cell, widths[c])
      if c == #row and align[c] ~= "r" then padded = cell end -- no trailing spaces
      cells[c] = style and style(r, c, padded) or padded
    end
    out[#out + 1] = indent .. concat(cells, "  ")
  end
  return out
end

local function bar(value, top, width)
  if not value or not top or top <= 0 or value <= 0 then return "" end
  local eighths = math.floor(value / top * width * 8 + 0.5)
  local blocks = { "▏", "▎", "▍", "▌", "▋", "▊", "▉" }
  local s = rep("█", math.floor(eighths / 8))
  if eighths % 8 > 0 then s = s .. blocks[eighths % 8] end
  return s
end

-- The writer the sections draw with (orscript.report.sections): lines, headings,
-- wrapped prose, aligned tables, bars and colour, at the terminal's width.
function M.render(data, opts)
  opts = opts or {}
  local paint = painter(opts.color)
  local width, width_known = F.num(opts.width), true
  if not width then width, width_known = F.terminal_width() end
  local out = {}
  local T = { paint = paint, clean = clean, table_lines = table_lines, bar = bar, width = width,
              width_known = width_known, opts = opts }
  function T.line(s) out[#out + 1] = s or "" end
  function T.heading(s)
    T.line()
    T.line(paint("bold cyan", s:upper()))
  end
  function T.prose(label, text, indent)
    text = clean(text)
    if not text then return end
    local lead = indent .. label
    local lines = F.wrap(text, max(20, width - F.width(lead)))
    for i, l in ipairs(lines) do
      if i == 1 then T.line(indent .. (label ~= "" and paint("dim", label) or "") .. l)
      else T.line(rep(" ", F.width(lead)) .. l) end
    end
  end
  for _, section in ipairs(require "orscript.report.sections") do section.terminal(T, data) end
  return concat(out, "\n") .. "\n"
end

return M
