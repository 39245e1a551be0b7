-- The cost review's --code option and orscript.code.find on the fixture tree tests/code/tree
-- (copied to a temporary folder made a git work tree, with a .gitignore'd file and a binary
-- file added): the demo review names the right files and lines for every recommendation,
-- none from comments, vendored folders, the ignored file or the binary file, in every output.
package.path = "recipes/?.lua;" .. package.path
local T = require "testlib"
local report = require "orscript.report"

local function sh(cmd) local ok = os.execute(cmd); return ok == 0 or ok == true end
local function capture(cmd) local p = io.popen(cmd); local s = p:read("*a"); p:close(); return (s:gsub("%s+$", "")) end
local function write(path, text) local f = assert(io.open(path, "wb")); f:write(text); f:close() end

local tmp = capture("mktemp -d")
assert(tmp:match("^/"), "mktemp -d failed")
assert(sh("cp -R tests/code/tree/. '" .. tmp .. "'"))
local have_git = sh("git --version >/dev/null 2>&1")
if have_git then assert(sh("git init -q '" .. tmp .. "'")) end
-- Ignored by .gitignore: found only when the tree is walked without git.
write(tmp .. "/services/batch/local_settings.py", 'model = "openai/gpt-4.5-preview"\n')
-- A binary file with the slug in it: skipped.
write(tmp .. "/services/batch/weights.json", '{"model": "openai/gpt-4.5-preview"}\0\0\1\2')

local review = require "cost_review"
local data = review.run { code = { tmp } }

local EXPECTED = {
  -- The model's line in the file that reads the key's variable, then its folder, then the key;
  -- services/reports/summary.py calls the same model with another key: not this key's code.
  expensive_model = { "services/batch/run.py:9", "services/batch/config.yaml:5", "deploy/batch.yaml:13" },
  caching = { "Dockerfile:3", "services/sales/.env.example:3", "services/sales/copilot.ts:6" },
  growth = { "services/sales/.env.example:2", "services/sales/copilot.ts:4" },
  web_search = { "services/research/agent.go:12", "src/Program.cs:6" },
  reasoning = { "services/research/agent.go:7", "services/research/settings.toml:3" },
  file_parsing = { "config/app.ini:3", "config/app.json:3", "services/docs/portal.rb:3" },
  prompt_trimming = { "config/app.json:4", "infra/main.tf:3", "services/batch/config.yaml:7" },
}

