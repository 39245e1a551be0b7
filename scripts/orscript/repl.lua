-- orscript.repl: what the interactive prompt asks of the library. INTERNAL: called
-- only by the REPL (bindings/repl_bridge.cpp) under the protected call path; not part
-- of the documented scripting surface, and free to change with the REPL.
--
-- Owns: Tab-completion candidates (globals, keywords, fields and methods, names of
-- the catalogue inside a string, a result table's columns inside its method call),
-- the .schema listing (from orscript.schema, the one catalogue model), and turning
-- the values a line returned into text (orscript.pretty by .mode). Does not own: line
-- editing, the dot commands, paging or where the text goes (host/app/repl*.cpp).
--
-- Completion reads values by raw access only, so it never runs a metamethod (no
-- request, no `unknown field` error), except to load a field a module declares lazy.
-- A module declares those in its metatable's `__lazy` table (util.lua's U.module
-- does), never through the names of Lua locals.
local M = {}

local MAX_DEPTH = 8 -- metatable hops followed when looking for fields

local KEYWORDS = {}
for w in ([[and break do else elseif end false for function goto if in local nil not or
            repeat return then true until while]]):gmatch("%a+") do
  KEYWORDS[#KEYWORDS + 1] = w
end

local function is_identifier(s)
  return type(s) == "string" and s:match("^[%a_][%w_]*$") ~= nil
end

local function starts_with(s, prefix) return s:sub(1, #prefix) == prefix end

-- The table a metatable's methods live in: its __index when that is a table; the
-- metatable itself when __index is a function (orscript's C classes keep their
-- methods in the metatable and index through a function that raises on unknown keys).
local function index_table(mt)
  local index = rawget(mt, "__index")
  if type(index) == "table" then return index end
  if type(index) == "function" then return mt end
  return nil
end

-- The lazily loaded fields a value's metatable declares (`__lazy`), or nil.
local function lazy_fields(v)
  local mt = debug.getmetatable(v)
  local lazy = type(mt) == "table" and rawget(mt, "__lazy") or nil
  return type(lazy) == "table" and lazy or nil
end

-- Field `key` of `v` by raw access through metatables; loads it when `v` declares it
-- lazy. nil when there is no such field.
local function safe_field(v, key)
  local lazy = type(v) == "table" and lazy_fields(v)
  if lazy and lazy[key] ~= nil then return v[key] end
  for _ = 1, MAX_DEPTH do
    if type(v) == "table" then
      local f = rawget(v, key)
      if f ~= nil then return f end
    end
    local mt = debug.getmetatable(v)
    if type(mt) ~= "table" then return nil end
    v = index_table(mt)
    if v == nil then return nil end
  end
  return nil
end

-- The value a dotted path of identifiers names, from the globals; nil when a part is
-- not an identifier (a call, an index, a ':') or a field is missing.
local function resolve(path)
  local v = getfenv(0)
  for part in (path .. "."):gmatch("(.-)%.") do
    if not is_identifier(part) then return nil end
    v = safe_field(v, part)
    if v == nil then return nil end
  end
  return v
end

-- Adds the identifier keys of table `t` that start with `prefix`. Names starting
-- with '_' are private (orscript.time._to_ms) unless the prefix starts with '_'.
local function add_keys(t, prefix, methods_only, skip_meta, out)
  local show_private = starts_with(prefix, "_") and prefix ~= ""
  for k, v in next, t do
    if is_identifier(k) and starts_with(k, prefix) and (show_private or not starts_with(k, "_"))
        and not (skip_meta and starts_with(k, "__")) and (not methods_only or type(v) == "function") then
      out[#out + 1] = k
    end
  end
end

-- Adds the keys of `v` (its own, its lazy fields, those of its __index tables).
local function list_keys(v, prefix, methods_only, out)
  local via_meta = false
  for _ = 1, MAX_DEPTH do
    if type(v) == "table" then add_keys(v, prefix, methods_only, via_meta, out) end
    local mt = debug.getmetatable(v)
    if type(mt) ~= "table" then return end
    if not methods_only then
      local lazy = rawget(mt, "__lazy")
      if type(lazy) == "table" then add_keys(lazy, prefix, false, true, out) end
    end
    via_meta = true
    v = index_table(mt)
    if v == nil then return end
  end
end

-- Whole candidates for a word outside strings ("orscript.ti" -> "orscript.time").
local function word_candidates(word, out)
  local sep = word:find("[.:][^.:]*$")
  if not sep then
    list_keys(getfenv(0), word, false, out)
    for _, k in ipairs(KEYWORDS) do
      if starts_with(k, word) then out[#out + 1] = k end
    end
    return
  end
  local path, mark, partial = word:sub(1, sep - 1), word:sub(sep, sep), word:sub(sep + 1)
  if partial ~= "" and not is_identifier(partial) then return end
  local v = resolve(path)
  if v == nil then return end
  local keys = {}
  list_keys(v, partial, mark == ":", keys)
  for _, k in ipairs(keys) do out[#out + 1] = path .. mark .. k end
end

-- The open quote and its position when `before` ends inside a short string literal;
-- "comment" inside a comment (no completion there); nil otherwise.
local function string_state(before)
  local quote, opened
  local i, n = 1, #before
  while i <= n do
    local c = before:sub(i, i)
    if quote then
      if c == "\\" then
        i = i + 1
      elseif c == quote then
        quote = nil
      end
    elseif c == '"' or c == "'" then
      quote, opened = c, i
    elseif c == "-" and before:sub(i + 1, i + 1) == "-" then
      return "comment"
    end
    i = i + 1
  end
  return quote, opened
end

-- The receiver of the method call a string argument is typed in: "t" for `t:sort("`,
-- "x.t" for `x.t:filter(f, "`; "" when the string is not a method call's argument.
local function call_receiver(s)
  local i, depth, found = #s + 1, 0, false
  while i > 1 and not found do
    i = i - 1
    local c = s:sub(i, i)
    if c == ")" or c == "}" or c == "]" then
      depth = depth + 1
    elseif c == "(" or c == "{" or c == "[" then
      if depth == 0 then found = true else depth = depth - 1 end
    elseif c == '"' or c == "'" then -- an earlier, finished string argument
      while i > 1 do
        i = i - 1
        if s:sub(i, i) == c then break end
      end
    end
  end
  if not found then return "" end
  local head = s:sub(1, i - 1):gsub("[ \t]+$", "")
  local call = head:match("[%w_.:]*$")
  local colon = call:find(":[^:]*$")
  if not colon or colon == 1 then return "" end
  return call:sub(1, colon - 1)
end

-- The columns of the result table at `path` that start with `prefix`, or nil when
-- `path` is not a result table. Only the table's own C __index runs (for `columns`).
local function table_columns(path, prefix)
  local v = resolve(path)
  if type(v) ~= "userdata" or debug.getmetatable(v) ~= debug.getregistry()["orscript.Table"] then return nil end
  local out, columns = {}, v.columns
  if type(columns) == "table" then
    for _, name in ipairs(columns) do
      if type(name) ~= "string" then break end
      if starts_with(name, prefix) then out[#out + 1] = name end
    end
  end
  return out
end

-- ---------------------------------------------------------------------------------
-- The catalogue

local catalogue_failed = false -- a fetch for completion failed: completion stops asking

-- The orscript.Schema (orscript.schema.get: memory, disk cache or a fetch), or nil
-- and then either the error the fetch raised or a note saying why there is none.
local function catalogue(report)
  if catalogue_failed and not report then return nil end
  local ok, schema = pcall(require("orscript.schema").get)
  if not ok then
    catalogue_failed = true
    return nil, schema
  end
  if schema == nil or (#schema.metrics == 0 and #schema.dimensions == 0) then
    catalogue_failed = true
    return nil, nil, "orscript.meta() returned no metrics or dimensions"
  end
  catalogue_failed = false
  return schema
end

-- Columns a classifier query without names returns (t:col("clf_dimension_value")).
local CLASSIFIER_COLUMNS = { "clf_dimension_name", "clf_dimension_value" }

local function sorted_unique(list)
  table.sort(list)
  local out = {}
  for _, v in ipairs(list) do
    if v ~= out[#out] then out[#out + 1] = v end
  end
  return out
end

-- M.complete(before, word) -> candidates, quote: the sorted candidates for `word`
-- (the text being completed; `before` is the line before it). `quote` is the open
-- quote character when the word is inside a string literal, else "".
function M.complete(before, word)
  local state, opened = string_state(before)
  if state == "comment" then return {}, "" end
  local out = {}
  if state then
    -- An argument of a result table's method (t:sort(", t:sum(") completes the
    -- table's own columns, not the whole catalogue.
    local receiver = call_receiver(before:sub(1, opened - 1))
    if receiver ~= "" then
      local ok, columns = pcall(table_columns, receiver, word)
      if ok and columns then
        table.sort(columns)
        return columns, state
      end
    end
    local schema = catalogue(false)
    if not schema then return out, state end
    for _, list in ipairs { schema.metrics, schema.dimensions, schema.granularities } do
      for _, e in ipairs(list) do
        if starts_with(e.name, word) then out[#out + 1] = e.name end
      end
    end
    for _, name in ipairs(CLASSIFIER_COLUMNS) do
      if starts_with(name, word) then out[#out + 1] = name end
    end
  else
    word_candidates(word, out)
  end
  return sorted_unique(out), state or ""
end

-- ---------------------------------------------------------------------------------
-- .schema

-- A catalogue string field; "" for a missing or null one.
local function text(x) return type(x) == "string" and x or "" end

local function unit_of(m)
  local f = text(m.format)
  if f == "currency" then return "USD" end
  if f == "latency" then return "ms" end
  if f == "throughput" then return "tokens/s" end
  if f == "percent" then return "ratio" end
  if m.name:find("token", 1, true) then return "tokens" end
  return "count"
end

-- Pads by characters, not bytes, so labels with UTF-8 stay aligned.
local function pad(s, w)
  local chars = select(2, s:gsub("[^\128-\191]", ""))
  if chars < w then return s .. string.rep(" ", w - chars) end
  return s
end

local function window(e)
  return e.max_days <= require("orscript.schema").SHORT_DAYS and "31 days" or "365 days"
end

local LIMITS = [[

Limits: at most 2 dimensions and 20 filters; limit and group_limit 1..10000
(limit defaults to 1000); the window defaults to the last 7 days and reaches
365 days, or 31 days when any field above marked "31 days" (or a classifier
field) is in the query.
kind: sum = adds up across rows and periods; rate = averaged or a ratio, never
summed.
Classifiers: classifier = {id = "<uuid>", names = {up to 2 dimension names},
include_nulls = bool, where = {{name, "eq"|"neq"|"in"|"not_in", value}}}:
each name becomes a column; without names rows carry clf_dimension_name and
clf_dimension_value (the demo's: 5f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f,
task_type and complexity).
]]

-- Granularities and operators (grouped by value type) after the full listing.
local function vocabulary(schema)
  local out = ""
  if #schema.granularities > 0 then
    local names = {}
    for i, g in ipairs(schema.granularities) do names[i] = g.name end
    out = out .. "\nGranularities: " .. table.concat(names, " ") .. "  (minute only for windows up to 3 hours)\n"
  end
  if #schema.operators > 0 then
    -- "eq neq gt gte lt lte (scalar value); in not_in (array value)"
    local groups, by_type = {}, {}
    for _, o in ipairs(schema.operators) do
      local kind = text(o.value_type)
      local g = by_type[kind]
      if not g then
        g = { kind = kind, names = {} }
        by_type[kind] = g
        groups[#groups + 1] = g
      end
      g.names[#g.names + 1] = o.name
    end
    local parts = {}
    for i, g in ipairs(groups) do
      parts[i] = table.concat(g.names, " ") .. (g.kind == "" and "" or " (" .. g.kind .. " value)")
    end
    out = out .. "Operators:     " .. table.concat(parts, "; ") .. "\n"
  end
  return out
end

-- M.schema_text(filter, width) -> text: the .schema listing fitted to `width`
-- columns: all of it, or the entries whose name or label contains `filter` (any
-- case) or that an everyday word in it means (orscript.schema.related). Raises the
-- error of a failed fetch; nil and a note when the catalogue is empty.
function M.schema_text(filter, width)
  local schema, err, note = catalogue(true)
  if not schema then
    if note then return nil, note end
    error(err, 0)
  end
  filter = filter or ""
  local needle = filter:lower()
  local related = {}
  for _, name in ipairs(require("orscript.schema").related(filter)) do related[name] = true end
  local function match(e)
    return filter == "" or e.name:lower():find(needle, 1, true) ~= nil
        or text(e.label):lower():find(needle, 1, true) ~= nil or related[e.name] ~= nil
  end

  local nw, lw = 4, 5
  for _, list in ipairs { schema.metrics, schema.dimensions } do
    for _, e in ipairs(list) do
      if match(e) then nw, lw = math.max(nw, #e.name), math.max(lw, #text(e.label)) end
    end
  end
  nw, lw = nw + 2, lw + 2
  -- Too wide for the terminal: the label column goes first (the name says most).
  local fixed_columns = 2 + 10 + 12 + 6 + 10 -- indent, unit, format, kind, window
  local show_label = nw + lw + fixed_columns <= math.max(width or 100, 20)
  local function label(e) return show_label and pad(text(e.label), lw) or "" end
  local label_head = show_label and pad("label", lw) or ""

  local out, rows, shown = "", {}, 0
  for _, m in ipairs(schema.metrics) do
    if match(m) then
      shown = shown + 1
      rows[#rows + 1] = "  " .. pad(m.name, nw) .. label(m) .. pad(unit_of(m), 10) .. pad(text(m.format) ~= "" and m.format or "number", 12)
          .. pad(m.is_rate and "rate" or "sum", 6) .. window(m) .. "\n"
    end
  end
  if shown > 0 then
    out = "Metrics (" .. shown .. ")\n" .. "  " .. pad("name", nw) .. label_head .. pad("unit", 10) .. pad("format", 12)
        .. pad("kind", 6) .. "max window\n" .. table.concat(rows)
  end
  rows, shown = {}, 0
  for _, d in ipairs(schema.dimensions) do
    if match(d) then
      shown = shown + 1
      rows[#rows + 1] = "  " .. pad(d.name, nw) .. label(d) .. window(d) .. "\n"
    end
  end
  if shown > 0 then
    if out ~= "" then out = out .. "\n" end
    out = out .. "Dimensions (" .. shown .. ")\n" .. "  " .. pad("name", nw) .. label_head .. "max window\n"
        .. table.concat(rows)
  end
  if filter ~= "" then
    if out == "" then
      out = "no metric or dimension matches '" .. filter
          .. "' (names and labels are searched; try cost, tokens, latency, or .schema for all)\n"
    end
    return out
  end
  return out .. vocabulary(schema) .. LIMITS
end

-- ---------------------------------------------------------------------------------
-- Printing results

local printer -- orscript.pretty's show, or false once it could not be loaded

local function show_one(v, opts)
  if printer == nil then
    local ok, pretty = pcall(require, "orscript.pretty")
    printer = ok and type(pretty) == "table" and type(pretty.show) == "function" and pretty.show or false
    if not printer then io.stderr:write("orscript: the pretty printer is unavailable; printing with tostring\n") end
  end
  local text
  if printer then
    -- A fresh table per value: the printer may keep or change what it is given.
    text = printer(v, { mode = opts.mode, headers = opts.headers, max_rows = opts.max_rows, width = opts.width })
  else
    text = tostring(v)
  end
  if type(text) == "number" then return tostring(text) end
  return type(text) == "string" and text or "(no text)"
end

-- M.show(opts, ...) -> text: the values a line returned, each through orscript.pretty
-- with opts {mode, headers, max_rows (nil: all), width}; values are separated by a
-- tab, or by a line break when any of them spans lines.
function M.show(opts, ...)
  local all = ""
  for i = 1, select("#", ...) do
    local piece = show_one((select(i, ...)), opts)
    if i > 1 and all ~= "" and all:sub(-1) ~= "\n" then
      all = all .. ((piece:find("\n", 1, true) or all:find("\n", 1, true)) and "\n" or "\t")
    end
    all = all .. piece
  end
  return all
end

-- For tests of the completion's parts.
M._call_receiver = call_receiver

return M
