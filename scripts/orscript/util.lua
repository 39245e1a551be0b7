-- orscript.util: shared helpers of the Lua library (not part of the public API).
--
-- Owns: strict classes (one metatable per type, its own __index, unknown fields
-- raise), usage errors positioned at the user's code, "did you mean" suggestions,
-- argument checks and an ordered JSON encoder for request bodies.
local core = require "orscript.core"

local U = {}

local type, tostring, pairs, ipairs, setmetatable, rawget = type, tostring, pairs, ipairs, setmetatable, rawget
local format, concat = string.format, table.concat

-- ---------------------------------------------------------------------------------
-- Errors

local lib_prefix
local function is_library(source)
  if not lib_prefix then
    local dir = core.lib_dir and core.lib_dir() or ""
    lib_prefix = "@" .. dir:gsub("/+$", "") .. "/orscript/"
  end
  if source:sub(1, #lib_prefix) == lib_prefix then return true end
  -- Fallback for a library reached through another path spelling.
  return source:find("[/\\]scripts[/\\]orscript[/\\][%w_]+%.lua$") ~= nil
end

-- The stack level (as seen by the caller of U.fail) of the first function that is
-- neither C nor part of the library: where the user's code called in.
local function user_level()
  local level = 3 -- 1 = user_level, 2 = U.fail; counted from U.fail below
  while true do
    local info = debug.getinfo(level, "S")
    if not info then return 0 end
    if info.what ~= "C" and not is_library(info.source) then return level - 1 end
    level = level + 1
  end
end

-- Raises a structured orscript.Error of `kind` positioned at the user's code.
function U.fail(kind, msg)
  local level = user_level()
  core.error(kind, msg, level)
end

function U.usage(msg, ...)
  if select("#", ...) > 0 then msg = format(msg, ...) end
  local level = user_level()
  core.error("usage", msg, level)
end

-- A short, quoted rendering of a Lua value for messages.
function U.show(v)
  local t = type(v)
  if t == "string" then
    -- Quoted with control bytes escaped; a long value is cut (a 1 MB argument is not echoed).
    local shown = #v > 80 and v:sub(1, 60) or v
    local q = format("%q", shown):gsub("\\\n", "\\n"):gsub("[%c\127]", function(c)
      return format("\\%03d", c:byte())
    end)
    if #v > 80 then q = q .. format("... (%d bytes)", #v) end
    return q
  end
  if t == "table" then
    local mt = getmetatable(v)
    if mt and rawget(mt, "__name") then return tostring(v) end
    local parts, n = {}, 0
    for _, x in ipairs(v) do
      n = n + 1
      if n > 4 then parts[#parts + 1] = "..."; break end
      parts[#parts + 1] = U.show(x)
    end
    if n == 0 and next(v) ~= nil then return "a table with named fields" end
    return "{" .. concat(parts, ", ") .. "}"
  end
  if v == core.null then return "null" end
  return tostring(v)
end

-- ---------------------------------------------------------------------------------
-- Strict classes

-- Creates the metatable `name`: its own __index, so methods are found in it; any
-- other key raises "unknown field 'x' on <name>". Also stored in the registry.
function U.class(name)
  local mt = { __name = name }
  mt.__index = mt
  mt.__tostring = function(self) return name end
  setmetatable(mt, {
    __index = function(_, key)
      -- Name the methods that exist, so a wrong guess ends in the right one.
      local methods = {}
      for k, v in pairs(mt) do
        if type(k) == "string" and type(v) == "function" and k:sub(1, 1) ~= "_" then methods[#methods + 1] = k end
      end
      table.sort(methods)
      U.fail("usage", format("unknown field '%s' on %s%s%s", tostring(key), name, U.suggest(tostring(key), methods),
        #methods > 0 and ("; methods: " .. concat(methods, ", ")) or ""))
    end,
  })
  debug.getregistry()[name] = mt
  return mt
end

-- A strict module table: unknown keys raise; `lazy` maps names to loader functions
-- whose result is cached on first use. The metatable's `__lazy` is that table, so
-- that the REPL's completion can list the fields before any is loaded.
function U.module(name, t, lazy)
  return setmetatable(t, {
    __name = name,
    __lazy = lazy,
    __index = function(self, key)
      local load = lazy and lazy[key]
      if load then
        local v = load()
        rawset(self, key, v)
        return v
      end
      local names = {}
      for k in pairs(self) do names[#names + 1] = k end
      if lazy then for k in pairs(lazy) do names[#names + 1] = k end end
      U.fail("usage", format("unknown field '%s' on %s%s", tostring(key), name, U.suggest(tostring(key), names)))
    end,
  })
end

-- ---------------------------------------------------------------------------------
-- Suggestions

function U.distance(a, b)
  local la, lb = #a, #b
  if la == 0 then return lb end
  if lb == 0 then return la end
  local prev, cur = {}, {}
  for j = 0, lb do prev[j] = j end
  for i = 1, la do
    cur[0] = i
    local ca = a:byte(i)
    for j = 1, lb do
      local cost = (ca == b:byte(j)) and 0 or 1
      local x = prev[j] + 1
      local y = cur[j - 1] + 1
      local z = prev[j - 1] + cost
      cur[j] = (x < y) and ((x < z) and x or z) or ((y < z) and y or z)
    end
    prev, cur = cur, prev
  end
  return prev[lb]
end

-- " (did you mean 'x'?)" for the closest candidate, or "".
function U.suggest(name, candidates)
  local best, best_d
  local lname = name:lower()
  for _, c in ipairs(candidates) do
    local d = U.distance(lname, c:lower())
    if c:lower():find(lname, 1, true) or lname:find(c:lower(), 1, true) then d = math.min(d, 2) end
    if not best_d or d < best_d or (d == best_d and U.distance(name, c) < U.distance(name, best)) then
      best, best_d = c, d
    end
  end
  if best and best_d <= math.max(2, math.floor(#name / 3)) then
    return format(" (did you mean '%s'?)", best)
  end
  return ""
end

-- ---------------------------------------------------------------------------------
-- Values

function U.is_integer(v)
  return type(v) == "number" and v == math.floor(v) and v > -2 ^ 53 and v < 2 ^ 53
end

function U.is_list(v)
  if type(v) ~= "table" or getmetatable(v) ~= nil then return false end
  local n = 0
  for _ in pairs(v) do n = n + 1 end
  return n == #v
end

function U.copy(t)
  local out = {}
  for k, v in pairs(t) do out[k] = v end
  return out
end

function U.set(list)
  local s = {}
  for _, v in ipairs(list) do s[v] = true end
  return s
end

-- The median of an ascending list (mean of the two middle values for an even count);
-- nil when it is empty.
function U.median_sorted(s)
  local n = #s
  if n == 0 then return nil end
  if n % 2 == 1 then return s[(n + 1) / 2] end
  return (s[n / 2] + s[n / 2 + 1]) / 2
end

-- The nearest-rank percentile p (0..1) of an ascending list: the ceil(p n)-th smallest;
-- nil when it is empty.
function U.rank_sorted(s, p)
  if #s == 0 then return nil end
  return s[math.max(1, math.min(#s, math.ceil(p * #s)))]
end

-- An ascending copy of a list of numbers (the list is not changed).
function U.sorted_copy(list)
  local s = {}
  for i, v in ipairs(list) do s[i] = v end
  table.sort(s)
  return s
end

function U.sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  return keys
end

-- Checks that the option table `opts` has only names in `allowed` (a set).
function U.check_options(fname, opts, allowed)
  if opts == nil then return {} end
  if type(opts) ~= "table" then
    U.usage("%s: expected a table of options, got %s", fname, type(opts))
  end
  for k in pairs(opts) do
    if type(k) ~= "string" or not allowed[k] then
      U.usage("%s: unknown option '%s'%s", fname, tostring(k), U.suggest(tostring(k), U.sorted_keys(allowed)))
    end
  end
  return opts
end

return U
