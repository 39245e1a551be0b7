-- recipes/components.lua: what the spend is made of.
--
--   orscript --demo recipes/components.lua [--month 2026-10 | --from D --to D]
--            [--web_share 0.15] [--min_monthly_usd 50] [--meaningful_share 0.05]
--            [--csv DIR] [--json FILE] [--markdown FILE]
--
-- Splits spend by the usage_* metrics the catalogue offers (upstream inference,
-- cache, data discount, web search, file parsing, web fetch) day by day over the
-- window, summed per week and in total. A null component means "not used" (shown as
-- such, never as a zero cost). The remainder, total_usage minus the components, is
-- shown rather than assumed to be zero: it is the BYOK platform fees (BYOK inference
-- itself is in usage_upstream). Says whether the surcharges (web search, files,
-- web fetch) or net cache writes are a meaningful slice (at least meaningful_share of
-- spend), and which apps spend at least web_share of their total, and at least
-- min_monthly_usd, on web search.
--
-- The file and web-fetch components are generation-level metrics limited to 31-day
-- windows: over a longer window they are left out, with a note.
--
-- As a module: M.queries(opts); M.analyse(tables, opts); M.run(opts); M.render(res);
-- M.tables(res).
local C = require "common"
local num = orscript.num

local format = string.format

local M = {}

M.DEFAULTS = { web_share = 0.15, min_monthly_usd = 50, meaningful_share = 0.05 }
M.COMPONENTS = { "usage_upstream", "usage_cache", "usage_data", "usage_web", "usage_upstream_web", "usage_file",
                 "usage_web_fetch" }
M.SHORT = { "week", { "total_usage", "total" }, { "usage_upstream", "upstream" }, { "usage_cache", "cache" },
            { "usage_data", "data" }, { "usage_web", "web" }, { "usage_upstream_web", "native_web" },
            { "usage_file", "file" },
            { "usage_web_fetch", "web_fetch" } }
M.SURCHARGES = { usage_web = true, usage_upstream_web = true, usage_file = true, usage_web_fetch = true }
M.LABELS = {
  usage_upstream = "upstream inference", usage_cache = "cache (reads save, writes cost)",
  usage_data = "data discount", usage_web = "web search", usage_upstream_web = "native web search",
  usage_file = "file parsing",
  usage_web_fetch = "web fetch", remainder = "remainder (total_usage − components)",
}

