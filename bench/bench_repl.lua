-- bench_repl.lua: what one Tab or one .schema costs in the REPL's Lua side
-- (scripts/orscript/repl.lua), per call, after the catalogue is loaded.
--   build/orscript --demo --now 2026-11-18T12:00:00Z bench/bench_repl.lua [calls]
-- Not run by CTest; results in bench/README.md ("REPL completion").
local R = require "orscript.repl"
local n = tonumber(arg and arg[1]) or 2000

local function time(label, f, calls)
  f() -- first call: loads what it needs (catalogue, submodules)
  local t0 = os.clock()
  for _ = 1, calls do f() end
  print(string.format("%-44s %8.1f us per call", label, (os.clock() - t0) / calls * 1e6))
end

time('complete("", "")            all globals', function() return R.complete("", "") end, n)
time('complete("", "orscript.")   lazy fields', function() return R.complete("", "orscript.") end, n)
time('complete("", "orscript.time.")', function() return R.complete("", "orscript.time.") end, n)
time('complete(\'"\', "p9")        catalogue', function() return R.complete('"', "p9") end, n)
time('schema_text("", 100)        .schema', function() return R.schema_text("", 100) end, math.max(1, math.floor(n / 4)))
