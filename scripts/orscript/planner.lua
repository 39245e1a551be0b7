-- orscript.planner: answering a query the API cannot answer in one request.
--
-- Owns: splitting a checked query (q:run{split = true}) into requests the API
-- accepts and merging their raw responses into one: a third dimension (one request
-- finds its values, then one request per value, joined), a window longer than the
-- API allows (consecutive windows aligned to the grain, merged), and a truncated
-- result (its window halved until each part is whole). Merging knows sums from rates:
-- sums add; rates with summable parts (cache_hit_rate = cached_tokens /
-- tokens_prompt, ...) are rebuilt from them; other rates (percentiles, averages) are
-- null where a row spans several parts, and a warning says so. Does not own: checks
-- (orscript.query), HTTP, or result tables.
local core = require "orscript.core"
local U = require "orscript.util"
local T = require "orscript.time"
local S = require "orscript.schema"
local Q = require "orscript.query"

local format, concat = string.format, table.concat
local null = core.null

local M = {}

M.MAX_REQUESTS = 40 -- per planned query, all rounds included
M.PART_LIMIT = 10000

local function fail(msg, ...) U.usage("orscript.query (split): " .. msg, ...) end

-- A metric value as a number: a number, or a string holding a decimal number. Anything
-- else ("NaN", "0x10", which tonumber would read as 16) is the server's fault: a data
-- error (the host refuses the same values in unsplit results).
local function num(v, name)
  if v == nil or v == null then return nil end
  local n = type(v) == "number" and v
    or (type(v) == "string" and (v:match("^[+-]?%d+%.?%d*$") or v:match("^[+-]?%d*%.?%d+[eE][+-]?%d+$")
        or v:match("^[+-]?%d+%.?%d*[eE][+-]?%d+$") or v:match("^[+-]?%.%d+$")) and tonumber(v))
  if not n or n ~= n or n == math.huge or n == -math.huge then
    U.fail("data", string.format("the API sent %s for '%s' (expected a decimal number); the response cannot be trusted",
      U.show(v), tostring(name or "a metric")))
  end
  return n
end

local function time_key(row)
  for k in pairs(row) do
    if type(k) == "string" and (k:find("^date__") or k:find("^created_at__")) then return k end
  end
end

