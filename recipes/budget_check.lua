-- recipes/budget_check.lua: budgets and alerts for cron and CI.
--
--   orscript recipes/budget_check.lua --monthly 20000 [--daily 1000]
--            [--key NAME=USD]... [--model NAME=USD]... [--app NAME=USD]...
--            [--anomaly-usd USD] [--config FILE] [--json]
--
-- Checks this month's spend against thresholds and says what crossed and by how much:
--   --monthly USD      the projected month (orscript.forecast: month to date plus a
--                      weekday-aware run rate) is above USD
--   --daily USD        yesterday's spend, or today's so far, is above USD
--   --key NAME=USD     one key's projected month is above USD (NAME * = every key);
--   --model, --app     the same per model or app
--   --anomaly-usd USD  a key's spend on one of the last --anomaly-days complete days
--                      (default 2) was a spike (robust baseline, orscript.anomalies) at
--                      least USD above its usual level
--   --config FILE      thresholds from a file, one `name = value` a line (# comments):
--                      monthly, daily, anomaly_usd, anomaly_days, key.NAME, model.NAME,
--                      app.NAME;
--                      flags add to it and override the same names
--   --json             one JSON object on stdout (for alerting pipelines)
--
-- Exit codes: 0 nothing crossed; 10 at least one threshold crossed (BUDGET_EXCEEDED);
-- otherwise orscript's own (2 bad arguments, 3 auth, 4-6 API or network, ...).
local usage_error = orscript.args.usage_error

local format = string.format
local M = {}

M.EXIT_CROSSED = 10

M.USAGE = [==[usage: orscript recipes/budget_check.lua [--monthly USD] [--daily USD] [--key NAME=USD]...
         [--model NAME=USD]... [--app NAME=USD]... [--anomaly-usd USD [--anomaly-days N]]
         [--config FILE] [--json]
Exit codes: 0 within budget, 10 a threshold was crossed, 2 bad arguments (others: orscript --help).]==]

local function money(x) return require("orscript.report.format").money(x) end

local function amount(what, text)
  local n = tonumber(text)
  if not n or n < 0 or n ~= n or n == math.huge then
    usage_error("%s expects an amount in USD (a number >= 0), got '%s'", what, tostring(text))
  end
  return n
end

-- Adds one threshold `name` (monthly, daily, anomaly_usd, key.X, model.X, app.X).
local function set(limits, name, value, where)
  local scope, subject = name:match("^(%a+)%.(.+)$")
  if scope then
    if scope ~= "key" and scope ~= "model" and scope ~= "app" then
      usage_error("%s: unknown threshold '%s' (use key.NAME, model.NAME or app.NAME)", where, name)
    end
    limits[scope] = limits[scope] or {}
    limits[scope][subject] = amount(where == "" and ("--" .. scope .. " " .. subject) or (where .. " " .. name), value)
  elseif name == "anomaly_days" then
    local n = tonumber(value)
    if not n or n < 1 or n > 30 or n % 1 ~= 0 then
      usage_error("%s expects a whole number of days 1..30, got '%s'", where == "" and "--anomaly-days" or (where .. " anomaly_days"), tostring(value))
    end
    limits.anomaly_days = n
  elseif name == "monthly" or name == "daily" or name == "anomaly_usd" then
    limits[name] = amount(where == "" and ("--" .. name:gsub("_", "-")) or (where .. " " .. name), value)
  else
    usage_error("%s: unknown threshold '%s' (monthly, daily, anomaly_usd, anomaly_days, key.NAME, model.NAME, app.NAME)", where, name)
  end
end

-- Reads a config file of `name = value` lines.
function M.read_config(path, limits)
  local f, err = io.open(path, "r")
  if not f then usage_error("--config: cannot read '%s': %s", path, tostring(err)) end
  local n = 0
  for line in f:lines() do
    n = n + 1
    line = line:gsub("#.*$", ""):match("^%s*(.-)%s*$")
    if line ~= "" then
      local name, value = line:match("^([^=]-)%s*=%s*(.+)$")
      if not name or name == "" then
        f:close()
        usage_error("%s:%d: expected `name = value`, got '%s'", path, n, line)
      end
      set(limits, name, value, format("%s:%d", path, n))
    end
  end
  f:close()
  return limits
end

-- Parses the arguments into { limits = {...}, json = bool }.
function M.parse(argv)
  local o = { limits = {}, json = false }
  local flags, config = {}, nil
  local i = 1
  while i <= #argv do
    local a = argv[i]
    local name, inline = a:match("^%-%-([%w%-]+)=(.*)$")
    name = name or a:match("^%-%-([%w%-]+)$")
    local function value()
      if inline then return inline end
      i = i + 1
      if argv[i] == nil then usage_error("--%s needs a value\n%s", name, M.USAGE) end
      return argv[i]
    end
    if a == "-h" or name == "help" then o.help = true
    elseif name == "json" then o.json = true
    elseif name == "config" then config = value()
    elseif name == "monthly" or name == "daily" then flags[#flags + 1] = { name, value() }
    elseif name == "anomaly-usd" then flags[#flags + 1] = { "anomaly_usd", value() }
    elseif name == "anomaly-days" then flags[#flags + 1] = { "anomaly_days", value() }
    elseif name == "key" or name == "model" or name == "app" then
      local v = value()
      local subject, usd = v:match("^(.+)=([^=]+)$")
      if not subject then usage_error("--%s expects NAME=USD (e.g. --%s batch-pipeline=500), got '%s'", name, name, v) end
      flags[#flags + 1] = { name .. "." .. subject, usd }
    else
      usage_error("unknown argument '%s'\n%s", a, M.USAGE)
    end
    i = i + 1
  end
  if config then M.read_config(config, o.limits) end
  for _, f in ipairs(flags) do set(o.limits, f[1], f[2], "") end
  local l = o.limits
  if not o.help and not (l.monthly or l.daily or l.anomaly_usd or l.key or l.model or l.app) then
    usage_error("no thresholds: give at least one of --monthly, --daily, --key, --model, --app, --anomaly-usd or --config\n%s", M.USAGE)
  end
  return o
end

local DIM = { key = "api_key_id", model = "model", app = "app", total = nil }

-- Runs the checks; returns { as_of, month, checks = {...}, anomalies = {...}, crossed = n }.
function M.run(limits)
  local time = orscript.time
  local res = { checks = {}, anomalies = {}, crossed = 0 }
  local function check(c)
    c.crossed = c.value > c.limit
    c.over = c.value - c.limit
    res.checks[#res.checks + 1] = c
    if c.crossed then res.crossed = res.crossed + 1 end
  end
  -- Every daily series at once: one query per grouping (keys also serve the anomalies
  -- and the total), sent together.
  local scopes, names, qs = {}, {}, {}
  local anomaly_days = limits.anomaly_days or 2
  local weeks = math.max(8, math.ceil((anomaly_days + 42) / 7) + 1)
  if limits.anomaly_usd and not limits.key then scopes[#scopes + 1] = "key" end
  for _, scope in ipairs({ "key", "model", "app" }) do if limits[scope] then scopes[#scopes + 1] = scope end end
  if #scopes == 0 then scopes[1] = "total" end
  for i, scope in ipairs(scopes) do
    names[scope] = i
    qs[i] = orscript.forecast_query { by = DIM[scope], weeks = weeks }
  end
  local tables = orscript.all(qs)
  local function series(scope) return tables[names[scope]] end
  local total = orscript.forecast { by = DIM[scopes[1]], table = series(scopes[1]) }
  for _, scope in ipairs({ "key", "model", "app" }) do
    local want = limits[scope]
    if want then
      local f = orscript.forecast { by = DIM[scope], table = series(scope) }
      local seen = {}
      for _, row in f.groups:rows() do
        local name = row[DIM[scope]]
        local limit = want[name] or want["*"]
        seen[name] = true
        if limit then
          check { check = scope, subject = name, value = row.projected, limit = limit, low = row.low, high = row.high,
                  so_far = row.so_far, what = "projected month" }
        end
      end
      for name, limit in pairs(want) do
        if name ~= "*" and not seen[name] then
          -- No spend this month: 0 against the limit, and a note in case the name is wrong.
          check { check = scope, subject = name, value = 0, limit = limit, low = 0, high = 0, so_far = 0,
                  what = "projected month", note = format("no %s spend this month under that name", scope) }
        end
      end
    end
  end
  res.as_of, res.month = total.as_of, time.date(total.month.start):sub(1, 7)
  if limits.monthly then
    local t = total.total
    check { check = "monthly", subject = "total", value = t.projected, limit = limits.monthly, low = t.low, high = t.high,
            so_far = t.so_far, last_month = t.last_month, what = "projected month" }
  end
  if limits.daily then
    local today = time.date(time.floor(orscript.now(), "day"))
    local yesterday = time.date(time.add(time.floor(orscript.now(), "day"), -1, "day"))
    for _, row in total.daily:rows() do
      if row.date == yesterday or row.date == today then
        check { check = "daily", subject = row.date, value = row.actual, limit = limits.daily,
                what = row.date == today and "today so far" or "yesterday" }
      end
    end
  end
  if limits.anomaly_usd then
    local a = orscript.anomalies { by = "api_key_id", days = anomaly_days, min_usd = limits.anomaly_usd,
                                   table = series("key") }
    for _, row in a:rows() do
      if row.kind == "spike" then
        res.anomalies[#res.anomalies + 1] = { date = row.date, key = row.api_key_id, spend = row.spend,
          baseline = row.baseline, deviation = row.deviation }
        check { check = "anomaly", subject = row.api_key_id .. " " .. row.date, value = row.deviation,
                limit = limits.anomaly_usd, what = "above usual", spend = row.spend, baseline = row.baseline }
      end
    end
  end
  -- Crossed first, largest overshoot first; then the rest: month, days, the others
  -- by value, largest first.
  local rank = { monthly = 1, daily = 2 }
  table.sort(res.checks, function(a, b)
    if a.crossed ~= b.crossed then return a.crossed end
    if a.crossed and a.over ~= b.over then return a.over > b.over end
    local ra, rb = rank[a.check] or 3, rank[b.check] or 3
    if ra ~= rb then return ra < rb end
    if a.value ~= b.value then return a.value > b.value end
    return tostring(a.subject) < tostring(b.subject)
  end)
  return res
end

function M.render(res)
  local lines = {}
  lines[1] = format("Budget check %s (as of %s): %s", res.month, res.as_of,
    res.crossed == 0 and "within budget" or format("%d threshold%s crossed", res.crossed, res.crossed == 1 and "" or "s"))
  for _, c in ipairs(res.checks) do
    local subject = c.check == "monthly" and "month" or (c.check == "daily" and c.what) or (c.check .. " " .. c.subject)
    local head = format("  %-8s %-32s %s %s %s", c.crossed and "CROSSED" or "ok", subject:sub(1, 32), money(c.value),
      c.crossed and ">" or "<=", money(c.limit))
    if c.crossed then head = head .. format(" by %s", money(c.over)) end
    if c.low and c.high and c.check ~= "anomaly" then head = head .. format("  (%s, range %s to %s)", c.what, money(c.low), money(c.high)) end
    if c.check == "anomaly" then head = head .. format("  (spent %s, usually %s)", money(c.spend), money(c.baseline)) end
    if c.note then head = head .. "  note: " .. c.note end
    lines[#lines + 1] = head
  end
  return table.concat(lines, "\n") .. "\n"
end

function M.json(res)
  local checks = {}
  for i, c in ipairs(res.checks) do
    checks[i] = { check = c.check, subject = c.subject, value = c.value, limit = c.limit, over = c.over,
      crossed = c.crossed, low = c.low, high = c.high, what = c.what, note = c.note }
  end
  return orscript.json.encode { as_of = res.as_of, month = res.month, crossed = res.crossed, checks = checks,
    anomalies = res.anomalies, exit_code = res.crossed > 0 and M.EXIT_CROSSED or 0 }
end

if orscript.args.is_script("budget_check") then
  local code = 0
  orscript.args.main(function()
    local o = M.parse({ unpack(arg) })
    if o.help then
      print(M.USAGE)
      return
    end
    local res = M.run(o.limits)
    io.write(o.json and (M.json(res) .. "\n") or M.render(res))
    if res.crossed > 0 then code = M.EXIT_CROSSED end
  end)
  if code ~= 0 then
    io.stdout:flush()
    os.exit(code)
  end
end

return M
