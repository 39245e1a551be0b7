-- orscript.output: a value as text in one of the shell formats, for pipes
-- (`orscript query ... --format csv`, `orscript --format json -e 'return t'`) and the
-- REPL's .mode.
--
-- Owns: the formats table, csv, json (compact or indented), jsonl, markdown, box and
-- line; turning plain Lua rows into a table first; headers on or off; splitting and
-- indenting JSON text. The table formats themselves are the Table's own (t:format,
-- t:to_csv, t:to_json, t:to_markdown); box and line redraw t:format's aligned text.
local core = require "orscript.core"
local U = require "orscript.util"

local M = {}
local concat, format = table.concat, string.format

M.FORMATS = { "table", "csv", "json", "jsonl", "markdown", "box", "line" }
local KNOWN = U.set(M.FORMATS)

function M.check_format(fname, fmt)
  if not KNOWN[fmt] then
    U.usage("%s: unknown format %s: expected %s%s", fname, U.show(fmt), concat(M.FORMATS, ", "),
      U.suggest(tostring(fmt), M.FORMATS))
  end
  return fmt
end

local function is_table_object(v)
  if type(v) ~= "userdata" then return false end
  local mt = getmetatable(v)
  return mt ~= nil and mt == debug.getregistry()["orscript.Table"]
end
M.is_table_object = is_table_object