-- The components this window can ask for, from the catalogue, split by data source:
-- `long` (365-day metrics, complete history) and `short` (generation-level metrics,
-- windows of at most 31 days, and only as far back as the API keeps generation detail);
-- and notes on the rest.
function M.available(opts)
  local schema = opts.schema or orscript.meta()
  local long, short, notes = {}, {}, {}
  local days = opts.range:days()
  for _, name in ipairs(M.COMPONENTS) do
    if not schema:metric(name) then
      notes[#notes + 1] = format("%s is not in the analytics catalogue; left out", name)
    elseif schema:max_days(name) < days then
      notes[#notes + 1] = format("%s is limited to %d-day windows (this one has %d days); left out",
        name, schema:max_days(name), days)
    elseif schema:max_days(name) < 365 then
      short[#short + 1] = name
    else
      long[#long + 1] = name
    end
  end
  return long, short, notes
end

function M.queries(opts)
  local long, short = M.available(opts)
  local function daily(components)
    return orscript.query { metrics = C.append({ "total_usage" }, components), grain = "day", range = opts.range,
                            order = { "date", "asc" }, limit = 10000 }
  end
  local q = {
    daily = daily(long),
    by_app = orscript.query { metrics = { "usage_web", "total_usage" }, by = { "app" }, range = opts.range,
                              order = { "total_usage", "desc" }, limit = 10000 },
  }
  if #short > 0 then q.daily_detail = daily(short) end
  return q
end

function M.analyse(tables, opts)
  opts = C.options(opts, M.DEFAULTS)
  local th = opts.thresholds
  local warnings = {}
  local long, short, notes = M.available(opts)
  local daily = tables.daily
  local whole = daily:note_warnings(warnings, "components by day")
  local total = daily:total("total_usage", { what = "components by day", warnings = warnings })

  -- Generation-level components: joined by day; their coverage may be shorter.
  local comps = C.append({}, long)
  local detail = tables.daily_detail
  if detail and #short > 0 then
    detail:note_warnings(warnings, "file and web-fetch components by day")
    local covered = detail:total("total_usage") or 0
    if #detail < #daily or (total and covered < total * 0.999) then
      local first = #detail > 0 and detail[1].date or "—"
      local last = #detail > 0 and detail[#detail].date or "—"
      notes[#notes + 1] = format("%s are generation-level metrics and the API returned them only for %d of the "
        .. "%d days (%s .. %s, %s of spend); the rest of their cost is in the remainder",
        table.concat(short, " and "), #detail, #daily, first, last, C.percent(total and total > 0 and covered / total))
    end
    daily = daily:join(detail:select(C.append({ "date" }, short)), "date", "left")
    C.append(comps, short)
  end

  -- Totals per component (null-only: not used) and the remainder.
  local rows, sum = {}, 0
  for _, name in ipairs(comps) do
    local used = #daily > 0 and #daily:filter(name, "neq", orscript.null) > 0
    local v = whole and used and daily:total(name) or nil
    rows[#rows + 1] = { component = name, label = M.LABELS[name], usd = used and v or orscript.null,
                        share = (used and v and total and total ~= 0) and v / total or orscript.null,
                        used = used and "yes" or "not used" }
    if v then sum = sum + v end
  end
  local remainder = total and whole and (total - sum) or nil
  rows[#rows + 1] = { component = "remainder", label = M.LABELS.remainder, usd = remainder or orscript.null,
                      share = (remainder and total and total ~= 0) and remainder / total or orscript.null, used = "—" }
  local totals = orscript.table(rows, {
    columns = { "component", "label", "usd", "share", "used" },
    formats = { usd = "currency", share = "percent" },
  })

  -- Weekly sums (Sunday-start weeks; the first and last may be partial).
  local weekly = daily:derive("week", function(r) return orscript.time.week_of(r.date) end)
  local aggs = { { "total_usage", "sum", "total_usage" } }
  for _, name in ipairs(comps) do aggs[#aggs + 1] = { name, "sum", name } end
  weekly = #daily > 0 and weekly:group("week", aggs):sort("week", "asc") or weekly

  -- Meaningful slices.
  local findings = {}
  local surcharge, cache = 0, 0
  for _, r in ipairs(rows) do
    if M.SURCHARGES[r.component] and C.has(r.usd) then surcharge = surcharge + r.usd end
    if r.component == "usage_cache" and C.has(r.usd) then cache = r.usd end
  end
  local share_of = function(x) return total and total > 0 and x / total or 0 end
  local slices = {
    surcharges = { usd = surcharge, share = share_of(surcharge),
                   meaningful = share_of(surcharge) >= th.meaningful_share },
    cache = { usd = cache, share = share_of(math.abs(cache)),
              writes_meaningful = cache > 0 and share_of(cache) >= th.meaningful_share },
  }

  -- Apps that spend a large share on web search.
  local apps_whole = tables.by_app:note_warnings(warnings, "web search by app")
  local apps = tables.by_app:derive("web_share", function(r)
    return C.ratio(num(r.usage_web), num(r.total_usage))
  end, { format = "percent" })
  for _, r in apps:rows() do
    local web, tot = num(r.usage_web), num(r.total_usage)
    if r.app ~= orscript.null and web >= th.web_share * tot and web >= th.min_monthly_usd then
      findings[#findings + 1] = { kind = "web_search", app = r.app, usage_web = web, total_usage = tot,
                                  share = tot > 0 and web / tot or nil }
    end
  end
  table.sort(findings, function(a, b) return a.usage_web > b.usage_web end)
  if not apps_whole then
    warnings[#warnings + 1] = "web search by app was truncated: apps outside the result were not checked"
  end
  return C.result(opts, { components = comps, notes = notes, daily = daily, weekly = weekly, totals = totals,
                          total_usage = total, remainder = remainder, slices = slices, apps = apps,
                          findings = findings, warnings = warnings })
end

function M.run(opts) return (C.run(M, opts)) end

function M.tables(res)
  return { { "components", res.totals }, { "components_weekly", res.weekly }, { "components_daily", res.daily },
           { "web_by_app", res.apps } }
end

function M.render(res)
  local th = res.thresholds
  local out, add, put = C.buffer()
  put(C.window_heading("Spend components", res))
  add("Total spend %s.", C.money(res.total_usage))
  put(C.show(res.totals))
  add("")
  add("By week (weeks start on Sunday; the first and last may be partial):")
  put(C.show(res.weekly:view(M.SHORT)))
  add("")
  local s = res.slices
  add("Surcharges (web search, files, web fetch) are %s meaningful slice: %s, %s of spend.",
    s.surcharges.meaningful and "a" or "not a", C.money(s.surcharges.usd), C.percent(s.surcharges.share))
  if s.cache.usd < 0 then
    add("Caching saves %s net (reads save more than writes cost).", C.money(-s.cache.usd))
  elseif s.cache.writes_meaningful then
    add("Cache writes cost more than reads save: %s net, %s of spend.", C.money(s.cache.usd),
      C.percent(s.cache.share))
  else
    add("Cache writes are not a meaningful slice (%s net).", C.money(s.cache.usd))
  end
  if res.remainder and math.abs(res.remainder) >= 0.005 then
    add("Remainder not explained by the components: %s (%s of spend: the BYOK platform fees; BYOK inference is in usage_upstream).",
      C.money(res.remainder), C.percent(res.total_usage and res.total_usage ~= 0 and res.remainder / res.total_usage))
  end
  add("")
  if #res.findings == 0 then
    add("No app spends %s or more of its total (and at least %s) on web search.", C.percent(th.web_share),
      C.money(th.min_monthly_usd))
  else
    add("Apps spending at least %s of their total on web search:", C.percent(th.web_share))
    for _, f in ipairs(res.findings) do
      add("  ! %s: %s on web search, %s of its %s", f.app, C.money(f.usage_web), C.percent(f.share),
        C.money(f.total_usage))
    end
  end
  for _, n in ipairs(res.notes) do add("note: %s", n) end
  return C.finish(out, res.warnings)
end

C.script(M, "components", {})

return M
