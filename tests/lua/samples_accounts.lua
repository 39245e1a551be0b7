-- The cost review's "requests behind it" on other simulated accounts than the demo's
-- default: the lean scenario, the demo with another seed, and planted-problem accounts
-- (tests/planted/planted.lua) whose plants include every sampled kind (expensive model on a
-- key and spread over keys, caching, cache writes). Each account runs
-- tests/lua/review_samples_account.lua in its own simulator.
--   orscript tests/lua/samples_accounts.lua BIN WORKDIR
package.path = "tests/planted/?.lua;" .. package.path
local planted = require "planted"
local bin, work = assert(arg[1], "usage: samples_accounts.lua BIN WORKDIR"), assert(arg[2])

local function q(s) return "'" .. s:gsub("'", "'\\''") .. "'" end
os.execute("mkdir -p " .. q(work))
local accounts = {
  { name = "lean", args = "--scenario lean --now 2026-11-18T12:00:00Z" },
  { name = "demo seed 5", args = "--seed 5 --now 2026-11-18T12:00:00Z" },
}
for _, seed in ipairs({ 1, 13, 15 }) do
  local a = planted.generate(seed)
  local file = work .. "/samples-planted-" .. seed .. ".json"
  local f = assert(io.open(file, "w"))
  f:write(planted.encode(a.scenario))
  f:close()
  accounts[#accounts + 1] = { name = "planted " .. seed,
                              args = string.format("--scenario %s --seed %d --now %s", q(file), seed, a.now) }
end
local failed = 0
for _, a in ipairs(accounts) do
  local cmd = string.format("%s --demo %s tests/lua/review_samples_account.lua 2>&1", q(bin), a.args)
  local p = io.popen(cmd)
  local out = p:read("*a")
  local ok = p:close()
  if ok and out:find("review_samples_account: ok", 1, true) and out:find("0 failed", 1, true) then
    print(a.name .. ": " .. out:match("review_samples_account: ok %(([^)]*)%)"))
  else
    failed = failed + 1
    io.stderr:write("FAIL ", a.name, "\n", out, "\n")
  end
end
print(string.format("%d accounts, %d failed", #accounts, failed))
if failed > 0 then os.exit(1) end
