-- check_review: compares a cost review's data (recipes/cost_review.lua) with the
-- simulator's ground truth (require("orscript.core").demo_ground_truth()).
--
-- As a module (tests/lua/test_cost_review.lua):
--   local problems = require("check_review").compare(data, truth)   -- {} when they agree
-- As a script, with the same --demo/--scenario/--now flags the review ran with:
--   orscript --demo --scenario lean --now 2026-11-18T12:00:00Z tests/lua/check_review.lua review.json
-- prints "check_review: ok ..." and exits 0, or lists the disagreements and exits 1.
--
-- What must hold (issue 6, "Acceptance"):
--   * every ground-truth item with recommend = true is recommended (same kind and
--     model / key / app), with impact_usd (monthly) within 1%;
--   * every recommendation matches a ground-truth item (no unsupported advice);
--   * every "repointed" item appears as an observation of kind "repointed" for that key
--     (and models), never as a recommendation for that key;
--   * the baseline matches; no_findings is set exactly when nothing is recommended;
--   * the review sent at most 15 requests.
local M = {}

M.TOLERANCE = 0.01
M.MAX_REQUESTS = 15

local null = orscript.null

local function val(v)
  if v == nil or v == null then return nil end
  return v
end

local function near(got, want, tol)
  if type(got) ~= "number" or type(want) ~= "number" then return false end
  return math.abs(got - want) <= (tol or M.TOLERANCE) * math.max(math.abs(want), 1e-9)
end

-- The identity of an item: kind plus what it is about (the key, model and app it names).
local function ident(x)
  return table.concat({ tostring(x.kind), tostring(val(x.key)), tostring(val(x.model)), tostring(val(x.app)) }, "|")
end
M.ident = ident

local function list(v)
  if type(v) ~= "table" then return {} end
  return v
end

-- The --json report (docs/review-json.md, version 1) as the data table compare() reads.
function M.from_json(doc)
  if doc.version ~= 1 then return doc end
  local b = doc.baseline or {}
  b.spend, b.tokens = b.total_usage, b.tokens_total
  if type(doc.window) == "table" and type(doc.window.from) == "string" then doc.window.start = doc.window.from:sub(1, 10) end
  doc.no_findings = #list(doc.recommendations) == 0
  return doc
end

-- Returns a list of problems (strings); empty when the review agrees with the truth.
function M.compare(data, truth)
  local problems = {}
  local function bad(fmt, ...) problems[#problems + 1] = string.format(fmt, ...) end

  local recs = list(data.recommendations)
  local by_ident = {}
  for _, r in ipairs(recs) do
    local id = ident(r)
    if by_ident[id] then bad("recommendation %s appears twice", id) end
    by_ident[id] = r
  end
  local truth_ids, n_truth = {}, 0
  for _, item in ipairs(list(truth.items)) do
    if item.recommend == true then
      n_truth = n_truth + 1
      local id = ident(item)
      truth_ids[id] = item
      local r = by_ident[id]
      if not r then
        bad("missed %s (ground truth impact $%.2f)", id, item.impact_usd)
      elseif not near(r.impact_usd, item.impact_usd) then
        bad("%s: impact $%.4f, ground truth $%.4f (more than 1%% apart)", id, tonumber(r.impact_usd) or 0 / 0,
          item.impact_usd)
      end
      if r and item.kind == "expensive_model" and val(item.alternative) and val(r.alternative) ~= item.alternative then
        bad("%s: alternative %s, ground truth %s", id, tostring(val(r.alternative)), tostring(item.alternative))
      end
    end
  end
  for _, r in ipairs(recs) do
    if not truth_ids[ident(r)] then
      bad("recommendation %s (impact $%.2f) is not supported by the ground truth", ident(r), tonumber(r.impact_usd) or 0)
    end
  end
  for i = 2, #recs do
    if (tonumber(recs[i].impact_usd) or 0) > (tonumber(recs[i - 1].impact_usd) or 0) then
      bad("recommendations are not ordered by impact (%d before %d)", i - 1, i)
    end
  end

  -- Repointed keys: an observation, never a recommendation.
  local obs = list(data.observations)
  for _, item in ipairs(list(truth.items)) do
    if item.kind == "repointed" then
      local found
      for _, o in ipairs(obs) do
        if type(o) == "table" and o.kind == "repointed" and o.key == item.key then found = o end
      end
      if not found then
        bad("repointed key %s (%s -> %s on %s) is not reported as an observation", item.key, item.from_model,
          item.to_model, item.date)
      else
        if found.from_model ~= item.from_model or found.to_model ~= item.to_model then
          bad("repointed %s: %s -> %s, ground truth %s -> %s", item.key, tostring(found.from_model),
            tostring(found.to_model), item.from_model, item.to_model)
        end
        if val(found.date) ~= item.date then
          bad("repointed %s: date %s, ground truth %s", item.key, tostring(val(found.date)), item.date)
        end
        if not near(found.weekly_before, item.weekly_before) or not near(found.weekly_after, item.weekly_after) then
          bad("repointed %s: weekly $%.2f -> $%.2f, ground truth $%.2f -> $%.2f", item.key,
            tonumber(found.weekly_before) or 0 / 0, tonumber(found.weekly_after) or 0 / 0, item.weekly_before,
            item.weekly_after)
        end
      end
      for _, r in ipairs(recs) do
        if val(r.key) == item.key and not truth_ids[ident(r)] then
          bad("recommendation %s targets the repointed key %s", ident(r), item.key)
        end
      end
    end
  end

  -- Baseline, window, no_findings, request count.
  local b, tb = data.baseline or {}, truth.baseline or {}
  if not near(b.spend, tb.total_usage) then bad("baseline spend %s, ground truth %s", tostring(b.spend), tostring(tb.total_usage)) end
  if not near(b.blended_per_mtok, tb.blended_per_mtok) then
    bad("blended rate %s, ground truth %s", tostring(b.blended_per_mtok), tostring(tb.blended_per_mtok))
  end
  if truth.month and data.window and data.window.start ~= truth.month.start then
    bad("window starts %s, ground truth month starts %s", tostring(data.window.start), tostring(truth.month.start))
  end
  if (data.no_findings == true) ~= (n_truth == 0) then
    bad("no_findings is %s but the ground truth has %d recommendation(s)", tostring(data.no_findings), n_truth)
  end
  local requests = data.stats and val(data.stats.requests)
  if type(requests) ~= "number" then
    bad("the review did not report its request count")
  elseif requests > M.MAX_REQUESTS then
    bad("the review sent %d requests (at most %d allowed)", requests, M.MAX_REQUESTS)
  end
  return problems, n_truth
end

local function is_main()
  return type(arg) == "table" and type(arg[0]) == "string" and arg[0]:match("([^/\\]+)$") == "check_review.lua"
end

if is_main() then
  local path = arg[1]
  if not path then
    io.stderr:write("usage: orscript --demo [--scenario NAME] --now TIME tests/lua/check_review.lua REVIEW.json\n")
    os.exit(2)
  end
  local f = assert(io.open(path, "rb"))
  local data = M.from_json(orscript.json.decode(f:read("*a")))
  f:close()
  local truth = require("orscript.core").demo_ground_truth()
  local problems, n_truth = M.compare(data, truth)
  if #problems > 0 then
    for _, p in ipairs(problems) do io.stderr:write("check_review: ", p, "\n") end
    os.exit(1)
  end
  print(string.format("check_review: ok (%s: %d recommendation(s), %d ground-truth item(s), %s requests)",
    tostring(truth.scenario), #list(data.recommendations), n_truth, tostring(data.stats.requests)))
end

return M
