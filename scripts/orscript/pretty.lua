-- orscript.pretty: readable text for any Lua value, as the REPL prints it.
--
--   local pretty = require "orscript.pretty"
--   print(pretty.show({b = 2, a = {1, 2, 3}}))   --> { a = { 1, 2, 3 }, b = 2 }
--
-- pretty.show(value [, opts]) returns a string. opts (all optional):
--   mode      "table" (default), "box", "line", "csv", "json" (indented) or "markdown":
--             how an orscript.Table prints (see orscript.output)
--   headers   false: leave out the column names (table, box and csv modes)
--   sparklines false: no sparklines under a table holding a time series
--   max_rows  show at most this many rows of a result table, then a note of how many
--             were left out (nil: all rows)
--   max_items show at most this many entries of a plain table (default 100)
--   depth     nest at most this deep (default 8)
--   width     fit short tables on one line of this width (default 100)
--
-- Plain tables print nested, array part first, other keys sorted; a table met again
-- inside itself prints as <cycle>; anything with a __tostring prints through it.
local pretty = {}

local KEYWORDS = {}
for w in ([[and break do else elseif end false for function goto if in local nil not or
            repeat return then true until while]]):gmatch("%a+") do
  KEYWORDS[w] = true
end

local function quote(s, limit)
  local cut = ""
  if limit and #s > limit then
    cut = "…(" .. (#s - limit) .. " more bytes)"
    s = s:sub(1, limit)
  end
  s = s:gsub('[%c"\\]', function(c)
    if c == "\n" then return "\\n" end
    if c == "\t" then return "\\t" end
    if c == "\r" then return "\\r" end
    if c == '"' or c == "\\" then return "\\" .. c end
    return string.format("\\%03d", c:byte())
  end)
  return '"' .. s .. '"' .. cut
end

-- The metatable of result tables, when the table binding registered it.
local function table_meta()
  local ok, reg = pcall(debug.getregistry)
  return ok and reg and reg["orscript.Table"] or nil
end

-- A method of an object, by raw access: from an __index table, else from the
-- metatable itself (orscript's C classes keep their methods there and index with a
-- function that raises on unknown keys).
local function method(v, name)
  local mt = getmetatable(v)
  if type(mt) ~= "table" then return nil end
  local index = rawget(mt, "__index")
  local f = type(index) == "table" and rawget(index, name) or rawget(mt, name)
  if type(f) == "function" then return f end
  return nil
end

local function is_result_table(v)
  if type(v) ~= "userdata" then return false end
  local mt = getmetatable(v)
  if mt ~= nil and mt == table_meta() then return true end
  return method(v, "to_csv") ~= nil and method(v, "to_json") ~= nil
end

local function row_count(t)
  local ok, n = pcall(function() return #t end)
  if ok and type(n) == "number" then return n end
  return nil
end

local function has_tostring(v)
  local mt = getmetatable(v)
  return type(mt) == "table" and rawget(mt, "__tostring") ~= nil
end

local function safe_tostring(v)
  local ok, s = pcall(tostring, v)
  if ok and type(s) == "string" then return s end
  return "<" .. type(v) .. ": __tostring failed>"
end

-- CSV and JSON have no place for a table's notes: a partial result says so on stderr
-- (the other modes carry them in the text).
local function warn_partial(t, mode)
  if mode ~= "csv" and mode ~= "json" then return end
  local okm, meta = pcall(function() return t.meta end)
  if okm and type(meta) == "table" and meta.note then
    io.stderr:write("warning: ", meta.note, "\n")
  end
end

-- A result table: by mode, cut on the screen with a note.
local function show_result_table(t, opts)
  local mode = opts.mode or "table"
  if mode ~= "table" or opts.headers == false then
    -- orscript.output knows every mode (box, line, indented JSON, headers off).
    local ok, O = pcall(require, "orscript.output")
    if ok and O.is_table_object(t) then
      local shown = opts.max_rows and (mode == "box" or mode == "line") and opts.max_rows or nil
      local text = O.table_text(t, mode, { headers = opts.headers, pretty = mode == "json",
        width = opts.width, max_rows = shown or (mode == "table" and opts.max_rows) or nil })
      local n = row_count(t)
      if shown and n and n > shown then
        text = text .. string.format("\n… %d more row%s (%d in all); .output FILE or t:write(path) writes them all",
          n - shown, n - shown == 1 and "" or "s", n)
      end
      warn_partial(t, mode)
      return (text:gsub("\n$", ""))
    end
  end
  if mode ~= "table" then
    local f = method(t, "to_" .. mode)
    if f then
      local ok, s = pcall(f, t)
      if ok and type(s) == "string" then
        warn_partial(t, mode)
        return s
      end
      if not ok then error(s, 0) end
    end
  end
  local n, limit = row_count(t), opts.max_rows
  -- The table's own formatter cuts with a note of what it left out.
  local format = method(t, "format")
  if format then
    local ok, s = pcall(format, t, { width = opts.width, max_rows = limit or math.max(n or 0, 1) })
    if ok and type(s) == "string" then
      s = s:gsub("\n$", "")
      -- A time series gets a sparkline per series under it.
      if opts.sparklines ~= false then
        local okc, spark = pcall(function() return require("orscript.chart").sparklines(t) end)
        if okc and spark then s = s .. "\n" .. spark end
      end
      return s
    end
  end
  if limit and n and n > limit then
    local head = method(t, "head")
    if head then
      local ok, h = pcall(head, t, limit)
      if ok and h ~= nil then
        return safe_tostring(h) .. string.format(
          "\n… %d more row%s (%d in all); .output FILE or t:write(path) writes them all",
          n - limit, n - limit == 1 and "" or "s", n)
      end
    end
  end
  return safe_tostring(t)
end

local function is_identifier(k)
  return type(k) == "string" and k:match("^[%a_][%w_]*$") ~= nil and not KEYWORDS[k]
end

local TYPE_ORDER = { number = 1, string = 2, boolean = 3 }

local function key_less(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return (TYPE_ORDER[ta] or 9) < (TYPE_ORDER[tb] or 9) or
    ((TYPE_ORDER[ta] or 9) == (TYPE_ORDER[tb] or 9) and ta < tb) end
  if ta == "number" or ta == "string" then return a < b end
  return tostring(a) < tostring(b)
end

local render

local function render_key(k, opts, seen, depth)
  if is_identifier(k) then return k end
  return "[" .. render(k, opts, seen, depth, 0, 0) .. "]"
end

-- Renders value `v`: `indent` is the indentation of the line it is on, `col` the
-- column it starts at (a short table stays on one line when it fits from there).
render = function(v, opts, seen, depth, indent, col)
  local tv = type(v)
  if tv == "string" then return quote(v, 400) end
  if tv ~= "table" then
    if is_result_table(v) then
      local n = row_count(v)
      return "<orscript.Table" .. (n and (": " .. n .. " rows") or "") .. ">"
    end
    return safe_tostring(v)
  end
  if has_tostring(v) then return safe_tostring(v) end
  if seen[v] then return "<cycle>" end
  if depth >= (opts.depth or 8) then return "{…}" end
  seen[v] = true

  local max_items = opts.max_items or 100
  local items, count = {}, 0
  local n = 0
  while rawget(v, n + 1) ~= nil do n = n + 1 end
  local shown = 0
  for i = 1, n do
    count = count + 1
    if shown < max_items then
      shown = shown + 1
      items[#items + 1] = render(rawget(v, i), opts, seen, depth + 1, indent + 2, indent + 2)
    end
  end
  local keys = {}
  for k in next, v do
    if not (type(k) == "number" and k >= 1 and k <= n and k % 1 == 0) then keys[#keys + 1] = k end
  end
  table.sort(keys, key_less)
  for _, k in ipairs(keys) do
    count = count + 1
    if shown < max_items then
      shown = shown + 1
      local ks = render_key(k, opts, seen, depth + 1)
      items[#items + 1] = ks .. " = " .. render(rawget(v, k), opts, seen, depth + 1, indent + 2, indent + #ks + 5)
    end
  end
  seen[v] = nil
  if count > shown then items[#items + 1] = string.format("… %d more", count - shown) end
  if #items == 0 then return "{}" end

  local one = "{ " .. table.concat(items, ", ") .. " }"
  if col + #one <= (opts.width or 100) and not one:find("\n", 1, true) then return one end
  -- One entry a line, except that short array items share lines up to the width.
  local pad = string.rep(" ", indent + 2)
  local lines, line = {}, nil
  local width = opts.width or 100
  for i, item in ipairs(items) do
    local packable = i <= math.min(n, max_items) and #item <= 24 and not item:find("\n", 1, true)
    if packable and line and #line + 2 + #item + 1 <= width then
      line = line .. ", " .. item
    else
      if line then lines[#lines + 1] = line end
      line = pad .. item
      if not packable then lines[#lines + 1] = line; line = nil end
    end
  end
  if line then lines[#lines + 1] = line end
  return "{\n" .. table.concat(lines, ",\n") .. "\n" .. string.rep(" ", indent) .. "}"
end

function pretty.show(v, opts)
  opts = opts or {}
  if type(v) == "string" then return v end
  if is_result_table(v) then return show_result_table(v, opts) end
  return render(v, opts, {}, 0, 0, 0)
end

return pretty
