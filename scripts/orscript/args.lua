-- orscript.args: the command line of a script (the recipes and yours).
--
-- Owns: telling "run as a script" from "required as a module", parsing `arg` into
-- typed options (a window, thresholds within ranges, output files, flags, numbers,
-- positional arguments), usage text for --help, and one-line usage errors (exit code 2,
-- no traceback even under --verbose). Does not own what a script does with them.
--
--   local args = orscript.args
--   if args.is_script("my_report") then
--     args.main(function()
--       local opts = args.parse(arg, { options = { top = "number" }, usage = "usage: ..." })
--       if opts.help then return print(opts.usage) end
--       ...
--     end)
--   end
local U = require "orscript.util"
local time = require "orscript.time"

local format, concat = string.format, table.concat

local M = {}

-- Raises a usage error (exit code 2) without a position: bad input on the command line.
function M.usage_error(msg, ...)
  if select("#", ...) > 0 then msg = format(msg, ...) end
  orscript.error("usage", msg, 0)
end
local usage_error = M.usage_error

local function shorten(s) return #s > 60 and (s:sub(1, 60) .. "...") or s end

-- True when the running script (arg[0]) is NAME.lua: the file was started as a script,
-- not required by another one.
function M.is_script(name)
  if type(name) ~= "string" then U.usage("orscript.args.is_script: expected a script name, got %s", U.show(name)) end
  local a0 = rawget(_G, "arg") and arg[0]
  if type(a0) ~= "string" then return false end
  return a0:match("([^/\\]+)$") == name .. ".lua"
end

-- Runs a script's main function. An orscript.Error keeps its kind and exit code; any
-- other error keeps a traceback from where it was raised.
function M.main(fn)
  if type(fn) ~= "function" then U.usage("orscript.args.main: expected a function, got %s", U.show(fn)) end
  local ok, err = xpcall(fn, function(e)
    if type(e) == "table" then return e end
    return debug.traceback(tostring(e), 2)
  end)
  if not ok then error(err, 0) end
end

-- The month "YYYY-MM" as a range, or a usage error naming `what`.
function M.month(text, what)
  local y, m = tostring(text):match("^(%d%d%d%d)%-(%d%d)$")
  if not y or tonumber(m) < 1 or tonumber(m) > 12 then
    usage_error("%s expects YYYY-MM (e.g. 2026-10), got '%s'", what or "--month", shorten(tostring(text)))
  end
  return time.month(time.parse(format("%s-%s-01", y, m)))
end

-- A plain decimal number from text (no nan, inf or hex), or nil.
local function decimal(s)
  return (s:match("^[+-]?%d+%.?%d*$") or s:match("^[+-]?%d*%.%d+$") or s:match("^[+-]?%d+%.?%d*[eE][+-]?%d+$"))
    and tonumber(s)
end

-- A threshold's value from text: a plain decimal number within `range` ({lo, hi},
-- default {0, 1e15}), else a usage error naming the range.
function M.threshold(name, text, range)
  local s = tostring(text)
  local n = decimal(s)
  local r = range or { 0, 1e15 }
  if not n or n ~= n or n < r[1] or n > r[2] then
    usage_error("threshold %s expects a number from %s to %s, got '%s'", name, tostring(r[1]), tostring(r[2]),
      shorten(s))
  end
  return n
end

-- The output options every script may take: --NAME FILE (or DIR for --csv).
M.OUTPUTS = { csv = true, json = true, markdown = true, html = true, ["verify-script"] = true }

local SPEC_FIELDS = { positional = true, required = true, thresholds = true, ranges = true, options = true,
                      flags = true, usage = true }

