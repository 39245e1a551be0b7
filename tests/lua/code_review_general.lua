-- The cost review's --code hooks on any account (run by CTest on other scenarios and seeds,
-- tests/CMakeLists.txt): against the fixture tree tests/code/tree, every "where" a
-- recommendation gets is a line of a scanned file that holds one of the recommendation's own
-- names (model, its slug, key, the key's variable names, app), never in a vendored folder; a
-- recommendation whose names appear nowhere in the tree has no "where"; and the JSON report
-- carries exactly what the recommendations carry.
package.path = "recipes/?.lua;" .. package.path
local T = require "testlib"
local review = require "cost_review"

local ROOT = "tests/code/tree"
local data = review.run { code = { ROOT } }

local files = {}
local p = io.popen("find " .. ROOT .. " -type f")
for path in p:lines() do
  local f = io.open(path, "rb")
  files[path:sub(#ROOT + 2)] = f:read("*a")
  f:close()
end
p:close()

local function names(r)
  local out = {}
  local function add(v) if type(v) == "string" and #v >= 3 then out[#out + 1] = v end end
  add(r.model); add(orscript.code.slug_of(r.model)); add(r.key); add(r.app)
  for _, k in ipairs(r.keys or {}) do add(k.key) end
  for _, k in ipairs({ r.key, unpack((function() local l = {} for i, k in ipairs(r.keys or {}) do l[i] = k.key end return l end)()) }) do
    for _, e in ipairs(orscript.code.env_names(k)) do add(e) end
  end
  return out
end

local function line_of(text, n)
  local i = 0
  for l in (text .. "\n"):gmatch("(.-)\n") do i = i + 1; if i == n then return l end end
end

T.test("every where is a real line holding one of the recommendation's names", function()
  local with, without = 0, 0
  for _, r in ipairs(data.recommendations) do
    local ns = names(r)
    local anywhere = false
    for _, text in pairs(files) do
      for _, n in ipairs(ns) do if text:find(n, 1, true) then anywhere = true end end
    end
    if not anywhere then T.eq(r.where, nil, r.title .. ": no name in the tree, so no where") end
    if r.where then with = with + 1 else without = without + 1 end
    T.truthy(#(r.where or {}) <= 3, "at most 3 places")
    for _, w in ipairs(r.where or {}) do
      for _, bad in ipairs { "node_modules/", "vendor/", "dist/" } do
        T.eq(w.file:find(bad, 1, true), nil, "a vendored folder: " .. w.file)
      end
      local text = T.truthy(files[w.file], "a file of the tree: " .. w.file)
      local l = T.truthy(line_of(text, w.line), w.file .. ":" .. w.line)
      local hit = false
      for _, n in ipairs(ns) do if l:find(n, 1, true) then hit = true end end
      T.truthy(hit, w.file .. ":" .. w.line .. " holds a name of " .. r.title)
      T.eq(l:match("^%s*[#;]") or l:match("^%s*//"), nil, "not a comment line: " .. l)
    end
  end
  print(string.format("%d recommendations with a place, %d without", with, without))
end)

T.test("the JSON report carries the same places", function()
  local doc = orscript.json.decode(review.json_report(data))
  for i, r in ipairs(data.recommendations) do
    local o = doc.recommendations[i]
    T.eq(#(o.where or {}), #(r.where or {}), r.title)
  end
end)

-- A tree written from this account's own recommendations: svc_<i>/settings.py assigns rec i's
-- model, key and app; the same lines in comments and under node_modules/ are decoys.
T.test("on a tree made from the account's own names, each recommendation finds its own file", function()
  local plain = review.run {}
  local tmp = io.popen("mktemp -d"):read("*l")
  local subjects, count = {}, {}
  for i, r in ipairs(plain.recommendations) do
    local lines, set = {}, {}
    local function add(name, v)
      if type(v) == "string" and #v >= 3 and not v:find("^%(") then
        lines[#lines + 1] = string.format("%s = %q", name, v)
        set[v] = true
      end
    end
    add("MODEL", r.model); add("KEY_NAME", r.key); add("APP_TITLE", r.app)
    for _, k in ipairs(r.keys or {}) do set[k.key] = true end  -- a model spread over keys: theirs too
    subjects[i], count[i] = set, #lines
    if #lines > 0 then
      os.execute(string.format("mkdir -p '%s/svc_%d' '%s/node_modules/svc_%d'", tmp, i, tmp, i))
      local body = table.concat(lines, "\n") .. "\n"
      local decoy = "# " .. table.concat(lines, "\n# ") .. "\n"
      for path, text in pairs { ["/svc_" .. i .. "/settings.py"] = decoy .. body,
                                ["/node_modules/svc_" .. i .. "/settings.py"] = body } do
        local f = assert(io.open(tmp .. path, "wb")); f:write(text); f:close()
      end
    end
  end
  local coded = review.run { code = { tmp } }
  T.eq(#coded.recommendations, #plain.recommendations, "the same recommendations")
  for i, r in ipairs(coded.recommendations) do
    if next(subjects[i]) then
      T.truthy(r.where, r.title .. ": a place")
      for _, w in ipairs(r.where) do
        local j = tonumber(w.file:match("^svc_(%d+)/settings%.py$"))
        T.truthy(j, "a file written for a recommendation: " .. w.file)
        local shared = false
        for v in pairs(subjects[j]) do if subjects[i][v] then shared = true end end
        T.truthy(shared, w.file .. " shares a name with " .. r.title)
        T.truthy(w.line > count[j], "not one of the commented lines: " .. w.file .. ":" .. w.line)
      end
    end
  end
  os.execute("rm -rf '" .. tmp .. "'")
end)

T.done()
