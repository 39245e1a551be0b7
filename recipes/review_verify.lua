-- recipes/review_verify.lua: the cost review's verification script.
--
-- Owns: one check per recommendation kind (the query to re-run next month, how to measure
-- it, the goal) and the runnable Lua script that runs them all (`--verify-script`).
-- V.script(recs, {label, thresholds, generated_at}) returns the script's text.
local here = (debug.getinfo(1, "S").source:match("^@(.-)[^/\\]*$") or ""):gsub("^$", "./") .. "?.lua"
if not package.path:find(here, 1, true) then package.path = here .. ";" .. package.path end
local C = require "common"

local format, concat = string.format, table.concat

local V = {}

-- A Lua string literal on one line: %q, with a newline as \n (names come from the API).
local function q(s) return (format("%q", s):gsub("\\\n", "\\n")) end

-- Lua source of a query by one dimension over the month, its measure picking one row.
local function by_dim_check(metrics, dim, value, expr)
  return {
    query = { format("orscript.query { metrics = { %s }, by = { %q },", concat(metrics, ", "), dim),
              "  range = month, limit = 10000 }," },
    measure = { "function(t)", format("  local r = row(t, %q, %s)", dim, q(value)), "  return " .. expr, "end," },
  }
end

local function model_check(metrics, model, expr)
  return {
    query = { format("orscript.query { metrics = { %s },", concat(metrics, ", ")),
              format("  where = { { \"model\", \"eq\", %s } }, range = month },", q(model)) },
    measure = { "function(t)", "  local r = t[1] or {}", "  return " .. expr, "end," },
  }
end

local function share_expr(metric)
  return format("num(r.total_usage) > 0 and num(r.%s) / num(r.total_usage) or 0", metric)
end

-- One check per kind: {title, query, measure, goal, target, before, format, done}.
local CHECKS = {
  expensive_model = function(r)
    local c = {
      title = format("%s's spend on %s", r.key, r.model),
      query = { "orscript.query { metrics = { \"total_usage\", \"tokens_total\" }, by = { \"api_key_id\" },",
                format("  where = { { \"model\", \"eq\", %s } }, range = month, limit = 10000 },", q(r.model)) },
      measure = { format("function(t) return num(row(t, \"api_key_id\", %s).total_usage) end,", q(r.key)) },
      goal = "<=", target = r.spend * 0.1, before = r.spend, format = "$%.2f",
      done = "the key's traffic has left the model",
    }
    return c
  end,
  expensive_model_spread = function(r)
    local c = model_check({ "\"total_usage\"" }, r.model, "num(r.total_usage)")
    c.title, c.goal, c.target, c.before, c.format = "spend on " .. r.model, "<=", r.model_spend * 0.1, r.model_spend,
      "$%.2f"
    c.done = "the model's callers have moved"
    return c
  end,
  caching = function(r, th)
    local c = model_check({ "\"cache_hit_rate\"", "\"tokens_prompt\"" }, r.model, "num(r.cache_hit_rate)")
    c.title, c.goal, c.target, c.before, c.format = "cache hit rate on " .. r.model, ">=", th.target_cache,
      r.cache_hit_rate, "%.3f"
    c.done = "prompts are being cached"
    return c
  end,
  cache_writes = function(r)
    local c = model_check({ "\"usage_cache\"" }, r.model, "num(r.usage_cache)")
    c.title, c.goal, c.target, c.before, c.format = "net cache component on " .. r.model, "<=", 0, r.usage_cache,
      "$%.2f"
    c.done = "cache writes no longer cost more than reads save"
    return c
  end,
  prompt_trimming = function(r, th)
    local c = model_check({ "\"tokens_prompt\"", "\"request_count\"" }, r.model,
      "num(r.request_count) > 0 and num(r.tokens_prompt) / num(r.request_count) or 0")
    c.title, c.goal, c.target, c.before, c.format = "mean prompt tokens per request on " .. r.model, "<=",
      r.prompt_per_request * (1 - th.prompt_trim_share), r.prompt_per_request, "%.0f"
    c.done = "prompts are shorter"
    return c
  end,
  reasoning = function(r, th)
    local c = model_check({ "\"reasoning_tokens\"", "\"tokens_completion\"" }, r.model,
      "num(r.tokens_completion) > 0 and num(r.reasoning_tokens) / num(r.tokens_completion) or 0")
    c.title, c.goal, c.target, c.before, c.format = "reasoning share of completions on " .. r.model, "<=",
      r.reasoning_share * (1 - th.reasoning_cut), r.reasoning_share, "%.3f"
    c.done = "reasoning tokens are down"
    return c
  end,
  growth = function(r, th)
    return {
      title = "mean weekly spend of " .. r.key .. " over the latest 2 complete weeks",
      query = { "orscript.query { metrics = { \"total_usage\" }, by = { \"api_key_id\" }, grain = \"week\",",
                "  range = time.weeks(2), limit = 10000 }," },
      measure = { "function(t)", "  local s = 0",
                  format("  for _, r in t:rows() do if r.api_key_id == %s then s = s + num(r.total_usage) end end",
                    q(r.key)),
                  "  return s / 2", "end," },
      goal = "<=", target = r.before_weekly * th.growth_ratio, before = r.recent_weekly, format = "$%.2f",
      done = "the key's spend is back under the growth threshold (or the growth was confirmed as intended)",
    }
  end,
}
CHECKS.spike = function(r, th)
  local c = CHECKS.growth({ key = r.key, before_weekly = r.median_weekly, recent_weekly = r.spike_weekly }, th)
  c.target = r.median_weekly * th.spike_ratio
  c.done = "no spike in the latest weeks"
  return c