-- Parses a script's arguments (a list of strings, e.g. `arg`):
--   spec.positional = { "model" }        positional arguments, in order
--   spec.required = { model = true }     positional arguments that must be given
--   spec.thresholds = { name = default } each settable as --name VALUE and --threshold name=VALUE
--   spec.ranges = { name = { lo, hi } }  a threshold's range (default 0 .. 1e15)
--   spec.options = { top = "number" }    other --name VALUE options ("number" or "string")
--   spec.flags = { ["no-color"] = true } options without a value
--   spec.usage = "text"                  shown by --help (opts.help, opts.usage) and after errors
-- Always understood: --month YYYY-MM, --from DATE [--to DATE] (opts.range), the outputs
-- --csv DIR, --json/--markdown/--html/--verify-script FILE, and -h/--help.
-- Returns opts: the options by name (dashes become underscores), opts.thresholds (over
-- the defaults), opts.range (nil when no window was given). Errors: one usage line.
function M.parse(argv, spec)
  if type(argv) ~= "table" then U.usage("orscript.args.parse: expected a list of arguments, got %s", U.show(argv)) end
  spec = spec or {}
  U.check_options("orscript.args.parse", spec, SPEC_FIELDS)
  local usage_tail = spec.usage and ("\n" .. spec.usage) or ""
  local opts = { thresholds = {}, usage = spec.usage }
  for k, v in pairs(spec.thresholds or {}) do opts.thresholds[k] = v end
  local ranges = spec.ranges or {}
  local npos, i = 0, 1
  local function set_threshold(name, text)
    if spec.thresholds == nil or spec.thresholds[name] == nil then
      local names = U.sorted_keys(spec.thresholds or {})
      usage_error("unknown threshold '%s' (thresholds: %s)", name, #names > 0 and concat(names, ", ") or "none")
    end
    opts.thresholds[name] = M.threshold(name, text, ranges[name])
  end
  while i <= #argv do
    local a = tostring(argv[i])
    local name, inline = a:match("^%-%-([%w_%-]+)=(.*)$")
    if not name then name = a:match("^%-%-([%w_%-]+)$") end
    if a == "-h" or name == "help" then
      opts.help = true
    elseif name then
      local key = name:gsub("%-", "_")
      local function v()
        if inline then return inline end
        local nxt = argv[i + 1]
        if nxt == nil then usage_error("option --%s needs a value", name) end
        i = i + 1
        return tostring(nxt)
      end
      if name == "month" then
        opts.range = M.month(v())
      elseif name == "from" or name == "to" then
        opts[name] = v()
      elseif name == "threshold" then
        local t = v()
        local k, val = t:match("^([%w_]+)=(.+)$")
        if not k then usage_error("--threshold expects name=value, got '%s'", shorten(t)) end
        set_threshold(k, val)
      elseif M.OUTPUTS[name] then
        opts[key] = v()
      elseif spec.flags and spec.flags[name] then
        opts[key] = true
      elseif spec.options and spec.options[key] then
        local text = v()
        if spec.options[key] == "number" then
          local n = text:match("^[+-]?%d+%.?%d*$") and tonumber(text)
          if not n then usage_error("--%s expects a number, got '%s'", name, shorten(text)) end
          opts[key] = n
        else
          opts[key] = text
        end
      elseif spec.thresholds and spec.thresholds[key] ~= nil then
        set_threshold(key, v())
      else
        usage_error("unknown option '%s'%s", a, usage_tail)
      end
    else
      npos = npos + 1
      local pname = spec.positional and spec.positional[npos]
      if not pname then usage_error("unexpected argument '%s'%s", shorten(a), usage_tail) end
      opts[pname] = a
    end
    i = i + 1
  end
  if opts.help then return opts end
  for _, pname in ipairs(spec.positional or {}) do
    if spec.required and spec.required[pname] and opts[pname] == nil then
      usage_error("missing argument %s%s", pname:upper(), usage_tail)
    end
  end
  if opts.from or opts.to then
    if opts.range then usage_error("give either --month or --from/--to, not both") end
    if not opts.from then usage_error("--to needs --from") end
    local function date(name, text)
      local ok, ms = pcall(time.parse, text)
      if not ok then usage_error("--%s expects a date such as 2026-10-01 (ISO-8601, UTC), got '%s'", name, shorten(text)) end
      return ms
    end
    local from = date("from", opts.from)
    local to = opts.to and date("to", opts.to) or time.floor(orscript.now(), "day")
    if from >= to and opts.to then
      usage_error("--from %s is not before --to %s (the end is exclusive)", time.date(from), time.date(to))
    elseif from >= to then
      usage_error("--from %s is not before today (%s), the default --to", time.date(from), time.date(to))
    end
    opts.range = time.range(from, to)
  end
  return opts
end

return U.module("orscript.args", M)
