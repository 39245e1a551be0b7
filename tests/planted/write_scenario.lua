-- tests/planted/write_scenario.lua SEED FILE: writes the planted account of SEED as a simulator
-- scenario to FILE and prints its --now (for tests that run something else on a planted account,
-- e.g. lua/code_review_planted in tests/CMakeLists.txt).
local here = (debug.getinfo(1, "S").source:match("^@(.-)[^/\\]*$") or ""):gsub("^$", "./") .. "?.lua"
package.path = here .. ";" .. package.path
local planted = require "planted"
local seed, file = tonumber(arg[1]), arg[2]
if not seed or not file then io.stderr:write("usage: orscript tests/planted/write_scenario.lua SEED FILE\n") os.exit(2) end
local account = planted.generate(seed)
local f = assert(io.open(file, "wb"))
f:write(planted.encode(account.scenario))
f:close()
print(account.now)
