-- orscript.keys and friends: the key-management surface (spec §13) for cost control.
--
-- Owns: listing every key of every workspace (workspaces, then offset pages of /keys
-- per workspace), naming a key by its name or hash and a workspace by its id, slug or
-- name, one key's details, capping and disabling keys, and workspace budgets. The
-- calls that change the account (set_key_limit, disable_key, set_budget) are refused
-- under --dry-run and logged with -V (by the client). Does not own: HTTP or parameter
-- checks (endpoints.lua, from the endpoint table) or result tables (C++).
local core = require "orscript.core"
local U = require "orscript.util"
local E = require "orscript.endpoints"

local format = string.format
local concat = table.concat

local M = {}

local function fail(fname, msg, ...) U.usage(fname .. ": " .. msg, ...) end

-- Raw `data` of one (or every page of a paged) endpoint call; nil under --dry-run.
local function fetch(name, params)
  local r = core.wait(core.submit(name, params or {}), true)
  if r == nil then return nil end
  return r.data, r
end

-- State-changing calls: refused before anything is looked up under --dry-run.
local function refuse_dry_run(fname)
  if core.dry_run() then
    fail(fname, "changes the account (a management write): refused under --dry-run; run without --dry-run to apply it")
  end
end

-- Column order of the tables below (the rest follow).
local KEY_COLUMNS = { "name", "hash", "workspace_id", "disabled", "limit", "limit_remaining", "limit_reset",
  "include_byok_in_limit", "usage", "usage_daily", "usage_weekly", "usage_monthly", "byok_usage", "byok_usage_daily",
  "byok_usage_weekly", "byok_usage_monthly", "label", "created_at", "updated_at", "expires_at", "creator_user_id",
  "external_user" }
local WORKSPACE_COLUMNS = { "name", "slug", "id", "description", "include_byok_in_budgets", "created_at" }

