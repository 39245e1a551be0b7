-- The key-management API (orscript.keys, key_info, set_key_limit, disable_key,
-- workspaces, budgets, set_budget) and the endpoint table that drives every request.
local T = require "testlib"
local core = require "orscript.core"
local E = require "orscript.endpoints"

T.test("keys lists every key of every workspace; one workspace by name, slug or id", function()
  local all = orscript.keys()
  T.eq(#all, 12)
  T.eq(all:info()[1].name, "name")
  local spaces = orscript.workspaces()
  T.eq(#spaces, 3)
  local n = 0
  for _, ws in ipairs(spaces:col("slug")) do n = n + #orscript.keys { workspace = ws } end
  T.eq(n, 12)
  T.eq(#orscript.keys { workspace = "Data Platform" }, 5)
  -- caps are dollars, like the usage columns: "$400.00", not "400"
  T.eq(all:info("limit").format, "currency")
  T.eq(all:info("limit_remaining").format, "currency")
  T.truthy(all:filter(function(r) return r.name == "internal-chat" end):select("name", "limit"):format():find("$400.00", 1, true))
  T.eq(#orscript.keys { workspace = "b3e1f7a2-5c6d-4e8f-a1b2-c3d4e5f6a7b8" }, 5)
  T.raises(function() orscript.keys { workspace = "Nowhere" } end, "orscript.keys: no workspace \"Nowhere\"")
  T.raises(function() orscript.keys { workspaces = "x" } end, "unknown option 'workspaces'")
end)

T.test("a key is named by its name or hash; unknown and ambiguous names list candidates", function()
  local k = orscript.key_info("coding-agent")
  T.eq(k.name, "coding-agent")
  T.eq(orscript.key_info(k.hash).hash, k.hash)
  T.eq(orscript.key_info(k.hash:upper()).hash, k.hash)
  T.raises(function() orscript.key_info("coding-agnet") end, "no key named \"coding-agnet\" (did you mean 'coding-agent'?)")
  -- two keys renamed alike: the name is ambiguous, both hashes are listed
  local a, b = orscript.key_info("eval-harness"), orscript.key_info("staging")
  orscript.request.call("key_update", { hash = a.hash, name = "twin" }):run()
  orscript.request.call("key_update", { hash = b.hash, name = "twin" }):run()
  local ok, err = pcall(orscript.key_info, "twin")
  T.eq(ok, false)
  T.truthy(tostring(err):find("key name \"twin\" is ambiguous, 2 keys have it", 1, true), tostring(err))
  T.truthy(tostring(err):find(a.hash, 1, true) and tostring(err):find(b.hash, 1, true), "both hashes listed")
  orscript.request.call("key_update", { hash = a.hash, name = "eval-harness" }):run()
  orscript.request.call("key_update", { hash = b.hash, name = "staging" }):run()
end)

T.test("set_key_limit and disable_key change what later reads return", function()
  local before = orscript.key_info("research-notebook")
  local k = orscript.set_key_limit("research-notebook", { limit = 500, reset = "monthly", include_byok = true })
  T.eq(k.limit, 500)
  T.eq(k.limit_reset, "monthly")
  T.eq(k.include_byok_in_limit, true)
  -- remaining = limit - (this month's credit spend + BYOK spend), never below 0
  T.near(k.limit_remaining, math.max(0, 500 - before.usage_monthly - before.byok_usage_monthly), 1e-9)
  T.eq(orscript.key_info(k.hash).limit, 500)
  local cleared = orscript.set_key_limit(k.hash, { limit = orscript.null, reset = orscript.null })
  T.eq(cleared.limit, orscript.null)
  T.eq(cleared.limit_remaining, orscript.null)
  T.raises(function() orscript.set_key_limit(k.hash, { limit = -5 }) end, "invalid 'limit': expected a number > 0")
  T.raises(function() orscript.set_key_limit(k.hash, { reset = "yearly" }) end, "invalid 'limit_reset': expected one of daily, weekly, monthly")
  T.raises(function() orscript.set_key_limit(k.hash, {}) end, "nothing to change")
  local n = #orscript.keys()
  T.eq(orscript.disable_key("research-notebook").disabled, true)
  T.eq(#orscript.keys(), n - 1)
  T.eq(#orscript.keys { include_disabled = true }, n)
  T.eq(orscript.disable_key("research-notebook", false).disabled, false)
end)

T.test("budgets: set, read, the strictly-decreasing rule, remove", function()
  orscript.set_budget("Product", "monthly", 400)
  orscript.set_budget("product", "daily", 25, { include_byok = true })
  local b = orscript.budgets("Product")
  T.eq(b.monthly, 400)
  T.eq(b.daily, 25)
  T.eq(b.weekly, nil)
  T.eq(b.include_byok, true)
  local ok, err = pcall(orscript.set_budget, "Product", "weekly", 20)
  T.eq(ok, false)
  T.eq(err.status, 400)
  T.truthy(err.api_message:find("strictly decrease", 1, true), err.api_message)
  orscript.set_budget("Product", "daily", nil)
  T.eq(orscript.budgets("Product").daily, nil)
  T.raises(function() orscript.set_budget("Product", "yearly", 5) end, "invalid interval \"yearly\"")
  T.raises(function() orscript.set_budget("Product", "weekly", 0) end, "invalid 'limit_usd': expected a number > 0")
end)

-- The table drives the Lua checks: every parameter of every endpoint is checked by its kind.
local BAD = { text = 42, date = "18/11/2026", integer = 1.5, number = -1, boolean = "yes", one_of = "nope",
  hex64 = "abc", uuid = "Default", user_id = "alice" }
local GOOD = { text = "x", date = "2026-11-10", integer = 1, number = 5, boolean = true, hex64 = ("a"):rep(64),
  uuid = "b3e1f7a2-5c6d-4e8f-a1b2-c3d4e5f6a7b8", user_id = "user_x" }

T.test("the endpoint table drives the Lua checks of every endpoint", function()
  local n = 0
  for name, ep in pairs(E.table) do
    if ep.result ~= "query" then
      local base = {}
      for _, p in ipairs(ep.params) do
        if p.required then base[p.name] = p.kind == "one_of" and p.values[1] or GOOD[p.kind] end
      end
      local req = orscript.request.call(name, base)
      T.eq(req.endpoint, name)
      T.raises(function() orscript.request.call(name, { no_such_option = 1 }) end, "unknown option 'no_such_option'")
      for _, p in ipairs(ep.params) do
        local opts = {}
        for k, v in pairs(base) do opts[k] = v end
        opts[p.name] = BAD[p.kind]
        T.raises(function() orscript.request.call(name, opts) end, "invalid '" .. p.name .. "'")
        if p.required then
          opts[p.name] = nil
          T.raises(function() orscript.request.call(name, opts) end, "missing '" .. p.name .. "'")
        end
        n = n + 1
      end
    end
  end
  T.truthy(n >= 40, "parameters checked: " .. n)
end)

T.test("the committed annotations are what the table generates", function()
  local text = assert(loadfile("tools/gen_annotations.lua"))("--render")
  local f = assert(io.open("scripts/orscript/meta/endpoints.lua"))
  local committed = f:read("*a")
  f:close()
  T.eq(committed, text, "scripts/orscript/meta/endpoints.lua is stale: build/orscript tools/gen_annotations.lua > it")
end)
T.done()
