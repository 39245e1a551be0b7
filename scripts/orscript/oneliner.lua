-- orscript.oneliner: answers from the shell without writing Lua.
--
--   orscript query total_usage,tokens_total by model --last-month --top 10 --format csv
--   orscript --format csv -e 'return orscript.keys()'
--
-- Owns: the `query` command's words (metrics, `by`, the window, filters, order and
-- limits, the output format), name completion for shells (`--complete`), and printing
-- what a -e chunk returns in a --format. Queries are orscript.query's (same checks,
-- same "did you mean"); formats are orscript.output's. Reference: docs/scripting.md,
-- "One-liners".
local U = require "orscript.util"
local O = require "orscript.output"

local M = {}

M.USAGE = [==[usage: orscript [options] query METRIC[,METRIC...] [by DIM[,DIM]] [query options]
  window:  --last-month | --this-month | --today | --last-days N | --weeks N |
           --range START..END (ISO dates; end exclusive)   (default: the API's last 7 days)
  --grain minute|hour|day|week|month    a time bucket per row
  --where FIELD=VALUE | FIELD!=VALUE | FIELD=A,B (in) | FIELD>N ...  (repeatable)
  --top N          the N rows with the most of the first metric
  --order FIELD[:asc|desc]   --limit N   --split (go beyond the API's limits)
  --format table|csv|json|jsonl|markdown|box|line   (default table)
  --explain        say what would be sent, send nothing
  --complete WORD  list metric and dimension names starting with WORD (for shell completion)]==]

local function bad(msg, ...) U.usage("orscript query: " .. msg, ...) end

local function list(s)
  local out = {}
  for part in s:gmatch("[^,%s]+") do out[#out + 1] = part end
  return out
end

local function count(flag, v)
  local n = tonumber(v)
  if not n or n < 1 or n % 1 ~= 0 then bad("%s expects a whole number of at least 1, got %s", flag, U.show(v)) end
  return n
end

-- "model=a", "model!=a", "model=a,b", "request_count>100" -> a filter.
local OPS = { { "!=", "neq" }, { ">=", "gte" }, { "<=", "lte" }, { "=", "eq" }, { ">", "gt" }, { "<", "lt" } }
local function filter(text)
  for _, op in ipairs(OPS) do
    local i = text:find(op[1], 1, true)
    if i and i > 1 then
      local field, value = text:sub(1, i - 1), text:sub(i + #op[1])
      if value == "" then bad("--where %s: no value after '%s'", U.show(text), op[1]) end
      local values = list(value)
      if (op[2] == "eq" or op[2] == "neq") and #values > 1 then
        return { field, op[2] == "eq" and "in" or "not_in", values }
      end
      local n = tonumber(value)
      if (op[2] == "gt" or op[2] == "gte" or op[2] == "lt" or op[2] == "lte") and n then value = n end
      return { field, op[2], value }
    end
  end
  bad("--where expects FIELD=VALUE (or !=, >, >=, <, <=), got %s", U.show(text))
end

-- Parses the words after `query` into {spec, format, explain, complete}.
function M.parse(args, default_format)
  local time = require "orscript.time"
  local r = { spec = {}, format = default_format or "table" }
  local spec = r.spec
  local i, windows = 1, 0
  local function value(flag)
    i = i + 1
    if args[i] == nil then bad("%s needs a value", flag) end
    return args[i]
  end
  local function window(range)
    windows = windows + 1
    if windows > 1 then bad("give one window (--last-month, --this-month, --today, --last-days, --weeks or --range)") end
    spec.range = range
  end
  while i <= #args do
    local a = args[i]
    local flag, inline = a:match("^(%-%-[%w-]+)=(.*)$")
    if flag then
      table.insert(args, i + 1, inline)
      a = flag
    end
    if a == "by" or a == "--by" then
      spec.by = list(value(a))
    elseif a == "--last-month" then window(time.last_month())
    elseif a == "--this-month" then window(time.this_month())
    elseif a == "--today" then window(time.today())
    elseif a == "--last-days" then window(time.last_days(count(a, value(a))))
    elseif a == "--weeks" then window(time.weeks(count(a, value(a))))
    elseif a == "--range" then
      local v = value(a)
      local s, e = v:match("^(.-)%.%.(.+)$")
      if not s then bad("--range expects START..END, e.g. 2026-10-01..2026-11-01, got %s", U.show(v)) end
      window(time.range(s, e))
    elseif a == "--grain" then spec.grain = value(a)
    elseif a == "--where" then
      spec.where = spec.where or {}
      spec.where[#spec.where + 1] = filter(value(a))
    elseif a == "--top" then r.top = count(a, value(a))
    elseif a == "--limit" then spec.limit = count(a, value(a))
    elseif a == "--order" then
      local v = value(a)
      local field, dir = v:match("^([^:]+):?(%a*)$")
      if not field or (dir ~= "" and dir ~= "asc" and dir ~= "desc") then
        bad("--order expects FIELD or FIELD:asc / FIELD:desc, got %s", U.show(v))
      end
      spec.order = { field, dir ~= "" and dir or "desc" }
    elseif a == "--split" then spec.split = true
    elseif a == "--format" then r.format = O.check_format("orscript query --format", value(a))
    elseif a == "--explain" then r.explain = true
    elseif a == "--complete" then r.complete = args[i + 1] or ""; i = i + 1
    elseif a == "--help" or a == "-h" then r.help = true
    elseif a:sub(1, 1) == "-" then
      bad("unknown option '%s'%s", a, U.suggest(a, M.OPTIONS))
    elseif spec.metrics then
      bad("unexpected %s: metrics come first (comma-separated), then 'by DIM', then options", U.show(a))
    else
      spec.metrics = list(a)
    end
    i = i + 1
  end
  if r.top then
    if spec.limit then bad("--top N already sets the limit; drop --limit") end
    spec.limit = r.top
    if not spec.order and spec.metrics then spec.order = { spec.metrics[1], "desc" } end
  end
  return r
end

M.OPTIONS = { "--last-month", "--this-month", "--today", "--last-days", "--weeks", "--range", "--grain",
  "--where", "--top", "--limit", "--order", "--split", "--format", "--explain", "--complete", "--by", "--help" }

-- Metric and dimension names starting with `prefix`, from the catalogue the REPL
-- completes from (orscript.meta()); options when the prefix starts with "-"; after a
-- comma, the last name of the list.
function M.complete(prefix)
  local out = {}
  if prefix:sub(1, 1) == "-" then
    for _, o in ipairs(M.OPTIONS) do if o:sub(1, #prefix) == prefix then out[#out + 1] = o end end
    table.sort(out)
    return out
  end
  local head, last = prefix:match("^(.*,)([^,]*)$")
  if head then
    for _, name in ipairs(M.complete(last)) do out[#out + 1] = head .. name end
    return out
  end
  local m = require("orscript").meta()
  for _, section in ipairs({ "metrics", "dimensions" }) do
    for _, name in ipairs(m:names(section)) do
      if name:sub(1, #prefix) == prefix then out[#out + 1] = name end
    end
  end
  table.sort(out)
  return out
end

-- `orscript query ...`: returns the exit code (errors raise).
function M.query(args, default_format)
  local copy = {}
  for k, v in ipairs(args) do copy[k] = v end
  local r = M.parse(copy, default_format)
  if r.help then
    print(M.USAGE)
    return 0
  end
  if r.complete then
    for _, name in ipairs(M.complete(r.complete)) do print(name) end
    return 0
  end
  if not r.spec.metrics then bad("name at least one metric, e.g. `orscript query total_usage by model --last-month`") end
  local split = r.spec.split
  r.spec.split = nil
  local q = require("orscript").query(r.spec)
  if r.explain then
    print(q:explain { split = split })
    return 0
  end
  local t = q:run { split = split }
  O.emit(O.table_text(t, r.format))
  -- The table format prints notes under the table; the machine formats keep stdout
  -- clean and say it on stderr.
  if r.format ~= "table" and r.format ~= "box" and r.format ~= "line" then
    for _, w in ipairs(t.meta.warnings or {}) do io.stderr:write("orscript query: warning: ", w, "\n") end
    if t.meta.truncated and not r.top then
      io.stderr:write(string.format("orscript query: the API stopped at its row limit (%d rows): the output is partial; "
        .. "raise --limit, narrow the window or add --split\n", #t))
    end
  end
  return 0
end

-- `orscript --format F -e CHUNK`: runs the chunk and prints what it returns in F.
function M.eval(chunk, fmt)
  O.check_format("orscript --format", fmt)
  local f, err = loadstring(chunk, "=(command line)")
  if not f then error(err, 0) end
  local results = { n = 0 }
  local function pack(...) results = { n = select("#", ...), ... } end
  pack(f())
  for k = 1, results.n do O.emit(O.render(results[k], fmt)) end
  return 0
end

return M