end
CHECKS.model_upgrade = function(r, th)
  local c = CHECKS.growth({ key = r.key, before_weekly = r.weekly_before, recent_weekly = r.weekly_after }, th)
  c.target = r.weekly_before * th.upgrade_ratio
  c.done = "the key is back near its spend before the move (or the move was justified)"
  return c
end
for _, kind in ipairs { "web_search", "native_web_search", "file_parsing", "web_fetch" } do
  CHECKS[kind] = function(r, th)
    local dim, value = r.app and "app" or "api_key_id", r.app or r.key
    local c = by_dim_check({ q(r.metric), "\"total_usage\"" }, dim, value, share_expr(r.metric))
    c.title = format("%s share of %s's spend", r.metric, value)
    c.goal, c.target, c.before, c.format = "<", th.web_share, r.share, "%.3f"
    c.done = "the surcharge is no longer a large share of the spend"
    return c
  end
end

function V.script(recs, ctx)
  local th = ctx.thresholds
  local L = {}
  local function add(s, ...) L[#L + 1] = select("#", ...) > 0 and format(s, ...) or s end
  local function field(name, code)
    for j, l in ipairs(code) do add(j == 1 and ("  " .. name .. " = " .. l) or ("  " .. l)) end
  end
  add("-- Re-run next month to verify the fixes recommended by the cost review of %s", ctx.label)
  add("-- (generated %s). Usage: orscript verify.lua [--month YYYY-MM]", ctx.generated_at)
  add("-- Each check re-runs the query behind one recommendation over the last full month.")
  add("local time = orscript.time")
  add("local month = time.last_month()")
  add("if arg and arg[1] == \"--month\" and arg[2] then month = time.month(time.parse(arg[2] .. \"-01\")) end")
  add("local function num(v) return type(v) == \"number\" and v == v and v or 0 end")
  add("local function row(t, col, value)")
  add("  for _, r in t:rows() do if r[col] == value then return r end end")
  add("  return {}")
  add("end")
  add("local checks = {}")
  for i, r in ipairs(recs) do
    add("")
    add("-- %d. %s", i, (r.title:gsub("[%c\127]", "?")))  -- a CR or LF would end the comment
    for _, x in ipairs(r.where or {}) do  -- --code
      add("--    where: %s:%d %s", x.file, x.line, (tostring(x.text or ""):gsub("[%c\127]", "?")))
    end
    local make = CHECKS[r.kind]
    if make then
      local c = make(r, th)
      add("checks[#checks + 1] = {")
      add("  title = %s,", q(c.title))
      field("query", c.query)
      field("measure", c.measure)
      add("  goal = %s, target = %.17g, before = %.17g, format = %s,", q(c.goal), c.target, c.before, q(c.format))
      add("  done = %s,", q(c.done))
      if r.where then  -- --code: the places to change, named again next to the check
        local w = {}
        for j, x in ipairs(r.where) do w[j] = q(format("%s:%d", x.file, x.line)) end
        add("  where = { %s },", concat(w, ", "))
      end
      add("}")
    end
  end
  add("")
  add("if #checks == 0 then")
  add("  local t = orscript.query { metrics = { \"total_usage\", \"tokens_total\" }, range = month }:run()")
  add("  print(string.format(\"Nothing to verify: the review recommended no change. Spend %s: $%.2f\",")
  add("    time.date(month.start), t[1] and num(t[1].total_usage) or 0))")
  add("  return")
  add("end")
  add("local queries = {}")
  add("for i, c in ipairs(checks) do queries[i] = c.query end")
  add("local results = orscript.all(queries)")
  add("local confirmed = 0")
  add("for i, c in ipairs(checks) do")
  add("  local v = c.measure(results[i])")
  add("  local ok = (c.goal == \"<=\" and v <= c.target) or (c.goal == \"<\" and v < c.target)")
  add("    or (c.goal == \">=\" and v >= c.target)")
  add("  if ok then confirmed = confirmed + 1 end")
  add("  print(string.format(\"%-4s %s: \" .. c.format .. \" (before \" .. c.format .. \", goal %s \" .. c.format .. \")%s\",")
  add("    ok and \"ok\" or \"open\", c.title, v, c.before, c.goal, c.target, ok and (\": \" .. c.done) or \"\"))")
  local any_where = false
  for _, r in ipairs(recs) do if r.where then any_where = true end end
  if any_where then  -- --code: an open check names where to change it
    add("  if not ok and c.where then print(\"     where: \" .. table.concat(c.where, \", \")) end")
  end
  add("end")
  add("print(string.format(\"%d of %d fixes confirmed\", confirmed, #checks))")
  return concat(L, "\n") .. "\n"
end


return V