-- Windows of at most max_days covering [start, stop), cut at grain boundaries.
local function windows(start, stop, max_days, grain)
  local span = max_days * T.DAY
  if stop - start <= span then return { { start, stop } } end
  local unit = (grain == "week" or grain == "month") and grain or "day"
  local out, cur = {}, start
  while cur < stop do
    local nxt = cur + span
    if nxt >= stop then
      nxt = stop
    else
      local aligned = T.floor(nxt, unit)
      if aligned > cur then nxt = aligned end
    end
    out[#out + 1] = { cur, nxt }
    cur = nxt
  end
  return out
end
M.windows = windows

-- The midpoint of a window, on a day, hour or minute boundary when there is room.
local function midpoint(a, b)
  local mid = a + math.floor((b - a) / 2)
  for _, unit in ipairs { "day", "hour", "minute" } do
    local m = T.floor(mid, unit)
    if m > a and m < b then return m end
  end
  if mid > a and mid < b then return mid end
  return nil
end

-- ---------------------------------------------------------------------------------
-- Merging

-- Merges the rows of several parts (windows) of one query. `metrics` lists every
-- metric column (requested + parts); `schema` tells rates from sums.
local function merge_parts(parts, metrics, schema, notes)
  if #parts == 1 then return parts[1].rows end
  local is_metric = U.set(metrics)
  local groups, order = {}, {}
  for _, part in ipairs(parts) do
    local seen = {}  -- a row twice in one part is a broken server, not a sum
    for _, row in ipairs(part.rows) do
      local keys = {}
      for k in pairs(row) do if not is_metric[k] then keys[#keys + 1] = k end end
      table.sort(keys)
      local id = {}
      for i, k in ipairs(keys) do
        local v = row[k]
        id[i] = k .. "=" .. (v == null and "\0null" or tostring(v))
      end
      local gid = concat(id, "\1")
      -- Two keys (users, apps) may share a label: only a row equal in every column is a duplicate.
      local whole = { gid }
      for _, m in ipairs(metrics) do whole[#whole + 1] = tostring(row[m]) end
      local rid = concat(whole, "\2")
      if seen[rid] then
        U.fail("data", string.format("the API sent the same row twice (%s); duplicate rows would be counted twice",
          U.show((gid:gsub("%z", ""):gsub("\1", ", ")))))
      end
      seen[rid] = true
      local g = groups[gid]
      if not g then
        g = { row = U.copy(row), n = 1 }
        groups[gid] = g
        order[#order + 1] = g
      else
        g.n = g.n + 1
        for _, m in ipairs(metrics) do
          local meta = schema and schema:metric(m)
          if not (meta and meta.is_rate) then
            local a, b = num(g.row[m], m), num(row[m], m)
            if a == nil and b == nil then
              if g.row[m] ~= nil or row[m] ~= nil then g.row[m] = null end
            else
              g.row[m] = (a or 0) + (b or 0)
            end
          end
        end
      end
    end
  end
  local out = {}
  for i, g in ipairs(order) do
    local row = g.row
    for _, m in ipairs(metrics) do
      local meta = schema and schema:metric(m)
      if type(row[m]) == "string" and not (meta and meta.is_rate) then row[m] = num(row[m], m) end
      if meta and meta.is_rate and g.n > 1 then
        local parts_of = S.RATE_PARTS[m]
        if parts_of and is_metric[parts_of.num] and is_metric[parts_of.den] then
          local n, d = num(row[parts_of.num]), num(row[parts_of.den])
          row[m] = (n and d and d ~= 0) and n / d or null
          notes.rebuilt[m] = true
        else
          row[m] = null
          notes.not_mergeable[m] = true
        end
      end
    end
    out[i] = row
  end
  return out
end

-- Sorts merged rows the way the API would and cuts them to the limit.
local function finish_rows(rows, s)
  local idx = {}
  for i, r in ipairs(rows) do idx[r] = i end
  local field, dir
  if s.order then
    field, dir = s.order[1], s.order[2]
    if field == "date" then field = rows[1] and time_key(rows[1]) or field end
  elseif s.grain then
    field, dir = rows[1] and time_key(rows[1]), "desc"
  else
    field, dir = s.metrics[1], "desc"
  end
  local numeric = field == "request_count" or U.set(s.metrics)[field] ~= nil
  if field then
    table.sort(rows, function(a, b)
      local x, y = a[field], b[field]
      if x == null then x = nil end
      if y == null then y = nil end
      if x ~= nil and y ~= nil then
        if numeric then x, y = tonumber(x) or 0, tonumber(y) or 0 else x, y = tostring(x), tostring(y) end
        if x ~= y then
          if dir == "asc" then return x < y else return x > y end
        end
      elseif x ~= nil or y ~= nil then
        return x ~= nil -- nulls last
      end
      return idx[a] < idx[b]
    end)
  end
  local limit = s.limit or Q.DEFAULT_LIMIT
  local truncated = false
  if #rows > limit then
    for i = #rows, limit + 1, -1 do rows[i] = nil end
    truncated = true
  end
  return rows, truncated
end

-- ---------------------------------------------------------------------------------
-- Running parts

-- Runs several query states over their windows, repairing truncation by halving,
-- and returns one merged result per state: {rows=, truncated=, query_time_ms=, warnings=}.
local function fetch(states, info, plan)
  local schema = info.schema
  local jobs, results = {}, {}
  for si, s in ipairs(states) do
    -- Metrics the merge needs: the requested ones plus the parts of rebuildable rates.
    local metrics = U.copy(s.metrics)
    local have = U.set(metrics)
    for _, m in ipairs(s.metrics) do
      local p = S.RATE_PARTS[m]
      if p then
        for _, part in ipairs { p.num, p.den } do
          if not have[part] and (not schema or schema:metric(part)) then
            metrics[#metrics + 1] = part
            have[part] = true
          end
        end
      end
    end
    local ws = windows(s.start, s.stop, s.max_days, s.grain)
    if #ws > 1 and s.group_limit then
      fail("'group_limit' cannot be combined with a split by time (it would apply to each window); drop it or narrow 'range' to %d days",
        s.max_days)
    end
    results[si] = { metrics = metrics, parts = {}, truncated = false, query_time_ms = 0, warnings = {},
      windows = #ws, repairs = 0 }
    for _, w in ipairs(ws) do jobs[#jobs + 1] = { si = si, start = w[1], stop = w[2] } end
  end

  while #jobs > 0 do
    if plan.requests + #jobs > M.MAX_REQUESTS then
      fail("this query needs %d more requests (at most %d per query): narrow 'range', add filters or drop a dimension",
        #jobs, M.MAX_REQUESTS)
    end
    local pendings = {}
    for i, job in ipairs(jobs) do
      local s = states[job.si]
      local st = U.copy(s)
      st.metrics = results[job.si].metrics
      st.limit = M.PART_LIMIT
      pendings[i] = core.submit("query", Q.body_of(st, { job.start, job.stop }))
    end
    plan.requests = plan.requests + #jobs
    local responses = core.wait_all(pendings, true)
    local next_jobs = {}
    for i, job in ipairs(jobs) do
      local resp = responses[i]
      local r = results[job.si]
      if resp == nil then return nil end -- dry run
      local data = resp.data or {}
      local meta = data.metadata or {}
      r.query_time_ms = r.query_time_ms + (num(meta.query_time_ms) or 0)
      for _, w in ipairs(data.warnings or {}) do r.warnings[#r.warnings + 1] = w end
      -- Halve a truncated window, unless halving stopped helping (a result that is
      -- one row per group over the whole window does not shrink with the window).
      local nrows = #(data.data or {})
      local shrinking = not job.parent_rows or nrows < job.parent_rows
      local mid = meta.truncated == true and shrinking and not states[job.si].group_limit
        and midpoint(job.start, job.stop)
      if mid and plan.requests + #next_jobs + 2 <= M.MAX_REQUESTS then
        next_jobs[#next_jobs + 1] = { si = job.si, start = job.start, stop = mid, parent_rows = nrows }
        next_jobs[#next_jobs + 1] = { si = job.si, start = mid, stop = job.stop, parent_rows = nrows }
        r.repairs = r.repairs + 1
      else
        if meta.truncated == true then r.truncated = true end
        r.parts[#r.parts + 1] = { rows = data.data or {}, start = job.start }
      end
    end
    jobs = next_jobs
  end

  for si, s in ipairs(states) do
    local r = results[si]
    table.sort(r.parts, function(a, b) return a.start < b.start end)
    local notes = { rebuilt = {}, not_mergeable = {} }
    r.rows = merge_parts(r.parts, r.metrics, schema, notes)
    -- Drop the helper columns the caller did not ask for.
    local asked = U.set(s.metrics)
    for _, m in ipairs(r.metrics) do
      if not asked[m] then for _, row in ipairs(r.rows) do row[m] = nil end end
    end
    for m in pairs(notes.rebuilt) do plan.rebuilt[m] = true end
    for m in pairs(notes.not_mergeable) do plan.not_mergeable[m] = true end
    plan.windows = math.max(plan.windows, #r.parts)
    plan.repairs = plan.repairs + r.repairs
  end
  return results
end

-- ---------------------------------------------------------------------------------
-- Entry point

local function base_state(q, info)
  local s = U.copy(q._)
  s.metrics, s.by, s.where = U.copy(s.metrics), U.copy(s.by), U.copy(s.where)
  s.start, s.stop, s.max_days = info.start, info.stop, info.max_days
  return s
end

-- Runs a checked query with splitting allowed; returns an orscript.Table whose
-- meta.plan says how it was assembled.
function M.run(q, info)
  local s = base_state(q, info)
  local plan = { requests = 0, windows = 1, repairs = 0, rebuilt = {}, not_mergeable = {} }
  local rows, truncated, qtime, warnings = nil, false, 0, {}
  local split_dim, values_count

  if #s.by > Q.MAX_DIMS then
    -- Choose the dimension to split on: the last one whose values filter as shown.
    for i = #s.by, 1, -1 do
      if not S.LABEL_RESOLVED[s.by[i]] then split_dim = s.by[i]; break end
    end
    if not split_dim then
      fail("cannot split on any of %s: they all come back as labels (names), which cannot be used as filters; group by at most 2 of them",
        concat(s.by, ", "))
    end
    if #s.where + 1 > Q.MAX_FILTERS then
      fail("splitting on '%s' adds a filter, and the query already has %d (at most %d)", split_dim, #s.where, Q.MAX_FILTERS)
    end
    -- 1. The values of the split dimension.
    local disc = U.copy(s)
    disc.metrics, disc.by, disc.grain, disc.order, disc.group_limit = { "request_count" }, { split_dim }, false, false, false
    local found = fetch({ disc }, info, plan)
    if not found then return nil end
    -- Values the discovery could not list are missing from the result: it is partial.
    truncated = found[1].truncated
    local values, has_null, seen = {}, false, {}
    for _, row in ipairs(found[1].rows) do
      local v = row[split_dim]
      if v == nil or v == null then
        has_null = true
      elseif not seen[v] then
        seen[v] = true
        values[#values + 1] = v
      end
    end
    table.sort(values, function(a, b) return tostring(a) < tostring(b) end)
    values_count = #values + (has_null and 1 or 0)
    -- 2. One query per value, with the other two dimensions.
    local rest = {}
    for _, d in ipairs(s.by) do if d ~= split_dim then rest[#rest + 1] = d end end
    local subs, tags = {}, {}
    for _, v in ipairs(values) do
      local sub = U.copy(s)
      sub.by = rest
      sub.where = U.copy(s.where)
      sub.where[#sub.where + 1] = { field = split_dim, op = "eq", value = v }
      subs[#subs + 1], tags[#tags + 1] = sub, v
    end
    if has_null then
      local sub = U.copy(s)
      sub.by = rest
      sub.where = U.copy(s.where)
      if #values > 0 then
        sub.where[#sub.where + 1] = { field = split_dim, op = "not_in", value = values, include_unset = true }
      end
      subs[#subs + 1], tags[#tags + 1] = sub, null
    end
    local res = #subs > 0 and fetch(subs, info, plan) or {}
    if not res then return nil end
    rows = {}
    for i, r in ipairs(res) do
      for _, row in ipairs(r.rows) do
        row[split_dim] = tags[i]
        rows[#rows + 1] = row
      end
      truncated = truncated or r.truncated
      qtime = qtime + r.query_time_ms
      for _, w in ipairs(r.warnings) do warnings[#warnings + 1] = w end
    end
  else
    local res = fetch({ s }, info, plan)
    if not res then return nil end
    rows, truncated, qtime, warnings = res[1].rows, res[1].truncated, res[1].query_time_ms, res[1].warnings
  end

  local cut
  rows, cut = finish_rows(rows, s)
  truncated = truncated or cut

  -- How it was assembled, in words and as data.
  local how = {}
  if split_dim then how[#how + 1] = format("one query per value of '%s' (%d values)", split_dim, values_count) end
  if plan.windows > 1 then how[#how + 1] = format("windows of at most %d days", s.max_days) end
  if plan.repairs > 0 then how[#how + 1] = format("%d truncated window(s) halved", plan.repairs) end
  local rebuilt, lost = U.sorted_keys(plan.rebuilt), U.sorted_keys(plan.not_mergeable)
  if #lost > 0 then
    warnings[#warnings + 1] = format(
      "split query: %s cannot be merged across windows (not a sum, no summable parts) and is null where a row spans several windows",
      concat(lost, ", "))
  end
  local plan_meta = {
    split = true,
    requests = plan.requests,
    how = #how > 0 and concat(how, "; ") or "one request (nothing to split)",
    split_dimension = split_dim,
    split_values = values_count,
    windows = plan.windows,
    repairs = plan.repairs,
    rebuilt_rates = rebuilt,
    not_mergeable = lost,
  }
  local response = {
    data = {
      data = rows,
      metadata = { query_time_ms = qtime, row_count = #rows, truncated = truncated, plan = plan_meta },
      warnings = #warnings > 0 and warnings or nil,
      plan = plan_meta,
    },
  }
  local body = Q.body_of(q._, { s.start, s.stop })
  return core.to_table("query", response, body)
end

return M
