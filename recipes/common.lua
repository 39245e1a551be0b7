-- recipes/common.lua: what the recipes share that is about recipes, not the library.
--
-- Owns: the recipe protocol (M.DEFAULTS, M.queries, M.analyse, M.render, M.tables and
-- the standard script main), the documented range of each threshold, the window's
-- label and options, small ratio/rate helpers and the plain-text report helpers.
-- General pieces are the library's: orscript.args (the command line), orscript.time
-- (weeks, the clock), orscript.num and the Table methods t:total, t:note_warnings and
-- t:view, orscript.write_tables. Does not own any analysis: each recipe owns its own.
--
-- Every recipe is both a script and a module:
--   orscript --demo recipes/top_models.lua --month 2026-10
--   local top = require("top_models"); local res = top.run{ range = ... }; print(top.render(res))
local report = require "orscript.report"

local time = orscript.time
local args = orscript.args
local num = orscript.num
local format, concat = string.format, table.concat

local C = {}

C.money, C.percent, C.count, C.per_mtok = report.format_money, report.format_percent,
  report.format_count, report.format_per_mtok
C.compact = report.format_compact

-- ---------------------------------------------------------------------------------
-- Values

-- True when a cell holds a real number (not null / nil / NaN).
function C.has(v) return num(v, nil) ~= nil end

-- a / b, or nil when b is 0 or either is missing.
function C.ratio(a, b)
  if not C.has(a) or not C.has(b) or b == 0 then return nil end
  return a / b
end

-- Effective $/Mtok: usage / tokens × 1e6 (nil without tokens).
function C.rate(usage, tokens)
  local r = C.ratio(num(usage), num(tokens))
  return r and r * 1e6 or nil
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
-- Arguments

-- { start = "2026-10-01", ["end"] = "2026-11-01", label = "October 2026" }
function C.window_info(r)
  return { start = time.date(r.start), ["end"] = time.date(r.stop), label = r:label() }
end

-- The documented range of each threshold (docs/recipes.md); others: a number >= 0.
C.THRESHOLD_RANGES = {
  expensive_multiple = { 1, 1000 }, growth_ratio = { 1, 1000 }, level_change = { 1, 1000 },
  min_monthly_usd = { 0, 1e15 }, weekly_to_monthly = { 4, 4.5 },
  key_share = { 0, 1 }, prompt_heavy = { 0, 1 }, low_cache = { 0, 1 }, target_cache = { 0, 1 },
  web_share = { 0, 1 }, reasoning_share = { 0, 1 }, reasoning_cut = { 0, 1 }, meaningful_share = { 0, 1 },
}

-- A recipe's arguments: orscript.args.parse with the thresholds' documented ranges.
function C.parse_args(argv, spec)
  return args.parse(argv, C.merge(spec, { ranges = C.THRESHOLD_RANGES }))
end

-- Refuses an output path (`--flag PATH`) that names a folder or whose folder does not
-- exist, with the usage exit code, so a run fails before it sends or changes anything.
function C.check_output(flag, path)
  if path:match("[/\\]$") then args.usage_error("%s %s: is a folder; give a file name", flag, path) end
  local dir = path:match("^(.*)[/\\][^/\\]*$")
  if dir and dir ~= "" then
    local probe = io.open(dir .. "/.", "rb")
    if not probe then
      args.usage_error("%s %s: the folder %s does not exist; create it or choose another path", flag, path, dir)
    end
    probe:close()
  end
end

-- Fills the window of an options table: opts.range (default: the last full calendar
-- month) and opts.label; thresholds merged over `defaults`.
function C.options(opts, defaults)
  local o = C.merge({}, opts)
  o.range = o.range or time.last_month()
  if getmetatable(o.range) == nil and type(o.range) == "table" then o.range = time.range(o.range) end
  o.label = o.label or o.range:label()
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

-- Runs named queries ({name = orscript.Query}) together with orscript.all (checked first,
-- sent in name order); returns {name = Table}.
function C.run_all(named)
  local names = {}
  for name in pairs(named) do names[#names + 1] = name end
  table.sort(names)
  local list = {}
  for i, name in ipairs(names) do list[i] = named[name] end
  local tables, out = orscript.all(list), {}
  for i, name in ipairs(names) do out[name] = tables[i] end
  return out
end

-- The standard run of a recipe module `M`: fills the options (over M.DEFAULTS), runs
-- M.queries concurrently and analyses them. Returns the result and the options.
function C.run(M, opts)
  opts = C.options(opts, M.DEFAULTS)
  return M.analyse(C.run_all(M.queries(opts)), opts), opts
end

-- ---------------------------------------------------------------------------------
-- Text

-- True when table `t` has a column `name`.
function C.has_col(t, name)
  for _, c in ipairs(t.columns) do if c == name then return true end end
  return false
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

-- The standard main of a recipe module `M` named `name`, when the recipe was started
-- as a script (else nothing): parses arg, runs, prints the report and writes the tables.
-- spec as for orscript.args.parse; spec.thresholds defaults to M.DEFAULTS; spec.usage defaults
-- to "usage: orscript recipes/NAME.lua ARGS" (spec.args, default "[options]"), the
-- lines of spec.about and C.COMMON_USAGE; spec.set = {option = value} fixed options.
function C.script(M, name, spec)
  if not args.is_script(name) then return end
  spec = C.merge({ thresholds = M.DEFAULTS }, spec)
  local usage = spec.usage or format("usage: orscript recipes/%s.lua %s\n%s%s", name, spec.args or "[options]",
    spec.about and (spec.about .. "\n") or "", C.COMMON_USAGE)
  args.main(function()
    local opts = C.parse_args({ unpack(arg) }, { thresholds = spec.thresholds, options = spec.options,
      flags = spec.flags, positional = spec.positional, required = spec.required, usage = usage })
    if opts.help then
      io.write(usage, "\n")
      return
    end
    for k, v in pairs(spec.set or {}) do opts[k] = v end
    local res = M.run(opts)
    io.write(M.render(res))
    for _, path in ipairs(orscript.write_tables(M.tables(res), { csv = opts.csv, json = opts.json,
                                                                  markdown = opts.markdown })) do
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
