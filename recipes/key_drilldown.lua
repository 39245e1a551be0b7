-- recipes/key_drilldown.lua: who is behind one model's spend.
--
--   orscript --demo recipes/key_drilldown.lua MODEL [--month 2026-10 | --from D --to D]
--            [--key_share 0.2] [--csv DIR] [--json FILE] [--markdown FILE]
--
-- For one model (its permaslug, as the `model` dimension shows it): spend, tokens and
-- requests by api_key_id, with each key's share of the model's spend, then by app and
-- by user where those are populated. Filters by the model slug and groups by key: it
-- never filters on resolved key, app or user names (the API matches those only by
-- raw id). Keys with at least key_share of the model's spend are marked.
--
-- As a module: M.queries(opts) with opts.models = {slug, ...} (or opts.model) and
-- opts.detail (also by app and user); M.analyse(tables, opts) with
-- opts.model_spend = {slug = usd} to take each model's total from elsewhere;
-- M.run(opts); M.render(result); M.tables(result).
local C = require "common"
local num = orscript.num

local M = {}

M.DEFAULTS = { key_share = 0.2 }
local METRICS = { "total_usage", "tokens_total", "request_count" }
-- The detail tables (by app, by user): result field and dimension.
local DETAIL = { { "apps", "app" }, { "users", "user" } }

local function model_list(opts)
  local models = opts.models or { opts.model }
  if #models == 0 then orscript.args.usage_error("key_drilldown: no model given") end
  return models
end

local function model_filter(models)
  if #models == 1 then return { { "model", "eq", models[1] } } end
  return { { "model", "in", models } }
end

function M.queries(opts)
  local models = model_list(opts)
  local where = model_filter(models)
  local function by(dim)
    return orscript.query { metrics = METRICS, by = { dim, "model" }, where = where, range = opts.range,
                            order = { "total_usage", "desc" }, limit = 10000 }
  end
  local q = { keys = by("api_key_id") }
  if opts.detail then
    for _, d in ipairs(DETAIL) do q[d[1]] = by(d[2]) end
  end
  return q
end

-- Adds share_of_model: each row's share of its model's spend.
local function with_share(t, totals)
  return t:derive("share_of_model", function(r)
    return C.ratio(num(r.total_usage), totals[r.model])
  end, { format = "percent" })
end

function M.analyse(tables, opts)
  opts = C.options(opts, M.DEFAULTS)
  local th = opts.thresholds
  local models = {}
  local warnings = {}
  local whole = tables.keys:note_warnings(warnings, "spend by key")
  -- The API may answer a plain slug with rows under the permaslug: follow it.
  local seen = {}
  for _, r in tables.keys:rows() do seen[r.model] = true end
  for i, m in ipairs(model_list(opts)) do
    models[i] = m
    if not seen[m] then
      for have in pairs(seen) do
        if type(have) == "string" and have:sub(1, #m) == m then models[i] = have end
      end
    end
    if models[i] ~= m and opts.model_spend and opts.model_spend[m] then
      opts.model_spend[models[i]] = opts.model_spend[m]
    end
  end
  -- Each model's spend: given by the caller (the by-model query) or the sum over keys.
  local totals = {}
  for _, m in ipairs(models) do
    if opts.model_spend and opts.model_spend[m] then
      totals[m] = opts.model_spend[m]
    elseif whole and #tables.keys > 0 then
      totals[m] = tables.keys:filter("model", "eq", m):total("total_usage")
    end
  end
  local keys = with_share(tables.keys, totals)
  local per_model = {}
  for _, m in ipairs(models) do
    local entry = { model = m, spend = totals[m], keys = {}, major = {} }
    for _, r in (#keys > 0 and keys:filter("model", "eq", m) or keys):rows() do
      local k = { key = r.api_key_id, spend = num(r.total_usage), tokens = num(r.tokens_total),
                  requests = num(r.request_count), share = num(r.share_of_model, nil) }
      entry.keys[#entry.keys + 1] = k
      if k.share and k.share >= th.key_share then entry.major[#entry.major + 1] = k end
    end
    per_model[#per_model + 1] = entry
  end
  local res = C.result(opts, { models = models, totals = totals, keys = keys, per_model = per_model,
                               warnings = warnings })
  for _, d in ipairs(DETAIL) do
    local field, col = d[1], d[2]
    local t = tables[field]
    if t then
      t:note_warnings(warnings, "spend by " .. col)
      res[field] = with_share(t, totals)
      res[field .. "_populated"] = #t > 0 and #t:filter(col, "neq", orscript.null) > 0
    end
  end
  return res
end

-- For a standalone run: when nothing matches the given model, look for permaslugs that
-- contain it (model values are permaslugs such as "openai/gpt-4.1-2025-04-14").
local function suggest(opts)
  local t = orscript.query { metrics = { "total_usage" }, by = { "model" }, range = opts.range,
                             order = { "total_usage", "desc" }, limit = 10000 }:run()
  local out, all = {}, {}
  for _, r in t:rows() do
    if type(r.model) == "string" and r.model:find(opts.model, 1, true) then out[#out + 1] = r.model end
    if #all < 8 and type(r.model) == "string" then all[#all + 1] = r.model end
  end
  return out, all
end

function M.run(opts)
  local res
  res, opts = C.run(M, opts)
  if #res.keys == 0 and opts.model then res.suggestions, res.top_models = suggest(opts) end
  return res
end

function M.tables(res)
  local t = { { "keys", res.keys } }
  for _, d in ipairs(DETAIL) do
    if res[d[1]] then t[#t + 1] = { d[1], res[d[1]] } end
  end
  return t
end

function M.render(res)
  local out, add, put = C.buffer()
  for _, e in ipairs(res.per_model) do
    put(C.window_heading("Keys behind " .. e.model, res))
    if #e.keys == 0 then
      add("No traffic on %s in this window.", e.model)
      if res.suggestions and #res.suggestions > 0 then
        add("The model dimension holds permaslugs; did you mean: %s?", table.concat(res.suggestions, ", "))
      elseif res.top_models and #res.top_models > 0 then
        add("Models with the most spend in this window: %s", table.concat(res.top_models, ", "))
      end
    else
      add("Model spend %s across %d key%s.", C.money(e.spend), #e.keys, #e.keys == 1 and "" or "s")
      put(C.show(res.keys:filter("model", "eq", e.model)
        :select("api_key_id", "total_usage", "share_of_model", "tokens_total", "request_count")))
      for _, k in ipairs(e.major) do
        add("  * %s: %s of the model's spend (%s)", k.key, C.percent(k.share), C.money(k.spend))
      end
    end
    for _, d in ipairs(DETAIL) do
      local field, col = d[1], d[2]
      local t = res[field]
      if t and #e.keys > 0 then
        add("")
        local sub = t:filter("model", "eq", e.model)
        if not res[field .. "_populated"] then
          add("By %s: not populated for this model (no %s attribution).", col, col)
        else
          add("By %s:", col)
          local cols = { col }
          if col == "user" and C.has_col(sub, "user_email") then cols[#cols + 1] = "user_email" end
          C.append(cols, { "total_usage", "share_of_model", "request_count" })
          put(C.show(sub:select(cols)))
        end
      end
    end
    add("")
  end
  return C.finish(out, res.warnings)
end

C.script(M, "key_drilldown", {
  positional = { "model" }, required = { model = true }, set = { detail = true }, args = "MODEL [options]",
  about = "  MODEL: the model's permaslug as the analytics `model` dimension shows it",
})

return M
