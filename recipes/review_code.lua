-- recipes/review_code.lua: the cost review's --code option, "where" each finding lives.
--
-- Owns: taking the --code DIR options out of the command line, checking the folders, one
-- orscript.code.find over them for every model, key and app the recommendations name, and
-- attaching to each recommendation the best few places (`rec.where`, best first). Does not
-- own the scan (host/core/code_scan.cpp) or the rendering (each renderer shows rec.where).
local here = (debug.getinfo(1, "S").source:match("^@(.-)[^/\\]*$") or ""):gsub("^$", "./") .. "?.lua"
if not package.path:find(here, 1, true) then package.path = here .. ";" .. package.path end
local C = require "common"

local R = {}

-- At most this many places per recommendation: the ones to open first, not an index.
R.MAX_WHERE = 3

-- Removes every `--code DIR` / `--code=DIR` from argv; returns the other arguments and the dirs.
function R.take_args(argv)
  local rest, dirs = {}, {}
  local i = 1
  while i <= #argv do
    local a = argv[i]
    local inline = a:match("^%-%-code=(.*)$")
    if inline then
      dirs[#dirs + 1] = inline
    elseif a == "--code" then
      if argv[i + 1] == nil then C.usage_error("option --code needs a value: the root folder of a source tree") end
      dirs[#dirs + 1] = argv[i + 1]
      i = i + 1
    else
      rest[#rest + 1] = a
    end
    i = i + 1
  end
  return rest, dirs
end

-- One usage line for a --code path that is not a folder (before any query is sent).
function R.check(dirs)
  for _, d in ipairs(dirs or {}) do
    if d == "" then C.usage_error("--code needs a folder, got an empty value") end
    local f = io.open(d, "rb")
    local exists = f ~= nil
    if f then f:close() end
    local probe = io.open(d .. "/.", "rb")
    local is_dir = probe ~= nil
    if probe then probe:close() end
    if not exists and not is_dir then
      C.usage_error("--code %s: no such folder; give the root of a source tree", d)
    elseif not is_dir then
      C.usage_error("--code %s: is a file, not a folder; give the root of a source tree", d)
    end
  end
end

local function real(v) return type(v) == "string" and v ~= "" and v:sub(1, 1) ~= "(" end

-- A key or app called by a short plain word ("prod", "default", "chatbot") would match every
-- config file that says so: such a name is not searched as such (a key still is through the
-- variable names it is kept in, BATCH_KEY and so on).
local function specific(v) return not (v:match("^%a+$") and #v < 10) end

-- The models, keys and apps a recommendation is about (the model to change, not the target).
local function subjects(r)
  local s = { models = {}, keys = {}, apps = {} }
  if real(r.model) then s.models[#s.models + 1] = r.model end
  if real(r.key) then s.keys[#s.keys + 1] = r.key end
  if real(r.app) then s.apps[#s.apps + 1] = r.app end
  for _, k in ipairs(type(r.keys) == "table" and r.keys or {}) do
    if type(k) == "table" and real(k.key) then s.keys[#s.keys + 1] = k.key end
  end
  return s
end

-- Model lines first (the line to edit), then apps, keys, and the variables keys live in.
local KIND_RANK = { model = 0, app = 1, key = 1, env = 2 }

local function dir_of(file) return file:match("^(.*)/[^/]*$") or "" end
local PLACE_RANK = { assignment = 0, value = 1, comment = 2 }

-- Scans `dirs` once and sets rec.where = { {file =, line =, text =, name =}, ... } on every
-- recommendation with a match (best first, at most R.MAX_WHERE). Returns the scan's result.
function R.attach(recs, dirs)
  local models, keys, apps, envs, seen = {}, {}, {}, {}, {}
  local env_of = {}  -- env name -> the key it was made from, for keys not searched by name
  local function add(list, v) if not seen[v] then seen[v] = true; list[#list + 1] = v end end
  for _, r in ipairs(recs) do
    local s = subjects(r)
    for _, v in ipairs(s.models) do add(models, v) end
    for _, v in ipairs(s.keys) do
      if specific(v) then add(keys, v)
      else for _, e in ipairs(orscript.code.env_names(v)) do env_of[e] = v; add(envs, e) end end
    end
    for _, v in ipairs(s.apps) do if specific(v) then add(apps, v) end end
  end
  local res = orscript.code.find { dirs = dirs, models = models, keys = keys, apps = apps, envs = envs }
  for _, m in ipairs(res.matches) do m.of = env_of[m.needle] or m.of end
  for _, r in ipairs(recs) do
    local s = subjects(r)
    local mine = {}
    for _, list in pairs(s) do for _, v in ipairs(list) do mine[v] = true end end
    local picked = {}
    for i, m in ipairs(res.matches) do
      if mine[m.of] then picked[#picked + 1] = { m = m, i = i, tier = 0 } end
    end
    -- A key's recommendation about a model (move key K off model M): M's lines in the files, then
    -- the folders, where K (or its variable) appears come first, then K's own lines, then M
    -- elsewhere (other callers of the same model, not this key's code).
    if #s.keys > 0 and #s.models > 0 then
      local key_files, key_dirs = {}, {}
      for _, p in ipairs(picked) do
        if p.m.kind == "key" or p.m.kind == "env" then
          key_files[p.m.root .. "/" .. p.m.file] = true
          key_dirs[p.m.root .. "/" .. dir_of(p.m.file)] = true
        end
      end
      for _, p in ipairs(picked) do
        if p.m.kind ~= "model" then p.tier = 1
        elseif key_files[p.m.root .. "/" .. p.m.file] then p.tier = -1  -- the file that uses the key
        elseif key_dirs[p.m.root .. "/" .. dir_of(p.m.file)] then p.tier = 0
        else p.tier = 2 end
      end
    end
    table.sort(picked, function(a, b)
      if a.tier ~= b.tier then return a.tier < b.tier end
      local pa, pb = PLACE_RANK[a.m.place] or 3, PLACE_RANK[b.m.place] or 3
      if pa ~= pb then return pa < pb end
      local ka, kb = KIND_RANK[a.m.kind] or 3, KIND_RANK[b.m.kind] or 3
      if ka ~= kb then return ka < kb end
      return a.i < b.i
    end)
    local where, lines = {}, {}
    for _, p in ipairs(picked) do
      local m = p.m
      local file = #dirs > 1 and (m.root:gsub("/+$", "") .. "/" .. m.file) or m.file
      local at = file .. ":" .. m.line
      if not lines[at] then
        lines[at] = true
        where[#where + 1] = { file = file, line = m.line, text = m.text, name = m.name }
        if #where >= R.MAX_WHERE then break end
      end
    end
    if #where > 0 then r.where = where end
  end
  return res
end

-- One line for stderr: what was searched and how many recommendations got a place.
function R.summary(res, recs)
  local placed = 0
  for _, r in ipairs(recs) do if r.where then placed = placed + 1 end end
  local modes = {}
  for i, m in ipairs(res.modes) do
    modes[i] = m == "git" and "git ls-files" or m == "walk" and "walked, .gitignore not read" or m
  end
  return string.format("--code: %d files searched (%s; %d binary and %d over 1 MiB skipped): %d of %d "
    .. "recommendations placed", res.files, table.concat(modes, ", "), res.skipped_binary, res.skipped_large, placed, #recs)
end

-- "services/batch/run.py:42 model = \"openai/gpt-4.5-preview\"": one place on one line.
function R.line(w)
  return string.format("%s:%d %s", w.file, w.line, (tostring(w.text or ""):gsub("[%c\127]", " ")))
end

return R
