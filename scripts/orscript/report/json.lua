-- orscript.report.json: the review's data table as JSON, for machines.
--
-- Owns: normalising the data before encoding (gaps in series become null and the
-- series are padded to the number of weeks, NaN/inf become null, the fixed
-- object-valued fields stay objects when empty) and a small local encoder used
-- when orscript.core's json_encode is not available (e.g. under plain LuaJIT).
local F = require "orscript.report.format"

local concat, format = table.concat, string.format
local floor, huge = math.floor, math.huge

local M = {}

local ok_core, core = pcall(require, "orscript.core")
if not ok_core or type(core) ~= "table" then core = nil end

-- Sentinels of the normalised copy, replaced for whichever encoder runs.
local NULL, OBJECT = {}, {}

-- Fields whose value is a JSON object even when empty (paths from the data root).
local object_paths = {
  [""] = true, window = true, baseline = true, charts = true,
  ["charts.weekly_by_key"] = true, ["charts.components"] = true,
}

local function is_array(t)
  local n, top = 0, 0
  for k in pairs(t) do
    if type(k) ~= "number" or k < 1 or k ~= floor(k) then return false end
    n = n + 1
    if k > top then top = k end
  end
  return true, top, n
end

-- A normalised copy: plain tables, NULL for missing values inside arrays,
-- { [OBJECT] = true } marking objects. `pad` forces an array length.
local function normalise(v, path, seen, pad)
  if F.missing(v) then return NULL end
  local t = type(v)
  if t == "number" then
    if v == huge or v == -huge then return NULL end
    return v
  end
  if t == "string" or t == "boolean" then return v end
  if t ~= "table" then
    error(format("orscript.report.json: cannot encode %s at '%s'", t, path == "" and "data" or path), 0)
  end
  if seen[v] then error(format("orscript.report.json: '%s' contains itself", path == "" and "data" or path), 0) end
  seen[v] = true
  local out = {}
  local array, top = is_array(v)
  if array and not object_paths[path] and (top > 0 or pad) then
    top = math.max(top, pad or 0)
    for i = 1, top do out[i] = normalise(v[i], path .. "[" .. i .. "]", seen) end
    out.n = top
  elseif next(v) == nil and not object_paths[path] then
    out.n = 0
  else
    out[OBJECT] = true
    local weeks
    if type(v.weeks) == "table" and (path == "charts.weekly_by_key" or path == "charts.components") then
      weeks = #v.weeks
    end
    for k, x in pairs(v) do
      local key = tostring(k)
      local sub = path == "" and key or (path .. "." .. key)
      if key == "series" and weeks then
        local list = {}
        for i, s in ipairs(type(x) == "table" and x or {}) do
          local copy = normalise(s, sub .. "[" .. i .. "]", seen)
          if type(s) == "table" and type(s.values) == "table" then
            local vals = normalise(s.values, sub .. "[" .. i .. "].values", seen, weeks)
            copy.values = vals
          end
          list[i] = copy
        end
        list.n = #list
        out[key] = list
      elseif not F.missing(x) then
        out[key] = normalise(x, sub, seen)
      end
    end
  end
  seen[v] = nil
  return out
end

-- Converts the normalised copy to what orscript.core.json_encode expects.
local function for_core(v, object_meta)
  if v == NULL then return core.null end
  if type(v) ~= "table" then return v end
  local out = {}
  if v[OBJECT] then
    for k, x in pairs(v) do if k ~= OBJECT then out[k] = for_core(x, object_meta) end end
    if next(out) == nil and object_meta then setmetatable(out, object_meta) end
  else
    for i = 1, v.n do out[i] = for_core(v[i], object_meta) end
  end
  return out
end

local function quote(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    local named = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t",
      ["\b"] = "\\b", ["\f"] = "\\f" }
    return named[c] or format("\\u%04x", c:byte())
  end) .. '"'
end

local function number(x)
  if x == floor(x) and x > -2 ^ 53 and x < 2 ^ 53 then return format("%d", x) end
  local short = format("%.14g", x)
  if tonumber(short) == x then return short end
  return format("%.17g", x)
end

-- Pretty, sorted-key JSON of a normalised value.
local function encode_local(v, indent, out)
  local t = type(v)
  if v == NULL then out[#out + 1] = "null"
  elseif t == "boolean" then out[#out + 1] = tostring(v)
  elseif t == "number" then out[#out + 1] = number(v)
  elseif t == "string" then out[#out + 1] = quote(v)
  elseif v[OBJECT] then
    local keys = {}
    for k in pairs(v) do if k ~= OBJECT then keys[#keys + 1] = k end end
    table.sort(keys)
    if #keys == 0 then out[#out + 1] = "{}"; return end
    local inner = indent .. "  "
    out[#out + 1] = "{\n"
    for i, k in ipairs(keys) do
      out[#out + 1] = inner .. quote(k) .. ": "
      encode_local(v[k], inner, out)
      out[#out + 1] = i < #keys and ",\n" or "\n"
    end
    out[#out + 1] = indent .. "}"
  else
    if v.n == 0 then out[#out + 1] = "[]"; return end
    local flat = true
    for i = 1, v.n do
      if type(v[i]) == "table" and v[i] ~= NULL then flat = false; break end
    end
    if flat then -- a list of scalars on one line
      out[#out + 1] = "["
      for i = 1, v.n do
        encode_local(v[i], indent, out)
        if i < v.n then out[#out + 1] = ", " end
      end
      out[#out + 1] = "]"
      return
    end
    local inner = indent .. "  "
    out[#out + 1] = "[\n"
    for i = 1, v.n do
      out[#out + 1] = inner
      encode_local(v[i], inner, out)
      out[#out + 1] = i < v.n and ",\n" or "\n"
    end
    out[#out + 1] = indent .. "]"
  end
end

-- The local encoder, exposed so tests can check it without the host.
function M.encode_local(data)
  local out = {}
  encode_local(normalise(data, "", {}), "", out)
  return concat(out) .. "\n"
end

function M.render(data)
  local norm = normalise(data, "", {})
  if core and core.json_encode and core.null ~= nil then
    local meta
    if debug and debug.getregistry then
      local ok, reg = pcall(debug.getregistry)
      if ok and type(reg) == "table" and type(reg["orscript.object"]) == "table" then meta = reg["orscript.object"] end
    end
    return core.json_encode(for_core(norm, meta)) .. "\n"
  end
  local out = {}
  encode_local(norm, "", out)
  return concat(out) .. "\n"
end

return M
