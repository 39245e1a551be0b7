-- recipes/common.lua: what the recipes share.
--
-- Owns: command-line parsing for the recipes (window, thresholds, output files),
-- telling "run as a script" from "required as a module", running a batch of named
-- queries concurrently, reading numbers out of result rows (null = not used),
-- refusing to total a truncated result (and saying so), collecting the API's
-- warnings, week arithmetic, small text helpers, and writing a recipe's tables as
-- CSV, JSON or Markdown. Does not own any analysis: each recipe owns its own.
--
-- Every recipe is both a script and a module:
--   orscript --demo recipes/top_models.lua --month 2026-10
--   local top = require("top_models"); local res = top.run{ range = ... }; print(top.render(res))
local core = require "orscript.core"
local report = require "orscript.report"

local time = orscript.time
local null = orscript.null
local format, concat = string.format, table.concat

local C = {}

C.null = null
C.money, C.percent, C.count, C.per_mtok = report.format_money, report.format_percent,
  report.format_count, report.format_per_mtok
C.compact = report.format_compact

-- ---------------------------------------------------------------------------------
-- Values

-- A cell as a number: nil, null and NaN read as 0 ("not used").
function C.num(v)
  if type(v) ~= "number" or v ~= v then return 0 end
  return v
end

-- True when a cell holds a real number (not null / nil / NaN).
function C.has(v) return type(v) == "number" and v == v end

-- a / b, or nil when b is 0 or either is missing.
function C.ratio(a, b)
  if not C.has(a) or not C.has(b) or b == 0 then return nil end
  return a / b
end

-- Effective $/Mtok: usage / tokens × 1e6 (nil without tokens).
function C.rate(usage, tokens)
  local r = C.ratio(C.num(usage), C.num(tokens))
  return r and r * 1e6 or nil
end

-- The number in a cell, or nil when it is missing (null / nil / NaN).
function C.val(v)
  if C.has(v) then return v end
  return nil
end

