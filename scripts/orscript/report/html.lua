-- orscript.report.html: the cost review as one self-contained HTML page.
--
-- Owns: page structure (header, baseline cards, ranked recommendation cards,
-- chart figures with HTML legends, observations, warnings, verification script),
-- the inline stylesheet (screen and print) and escaping of every data string.
-- No external assets, no scripts, no network. Charts come from orscript.report.svg.
local F = require "orscript.report.format"
local S = require "orscript.report.svg"

local concat, format = table.concat, string.format
local max, floor = math.max, math.floor
local esc = S.escape

local M = {}

local CSS = [[
:root{--ink:#1f2933;--muted:#616e7c;--line:#e4e7eb;--bg:#f4f6f9;--card:#fff;--accent:#2f5d8c;
--good:#1a7f4b;--good-bg:#e8f5ee;--warn:#8a5a00;--warn-bg:#fff6e0;--warn-line:#f0c36d}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);
font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Helvetica Neue",Arial,"DejaVu Sans",sans-serif;
font-variant-numeric:tabular-nums}
.wrap{max-width:1120px;margin:0 auto;padding:0 24px}
header.top{background:linear-gradient(135deg,#1d3557 0%,#2f5d8c 100%);color:#fff;padding:28px 0 64px}
header.top .eyebrow{font-size:12px;letter-spacing:.12em;text-transform:uppercase;opacity:.8;margin:0 0 6px}
header.top h1{margin:0;font-size:30px;line-height:1.2;font-weight:700}
header.top .meta{margin:10px 0 0;display:flex;flex-wrap:wrap;gap:8px 10px}
.pill{display:inline-block;background:rgba(255,255,255,.14);border:1px solid rgba(255,255,255,.25);
border-radius:999px;padding:2px 12px;font-size:13px}
.pill b{font-weight:600;opacity:.75;margin-right:4px}
main{margin-top:-44px;padding-bottom:48px}
section{margin:0 0 28px}
h2{font-size:19px;margin:0 0 12px;letter-spacing:.01em}
h2 .count{color:var(--muted);font-weight:500;font-size:15px;margin-left:6px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(190px,1fr));gap:14px}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:14px 18px;
box-shadow:0 1px 3px rgba(16,24,40,.06)}
.card .label{font-size:12px;text-transform:uppercase;letter-spacing:.07em;color:var(--muted);font-weight:600}
.card .value{font-size:26px;font-weight:700;line-height:1.25;margin-top:4px;white-space:nowrap}
.card .sub{font-size:13px;color:var(--muted)}
.card.savings{background:var(--good-bg);border-color:#b7e0c8}
.card.savings .value{color:var(--good)}
.banner{border-radius:12px;padding:18px 22px;border:1px solid #b7e0c8;background:var(--good-bg);color:#14532d}
.banner strong{font-size:18px;display:block;margin-bottom:4px}
.rec{background:var(--card);border:1px solid var(--line);border-radius:12px;margin:0 0 14px;overflow:hidden;
box-shadow:0 1px 3px rgba(16,24,40,.06)}
.rec-head{display:grid;grid-template-columns:auto 1fr auto;gap:14px;align-items:center;padding:16px 20px 12px}
.rank{width:36px;height:36px;border-radius:50%;background:var(--accent);color:#fff;font-weight:700;
display:flex;align-items:center;justify-content:center;font-size:16px}
.rec h3{margin:0;font-size:17px;line-height:1.35}
.kind{display:inline-block;margin-top:4px;font-size:11px;text-transform:uppercase;letter-spacing:.08em;
color:var(--accent);background:#e8eef6;border-radius:4px;padding:1px 7px;font-weight:600}
.impact{text-align:right;white-space:nowrap}
.impact .amount{display:block;font-size:24px;font-weight:700;color:var(--good);line-height:1.1}
.impact .per{font-size:12px;color:var(--muted)}
.impact-bar{height:4px;background:#eef1f4;margin:0 20px}
.impact-bar span{display:block;height:4px;background:var(--good);border-radius:2px}
.rec-body{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:18px 26px;padding:14px 20px 18px}
dl{margin:0;display:grid;grid-template-columns:auto 1fr;gap:8px 14px;align-content:start}
dt{font-size:12px;text-transform:uppercase;letter-spacing:.07em;color:var(--muted);font-weight:600;padding-top:2px}
dd{margin:0}
dd.risk{color:var(--warn)}
.samples{padding:0 20px 16px}
.samples h4{margin:0 0 4px;font-size:13px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted)}
.samples p{margin:0 0 8px}
.samples td.id{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}
.samples .notes{margin:6px 0 0;padding-left:18px;color:var(--warn);font-size:13px}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{font-size:12px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);font-weight:600}
td.num,th.num{text-align:right;white-space:nowrap}
tr:last-child td{border-bottom:0}
figure{margin:0 0 18px;background:var(--card);border:1px solid var(--line);border-radius:12px;padding:16px 20px 14px;
box-shadow:0 1px 3px rgba(16,24,40,.06)}
figure h3{margin:0 0 2px;font-size:16px}
figure .caption{margin:0 0 10px;color:var(--muted);font-size:13px}
svg.chart{display:block;width:100%;height:auto;max-width:100%;overflow:visible}
svg .grid{stroke:#e9edf1;stroke-width:1}
svg .axis{stroke:#9aa5b1;stroke-width:1.2}
svg .tick{font-size:12px;fill:#616e7c}
svg .label{font-size:13px;fill:#1f2933}
svg .value{font-size:13px;fill:#1f2933;font-weight:600}
svg .value.small{font-size:11px;fill:#3e4c59}
svg .share{fill:#7b8794;font-weight:400}
svg .marker-line{stroke-width:1.6;stroke-dasharray:5 4}
svg .marker-label{font-size:12px;font-weight:600;fill:#1f2933}
svg .band-label{font-size:12px;fill:#fff;font-weight:600}
svg .net{stroke:#1f2933;stroke-width:2.5}
.legend{display:flex;flex-wrap:wrap;gap:6px 18px;margin:10px 0 0;padding:0;list-style:none;font-size:13px;color:#3e4c59}
.legend li{display:flex;align-items:center;gap:6px}
.sw{display:inline-block;width:14px;height:14px;border-radius:3px;flex:none}
.sw.line{height:4px;border-radius:2px;width:18px}
.legend .note{color:var(--muted)}
.marks{margin:10px 0 0;padding:0;list-style:none;font-size:13px}
.marks li{margin:2px 0}
.marks .dia{display:inline-block;width:9px;height:9px;transform:rotate(45deg);margin-right:8px;vertical-align:1px}
.split{margin-top:12px}
.this-month figure{margin-top:14px}
.obs{margin:0;padding:0;list-style:none}
.obs li{background:var(--card);border:1px solid var(--line);border-left:4px solid var(--accent);border-radius:8px;
padding:10px 14px;margin:0 0 10px}
.obs b{display:block}
.obs span{color:#3e4c59}
.warn{margin:0;padding:0;list-style:none}
.warn li{background:var(--warn-bg);border:1px solid var(--warn-line);border-radius:8px;padding:9px 14px;margin:0 0 8px;
color:#5c3d00}
.warn li::before{content:"\26A0\FE0E  ";font-weight:700}
pre{background:#1e2430;color:#e6e9ef;border-radius:12px;padding:16px 18px;overflow:auto;font-size:13px;line-height:1.45;
font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;white-space:pre}
.muted{color:var(--muted)}
footer{color:var(--muted);font-size:12px;padding:12px 0 32px;border-top:1px solid var(--line)}
.sw,.impact-bar span,.rank,header.top,.dia{-webkit-print-color-adjust:exact;print-color-adjust:exact}
@media (max-width:760px){
  .rec-body{grid-template-columns:1fr}
  .rec-head{grid-template-columns:auto 1fr}
  .impact{grid-column:1/-1;text-align:left}
  header.top h1{font-size:24px}
}
@media print{
  body{background:#fff;font-size:12px}
  header.top{padding:16px 0 20px}
  main{margin-top:12px}
  .card,.rec,figure,.obs li{box-shadow:none;break-inside:avoid}
  pre{background:#f4f6f9;color:#1f2933;border:1px solid var(--line);white-space:pre-wrap}
  .wrap{max-width:none;padding:0 8px}
}
]]

local kind_names = {
  expensive_model = "Expensive model", caching = "Caching", prompt = "Prompt trimming",
  prompt_trimming = "Prompt trimming", component = "Component", surcharge = "Surcharge",
  reasoning = "Reasoning", week_over_week = "Level change", level_change = "Level change",
}

local function kind_label(kind)
  kind = F.str(kind)
  if not kind then return nil end
  return kind_names[kind] or (kind:gsub("_", " "):gsub("^%l", string.upper))
end

-- The stylesheet and legend are shared with orscript.chart (t:plot pages).
M.CSS = CSS

local function card(label, value, sub, class)
  return format('<div class="card%s"><div class="label">%s</div><div class="value">%s</div>%s</div>',
    class and (" " .. class) or "", esc(label), esc(value), sub and ('<div class="sub">' .. esc(sub) .. "</div>") or "")
end

local function legend(items)
  local out = { '<ul class="legend">' }
  for _, it in ipairs(items) do
    out[#out + 1] = format('<li><span class="sw%s" style="background:%s"></span>%s%s</li>',
      it.line and " line" or "", it.background, esc(it.label),
      it.note and (' <span class="note">' .. esc(it.note) .. "</span>") or "")
  end
  out[#out + 1] = "</ul>"
  return concat(out)
end

M.legend = legend

local function recommendation(out, r, i, total)
  local rank = math.floor(F.num(r.rank) or i)
  local impact = F.num(r.impact_usd)
  out[#out + 1] = format('<article class="rec" id="rec-%d">', floor(rank))
  out[#out + 1] = '<div class="rec-head">'
  out[#out + 1] = format('<div class="rank">%s</div>', esc(format("%d", rank)))
  local kind = kind_label(r.kind)
  out[#out + 1] = format('<div><h3>%s</h3>%s</div>', esc(F.str(r.title) or "(untitled)"),
    kind and ('<span class="kind">' .. esc(kind) .. "</span>") or "")
  out[#out + 1] = format('<div class="impact"><span class="amount">%s</span><span class="per">%s</span></div>',
    esc(F.money(impact)), r.one_off == true and "once, estimated" or "per month, estimated")
  out[#out + 1] = "</div>"
  if impact and total and total > 0 then
    out[#out + 1] = format('<div class="impact-bar" title="share of all estimated savings"><span style="width:%.1f%%"></span></div>',
      math.min(100, max(0, impact / total * 100)))
  end
  out[#out + 1] = '<div class="rec-body"><dl>'
  for _, f in ipairs({ { "Target", r.target }, { "Change", r.change }, { "Risk", r.risk } }) do
    if F.str(f[2]) then
      out[#out + 1] = format('<dt>%s</dt><dd%s>%s</dd>', f[1], f[1] == "Risk" and ' class="risk"' or "", esc(f[2]))
    end
  end
  local where = F.where_lines(r)  -- --code: the places in the source, best first
  if #where > 0 then
    local items = {}
    for _, w in ipairs(where) do items[#items + 1] = "<code>" .. esc(w) .. "</code>" end
    out[#out + 1] = '<dt>Where</dt><dd class="where" style="overflow-wrap:anywhere">' .. table.concat(items, "<br>") .. "</dd>"
  end
  out[#out + 1] = "</dl>"
  local figs = F.list(r.figures)
  if #figs > 0 then
    out[#out + 1] = '<table class="figures"><thead><tr><th>Supporting figure</th><th class="num">Value</th></tr></thead><tbody>'
    for _, row in ipairs(F.figure_rows(r, function(label) return F.str(label) or "" end)) do
      out[#out + 1] = format('<tr><td>%s</td><td class="num">%s</td></tr>', esc(row[1]), esc(row[2]))
    end
    out[#out + 1] = "</tbody></table>"
  else
    out[#out + 1] = "<div></div>"
  end
  out[#out + 1] = "</div>"
  -- The requests behind it, when the review sampled them (issue 14; orscript.report.samples).
  out[#out + 1] = require("orscript.report.samples").html(r.samples, esc)
  out[#out + 1] = "</article>"
end

function M.render(data)
  local out = {}
  local function p(s) out[#out + 1] = s end
  local title = F.str(data.title) or "OpenRouter cost review"
  local b = F.list(data.baseline)
  local recs = F.list(data.recommendations)
  local none = data.no_findings == true or #recs == 0
  local charts = F.list(data.charts)

  p("<!DOCTYPE html>")
  p('<html lang="en"><head><meta charset="utf-8">')
  p('<meta name="viewport" content="width=device-width,initial-scale=1">')
  p('<meta name="generator" content="orscript">')
  p("<title>" .. esc(title .. (F.str(data.account) and (" — " .. F.str(data.account)) or "")) .. "</title>")
  p("<style>" .. CSS .. "</style></head><body>")

  -- Header
  p('<header class="top"><div class="wrap">')
  p('<p class="eyebrow">OpenRouter usage · cost review</p>')
  p("<h1>" .. esc(title) .. "</h1>")
  p('<div class="meta">')
  if F.str(data.account) then p('<span class="pill"><b>Account</b>' .. esc(data.account) .. "</span>") end
  local window = F.window_text(data.window)
  if window then p('<span class="pill"><b>Window</b>' .. esc(window) .. "</span>") end
  if F.str(data.generated_at) then p('<span class="pill"><b>Generated</b>' .. esc(data.generated_at) .. "</span>") end
  p("</div></div></header>")

  p('<main class="wrap">')

  -- This month so far, projected and last month; the movers; recent spikes.
  local tm = data.this_month
  if type(tm) == "table" then
    local TM = require "orscript.report.month"
    p('<section class="this-month" aria-label="This month"><div class="cards">')
    for _, r in ipairs(TM.summary_rows(tm)) do p(card(r[1], r[2], r[3])) end
    p("</div>")
    local movers = TM.mover_rows(tm)
    if #movers > 0 then
      p('<figure id="fig-movers"><h3>Biggest movers against last month</h3>'
        .. '<p class="caption">projected for the month, by key</p><table class="movers"><thead><tr>')
      for i, h in ipairs(TM.MOVER_HEADER) do p(format('<th%s>%s</th>', i > 1 and ' class="num"' or "", esc(h))) end
      p("</tr></thead><tbody>")
      for _, r in ipairs(movers) do
        local cells = {}
        for i, c in ipairs(r) do cells[i] = format('<td%s>%s</td>', i > 1 and ' class="num"' or "", esc(c)) end
        p("<tr>" .. concat(cells) .. "</tr>")
      end
      p("</tbody></table>")
      local spikes = TM.spike_lines(tm)
      if #spikes > 0 then
        p('<p class="caption">Single-day spikes in the last two weeks:</p><ul class="marks">')
        for _, x in ipairs(spikes) do p("<li>" .. esc(x) .. "</li>") end
        p("</ul>")
      end
      p("</figure>")
    end
    p("</section>")
  end

  -- Baseline cards
  local total = F.total_impact(recs)
  p('<section class="baseline" aria-label="Baseline"><div class="cards">')
  local wlabel = type(data.window) == "table" and F.str(data.window.label)
  p(card("Spend", F.money(b.spend), wlabel))
  p(card("Tokens", F.compact(b.tokens), F.missing(b.tokens) and nil or F.count(b.tokens)))
  p(card("Requests", F.compact(b.requests), F.missing(b.requests) and nil or F.count(b.requests)))
  p(card("Blended rate", F.per_mtok(b.blended_per_mtok), "all traffic"))
  for _, x in ipairs(F.baseline_extra(b)) do p(card(x[1], x[2])) end
  if not none and total then
    local spend = F.num(b.spend)
    p(card("Potential savings", F.money0(total) .. "/mo",
      (spend and spend > 0) and (F.percent(total / spend) .. " of spend") or nil, "savings"))
  end
  p("</div></section>")

  -- Recommendations
  p('<section class="recs">')
  if none then
    p("<h2>Recommendations</h2>")
    p('<div class="banner" role="status"><strong>No changes recommended.</strong>'
      .. "Nothing in this window crossed the review's thresholds: no expensive model lines, no component "
      .. "or caching opportunity and no key whose spend changed level. The account looks healthy.</div>")
  else
    p(format('<h2>Recommendations<span class="count">%d, ranked by monthly impact</span></h2>', #recs))
    for i, r in ipairs(recs) do recommendation(out, r, i, total) end
  end
  p("</section>")

  -- Charts
  local models = F.list(charts.spend_by_model)
  local wk = F.list(charts.weekly_by_key)
  local weeks, series = F.list(wk.weeks), F.list(wk.series)
  local comp = F.list(charts.components)
  local cseries = F.list(comp.series)
  if #models > 0 or (#weeks > 0 and #series > 0) or #cseries > 0 then
    p('<section class="charts"><h2>Where the money goes</h2>')
  end
  if #models > 0 then
    p('<figure id="fig-models"><h3>Spend by model</h3>')
    p('<p class="caption">' .. esc((wlabel and (wlabel .. ", ") or "") .. "share of total spend in grey") .. "</p>")
    p(S.bars(models, { id = "chart-models" }))
    p("</figure>")
  end
  if #weeks > 0 and #series > 0 then
    local markers = F.list(wk.markers)
    local svg, drawn, log = S.lines(weeks, series, markers, { id = "chart-weekly", log = "auto" })
    p('<figure id="fig-weekly"><h3>Weekly spend by key</h3>')
    p('<p class="caption">' .. esc(format("%d weeks", #weeks)
      .. (log and "; log scale, so that smaller keys are not flattened under the largest" or "")
      .. (drawn > 0 and "; dashed lines mark the week a key's spend changed level" or "")) .. "</p>")
    p(svg)
    local items = {}
    for i, s in ipairs(series) do
      items[#items + 1] = { label = F.str(s.name) or "?", background = S.color(i), line = true }
    end
    p(legend(items))
    if #markers > 0 then
      p('<ul class="marks">')
      local index = {}
      for i, s in ipairs(series) do index[F.str(s.name) or ""] = i end
      for _, m in ipairs(markers) do
        local si = index[F.str(m.series) or ""]
        p(format('<li><span class="dia" style="background:%s"></span><b>%s</b>, week of %s: %s</li>',
          si and S.color(si) or "#52606d", esc(m.series or "?"), esc(m.week or "?"), esc(m.label or "level changed")))
      end
      p("</ul>")
    end
    p("</figure>")
  end
  if #cseries > 0 then
    local cweeks = F.list(comp.weeks)
    p('<figure id="fig-components"><h3>Spend components by week</h3>')
    p('<p class="caption">The band shows the whole window; below it, each week stacked by component. '
      .. "Hatched segments below zero are discounts or credits; the dark tick is the week's net total.</p>")
    p(S.stacked(cweeks, cseries, { id = "chart-components" }))
    local items, totals, positive = {}, {}, 0
    for i, s in ipairs(cseries) do
      local sum, any = 0, false
      for _, v in pairs(F.list(s.values)) do
        v = F.num(v)
        if v then sum, any = sum + v, true end
      end
      totals[i] = any and sum or nil
      if any and sum > 0 then positive = positive + sum end
      local negative = any and sum < 0
      items[#items + 1] = {
        label = F.component_name(s),
        background = negative and format("repeating-linear-gradient(45deg,%s 0 3px,#fff 3px 6px);border:1px solid %s",
          S.color(i), S.color(i)) or S.color(i),
        note = negative and "(credit)" or (not any and "(not used)") or nil,
      }
    end
    p(legend(items))
    p('<table class="split"><thead><tr><th>Component</th><th class="num">Total</th><th class="num">Share</th></tr></thead><tbody>')
    for i, s in ipairs(cseries) do
      local t = totals[i]
      p(format('<tr><td>%s</td><td class="num">%s</td><td class="num">%s</td></tr>', esc(F.component_name(s)),
        esc(t and F.money(t) or "not used"), esc((t and positive > 0) and F.percent(t / positive) or "")))
    end
    p("</tbody></table></figure>")
  end
  if #models > 0 or (#weeks > 0 and #series > 0) or #cseries > 0 then p("</section>") end

  -- Checks: which ran, on what, and which found nothing.
  local crow = F.check_rows(data.checks)
  if #crow > 0 then
    p('<section><h2>Checks</h2><table class="checks"><thead><tr><th>Check</th><th>Status</th><th>Scope</th>'
      .. '<th>Findings</th></tr></thead><tbody>')
    for _, r in ipairs(crow) do
      p("<tr><td>" .. esc(r[1]) .. "</td><td>" .. esc(r[2]) .. "</td><td>" .. esc(r[3]) .. "</td><td>" .. esc(r[4])
        .. "</td></tr>")
    end
    p("</tbody></table></section>")
  end

  -- Observations and warnings
  local obs = F.list(data.observations)
  if #obs > 0 then
    p('<section><h2>Observations</h2><ul class="obs">')
    for _, o in ipairs(obs) do
      if type(o) == "table" then
        p("<li><b>" .. esc(o.title or "") .. "</b>" .. (F.str(o.text) and ("<span>" .. esc(o.text) .. "</span>") or "") .. "</li>")
      else
        p("<li>" .. esc(o) .. "</li>")
      end
    end
    p("</ul></section>")
  end
  local warnings = F.list(data.warnings)
  if #warnings > 0 then
    p('<section><h2>Warnings</h2><ul class="warn">')
    for _, w in ipairs(warnings) do p("<li>" .. esc(w) .. "</li>") end
    p("</ul></section>")
  end

  local script = F.str(data.verify_script)
  if script and script:find("%S") then
    p('<section><h2>Verify next month</h2>')
    p('<p class="muted">Save this as a file and run it with <code>orscript</code> next month to check each fix:</p>')
    p("<pre><code>" .. esc(script:gsub("\n$", "")) .. "</code></pre></section>")
  end

  p('<footer>Generated by orscript' .. (F.str(data.generated_at) and (" at " .. esc(data.generated_at)) or "")
    .. ". Figures are estimates from the account's own usage and effective rates.</footer>")
  p("</main></body></html>")
  return concat(out, "\n") .. "\n"
end

return M
