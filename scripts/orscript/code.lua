-- orscript.code: where the names the API reports (models, keys, apps) live in a source tree.
--
-- Owns: turning models, keys and apps into exact-match needles (a dated permaslug also as its
-- slug; a key also as the environment-variable names it is commonly kept in; an origin with
-- and without its trailing slash) and checking the options. The scan itself is C++
-- (host/core/code_scan.cpp, through core.code_find). Reference: docs/scripting.md, "Source code".
local core = require "orscript.core"
local U = require "orscript.util"

local M = {}

-- "openai/gpt-4o-2024-05-13" or "anthropic/claude-sonnet-4-20250514" -> the slug without the
-- date; nil when the name carries no date (a four-digit suffix such as -0528 is part of the name).
function M.slug_of(model)
  if type(model) ~= "string" then return nil end
  local s = model:match("^(.-)%-%d%d%d%d%-%d%d%-%d%d$") or model:match("^(.-)%-20%d%d[01]%d[0-3]%d$")
  if s and s:find("/", 1, true) and #s >= 3 then return s end
  return nil
end

-- The environment-variable names a key called `name` is commonly kept in:
-- "batch-pipeline" -> BATCH_PIPELINE_KEY, BATCH_PIPELINE_API_KEY, OPENROUTER_BATCH_PIPELINE_KEY, ...
function M.env_names(name)
  if type(name) ~= "string" then return {} end
  local s = name:upper():gsub("[^%w]+", "_"):gsub("^_+", ""):gsub("_+$", "")
  if s == "" or s:match("^%d") then return {} end
  local out = { s .. "_KEY", s .. "_API_KEY", "OPENROUTER_" .. s .. "_KEY", "OPENROUTER_" .. s .. "_API_KEY",
                "OPENROUTER_KEY_" .. s, "OPENROUTER_API_KEY_" .. s }
  if s:match("_KEY$") then table.insert(out, 1, s) end
  return out
end

local OPTIONS = U.set { "dir", "dirs", "models", "keys", "apps", "envs", "needles", "comments", "git", "max_bytes", "limit" }

local function list_of_strings(fname, name, v)
  if v == nil then return {} end
  if type(v) == "string" then return { v } end
  if type(v) ~= "table" then U.usage("%s: invalid '%s': expected a list of strings, got %s", fname, name, type(v)) end
  for i, x in ipairs(v) do
    if type(x) ~= "string" then U.usage("%s: invalid '%s'[%d]: expected a string, got %s", fname, name, i, type(x)) end
  end
  return v
end

-- orscript.code.find{dirs =, models =, keys =, apps =, envs =, needles =, comments =, git =,
-- max_bytes =, limit =} -> {matches = {...}, files =, bytes =, skipped_binary =, skipped_large =,
-- modes =, truncated =}. Each match: root, file, line, column, text, name, needle, kind, of, place.
function M.find(opts)
  local F = "orscript.code.find"
  U.check_options(F, opts, OPTIONS)
  if opts == nil then U.usage("%s: expected a table with dirs and models, keys, apps, envs or needles", F) end
  local dirs = {}
  for _, d in ipairs(list_of_strings(F, "dir", opts.dir)) do dirs[#dirs + 1] = d end
  for _, d in ipairs(list_of_strings(F, "dirs", opts.dirs)) do dirs[#dirs + 1] = d end
  if #dirs == 0 then U.usage("%s: give 'dirs' (a list of folders) or 'dir'", F) end
  for k, v in pairs { comments = opts.comments, git = opts.git } do
    if v ~= nil and type(v) ~= "boolean" then U.usage("%s: invalid '%s': expected a boolean, got %s", F, k, type(v)) end
  end
  for k, v in pairs { max_bytes = opts.max_bytes, limit = opts.limit } do
    if v ~= nil and not (U.is_integer(v) and v >= 1) then
      U.usage("%s: invalid '%s': expected a positive integer, got %s", F, k, U.show(v))
    end
  end
  local needles, seen = {}, {}
  local function add(text, kind, of)
    if type(text) ~= "string" or #text < 3 or seen[text] then return end
    seen[text] = { kind = kind, of = of }
    needles[#needles + 1] = { text = text, kind = kind }
  end
  for _, m in ipairs(list_of_strings(F, "models", opts.models)) do
    add(m, "model", m)
    add(M.slug_of(m), "model", m)
  end
  for _, k in ipairs(list_of_strings(F, "keys", opts.keys)) do
    add(k, "key", k)
  end
  for _, k in ipairs(list_of_strings(F, "keys", opts.keys)) do
    for _, e in ipairs(M.env_names(k)) do add(e, "env", k) end
  end
  for _, a in ipairs(list_of_strings(F, "apps", opts.apps)) do
    add(a, "app", a)
    if a:match("^https?://") and a:match("/$") then add((a:gsub("/+$", "")), "app", a) end
  end
  for _, e in ipairs(list_of_strings(F, "envs", opts.envs)) do add(e, "env", e) end
  if opts.needles ~= nil then
    if type(opts.needles) ~= "table" then U.usage("%s: invalid 'needles': expected a list of {text =, kind =}", F) end
    for i, n in ipairs(opts.needles) do
      if type(n) ~= "table" or type(n.text) ~= "string" then
        U.usage("%s: invalid 'needles'[%d]: expected {text = string, kind = string}", F, i)
      end
      if #n.text < 3 then U.usage("%s: invalid 'needles'[%d]: %s is shorter than 3 characters", F, i, U.show(n.text)) end
      add(n.text, type(n.kind) == "string" and n.kind or "text", n.text)
    end
  end
  local r = core.code_find { dirs = dirs, needles = needles, comments = opts.comments, git = opts.git,
                             max_bytes = opts.max_bytes, limit = opts.limit }
  for _, m in ipairs(r.matches) do m.of = seen[m.needle].of end
  return r
end

return U.module("orscript.code", M)
