-- testlib: a tiny test harness for Lua tests run by `orscript --demo`.
--   local T = require "testlib"
--   T.test("name", function() T.eq(1 + 1, 2) end)
--   T.done()   -- prints "N passed, M failed" and exits non-zero on failure
local T = {}
local passed, failed = 0, 0

local function show(v)
  if type(v) == "string" then return string.format("%q", v) end
  return tostring(v)
end

function T.test(name, fn)
  local ok, err = xpcall(fn, function(e)
    return debug.traceback(tostring(e), 2)
  end)
  if ok then
    passed = passed + 1
  else
    failed = failed + 1
    io.stderr:write("FAIL ", name, "\n", tostring(err), "\n")
  end
end

function T.eq(got, want, what)
  if got ~= want then
    error(string.format("%sexpected %s, got %s", what and (what .. ": ") or "", show(want), show(got)), 2)
  end
end

function T.near(got, want, rel, what)
  rel = rel or 1e-9
  if type(got) ~= "number" or math.abs(got - want) > rel * math.max(1, math.abs(want)) then
    error(string.format("%sexpected ~%s, got %s", what and (what .. ": ") or "", show(want), show(got)), 2)
  end
end

function T.truthy(v, what)
  if not v then error((what or "expected a true value") .. ", got " .. show(v), 2) end
  return v
end

-- Calls fn, expects it to raise; the error's text (tostring) must match `pattern`
-- (a plain substring). Returns the error value.
function T.raises(fn, pattern, what)
  local ok, err = pcall(fn)
  if ok then error((what or "expected an error") .. " matching '" .. pattern .. "', but none was raised", 2) end
  local text = tostring(err)
  if pattern and not text:find(pattern, 1, true) then
    error(string.format("error %s does not contain %s", show(text), show(pattern)), 2)
  end
  return err
end

function T.done()
  print(string.format("%d passed, %d failed", passed, failed))
  if failed > 0 then os.exit(1) end
end

return T
