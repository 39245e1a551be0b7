-- Runs every ```lua example in docs/*.md and README.md, so the reference and its
-- examples cannot drift apart. A block that starts with `-- no-run` is shown only
-- (e.g. a REPL transcript or an example that needs a real key). Each block runs in
-- its own environment (globals it sets do not leak into the next).
local T = require "testlib"

local function list_docs()
  local files = { "README.md" }
  local p = io.popen("ls docs/*.md 2>/dev/null")
  for line in p:lines() do files[#files + 1] = line end
  p:close()
  return files
end

local blocks = 0
for _, path in ipairs(list_docs()) do
  local f = assert(io.open(path))
  local text = f:read("*a")
  f:close()
  local line_no, in_block, start, buf = 0, false, 0, {}
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do
    line_no = line_no + 1
    if not in_block and line:match("^%s*```lua%s*$") then
      in_block, start, buf = true, line_no + 1, {}
    elseif in_block and line:match("^%s*```%s*$") then
      in_block = false
      local code = table.concat(buf, "\n")
      if not code:match("^%s*%-%- no%-run") then
        blocks = blocks + 1
        local name = string.format("%s:%d", path, start)
        T.test(name, function()
          local env = setmetatable({}, { __index = _G })
          local chunk, err = load(code, "@" .. name)
          if not chunk then error(err, 0) end
          setfenv(chunk, env)
          chunk()
        end)
      end
    elseif in_block then
      -- keep line numbers aligned with the file for error messages
      buf[#buf + 1] = line
    end
  end
end
T.truthy(blocks > 0, "found no ```lua examples in the docs")
T.done()