-- The objects and arrays inside a JSON array text, as text (string-aware, no
-- decoding): the rows of t:to_json() for JSON Lines.
function M.json_items(text)
  local items, depth, start, in_str, esc = {}, 0, nil, false, false
  for i = 1, #text do
    local c = text:sub(i, i)
    if in_str then
      if esc then esc = false
      elseif c == "\\" then esc = true
      elseif c == '"' then in_str = false end
    elseif c == '"' then in_str = true
    elseif c == "[" or c == "{" then
      depth = depth + 1
      if depth == 2 and not start then start = i end
      if depth == 1 then start = nil end
    elseif c == "]" or c == "}" then
      if depth == 2 and start then items[#items + 1] = text:sub(start, i); start = nil end
      depth = depth - 1
    end
  end
  return items
end

-- JSON text indented by two spaces per level, keys in their original order.
function M.json_pretty(text)
  local out, depth, in_str, esc = {}, 0, false, false
  local function nl() out[#out + 1] = "\n" .. string.rep("  ", depth) end
  local i, n = 1, #text
  while i <= n do
    local c = text:sub(i, i)
    if in_str then
      out[#out + 1] = c
      if esc then esc = false
      elseif c == "\\" then esc = true
      elseif c == '"' then in_str = false end
    elseif c == '"' then in_str = true; out[#out + 1] = c
    elseif c == "{" or c == "[" then
      local close = c == "{" and "}" or "]"
      local j = i + 1
      while text:sub(j, j):match("%s") do j = j + 1 end
      if text:sub(j, j) == close then
        out[#out + 1] = c .. close
        i = j
      else
        out[#out + 1] = c
        depth = depth + 1
        nl()
      end
    elseif c == "}" or c == "]" then
      depth = depth - 1
      nl()
      out[#out + 1] = c
    elseif c == "," then out[#out + 1] = ","; nl()
    elseif c == ":" then out[#out + 1] = ": "
    elseif not c:match("%s") then out[#out + 1] = c end
    i = i + 1
  end
  return concat(out)
end

-- UTF-8 characters of a line, so that columns can be cut by display position.
local function chars(s)
  local t = {}
  for ch in s:gmatch("[%z\1-\127\194-\244][\128-\191]*") do t[#t + 1] = ch end
  return t
end

-- The aligned text of t:format split into header cells, row cells and the notes
-- after the rows. `shown` is how many rows the text holds.
local function split_aligned(text, shown)
  local lines = {}
  for line in (text .. "\n"):gmatch("(.-)\n") do lines[#lines + 1] = line end
  local spans, dash = {}, chars(lines[2] or "")
  local i = 1
  while i <= #dash do
    if dash[i] == "-" then
      local j = i
      while j + 1 <= #dash and dash[j + 1] == "-" do j = j + 1 end
      spans[#spans + 1] = { i, j }
      i = j + 1
    else
      i = i + 1
    end
  end
  local function cells(line)
    local cs, out = chars(line), {}
    for k, sp in ipairs(spans) do
      local last = k == #spans and math.max(sp[2], #cs) or sp[2]
      out[k] = concat(cs, "", sp[1], math.min(last, #cs)):match("^%s*(.-)%s*$")
    end
    return out
  end
  local rows = {}
  for r = 3, 2 + shown do rows[#rows + 1] = cells(lines[r] or "") end
  local notes = {}
  for r = 3 + shown, #lines do if lines[r] ~= "" then notes[#notes + 1] = lines[r] end end
  return cells(lines[1] or ""), rows, notes, spans
end

local function width(s) return #chars(s) end

-- Unicode box drawing around the table's formatted cells (numbers right-aligned).
local function box(t, opts)
  local shown = math.min(#t, opts.max_rows or #t)
  local head, rows, notes = split_aligned(t:format { width = opts.width, max_rows = math.max(shown, 1) }, #t == 0 and 0 or shown)
  local info = t:info()
  local numeric = {}
  for k, c in ipairs(info) do numeric[k] = c.type == "number" end
  local w = {}
  for k, h in ipairs(head) do
    w[k] = opts.headers == false and 1 or width(h)
    for _, r in ipairs(rows) do w[k] = math.max(w[k], width(r[k] or "")) end
  end
  local function rule(l, m, r)
    local parts = {}
    for k in ipairs(head) do parts[k] = string.rep("─", w[k] + 2) end
    return l .. concat(parts, m) .. r
  end
  local function line(cells, align_numbers)
    local parts = {}
    for k in ipairs(head) do
      local s = cells[k] or ""
      local pad = string.rep(" ", w[k] - width(s))
      parts[k] = " " .. ((align_numbers and numeric[k]) and (pad .. s) or (s .. pad)) .. " "
    end
    return "│" .. concat(parts, "│") .. "│"
  end
  local out = { rule("┌", "┬", "┐") }
  if opts.headers ~= false then
    out[#out + 1] = line(head, false)
    out[#out + 1] = rule("├", "┼", "┤")
  end
  for _, r in ipairs(rows) do out[#out + 1] = line(r, true) end
  out[#out + 1] = rule("└", "┴", "┘")
  for _, n in ipairs(notes) do out[#out + 1] = n end
  return concat(out, "\n")
end

-- One "column = value" line per cell, a blank line between rows (sqlite3's line mode).
local function lines_mode(t, opts)
  local shown = math.min(#t, opts.max_rows or #t)
  local head, rows, notes = split_aligned(t:format { width = 100000, max_rows = math.max(shown, 1) }, #t == 0 and 0 or shown)
  local nw = 0
  for _, h in ipairs(head) do nw = math.max(nw, width(h)) end
  local out = {}
  for i, r in ipairs(rows) do
    if i > 1 then out[#out + 1] = "" end
    for k, h in ipairs(head) do out[#out + 1] = string.rep(" ", nw - width(h)) .. h .. " = " .. (r[k] or "") end
  end
  for _, n in ipairs(notes) do out[#out + 1] = n end
  return concat(out, "\n")
end

local function drop_first_lines(s, n, sep)
  for _ = 1, n do
    local i = s:find(sep, 1, true)
    if not i then return "" end
    s = s:sub(i + #sep)
  end
  return s
end

-- A result table in `fmt`. opts: headers (default true), max_rows and width (table
-- and box), pretty (indented JSON).
function M.table_text(t, fmt, opts)
  opts = opts or {}
  if fmt == "csv" then
    local s = t:to_csv()
    if opts.headers == false then s = drop_first_lines(s, 1, "\r\n") end
    return s
  elseif fmt == "json" then
    local s = t:to_json()
    return opts.pretty and M.json_pretty(s) or s
  elseif fmt == "jsonl" then
    local items = M.json_items(t:to_json())
    return #items > 0 and (concat(items, "\n") .. "\n") or ""
  elseif fmt == "markdown" then
    return t:to_markdown()
  elseif fmt == "box" then
    return box(t, opts)
  elseif fmt == "line" then
    return lines_mode(t, opts)
  end
  local s = t:format { width = opts.width, max_rows = opts.max_rows or math.max(#t, 1) }
  if opts.headers == false then s = drop_first_lines(s, 2, "\n") end
  return (s:gsub("\n$", ""))
end

-- Plain rows (a list of tables with named fields) become a Table; nil otherwise.
local function as_table(v)
  if type(v) ~= "table" or getmetatable(v) ~= nil or #v == 0 then return nil end
  for _, row in ipairs(v) do if type(row) ~= "table" or #row > 0 then return nil end end
  local ok, t = pcall(core.table, v)
  return ok and t or nil
end

-- Any value in `fmt`: a result table or a list of rows as a table; other values as
-- JSON (json, jsonl) or as text.
function M.render(v, fmt, opts)
  if is_table_object(v) then return M.table_text(v, fmt, opts) end
  local t = as_table(v)
  if t then return M.table_text(t, fmt, opts) end
  if fmt == "json" or fmt == "jsonl" then
    local s = core.json_encode(v)
    return (opts and opts.pretty and fmt == "json") and M.json_pretty(s) or s
  end
  if type(v) == "table" and not (getmetatable(v) and getmetatable(v).__tostring) then
    return require("orscript.pretty").show(v)
  end
  return tostring(v)
end

-- Writes `text` to stdout with exactly one newline at the end (none when empty).
function M.emit(text)
  if text == "" then return end
  io.stdout:write(text)
  if text:sub(-1) ~= "\n" then io.stdout:write("\n") end
end

return M