-- `t` with `first` columns leading, the others after them in their order.
local function lead(t, first)
  local names, seen = {}, {}
  for _, n in ipairs(first) do
    if t:info(n) then names[#names + 1] = n; seen[n] = true end
  end
  for _, c in ipairs(t:info()) do
    if not seen[c.name] then names[#names + 1] = c.name end
  end
  return t:select(unpack(names))
end

-- `limit` and `limit_remaining` are USD caps: shown as dollars like the usage columns
-- (their names do not say so, so the table engine would show plain numbers).
local function as_dollars(t)
  for _, name in ipairs({ "limit", "limit_remaining" }) do
    if t:info(name) and t:info(name).type == "number" then
      t = t:derive(name, function(r) return r[name] end, { format = "currency" })
    end
  end
  return t
end

-- The workspaces as raw objects (every page).
local function workspace_list() return fetch("workspaces") or {} end

-- orscript.workspaces() -> Table: every workspace of the organisation.
function M.workspaces()
  local _, raw = fetch("workspaces")
  if raw == nil then return nil end
  return lead(core.to_table("workspaces", raw), WORKSPACE_COLUMNS)
end

-- The workspace named by id, slug or name (raw object). Errors list the candidates.
local function resolve_workspace(fname, ref)
  if type(ref) ~= "string" or ref == "" then
    fail(fname, "invalid workspace: expected its id, slug or name, got %s", U.show(ref))
  end
  local list, names = workspace_list(), {}
  for _, w in ipairs(list) do
    if w.id == ref or w.slug == ref then return w end
  end
  local found = {}
  for _, w in ipairs(list) do
    if w.name == ref then found[#found + 1] = w end
    names[#names + 1] = format("%q", w.slug)
  end
  if #found == 1 then return found[1] end
  if #found > 1 then
    local c = {}
    for _, w in ipairs(found) do c[#c + 1] = format("%s (slug %s)", w.id, w.slug) end
    fail(fname, "workspace name %q is ambiguous: %s; give the id or slug", ref, concat(c, ", "))
  end
  fail(fname, "no workspace %q (workspaces: %s)", ref, concat(names, ", "))
end

-- Every key (raw objects) of the given workspaces, pages followed, newest first per workspace.
local function key_list(workspaces, include_disabled)
  local pending = {}
  for i, w in ipairs(workspaces) do
    pending[i] = core.submit("keys", { workspace_id = w.id, include_disabled = include_disabled or nil })
  end
  local rows = {}
  for _, r in ipairs(core.wait_all(pending, true)) do
    for _, k in ipairs(r.data) do rows[#rows + 1] = k end
  end
  return rows
end

-- orscript.keys{workspace =, include_disabled =} -> Table: every key of every workspace
-- (or of one workspace, named by id, slug or name).
function M.keys(opts)
  local fname = "orscript.keys"
  opts = U.check_options(fname, opts, { workspace = true, include_disabled = true })
  if opts.include_disabled ~= nil and type(opts.include_disabled) ~= "boolean" then
    fail(fname, "invalid 'include_disabled': expected true or false, got %s", U.show(opts.include_disabled))
  end
  if core.dry_run() then return core.wait(core.submit("workspaces", {})) end
  local spaces = opts.workspace ~= nil and { resolve_workspace(fname, opts.workspace) } or workspace_list()
  return as_dollars(lead(core.to_table("keys", { data = key_list(spaces, opts.include_disabled) }), KEY_COLUMNS))
end

local function is_hash(s) return type(s) == "string" and #s == 64 and s:match("^%x+$") ~= nil end

-- The hash of the key named `key` (a name or a 64-hex hash). A name is looked up in
-- every workspace, disabled keys included; an ambiguous name lists the candidates.
function M.resolve_key(key, fname)
  fname = fname or "orscript.resolve_key"
  if is_hash(key) then return key:lower() end
  if type(key) ~= "string" or key == "" then
    fail(fname, "invalid key: expected its name or 64-hex hash, got %s", U.show(key))
  end
  local found, names = {}, {}
  for _, k in ipairs(key_list(workspace_list(), true)) do
    if k.name == key then found[#found + 1] = k end
    names[#names + 1] = k.name
  end
  if #found == 1 then return found[1].hash end
  if #found > 1 then
    local c = {}
    for _, k in ipairs(found) do
      c[#c + 1] = format("%s (workspace %s%s)", k.hash, k.workspace_id, k.disabled and ", disabled" or "")
    end
    fail(fname, "key name %q is ambiguous, %d keys have it: %s; give the hash", key, #found, concat(c, ", "))
  end
  table.sort(names)
  fail(fname, "no key named %q%s (keys: %s)", key, U.suggest(key, names), concat(names, ", "))
end

-- orscript.key_info(key) -> table: one key's fields (GET /keys/{hash}).
function M.key_info(key)
  return core.wait(core.submit("key_get", { hash = M.resolve_key(key, "orscript.key_info") }))
end

-- orscript.set_key_limit(key, {limit =, reset =, include_byok =}) -> table: the key after the change.
function M.set_key_limit(key, opts)
  local fname = "orscript.set_key_limit"
  refuse_dry_run(fname)
  opts = U.check_options(fname, opts, { limit = true, reset = true, include_byok = true })
  local body = { limit = opts.limit, limit_reset = opts.reset, include_byok_in_limit = opts.include_byok }
  if next(body) == nil then fail(fname, "nothing to change: give 'limit', 'reset' and/or 'include_byok'") end
  body.hash = M.resolve_key(key, fname)
  local p = E.checked("key_update", fname, body)
  return core.wait(core.submit("key_update", p))
end

-- orscript.disable_key(key [, disabled = true]) -> table: the key after the change.
function M.disable_key(key, disabled)
  local fname = "orscript.disable_key"
  refuse_dry_run(fname)
  if disabled == nil then disabled = true end
  local p = E.checked("key_update", fname, { hash = M.resolve_key(key, fname), disabled = disabled })
  return core.wait(core.submit("key_update", p))
end

local INTERVALS = { "daily", "weekly", "monthly", "lifetime" }

-- orscript.budgets(ws) -> {workspace, include_byok, daily, weekly, monthly, lifetime, items}:
-- limits in USD (nil where no budget is set).
function M.budgets(ws)
  local fname = "orscript.budgets"
  local w = resolve_workspace(fname, ws)
  local _, raw = fetch("budgets", { ref = w.id })
  if raw == nil then return nil end
  local out = { workspace = w.id, include_byok = raw.include_byok_in_budgets == true, items = raw.data }
  for _, b in ipairs(raw.data) do
    out[b.reset_interval == core.null and "lifetime" or b.reset_interval] = b.limit_usd
  end
  return out
end

-- orscript.set_budget(ws, interval, usd [, {include_byok =}]) -> table: the budget
-- (nil usd removes it). Limits must shrink: lifetime > monthly > weekly > daily.
function M.set_budget(ws, interval, usd, opts)
  local fname = "orscript.set_budget"
  refuse_dry_run(fname)
  opts = U.check_options(fname, opts, { include_byok = true })
  local ok = false
  for _, i in ipairs(INTERVALS) do ok = ok or i == interval end
  if not ok then
    fail(fname, "invalid interval %s: expected one of %s", U.show(interval), concat(INTERVALS, ", "))
  end
  local w = resolve_workspace(fname, ws)
  if usd == nil or usd == core.null then
    return core.wait(core.submit("budget_delete", E.checked("budget_delete", fname, { ref = w.id, interval = interval })))
  end
  local p = E.checked("budget_set", fname,
    { ref = w.id, interval = interval, limit_usd = usd, include_byok_in_budgets = opts.include_byok })
  return core.wait(core.submit("budget_set", p))
end

return M
