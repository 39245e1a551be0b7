-- orscript.query: the analytics query builder (orscript.Query).
--
-- Owns: building a query (table form and chain form; every chain call returns a new
-- Query), checking it against the live catalogue before anything is sent, the JSON
-- body, the plain-words explanation, and running it (alone, or through the planner
-- when the caller asks to go beyond the API's limits). Does not own: the catalogue
-- (orscript.schema), time arithmetic (orscript.time), split-and-merge
-- (orscript.planner) or result tables (C++).
local core = require "orscript.core"
local U = require "orscript.util"
local T = require "orscript.time"
local S = require "orscript.schema"

local format, concat = string.format, table.concat

local M = {}
local FN = "orscript.query"

local Query = U.class("orscript.Query")
M.Query = Query

local SCALAR_OPS = U.set { "eq", "neq", "gt", "gte", "lt", "lte" }
local ARRAY_OPS = U.set { "in", "not_in" }
local MAX_DIMS, MAX_FILTERS, MAX_LIMIT = 2, 20, 10000
local MINUTE_MAX_MS = 3 * T.HOUR
local DEFAULT_WINDOW_MS = 7 * T.DAY
M.MAX_DIMS, M.MAX_FILTERS, M.MAX_LIMIT, M.DEFAULT_LIMIT = MAX_DIMS, MAX_FILTERS, MAX_LIMIT, 1000

local function fail(msg, ...) U.usage(FN .. ": " .. msg, ...) end

local function empty_state()
  return { metrics = {}, by = {}, where = {}, range = false, grain = false, order = false,
           limit = false, group_limit = false, split = false, classifier = false }
end

local function copy_state(s)
  local c = U.copy(s)
  c.metrics, c.by, c.where = U.copy(s.metrics), U.copy(s.by), U.copy(s.where)
  return c
end

local function derive(q)
  return setmetatable({ _ = copy_state(q._) }, Query)
end

-- ---------------------------------------------------------------------------------
-- Setters (structural checks happen here, at the call site)

local function add_names(list, what, ...)
  local args = { ... }
  if #args == 1 and type(args[1]) == "table" then args = args[1] end
  if select("#", ...) == 0 then fail("'%s' needs at least one name", what) end
  for i, name in ipairs(args) do
    if type(name) ~= "string" or name == "" then
      fail("invalid '%s' item %d: expected a name (string), got %s", what, i, U.show(name))
    end
    local dup = false
    for _, have in ipairs(list) do if have == name then dup = true end end
    if not dup then list[#list + 1] = name end
  end
end

local function check_value(field, op, value, include_unset)
  if ARRAY_OPS[op] then
    if type(value) ~= "table" or not U.is_list(value) or #value == 0 then
      fail("invalid filter on '%s': operator '%s' takes a non-empty list of values such as {\"a\", \"b\"}, got %s",
        field, op, U.show(value))
    end
    for i, v in ipairs(value) do
      if type(v) ~= "string" and type(v) ~= "number" then
        fail("invalid filter on '%s': value %d must be a string or number, got %s", field, i, U.show(v))
      end
      if type(v) == "number" and (v ~= v or v == math.huge or v == -math.huge) then
        fail("invalid filter on '%s': value %d must be a finite number, got %s", field, i, tostring(v))
      end
    end
  elseif SCALAR_OPS[op] then
    if type(value) ~= "string" and type(value) ~= "number" then
      local hint = type(value) == "table" and " (use 'in' or 'not_in' for a list)" or ""
      fail("invalid filter on '%s': operator '%s' takes one string or number, got %s%s", field, op, U.show(value), hint)
    end
    if type(value) == "number" and (value ~= value or value == math.huge or value == -math.huge) then
      fail("invalid filter on '%s': operator '%s' needs a finite number, got %s", field, op, tostring(value))
    end
  end
  if include_unset ~= nil then
    if type(include_unset) ~= "boolean" then
      fail("invalid filter on '%s': include_unset must be true or false, got %s", field, U.show(include_unset))
    end
    if not ARRAY_OPS[op] then
      fail("invalid filter on '%s': include_unset works only with 'in' and 'not_in', not '%s'", field, op)
    end
  end
end

local function make_filter(field, op, value, opts)
  if type(field) ~= "string" or field == "" then
    fail("invalid filter: expected a dimension name, got %s", U.show(field))
  end
  if type(op) ~= "string" then
    fail("invalid filter on '%s': expected an operator (eq, neq, in, not_in, gt, gte, lt, lte), got %s", field, U.show(op))
  end
  local include_unset
  if opts ~= nil then
    U.check_options(FN .. " filter on '" .. field .. "'", opts, { include_unset = true })
    include_unset = opts.include_unset
  end
  check_value(field, op, value, include_unset)
  return { field = field, op = op, value = value, include_unset = include_unset }
end

-- One filter from a table: {"model", "eq", "x", include_unset = true} or
-- {field = ..., op = ..., value = ...}.
local function filter_from_table(f)
  local field = f.field or f[1]
  local op = f.op or f.operator or f[2]
  local value = f.value
  if value == nil then value = f[3] end
  local opts
  if f.include_unset ~= nil then opts = { include_unset = f.include_unset } end
  for k in pairs(f) do
    if not (k == 1 or k == 2 or k == 3 or k == "field" or k == "op" or k == "operator" or k == "value"
        or k == "include_unset") then
      fail("invalid filter: unknown key %s (a filter is {field, op, value, include_unset = bool})", U.show(k))
    end
  end
  if value == nil and op ~= nil and not (type(op) == "string" and (SCALAR_OPS[op] or ARRAY_OPS[op])) then
    -- {field, value}: eq, or in for a list
    value, op = op, type(op) == "table" and "in" or "eq"
  end
  if value == nil then fail("invalid filter on %s: missing value (a filter is {field, op, value})", U.show(field)) end
  return make_filter(field, op, value, opts)
end

local function add_filters(list, spec)
  if type(spec) ~= "table" then fail("invalid 'where': expected a list of filters, got %s", U.show(spec)) end
  if spec.field ~= nil or (type(spec[1]) == "string") then
    list[#list + 1] = filter_from_table(spec)
    return
  end
  if #spec > 0 then
    for _, f in ipairs(spec) do
      if type(f) ~= "table" then fail("invalid 'where' item: expected {field, op, value}, got %s", U.show(f)) end
      list[#list + 1] = filter_from_table(f)
    end
    return
  end
  -- Map form: {model = "x", provider = {"a", "b"}}
  for _, field in ipairs(U.sorted_keys(spec)) do
    local v = spec[field]
    list[#list + 1] = make_filter(field, type(v) == "table" and "in" or "eq", v)
  end
end

local function check_count(name, v)
  if not U.is_integer(v) or v < 1 or v > MAX_LIMIT then
    fail("invalid '%s': expected integer 1..%d, got %s", name, MAX_LIMIT, U.show(v))
  end
  return v
end

local function set_range(s, a, b)
  if a == nil then s.range = false; return end
  if getmetatable(a) == T.Range and b == nil then s.range = a; return end
  if type(a) == "table" and b == nil and getmetatable(a) == nil then a, b = a.start or a[1], a["end"] or a.stop or a[2] end
  if a == nil or b == nil then fail("invalid 'range': expected a range (orscript.time...) or a start and an end") end
  local start = T._to_ms(a, FN, "'range' start")
  local stop = T._to_ms(b, FN, "'range' end")
  if start >= stop then
    fail("invalid 'range': start %s is not before end %s (the end is exclusive)", T.format(start), T.format(stop))
  end
  s.range = T.range(start, stop)
end

local function set_order(s, field, dir)
  if type(field) == "table" then field, dir = field.field or field[1], field.dir or field.direction or field[2] end
  if type(field) ~= "string" then fail("invalid 'order': expected a field name, got %s", U.show(field)) end
  dir = dir or "desc"
  if dir ~= "asc" and dir ~= "desc" then fail("invalid 'order' direction: expected \"asc\" or \"desc\", got %s", U.show(dir)) end
  s.order = { field, dir }
end

local function set_grain(s, g)
  if g == nil or g == false then s.grain = false; return end
  if type(g) ~= "string" then fail("invalid 'grain': expected minute, hour, day, week or month, got %s", U.show(g)) end
  s.grain = g
end

local function set_split(s, v)
  if v == nil then v = true end
  if type(v) ~= "boolean" then fail("invalid 'split': expected true or false, got %s", U.show(v)) end
  s.split = v
end

local CLASSIFIER_KEYS = U.set { "id", "names", "include_nulls", "where" }
local function set_classifier(s, c)
  if c == nil or c == false then s.classifier = false; return end
  U.check_options(FN .. " 'classifier'", c, CLASSIFIER_KEYS)
  if type(c.id) ~= "string" or c.id == "" then fail("invalid 'classifier': 'id' must be the classifier's UUID") end
  local names = c.names or {}
  if type(names) ~= "table" or #names > 2 then fail("invalid 'classifier': 'names' takes at most 2 dimension names") end
  for i, n in ipairs(names) do
    if type(n) ~= "string" or #n > 64 or not n:match("^[%a_][%w_]*$") then
      fail("invalid 'classifier': name %d must be a dimension name (letters, digits, underscores; at most 64 characters), got %s",
        i, U.show(n))
    end
  end
  local filters = {}
  for i, f in ipairs(c.where or {}) do
    local flt = filter_from_table(f)
    if not (flt.op == "eq" or flt.op == "neq" or ARRAY_OPS[flt.op]) then
      fail("invalid 'classifier' filter %d: only eq, neq, in and not_in are allowed, got '%s'", i, flt.op)
    end
    filters[i] = flt
  end
  if #filters > 10 then fail("invalid 'classifier': at most 10 filters, got %d", #filters) end
  s.classifier = { id = c.id, names = U.copy(names), include_nulls = c.include_nulls == true, where = filters }
end

-- ---------------------------------------------------------------------------------
-- Constructors and chain methods

local OPTIONS = U.set { "metrics", "by", "where", "range", "grain", "order", "limit", "group_limit", "split", "classifier" }

function M.new(spec)
  local q = setmetatable({ _ = empty_state() }, Query)
  if spec == nil then return q end
  if getmetatable(spec) == Query then return derive(spec) end
  U.check_options(FN, spec, OPTIONS)
  local s = q._
  if spec.metrics ~= nil then
    add_names(s.metrics, "metrics", type(spec.metrics) == "table" and spec.metrics or { spec.metrics })
  end
  if spec.by ~= nil then add_names(s.by, "by", type(spec.by) == "table" and spec.by or { spec.by }) end
  if spec.where ~= nil then add_filters(s.where, spec.where) end
  if spec.range ~= nil then set_range(s, spec.range) end
  if spec.grain ~= nil then set_grain(s, spec.grain) end
  if spec.order ~= nil then set_order(s, spec.order) end
  if spec.limit ~= nil then s.limit = check_count("limit", spec.limit) end
  if spec.group_limit ~= nil then s.group_limit = check_count("group_limit", spec.group_limit) end
  if spec.split ~= nil then set_split(s, spec.split) end
  if spec.classifier ~= nil then set_classifier(s, spec.classifier) end
  return q
end

-- q:metrics("a", "b") or q:metrics{"a", "b"}: adds metrics.
function Query:metrics(...)
  local q = derive(self); add_names(q._.metrics, "metrics", ...); return q
end

-- q:by("model", "api_key_id"): adds dimensions (at most 2, or 3 with split).
function Query:by(...)
  local q = derive(self); add_names(q._.by, "by", ...); return q
end

-- q:where(field, op, value [, {include_unset = true}]) or q:where(field, value)
-- (eq, or in for a list) or q:where{filters...}: adds filters (all ANDed).
function Query:where(field, op, value, opts)
  local q = derive(self)
  if type(field) == "table" then
    add_filters(q._.where, field)
  elseif value == nil and op ~= nil and not (type(op) == "string" and (SCALAR_OPS[op] or ARRAY_OPS[op])) then
    q._.where[#q._.where + 1] = make_filter(field, type(op) == "table" and "in" or "eq", op)
  else
    q._.where[#q._.where + 1] = make_filter(field, op, value, opts)
  end
  return q
end

function Query:range(a, b) local q = derive(self); set_range(q._, a, b); return q end
function Query:grain(g) local q = derive(self); set_grain(q._, g); return q end
function Query:order(field, dir) local q = derive(self); set_order(q._, field, dir); return q end
function Query:limit(n) local q = derive(self); q._.limit = check_count("limit", n); return q end
function Query:group_limit(n) local q = derive(self); q._.group_limit = check_count("group_limit", n); return q end
function Query:split(on) local q = derive(self); set_split(q._, on); return q end
function Query:classifier(c) local q = derive(self); set_classifier(q._, c); return q end

-- A plain copy of what the query asks for.
function Query:spec()
  local s = self._
  local where = {}
  for i, f in ipairs(s.where) do where[i] = { f.field, f.op, f.value, include_unset = f.include_unset } end
  return {
    metrics = U.copy(s.metrics), by = U.copy(s.by), where = where,
    range = s.range or nil, grain = s.grain or nil, order = s.order and U.copy(s.order) or nil,
    limit = s.limit or nil, group_limit = s.group_limit or nil, split = s.split,
    classifier = s.classifier or nil,
  }
end

-- ---------------------------------------------------------------------------------
-- Checks against the catalogue

local function fmt_days(ms)
  local d = ms / T.DAY
  if d >= 1 then return (d == math.floor(d)) and format("%d days", d) or format("%.1f days", d) end
  local h = ms / T.HOUR
  return (h == math.floor(h)) and format("%d hours", h) or format("%.1f hours", h)
end
M.fmt_days = fmt_days

local function unknown(kind, name, schema, section, other_section, other_hint)
  local names = schema:names(section)
  local hint = ""
  if other_section and schema[other_section](schema, name) then hint = "; " .. other_hint end
  if hint ~= "" then fail("unknown %s '%s'%s", kind, name, hint) end
  -- A catalogue from the disk cache may be stale (or edited): say how to refetch it.
  local stale = schema.source == "cache"
    and format("; the catalogue was read from the cache %s: if the API has it now, orscript.meta{refresh = true} fetches it again",
      tostring(rawget(schema, "cache_file") or ""))
    or ""
  fail("unknown %s '%s'%s (orscript.meta():names(\"%s\") lists them)%s", kind, name, U.suggest(name, names), section, stale)
end

-- Checks the query; returns what the planner and explain need to know.
-- opts.split overrides the query's own split setting.
function M.check(q, opts)
  local s = q._
  local split = s.split
  if opts and opts.split ~= nil then split = opts.split end
  local schema = S.get()
  local info = { split = split, schema = schema, short = {}, notes = {} }

  if #s.metrics == 0 then
    fail("no metrics: add at least one, e.g. metrics = {\"total_usage\"} or q:metrics(\"total_usage\")")
  end
  if #s.by > MAX_DIMS then
    if not split then
      local d
      for i = #s.by, 1, -1 do if not S.LABEL_RESOLVED[s.by[i]] then d = s.by[i]; break end end
      fail("too many dimensions in 'by': %d (the API allows %d); %s", #s.by, MAX_DIMS,
        d and format("pass split = true to run one query per value of '%s' and join them, or drop one", d)
          or "drop one (all three come back as labels, so none can be split on)")
    elseif #s.by > MAX_DIMS + 1 then
      fail("too many dimensions in 'by': %d (at most %d, or %d with split = true)", #s.by, MAX_DIMS, MAX_DIMS + 1)
    end
  end
  if #s.where > MAX_FILTERS then
    fail("too many filters in 'where': %d (the API allows %d); combine values of one field with 'in'", #s.where, MAX_FILTERS)
  end
  if s.group_limit and #s.by == 0 then
    fail("invalid 'group_limit': it caps rows per dimension combination and has no effect without 'by'")
  end

  if schema then
    for _, m in ipairs(s.metrics) do
      if not schema:metric(m) then
        unknown("metric", m, schema, "metrics", "dimension", format("'%s' is a dimension: group with by(\"%s\")", m, m))
      end
    end
    for _, d in ipairs(s.by) do
      if not schema:dimension(d) then
        unknown("dimension", d, schema, "dimensions", "metric", format("'%s' is a metric: add it with metrics(\"%s\")", d, d))
      end
    end
    for _, f in ipairs(s.where) do
      if not schema:dimension(f.field) then
        unknown("filter field", f.field, schema, "dimensions", "metric",
          format("'%s' is a metric; filters apply to dimensions only", f.field))
      end
      local op = schema:operator(f.op)
      if not op then
        fail("invalid filter on '%s': unknown operator '%s'%s (operators: %s)", f.field, f.op,
          U.suggest(f.op, schema:names("operators")), concat(schema:names("operators"), ", "))
      end
      if op.value_type == "array" and not ARRAY_OPS[f.op] then check_value(f.field, "in", f.value) end
      if op.value_type == "scalar" and not SCALAR_OPS[f.op] then check_value(f.field, "eq", f.value) end
    end
    if s.grain and not schema:granularity(s.grain) then
      fail("invalid 'grain' '%s'%s: expected one of %s", s.grain, U.suggest(s.grain, schema:names("granularities")),
        concat(schema:names("granularities"), ", "))
    end
  end

  -- Label-resolved dimensions are filtered by raw ids, never by the labels rows show.
  for _, f in ipairs(s.where) do
    local rule = S.LABEL_RESOLVED[f.field]
    if rule then
      local values = type(f.value) == "table" and f.value or { f.value }
      for _, v in ipairs(values) do
        if not rule.ok(v) then
          fail("invalid filter on '%s': %s looks like a display name, but '%s' is filtered by its raw id: %s (result rows show names, which cannot be filtered on)",
            f.field, U.show(v), f.field, rule.want)
        end
      end
    end
  end

  -- Order
  if s.order then
    local field = s.order[1]
    local ok = field == "request_count" or (field == "date" and s.grain)
    for _, m in ipairs(s.metrics) do if m == field then ok = true end end
    for _, d in ipairs(s.by) do if d == field then ok = true end end
    if not ok then
      local cands = { "request_count" }
      for _, m in ipairs(s.metrics) do cands[#cands + 1] = m end
      for _, d in ipairs(s.by) do cands[#cands + 1] = d end
      if s.grain then cands[#cands + 1] = "date" end
      fail("invalid 'order' field '%s'%s: order by a requested metric, request_count, a requested dimension%s",
        field, U.suggest(field, cands), s.grain and " or \"date\"" or " (or \"date\" with a grain)")
    end
  end

  -- Window
  local now = core.now()
  local start, stop
  if s.range then
    start, stop = s.range.start, s.range.stop
  else
    start, stop = now - DEFAULT_WINDOW_MS, now
    info.default_window = true
  end
  info.start, info.stop = start, stop
  local span = stop - start
  for _, m in ipairs(s.metrics) do if S.SHORT_WINDOW[m] then info.short[#info.short + 1] = m end end
  for _, d in ipairs(s.by) do if S.SHORT_WINDOW[d] then info.short[#info.short + 1] = d end end
  for _, f in ipairs(s.where) do if S.SHORT_WINDOW[f.field] then info.short[#info.short + 1] = f.field end end
  if s.classifier then info.short[#info.short + 1] = "classifier" end
  info.max_days = #info.short > 0 and S.SHORT_DAYS or S.LONG_DAYS
  info.too_long = span > info.max_days * T.DAY
  if info.too_long and not split then
    if #info.short > 0 then
      fail("window too long for '%s': %s (generation-level fields allow at most %d days); narrow 'range' or pass split = true to run it as %d-day windows and merge them",
        info.short[1], fmt_days(span), S.SHORT_DAYS, S.SHORT_DAYS)
    else
      fail("window too long: %s (the API allows at most %d days); narrow 'range' or pass split = true",
        fmt_days(span), S.LONG_DAYS)
    end
  end
  if s.grain == "minute" and span > MINUTE_MAX_MS then
    fail("'minute' grain needs a window of at most 3 hours, got %s%s; use range(orscript.time.last_hours(3)) or grain \"hour\"",
      fmt_days(span), info.default_window and " (no range: the API's default of the last 7 days)" or "")
  end
  if s.classifier and s.classifier.names and #s.by + #s.classifier.names > 0 then
    -- nothing more to check client-side; the API validates classifier ownership
  end
  return info
end

-- ---------------------------------------------------------------------------------
-- Body


local function filters_json(list)
  local out = {}
  for i, f in ipairs(list) do
    out[i] = { field = f.field, operator = f.op, value = f.value, include_unset = f.include_unset }
  end
  return out
end

-- The request body as Lua values for a query state; `window` ({start, stop}) forces
-- an explicit time_range (the planner's sub-queries).
function M.body_of(s, window)
  local b = { metrics = U.copy(s.metrics) }
  if #s.by > 0 then b.dimensions = U.copy(s.by) end
  if #s.where > 0 then b.filters = filters_json(s.where) end
  if s.grain then b.granularity = s.grain end
  local start, stop
  if window then start, stop = window[1], window[2]
  elseif s.range then start, stop = s.range.start, s.range.stop end
  if start then b.time_range = { start = T.format(start), ["end"] = T.format(stop) } end
  if s.order then b.order_by = { field = s.order[1], direction = s.order[2] } end
  if s.limit then b.limit = s.limit end
  if s.group_limit then b.group_limit = s.group_limit end
  if s.classifier then
    local c = s.classifier
    if #c.names > 0 or c.include_nulls then
      b.classifier_dimensions = { classifier_id = c.id, dimension_names = #c.names > 0 and U.copy(c.names) or nil,
        include_nulls = c.include_nulls or nil }
    end
    if #c.where > 0 then
      local fl = {}
      for i, f in ipairs(c.where) do fl[i] = { field = f.field, operator = f.op, value = f.value } end
      b.classifier_filters = { classifier_id = c.id, filters = fl }
    end
    if not b.classifier_dimensions and not b.classifier_filters then
      b.classifier_dimensions = { classifier_id = c.id }
    end
  end
  return b
end

-- The one JSON encoder for request bodies (the C++ one: keys sorted), so the text
-- below is byte for byte what q:run() sends.
function M.encode(body) return core.json_encode(body) end

-- The JSON text that q:run() sends (after checking the query).
function Query:body()
  M.check(self, { split = false })
  return M.encode(M.body_of(self._))
end

-- The body as Lua values (after checking the query).
function Query:payload()
  M.check(self, { split = false })
  return M.body_of(self._)
end

-- ---------------------------------------------------------------------------------
-- Explain

function Query:explain(opts)
  local info = M.check(self, opts)
  local s, schema = self._, info.schema
  local lines = {}
  local function add(fmt, ...) lines[#lines + 1] = format(fmt, ...) end
  add("POST /api/v1/analytics/query")
  local ms = {}
  for _, m in ipairs(s.metrics) do
    local meta = schema and schema:metric(m)
    ms[#ms + 1] = meta and format("%s (%s, %s)", m, meta.format, meta.is_rate and "a rate: averaged, never summed" or "summable")
      or m
  end
  add("  metrics:     %s", concat(ms, ", "))
  add("  dimensions:  %s", #s.by > 0 and concat(s.by, ", ") or "none (one total row per time bucket)")
  for _, d in ipairs(s.by) do
    if S.LABEL_RESOLVED[d] then
      add("               '%s' comes back as a label (name), not the id filters take", d)
    end
  end
  if #s.where > 0 then
    local fs = {}
    for _, f in ipairs(s.where) do
      local v = core.json_encode(f.value)
      fs[#fs + 1] = format("%s %s %s%s", f.field, f.op, v, f.include_unset and " (or unset)" or "")
    end
    add("  filters:     %s (all must hold)", concat(fs, " AND "))
  end
  if s.classifier then
    local c = s.classifier
    if #c.names > 0 then
      add("  classifier:  %s: grouped by its %s (one column each%s)", c.id, concat(c.names, ", "),
        c.include_nulls and "; untagged generations as null" or "; untagged generations left out")
    elseif c.include_nulls or #c.where == 0 then
      add("  classifier:  %s: one row per label of every classifier dimension (clf_dimension_name, clf_dimension_value)", c.id)
    end
    if #c.where > 0 then
      local fs = {}
      for _, f in ipairs(c.where) do fs[#fs + 1] = format("%s %s %s", f.field, f.op, core.json_encode(f.value)) end
      add("  classifier filters: %s (all must hold; untagged generations never match)", concat(fs, " AND "))
    end
  end
  if info.default_window then
    add("  window:      none given: the API's default, the last 7 days (%s .. %s); older data is missed",
      T.format(info.start), T.format(info.stop))
  else
    add("  window:      %s .. %s (%s, end exclusive, UTC)", T.format(info.start), T.format(info.stop),
      fmt_days(info.stop - info.start))
  end
  if #info.short > 0 then
    add("  data source: generation-level (%s): windows of at most %d days; time key created_at__<grain>",
      concat(info.short, ", "), S.SHORT_DAYS)
  else
    add("  data source: aggregated (materialized views): windows of up to %d days; time key date__<grain>", S.LONG_DAYS)
  end
  if s.grain then
    add("  grain:       %s buckets (UTC%s)", s.grain, s.grain == "week" and ", weeks start on Sunday" or "")
  else
    add("  grain:       none: one row per dimension combination over the whole window")
  end
  if s.order then
    add("  order:       %s %s", s.order[1], s.order[2])
  elseif s.grain then
    add("  order:       newest bucket first (the API's default)")
  end
  add("  rows:        limit %d%s (max %d); if more rows exist the result is truncated (t.meta.truncated) and its sums refuse",
    s.limit or M.DEFAULT_LIMIT, s.limit and "" or " (the API's default)", MAX_LIMIT)
  if s.group_limit then
    add("  group limit: at most %d rows per dimension combination", s.group_limit)
  elseif s.grain and #s.by > 0 then
    add("  group limit: automatic: every group gets full time coverage (the API may raise the limit to fit)")
  end
  if info.split and (info.too_long or #s.by > MAX_DIMS) then
    if #s.by > MAX_DIMS then
      add("  split:       3 dimensions: one query finds the values of a raw-valued dimension, then one query per value, joined")
    end
    if info.too_long then
      add("  split:       the window is longer than %d days: it runs as windows of at most %d days, merged (sums add; rates rebuilt from their parts; percentiles not mergeable)",
        info.max_days, info.max_days)
    end
  elseif info.split then
    add("  split:       on: a truncated result is re-run in smaller time windows until whole")
  end
  return concat(lines, "\n")
end

-- ---------------------------------------------------------------------------------
-- Running

-- True when running needs the planner (split on and something to split).
local function needs_plan(q, info)
  return info.split and true or false
end

-- Submits a checked query that needs no planning; returns an orscript.Pending.
function Query:submit()
  local info = M.check(self, { split = false })
  return core.submit("query", M.body_of(self._))
end

-- Runs the query; returns an orscript.Table. opts.split = true lets it go beyond the
-- API's limits (a third dimension, a longer window, a truncated result).
function Query:run(opts)
  U.check_options("Query:run", opts, { split = true })
  local info = M.check(self, opts)
  if needs_plan(self, info) then
    return require("orscript.planner").run(self, info)
  end
  return core.wait(core.submit("query", M.body_of(self._)))
end

-- orscript.all{q1, q2, ...}: checks every query first, runs them concurrently and
-- returns their tables in order. Items may also be orscript.Pending or orscript.Request.
function M.all(list)
  if type(list) ~= "table" then U.usage("orscript.all: expected a list of queries, got %s", U.show(list)) end
  local infos, pendings, slots, out = {}, {}, {}, {}
  for i, item in ipairs(list) do
    local mt = getmetatable(item)
    if mt == Query then
      infos[i] = M.check(item)
    elseif mt == debug.getregistry()["orscript.Pending"] or (mt and rawget(mt, "__name") == "orscript.Request") then
      -- submitted below
    else
      U.usage("orscript.all: item %d is not a query (orscript.Query), request or pending request, got %s", i, U.show(item))
    end
  end
  for i, item in ipairs(list) do
    local mt = getmetatable(item)
    if mt == Query and not infos[i].split then
      pendings[#pendings + 1] = core.submit("query", M.body_of(item._))
      slots[#slots + 1] = i
    elseif mt ~= Query and mt ~= debug.getregistry()["orscript.Pending"] then
      pendings[#pendings + 1] = item:submit()
      slots[#slots + 1] = i
    elseif mt ~= Query then
      pendings[#pendings + 1] = item
      slots[#slots + 1] = i
    end
  end
  local results = core.wait_all(pendings)
  for j, i in ipairs(slots) do out[i] = results[j] end
  for i, item in ipairs(list) do
    if getmetatable(item) == Query and infos[i].split then
      out[i] = require("orscript.planner").run(item, infos[i])
    end
  end
  return out
end

Query.__tostring = function(q)
  local s = q._
  local parts = { concat(s.metrics, ",") }
  if #s.by > 0 then parts[#parts + 1] = "by " .. concat(s.by, ",") end
  if #s.where > 0 then parts[#parts + 1] = format("%d filter%s", #s.where, #s.where > 1 and "s" or "") end
  if s.grain then parts[#parts + 1] = "per " .. s.grain end
  if s.range then parts[#parts + 1] = T.date(s.range.start) .. ".." .. T.date(s.range.stop) end
  return "orscript.Query(" .. concat(parts, " ") .. ")"
end

return M
