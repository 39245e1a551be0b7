-- orscript.table_methods: the orscript.Table methods written in Lua, and writing a
-- set of tables at once (orscript.write_tables).
--
-- Owns: a truncation-safe, null-aware total (t:total), gathering a table's API warnings
-- and truncation note into a report's list (t:note_warnings), a copy for display with
-- columns chosen, renamed and transformed (t:view), and writing named tables as CSV
-- files, one JSON object or one Markdown file, each file whole or not at all. The C++
-- methods live in bindings/table_binding.cpp; init.lua installs these beside them in the
-- orscript.Table metatable (docs/scripting-tables.md).
local core = require "orscript.core"
local U = require "orscript.util"

local format, concat = string.format, table.concat
local null = core.null

local M = {}

local function is_table(v)
  local mt = getmetatable(v)
  return mt ~= nil and mt == debug.getregistry()["orscript.Table"]
end

local function check_self(fname, t)
  if not is_table(t) then U.usage("%s: expected an orscript.Table (call it with ':'), got %s", fname, U.show(t)) end
end

-- t:note_warnings(list, what) -> whole: appends "WHAT: warning" for each API warning of
-- the table (once) and, when the API truncated it, a note saying its totals are partial.
-- Returns true when the table is whole (safe to total).
function M.note_warnings(t, list, what)
  check_self("t:note_warnings", t)
  if type(list) ~= "table" then U.usage("t:note_warnings: expected a list to add to, got %s", U.show(list)) end
  what = tostring(what or "result")
  local meta = t.meta
  for _, w in ipairs(meta.warnings or {}) do
    local text = what .. ": " .. tostring(w)
    local dup = false
    for _, have in ipairs(list) do if have == text then dup = true end end
    if not dup then list[#list + 1] = text end
  end
  if meta.truncated then
    list[#list + 1] = format("%s: the API truncated the result at its row limit (%s rows); "
      .. "its totals are partial, so they are not shown. Narrow the window or raise the limit.",
      what, tostring(meta.limit or meta.row_count or "?"))
    return false
  end
  return true
end

-- t:total(column [, {warnings = list, what = text}]) -> number | nil: the sum of a
-- column with null read as "not used" (a null-only column totals 0); nil on a truncated
-- table, which is never totalled (the note goes into `warnings` when given).
function M.total(t, col, opts)
  check_self("t:total", t)
  if opts ~= nil and type(opts) ~= "table" then U.usage("t:total: expected an options table, got %s", U.show(opts)) end
  opts = opts or {}
  U.check_options("t:total", opts, { warnings = true, what = true })
  if t.meta.truncated then
    if opts.warnings then M.note_warnings(t, opts.warnings, opts.what or col) end
    return nil
  end
  local s = t:sum(col)
  if s == null then return 0 end
  return s
end

local function has_col(t, name)
  for _, c in ipairs(t.columns) do if c == name then return true end end
  return false
end

-- t:view(cols) -> Table: a copy for display. `cols` lists the columns in order, each a
-- name or {column, shown_as [, fn]} (fn(value) transforms the non-null values); columns
-- not listed, or missing from the table, are left out. Formats are kept.
function M.view(t, cols)
  check_self("t:view", t)
  if type(cols) ~= "table" then U.usage("t:view: expected a list of columns, got %s", U.show(cols)) end
  local out, names = t, {}
  for _, spec in ipairs(cols) do
    local old, new, fn
    if type(spec) == "table" then old, new, fn = spec[1], spec[2], spec[3] else old, new = spec, spec end
    if has_col(t, old) then
      if new ~= old or fn then
        local info = t:info(old)
        out = out:derive(new, function(r)
          local v = r[old]
          if fn and v ~= null then return fn(v) end
          return v
        end, { format = info.type == "time" and "text" or info.format })
      end
      names[#names + 1] = new
    end
  end
  return out:select(names)
end

local function write_whole(path, text, make_dirs)
  local ok, err = pcall(core.write_file, path, text, make_dirs == true)
  if not ok then orscript.error("usage", tostring(type(err) == "table" and err.message or err), 0) end
  return path
end

-- orscript.write_tables(list, {csv = DIR, json = FILE, markdown = FILE}) -> paths: writes
-- named tables ({ {name, Table}, ... }): one NAME.csv per table in DIR (created when
-- missing), one JSON object {name: rows} and one Markdown file with a section per table.
-- Each file is written whole or not at all. Returns the paths written, in that order.
function M.write_tables(list, opts)
  if type(list) ~= "table" then
    U.usage("orscript.write_tables: expected a list of {name, table}, got %s", U.show(list))
  end
  if opts ~= nil and type(opts) ~= "table" then
    U.usage("orscript.write_tables: expected an options table, got %s", U.show(opts))
  end
  opts = opts or {}
  U.check_options("orscript.write_tables", opts, { csv = true, json = true, markdown = true })
  for i, nt in ipairs(list) do
    if type(nt) ~= "table" or type(nt[1]) ~= "string" or not is_table(nt[2]) then
      U.usage("orscript.write_tables: item %d: expected {name, orscript.Table}, got %s", i, U.show(nt))
    end
  end
  local written = {}
  if opts.csv then
    for _, nt in ipairs(list) do
      written[#written + 1] = write_whole(opts.csv .. "/" .. nt[1] .. ".csv", nt[2]:to_csv(), true)
    end
  end
  if opts.json then
    local parts = {}
    for _, nt in ipairs(list) do parts[#parts + 1] = core.json_encode(nt[1]) .. ": " .. nt[2]:to_json() end
    written[#written + 1] = write_whole(opts.json, "{\n" .. concat(parts, ",\n") .. "\n}\n")
  end
  if opts.markdown then
    local parts = {}
    for _, nt in ipairs(list) do parts[#parts + 1] = "## " .. nt[1] .. "\n\n" .. nt[2]:to_markdown() end
    written[#written + 1] = write_whole(opts.markdown, concat(parts, "\n"))
  end
  return written
end

-- Installs the methods in the orscript.Table metatable (its own __index).
function M.install(mt)
  for _, name in ipairs({ "note_warnings", "total", "view" }) do
    if rawget(mt, name) == nil then rawset(mt, name, M[name]) end
  end
end

return M