-- Appends the items of `more` to the list `into`; returns `into`.
function C.append(into, more)
  for _, v in ipairs(more or {}) do into[#into + 1] = v end
  return into
end

-- {value of column `col` = row} over the rows of table `t`.
function C.index(t, col)
  local out = {}
  for _, r in t:rows() do out[r[col]] = r end
  return out
end

-- `t` with usd_per_mtok, each row's effective $/Mtok (total_usage / tokens_total × 1e6).
function C.with_rate(t)
  return t:derive("usd_per_mtok", function(r) return C.rate(r.total_usage, r.tokens_total) end, { format = "currency" })
end

-- A shallow copy of `base` with `over` on top.
function C.merge(base, over)
  local out = {}
  for k, v in pairs(base or {}) do out[k] = v end
  for k, v in pairs(over or {}) do out[k] = v end
  return out
end

-- ---------------------------------------------------------------------------------
-- Script or module

-- True when the running script (arg[0]) is recipes/<name>.lua, i.e. the recipe was
-- started as a script rather than required by another script.
function C.is_main(name)
  local a0 = rawget(_G, "arg") and arg[0]
  if type(a0) ~= "string" then return false end
  return a0:match("([^/\\]+)$") == name .. ".lua"
end

-- Runs a recipe's main function and turns an error into a message and an exit code
-- (orscript.Error values keep their kind and exit code).
function C.main(fn)
  local ok, err = xpcall(fn, function(e)
    if type(e) == "table" then return e end
    return debug.traceback(tostring(e), 2)
  end)
  if not ok then error(err, 0) end
end

-- ---------------------------------------------------------------------------------
-- Arguments

local function usage_error(msg, ...)
  orscript.error("usage", format(msg, ...), 0)
end
C.usage_error = usage_error

local function month_range(text)
  local y, m = tostring(text):match("^(%d%d%d%d)%-(%d%d)$")
  if not y then usage_error("--month expects YYYY-MM (e.g. 2026-10), got '%s'", tostring(text)) end
  return time.month(time.parse(format("%s-%s-01", y, m)))
end

local MONTHS = { "January", "February", "March", "April", "May", "June", "July", "August", "September",
                 "October", "November", "December" }

-- A label for a window: "October 2026" for a calendar month, else "2026-10-01 .. 2026-10-31".
function C.window_label(r)
  local first, last = r:dates()
  local y, mo, d = time.parts(r.start)
  if d == 1 and time.date(time.add(r.start, 1, "month")) == time.date(r.stop) then
    return format("%s %d", MONTHS[mo], y)
  end
  return first .. " .. " .. last
end

-- { start = "2026-10-01", ["end"] = "2026-11-01", label = "October 2026" }
function C.window_info(r)
  return { start = time.date(r.start), ["end"] = time.date(r.stop), label = C.window_label(r) }
end

-- The documented range of each threshold (docs/recipes.md); others: a number >= 0.
C.THRESHOLD_RANGES = {
  expensive_multiple = { 1, 1000 }, growth_ratio = { 1, 1000 }, level_change = { 1, 1000 },
  min_monthly_usd = { 0, 1e15 }, weekly_to_monthly = { 4, 4.5 },
  key_share = { 0, 1 }, prompt_heavy = { 0, 1 }, low_cache = { 0, 1 }, target_cache = { 0, 1 },
  web_share = { 0, 1 }, reasoning_share = { 0, 1 }, reasoning_cut = { 0, 1 }, meaningful_share = { 0, 1 },
}

-- A threshold's value from text: a plain decimal number (no nan, inf or hex) within
-- its documented range, else a usage error naming the range.
function C.check_threshold(name, text)
  local s = tostring(text)
  local n = (s:match("^[+-]?%d+%.?%d*$") or s:match("^[+-]?%d*%.%d+$") or s:match("^[+-]?%d+%.?%d*[eE][+-]?%d+$"))
    and tonumber(s)
  local r = C.THRESHOLD_RANGES[name] or { 0, 1e15 }
  if not n or n ~= n or n < r[1] or n > r[2] then
    usage_error("threshold %s expects a number from %s to %s, got '%s'", name, tostring(r[1]), tostring(r[2]),
      #s > 60 and (s:sub(1, 60) .. "...") or s)
  end
  return n
end

-- Parses a recipe's arguments.
--   spec.positional = { "model" }           names of positional arguments (in order)
--   spec.required = { model = true }        positional arguments that must be given
--   spec.thresholds = { name = default }    each also settable as --name value and --threshold name=value
--   spec.options = { top = "number", weeks = "number", ... }   extra --name value options
--   spec.flags = { ["no-color"] = true }    options without a value
--   spec.usage = "text"                      printed by --help
-- Returns opts = { range, label, thresholds, csv, json, markdown, html, verify_script, ... }.
-- Window: --month YYYY-MM, or --from DATE [--to DATE]; default the last full calendar month.
function C.parse_args(argv, spec)
  spec = spec or {}
  local opts = { thresholds = C.merge(spec.thresholds), args = {} }
  local npos = 0
  local i = 1
  local function value(name)
    local v = argv[i + 1]
    if v == nil then usage_error("option --%s needs a value", name) end
    i = i + 1
    return v
  end
  local function set_threshold(name, text)
    if spec.thresholds == nil or spec.thresholds[name] == nil then
      local names = {}
      for k in pairs(spec.thresholds or {}) do names[#names + 1] = k end
      table.sort(names)
      usage_error("unknown threshold '%s' (thresholds: %s)", name, #names > 0 and concat(names, ", ") or "none")
    end
    opts.thresholds[name] = C.check_threshold(name, text)
  end
  while i <= #argv do
    local a = argv[i]
    local name, inline = a:match("^%-%-([%w_%-]+)=(.*)$")
    if not name then name = a:match("^%-%-([%w_%-]+)$") end
    if a == "-h" or name == "help" then
      opts.help = true
    elseif name then
      local key = name:gsub("%-", "_")
      local function v() if inline then return inline end return value(name) end
      if name == "month" then
        opts.range = month_range(v())
      elseif name == "from" then
        opts.from = v()
      elseif name == "to" then
        opts.to = v()
      elseif name == "threshold" then
        local t = v()
        local k, val = t:match("^([%w_]+)=(.+)$")
        if not k then usage_error("--threshold expects name=value, got '%s'", t) end
        set_threshold(k, val)
      elseif name == "csv" or name == "json" or name == "markdown" or name == "html" or name == "verify-script" then
        opts[key] = v()
      elseif spec.flags and spec.flags[name] then
        opts[key] = true
      elseif spec.options and spec.options[key] then
        local text = v()
        if spec.options[key] == "number" then
          local n = text:match("^[+-]?%d+%.?%d*$") and tonumber(text)
          if not n then usage_error("--%s expects a number, got '%s'", name, #text > 60 and (text:sub(1, 60) .. "...") or text) end
          opts[key] = n
        else
          opts[key] = text
        end
      elseif spec.thresholds and spec.thresholds[key] ~= nil then
        set_threshold(key, v())
      else
        usage_error("unknown option '%s'%s", a, spec.usage and ("\n" .. spec.usage) or "")
      end
    else
      npos = npos + 1
      local pname = spec.positional and spec.positional[npos]
      if not pname then usage_error("unexpected argument '%s'%s", a, spec.usage and ("\n" .. spec.usage) or "") end
      opts[pname] = a
    end
    i = i + 1
  end
  if opts.help then return opts end
  for _, pname in ipairs(spec.positional or {}) do
    if spec.required and spec.required[pname] and opts[pname] == nil then
      usage_error("missing argument %s%s", pname:upper(), spec.usage and ("\n" .. spec.usage) or "")
    end
  end
  if opts.from or opts.to then
    if opts.range then usage_error("give either --month or --from/--to, not both") end
    if not opts.from then usage_error("--to needs --from") end
    opts.range = time.range(opts.from, opts.to or time.format(time.floor(orscript.now(), "day")))
  end
  return opts
end

-- Fills the window of an options table: opts.range (default: the last full calendar
-- month) and opts.label; thresholds merged over `defaults`.
function C.options(opts, defaults)
  local o = C.merge({}, opts)
  o.range = o.range or time.last_month()
  if getmetatable(o.range) == nil and type(o.range) == "table" then o.range = time.range(o.range) end
  o.label = o.label or C.window_label(o.range)
  o.thresholds = C.merge(defaults, o.thresholds)
  return o
end

-- A recipe's result: `fields` plus what every result carries (window, label, thresholds).
function C.result(opts, fields)
  fields.window, fields.label, fields.thresholds = C.window_info(opts.range), opts.label, opts.thresholds
  return fields
end

-- ---------------------------------------------------------------------------------
-- Running queries

-- Requests this process has sent so far (the client's counter), or nil if unknown.
function C.requests()
  if type(core.stats) == "function" then
    local ok, s = pcall(core.stats)
    if ok and type(s) == "table" then return s.requests end
  end
  return nil
end

-- Monotonic milliseconds (LuaJIT FFI), for reporting how long a review took.
local clock
function C.clock_ms()
  if clock == nil then
    local ok, ffi = pcall(require, "ffi")
    if ok then
      pcall(ffi.cdef, [[
        typedef struct { long tv_sec; long tv_nsec; } orscript_recipes_timespec;
        int clock_gettime(int clk, orscript_recipes_timespec* ts);
      ]])
      local ts = ffi.new("orscript_recipes_timespec")
      clock = function()
        ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
        return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
      end
    else
      clock = function() return os.clock() * 1000 end
    end
  end
  return clock()
end

-- Submits every query of `named` ({name = orscript.Query}) at once; returns
-- {name = orscript.Pending}. `order` (a list of names) submits those first.
function C.submit_all(named, order)
  local pend, done = {}, {}
  for _, name in ipairs(order or {}) do
    if named[name] then pend[name] = named[name]:submit(); done[name] = true end
  end
  local names = {}
  for name in pairs(named) do if not done[name] then names[#names + 1] = name end end
  table.sort(names)
  for _, name in ipairs(names) do pend[name] = named[name]:submit() end
  return pend
end

-- Waits for every pending of `pend` ({name = Pending}); returns {name = Table}.
function C.wait_all(pend)
  local out = {}
  for name, p in pairs(pend) do out[name] = core.wait(p) end
  return out
end

-- Runs named queries concurrently; returns {name = Table}.
function C.run_all(named) return C.wait_all(C.submit_all(named)) end

-- The standard run of a recipe module `M`: fills the options (over M.DEFAULTS), runs
-- M.queries concurrently and analyses them. Returns the result and the options.
function C.run(M, opts)
  opts = C.options(opts, M.DEFAULTS)
  return M.analyse(C.run_all(M.queries(opts)), opts), opts
end

-- ---------------------------------------------------------------------------------
-- Truncation and warnings

-- Records the API warnings of `t` and a note when it was truncated into `warnings`
-- (a list); returns true when `t` is whole (safe to total).
function C.note(t, what, warnings)
  local meta = t.meta
  for _, w in ipairs(meta.warnings or {}) do
    local text = what .. ": " .. tostring(w)
    local dup = false
    for _, have in ipairs(warnings) do if have == text then dup = true end end
    if not dup then warnings[#warnings + 1] = text end
  end
  if meta.truncated then
    warnings[#warnings + 1] = format("%s: the API truncated the result at its row limit (%s rows); "
      .. "its totals are partial, so they are not shown. Narrow the window or raise the limit.",
      what, tostring(meta.limit or meta.row_count or "?"))
    return false
  end
  return true
end

-- The sum of a column, or nil (with a warning) when the table was truncated: a
-- truncated result is never totalled. Null-only columns sum to 0 ("not used").
function C.sum(t, col, what, warnings)
  if t.meta.truncated then
    if warnings then C.note(t, what or col, warnings) end
    return nil
  end
  local s = t:sum(col)
  if s == null then return 0 end
  return s
end

-- ---------------------------------------------------------------------------------
-- Weeks (Sunday start, UTC)

-- ISO date of the Sunday starting the week that holds `t` (ms or date text).
function C.week_of(t)
  if type(t) == "string" then t = time.parse(t) end
  return time.date(time.floor(t, "week"))
end

-- The week starts (ISO dates) of a range, in order.
function C.week_list(r)
  local out = {}
  for _, ms in ipairs(r:buckets("week")) do out[#out + 1] = time.date(ms) end
  return out
end

-- ---------------------------------------------------------------------------------
-- Text

-- True when table `t` has a column `name`.
function C.has_col(t, name)
  for _, c in ipairs(t.columns) do if c == name then return true end end
  return false
end

-- A copy of `t` for display: `cols` lists {column, shown_as [, fn]} in order (a plain
-- name keeps the column as is; fn(value) transforms the values); columns not listed,
-- or missing from `t`, are left out. Formats are kept.
function C.rename(t, cols)
  local out, names = t, {}
  for _, spec in ipairs(cols) do
    local old, new, fn
    if type(spec) == "table" then old, new, fn = spec[1], spec[2], spec[3] else old, new = spec, spec end
    if C.has_col(t, old) then
      if new ~= old or fn then
        local info = t:info(old)
        out = out:derive(new, function(r)
          local v = r[old]
          if fn and v ~= C.null then return fn(v) end
          return v
        end, { format = info.type == "time" and "text" or info.format })
      end
      names[#names + 1] = new
    end
  end
  return out:select(names)
end

-- A heading line and a rule.
function C.heading(text)
  return text .. "\n" .. string.rep("=", math.min(#text, 78)) .. "\n"
end

-- A table's aligned text (at most `rows` rows).
function C.show(t, rows)
  return t:format { max_rows = rows or 40 }
end

-- Joins lines with newlines (ending with one).
function C.lines(list) return concat(list, "\n") .. "\n" end

-- A report being written: returns the list of its parts, add(fmt, ...) (adds a
-- formatted line) and put(text) (adds text as is). C.finish(out, warnings) ends it.
function C.buffer()
  local out = {}
  local function add(...) out[#out + 1] = format(...) end
  local function put(text) out[#out + 1] = text end
  return out, add, put
end

-- The heading of a recipe's report over a window: "TITLE: LABEL (START .. END)".
function C.window_heading(title, res)
  return C.heading(format("%s: %s (%s .. %s)", title, res.label, res.window.start, res.window["end"]))
end

-- Ends a report: one "warning: ..." line per warning, then the text.
function C.finish(out, warnings)
  for _, w in ipairs(warnings or {}) do out[#out + 1] = format("warning: %s", w) end
  return C.lines(out)
end

-- ---------------------------------------------------------------------------------
-- Writing tables: --csv DIR, --json FILE, --markdown FILE

local function write_text(path, text)
  -- Whole or not at all (temporary file, then rename); a usage error names path and cause.
  local ok, err = pcall(core.write_file, path, text)
  if not ok then orscript.error("usage", tostring(type(err) == "table" and err.message or err), 0) end
end
C.write_text = write_text

-- Writes `tables` (a list of {name, Table}) as the options ask: --csv DIR (one
-- NAME.csv per table), --json FILE (one object {name: rows}), --markdown FILE (one
-- section per table). Returns the list of paths written.
function C.write_tables(opts, tables)
  local written = {}
  if opts.csv then
    os.execute(format("mkdir -p '%s'", opts.csv:gsub("'", "'\\''")))
    for _, nt in ipairs(tables) do
      local path = opts.csv .. "/" .. nt[1] .. ".csv"
      write_text(path, nt[2]:to_csv())
      written[#written + 1] = path
    end
  end
  if opts.json then
    local parts = {}
    for _, nt in ipairs(tables) do
      parts[#parts + 1] = format("%q: %s", nt[1], nt[2]:to_json())
    end
    write_text(opts.json, "{\n" .. concat(parts, ",\n") .. "\n}\n")
    written[#written + 1] = opts.json
  end
  if opts.markdown then
    local parts = {}
    for _, nt in ipairs(tables) do
      parts[#parts + 1] = "## " .. nt[1] .. "\n\n" .. nt[2]:to_markdown()
    end
    write_text(opts.markdown, concat(parts, "\n"))
    written[#written + 1] = opts.markdown
  end
  return written
end

-- The standard main of a recipe module `M` named `name`, when the recipe was started
-- as a script (else nothing): parses arg, runs, prints the report and writes the tables.
-- spec as for C.parse_args; spec.thresholds defaults to M.DEFAULTS; spec.usage defaults
-- to "usage: orscript recipes/NAME.lua ARGS" (spec.args, default "[options]"), the
-- lines of spec.about and C.COMMON_USAGE; spec.set = {option = value} fixed options.
function C.script(M, name, spec)
  if not C.is_main(name) then return end
  spec = C.merge({ thresholds = M.DEFAULTS }, spec)
  spec.usage = spec.usage or format("usage: orscript recipes/%s.lua %s\n%s%s", name, spec.args or "[options]",
    spec.about and (spec.about .. "\n") or "", C.COMMON_USAGE)
  C.main(function()
    local opts = C.parse_args({ unpack(arg) }, spec)
    if opts.help then
      io.write(spec.usage, "\n")
      return
    end
    for k, v in pairs(spec.set or {}) do opts[k] = v end
    local res = M.run(opts)
    io.write(M.render(res))
    for _, path in ipairs(C.write_tables(opts, M.tables(res))) do
      io.stderr:write("wrote ", path, "\n")
    end
  end)
end

-- Shared usage text for the window and output options.
C.COMMON_USAGE = [[
Window:     --month YYYY-MM | --from DATE [--to DATE]   (default: the last full calendar month)
Thresholds: --NAME VALUE or --threshold NAME=VALUE
Output:     --csv DIR | --json FILE | --markdown FILE   (the recipe's tables)]]

return C