T.test("every recommendation names its places, best first, and only those", function()
  T.eq(#data.recommendations, 7, "recommendations")
  for _, r in ipairs(data.recommendations) do
    local want = T.truthy(EXPECTED[r.kind], "an expected list for " .. r.kind)
    local got = {}
    for i, w in ipairs(r.where or {}) do got[i] = w.file .. ":" .. w.line end
    T.eq(table.concat(got, " "), table.concat(want, " "), r.kind)
  end
end)

T.test("a where entry carries the line and the name it is assigned to", function()
  local r = data.recommendations[1]
  T.eq(r.kind, "expensive_model")
  T.eq(r.where[1].text, 'model = "openai/gpt-4.5-preview"')
  T.eq(r.where[1].name, "model")
  T.eq(r.where[2].name, "model")
  T.eq(r.where[3].text, "value: batch-pipeline")
end)

local BAD = { "node_modules", "vendor/", "dist/", "local_settings", "weights.json", "reports/summary.py" }
local function clean_of_decoys(text, what)
  for _, b in ipairs(BAD) do T.eq(text:find(b, 1, true), nil, what .. " names " .. b) end
end

T.test("the terminal, Markdown, HTML and JSON reports and the verify script show the places", function()
  local term = report.terminal(data, { color = false })
  T.truthy(term:find('Where   services/batch/run.py:9 model = "openai/gpt-4.5-preview"', 1, true), "terminal")
  local md = report.markdown(data)
  T.truthy(md:find('- **Where:** `services/batch/run.py:9 model = "openai/gpt-4.5-preview"`', 1, true), "markdown")
  local html = report.html(data)
  T.truthy(html:find('<dt>Where</dt><dd class="where" style="overflow-wrap:anywhere"><code>services/batch/run.py:9', 1, true), "html")
  local doc = orscript.json.decode(review.json_report(data))
  T.eq(doc.recommendations[1].where[1].file, "services/batch/run.py", "json")
  T.eq(doc.recommendations[1].where[1].line, 9, "json line")
  T.eq(doc.recommendations[1].where[1].name, "model", "json name")
  local v = data.verify_script
  T.truthy(v:find('--    where: services/batch/run.py:9 model = "openai/gpt-4.5-preview"', 1, true), "verify comment")
  T.truthy(v:find('where = { "services/batch/run.py:9", "services/batch/config.yaml:5", "deploy/batch.yaml:13" },', 1, true),
    "verify check")
  T.truthy(assert(load(v)), "the verify script still compiles")
  for what, text in pairs { terminal = term, markdown = md, html = html, verify = v, json = review.json_report(data) } do
    clean_of_decoys(text, what)
  end
end)

T.test("without --code nothing changes: no where, no verify lines", function()
  local plain = review.run {}
  for _, r in ipairs(plain.recommendations) do T.eq(r.where, nil, r.kind) end
  T.eq(plain.verify_script:find("--    where:", 1, true), nil, "verify script comment")
  T.eq(plain.verify_script:find("c.where", 1, true), nil, "verify script print")
  T.eq(report.terminal(plain, { color = false }):find("Where", 1, true), nil, "terminal")
end)

T.test("orscript.code.find: slugs of dated permaslugs, env names of keys, comments on request", function()
  local r = orscript.code.find { dirs = { tmp }, models = { "openai/gpt-4.5-preview-2025-02-27" },
                                 keys = { "batch-pipeline" } }
  local seen = {}
  for _, m in ipairs(r.matches) do
    seen[m.file .. ":" .. m.line] = m
    T.eq(m.place ~= "comment", true, "no comment without comments = true")
  end
  T.eq(seen["services/batch/run.py:9"].of, "openai/gpt-4.5-preview-2025-02-27", "a slug match names its permaslug")
  T.eq(seen["services/batch/run.py:7"].kind, "env")
  T.eq(seen["services/batch/run.py:7"].name, "BATCH_PIPELINE_KEY")
  T.eq(seen["services/batch/run.py:10"], nil, "a longer slug is not the model")
  T.eq(r.skipped_binary, 1, "the binary file")
  T.eq(r.modes[1], have_git and "git" or "walk")
  local c = orscript.code.find { dirs = { tmp }, models = { "openai/gpt-4.5-preview" }, comments = true }
  local last = c.matches[#c.matches]
  T.eq(last.place, "comment", "comments come last")
  local walked = orscript.code.find { dirs = { tmp }, models = { "openai/gpt-4.5-preview" }, git = false }
  local found_ignored = false
  for _, m in ipairs(walked.matches) do
    if m.file == "services/batch/local_settings.py" then found_ignored = true end
    T.eq(m.file:find("node_modules", 1, true), nil, "walk skips node_modules")
  end
  T.eq(found_ignored, true, "a walk (no git) does not read .gitignore")
  T.eq(orscript.code.slug_of("anthropic/claude-sonnet-4-20250514"), "anthropic/claude-sonnet-4")
  T.eq(orscript.code.slug_of("deepseek/deepseek-r1-0528"), nil)
  T.eq(orscript.code.env_names("batch-pipeline")[1], "BATCH_PIPELINE_KEY")
end)

T.test("orscript.code.find: bad input is a usage error naming the problem", function()
  T.raises(function() orscript.code.find { dirs = { tmp }, modles = { "a/b" } } end, "unknown option 'modles'")
  T.raises(function() orscript.code.find { models = { "a/b/c" } } end, "give 'dirs'")
  T.raises(function() orscript.code.find { dirs = { tmp .. "/nope" }, models = { "a/b/c" } } end, "is not a folder")
  T.raises(function() orscript.code.find { dirs = { tmp }, limit = 0 } end, "invalid 'limit'")
  T.raises(function() orscript.code.find { dirs = { tmp }, needles = { { text = "ab" } } } end, "shorter than 3")
end)

T.test("a key or app named by a short plain word is found only through the key's variables", function()
  local dir = tmp .. "/plain-words"
  assert(sh("mkdir -p '" .. dir .. "'"))
  write(dir .. "/x.py", 'env = "prod"\ntitle = "chatbot"\nkey = os.environ["PROD_KEY"]\n')
  local R = require "review_code"
  local recs = { { kind = "growth", key = "prod" }, { kind = "web_search", app = "chatbot" } }
  R.attach(recs, { dir })
  T.eq(#recs[1].where, 1, "only the variable")
  T.eq(R.line(recs[1].where[1]), 'x.py:3 key = os.environ["PROD_KEY"]')
  T.eq(recs[2].where, nil, "a one-word app is not searched")
end)

sh("rm -rf '" .. tmp .. "'")
T.done()
