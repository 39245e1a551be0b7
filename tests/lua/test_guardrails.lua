-- recipes/guardrails.lua as a module on the demo account (now = 2026-11-18T12:00:00Z): the
-- method's arithmetic worked by hand, a plan that changes nothing, --apply's changes read back,
-- a second apply with nothing to do, a partial failure, and the budget ordering rule.
-- (The command line, exit codes and confirmation: tests/blackbox/test_guardrails.cpp; many
-- generated accounts: tests/planted/guardrails_check.lua.)
package.path = "recipes/?.lua;" .. package.path
local T = require "testlib"
local G = require "guardrails"
local core = require "orscript.core"
local time = orscript.time
local DAY = time.DAY

-- Every endpoint submitted while fn runs.
local function submitted(fn)
  local seen, submit = {}, core.submit
  core.submit = function(name, ...) seen[#seen + 1] = name return submit(name, ...) end
  local ok, err = pcall(fn)
  core.submit = submit
  if not ok then error(err, 0) end
  return seen
end
local function has(list, name)
  for _, v in ipairs(list) do if v == name then return true end end
  return false
end

T.test("rounding, percentile and the limit replay, worked by hand", function()
  T.eq(G.step_up(37.2), 38)
  T.eq(G.step_up(1234), 1300)
  T.eq(G.step_up(100), 100)
  T.eq(G.step_up(100.01), 110)
  T.eq(G.step_up(0.4), 1)
  T.eq(G.step_up(8.3), 9)
  T.eq(G.percentile({ 5, 1, 4, 2, 3 }, 0.95), 5)   -- nearest rank: ceil(0.95 × 5) = 5th
  T.eq(G.percentile({ 5, 1, 4, 2, 3 }, 0.5), 3)
  T.eq(G.limit_text(1300, "weekly"), "$1,300/week")
  T.eq(G.limit_text(12.5, "daily"), "$12.50/day")
  T.eq(G.limit_text(orscript.null, orscript.null), "none")
  -- Mon 2026-11-02 .. Sun 2026-11-15: $10 a day, $40 on Wed 11-04 and Thu 11-05 (abnormal).
  local mon = time.parse("2026-11-02")
  local days = {}
  for i = 0, 13 do
    local spend = (i == 2 or i == 3) and 40 or 10
    days[#days + 1] = { date = mon + i * DAY, spend = spend, abnormal = spend == 40 }
  end
  -- daily $25: refuses 15 + 15 on the two $40 days, nothing else.
  local d = G.simulate(days, 25, "daily", mon)
  T.near(d.usd, 30, 1e-12); T.eq(d.days, 2); T.eq(d.normal_days, 0); T.near(d.abnormal_usd, 30, 1e-12)
  -- weekly $100: week 1 spends 10+10+40+40 = 100 by Thursday, so Fri..Sun (3 normal days, $30)
  -- are refused; week 2 spends $70.
  local w = G.simulate(days, 100, "weekly", mon)
  T.near(w.usd, 30, 1e-12); T.eq(w.days, 3); T.eq(w.normal_days, 3); T.near(w.abnormal_usd, 0, 1e-12)
  -- monthly $150 (November): 100 by 11-05, 150 by 11-10; 11-11 .. 11-15 refused = $50.
  local m = G.simulate(days, 150, "monthly", mon)
  T.near(m.usd, 50, 1e-12); T.eq(m.days, 5)
  -- Counted only from `from`: the same weekly limit seen from the second week refuses nothing.
  T.eq(G.simulate(days, 100, "weekly", mon + 7 * DAY).usd, 0)
end)

T.test("candidates: the highest normal period is never refused, abnormal days are", function()
  local span = G.span(4, time.parse("2026-11-18T12:00:00Z"))
  T.eq(time.date(span.mon_start), "2026-10-19")
  T.eq(time.date(span.mon_stop), "2026-11-16")
  -- $10 a day, one decoy day of $24 (normal: under every threshold), and a flagged $90 day.
  local days = {}
  for d = span.from, span.today - DAY, DAY do
    local date = time.date(d)
    local spend = date == "2026-10-27" and 24 or date == "2026-11-11" and 90 or 10
    days[#days + 1] = { date = d, spend = spend, abnormal = date == "2026-11-11" }
  end
  local c = G.candidates(days, span, 1.5)
  T.eq(c.since, nil)
  T.eq(c.daily.max, 24)
  T.eq(c.daily.limit, 24)                 -- p95 $10 × 1.5 = $15 < the $24 day: the day wins
  T.eq(c.daily.blocked.normal_days, 0)
  T.near(c.daily.blocked.abnormal_usd, 66, 1e-9)
  -- Normal Monday weeks: 10-19 $70, 10-26 $84 (6 × 10 + 24), 11-02 $70; 11-09 holds the flagged
  -- day. p95 (nearest rank, 3rd of 3) = 84; × 1.5 = 126 → $130.
  T.eq(c.weekly.max, 84)
  T.eq(c.weekly.limit, 130)
  -- Week of 11-09: 10, 10, 90 (Wed), 10, 10 = $130 by Friday; Saturday and Sunday ($20, normal
  -- days of the flagged week) are refused.
  T.near(c.weekly.blocked.usd, 20, 1e-9); T.eq(c.weekly.blocked.normal_days, 2)
  T.eq(c.monthly.limit, 560)              -- 126 × 31/7 = 558 → $560; October $324, November $250
  T.eq(c.monthly.blocked.usd, 0)
  T.eq(G.choose(c, "auto", true), "daily")   -- 66 - 0 against 0 - 20 and 0
  T.eq(G.choose(c, "auto", false), "weekly") -- no finding: weekly
  T.eq(G.choose(c, "monthly", true), "monthly")
  -- Spend fell to $4 a day from Sunday 11-01: with `since`, only the days from then are normal.
  local fell = {}
  for d = span.from, span.today - DAY, DAY do
    fell[#fell + 1] = { date = d, spend = d >= time.parse("2026-11-01") and 4 or 10, abnormal = false }
  end
  local cf = G.candidates(fell, span, 1.5, time.parse("2026-11-01"))
  T.eq(time.date(cf.since), "2026-11-01")
  T.eq(cf.weekly.max, 28)                  -- weeks of 11-02 and 11-09 at $4 a day
  T.eq(cf.weekly.limit, 42)                -- 28 × 1.5
  -- The $10 days before are refused and counted apart; Sunday 11-01 shares its Monday week with
  -- six $10 days ($60 > $42), so it is the one day at the new level refused.
  T.eq(cf.weekly.blocked.normal_days, 1)
  T.truthy(cf.weekly.blocked.earlier_days > 0)
  -- A fall too recent to size on (under 14 days): ignored.
  T.eq(G.candidates(fell, span, 1.5, time.parse("2026-11-08")).since, nil)
  -- Too little history: first spend 10 days before today.
  local late = {}
  for d = span.from, span.today - DAY, DAY do
    late[#late + 1] = { date = d, spend = d >= span.today - 10 * DAY and 5 or 0, abnormal = false }
  end
  local none, why = G.candidates(late, span, 1.5)
  T.eq(none, nil)
  T.truthy(why:find("10 days of history, 21 needed", 1, true), why)
end)

T.test("a plan reads and proposes, and sends no change", function()
  local before = orscript.key_info("internal-chat")
  local plan
  local sent = submitted(function() plan = G.plan {} ; G.render(plan) end)
  T.truthy(not has(sent, "key_update") and not has(sent, "budget_set") and not has(sent, "budget_delete"),
    "no write: " .. table.concat(sent, ","))
  local after = orscript.key_info("internal-chat")
  T.eq(after.limit, before.limit)
  T.eq(after.limit_reset, before.limit_reset)
  T.eq(#plan.keys, 12)
  local by = {}
  for _, k in ipairs(plan.keys) do by[k.name] = k end
  -- sales-copilot: the review's growth finding; its limit is sized on the weeks before it and
  -- refuses only growth days.
  local sc = by["sales-copilot"]
  T.eq(sc.findings[1].kind, "growth")
  T.eq(sc.action, "change")
  T.truthy(sc.blocked.abnormal_usd > 100 and sc.blocked.normal_days == 0, "growth stopped, normal use not")
  for _, k in ipairs(plan.keys) do
    if k.proposed then
      T.truthy(k.proposed.limit > 0 and k.proposed.limit >= k.basis.max, k.name .. ": covers its highest normal period")
      T.eq(k.blocked.normal_days, 0, k.name .. " refuses no normal day")
    end
  end
  -- support-bot-prod moved to a cheaper model on 2026-10-20 (weekly $163 → $37): sized on the
  -- weeks after the move; the old level's days are counted apart, not as normal use.
  local sb = by["support-bot-prod"]
  T.eq(sb.level.week, "2026-10-18")
  T.truthy(sb.proposed.limit < 100 and sb.proposed.limit >= sb.basis.max, "sized on the new level")
  T.truthy(sb.blocked.earlier_days > 0 and sb.blocked.normal_days == 0)
  -- internal-chat had $400/week: a looser limit than its use needs is tightened.
  T.eq(by["internal-chat"].current.limit, 400)
  T.truthy(by["internal-chat"].proposed.limit < 400)
  T.eq(#plan.workspaces, 3)
  for _, w in ipairs(plan.workspaces) do T.eq(w.action, "change", w.name) end
  local text = G.render(plan)
  T.truthy(text:find("sales-copilot", 1, true) and text:find("growth 2.5× since the week of 2026-11-01", 1, true), text)
  T.truthy(not text:find("sk-or-v1", 1, true), "no key secret in the plan")
  -- A year of history: asked in windows of at most 365 days; the account's empty leading weeks
  -- (the demo holds 130 days) do not hide support-bot-prod's fall to a lower level.
  local year = G.plan { weeks = 52, keys = { "support-bot-prod" } }
  T.eq(year.keys[1].level.week, "2026-10-18")
  T.eq(year.keys[1].proposed.limit, sb.proposed.limit)
  -- --key restricts to that key and plans no budget.
  local one = G.plan { keys = { "sales-copilot" } }
  T.eq(#one.keys, 1)
  T.eq(#one.workspaces, 0)
  T.raises(function() G.plan { keys = { "sales-copilto" } } end, "did you mean 'sales-copilot'")
  T.raises(function() G.plan { weeks = 1 } end, "--weeks expects a whole number from 2 to 52")
  T.raises(function() G.plan { headroom = 0.5 } end, "--headroom expects a number from 1 to 10")
end)

T.test("apply changes the keys and budgets (read back), a second apply has nothing to do", function()
  local plan = G.plan {}
  local n = #G.changes(plan)
  T.eq(n, 15)
  local applied = G.apply(plan)
  T.eq(#applied, n)
  for _, ch in ipairs(applied) do T.truthy(ch.ok, ch.name .. ": " .. tostring(ch.error)) end
  local sc
  for _, k in ipairs(plan.keys) do if k.name == "sales-copilot" then sc = k end end
  local k = orscript.key_info("sales-copilot")
  T.eq(k.limit, sc.proposed.limit)
  T.eq(k.limit_reset, sc.proposed.reset)
  for _, w in ipairs(plan.workspaces) do T.eq(orscript.budgets(w.id).monthly, w.proposed) end
  local again
  local sent = submitted(function() again = G.plan {} ; T.eq(#G.apply(again), 0) end)
  T.eq(#G.changes(again), 0)
  T.truthy(not has(sent, "key_update") and not has(sent, "budget_set"), "no write the second time")
  for _, e in ipairs(again.keys) do T.eq(e.action, "keep", e.name) end
end)

T.test("a partial failure says which changes applied and which did not", function()
  orscript.set_key_limit("staging", { limit = 150, reset = "monthly" })
  orscript.set_key_limit("eval-harness", { limit = orscript.null, reset = orscript.null })
  local plan = G.plan { keys = { "staging", "eval-harness" } }
  T.eq(#G.changes(plan), 2)
  for _, k in ipairs(plan.keys) do
    if k.name == "staging" then k.hash = ("0"):rep(64) end   -- a key that no longer exists: 404
  end
  local applied = G.apply(plan)
  local ok, bad = {}, {}
  for _, ch in ipairs(applied) do if ch.ok then ok[#ok + 1] = ch.name else bad[#bad + 1] = ch end end
  T.eq(#ok, 1); T.eq(ok[1], "eval-harness")
  T.eq(#bad, 1); T.eq(bad[1].name, "staging")
  T.truthy(tostring(bad[1].error):find("404", 1, true), tostring(bad[1].error))
  T.eq(orscript.key_info("staging").limit, 150)   -- untouched
  T.truthy(G.json(plan, applied, "partial"):find('"ok":false', 1, true))
end)

T.test("a lifetime cap is kept, and a monthly budget must fit the workspace's other budgets", function()
  orscript.set_key_limit("eval-harness", { limit = 50, reset = orscript.null })
  local plan = G.plan { keys = { "eval-harness" } }
  T.eq(plan.keys[1].action, "keep")
  T.truthy(plan.keys[1].reason:find("lifetime cap", 1, true))
  orscript.set_key_limit("eval-harness", { limit = orscript.null })
  -- A weekly budget above any sensible monthly one: the monthly budget is not proposed.
  orscript.set_budget("Default", "monthly", nil)
  orscript.set_budget("Default", "weekly", 100000)
  local p = G.plan { workspace = "default" }
  T.eq(#p.workspaces, 1)
  T.eq(p.workspaces[1].action, "skip")
  T.truthy(p.workspaces[1].reason:find("must shrink", 1, true), p.workspaces[1].reason)
  for _, ch in ipairs(G.changes(p)) do T.truthy(ch.kind == "key") end
  orscript.set_budget("Default", "weekly", nil)
end)

T.done()
