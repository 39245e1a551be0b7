-- orscript.report.html: the cost review as one self-contained HTML page.
--
-- Owns: the page frame (head, header, footer), the pieces the sections draw with
-- (cards, legends), the inline stylesheet (screen and
-- print) and escaping of every data string. What each section shows, and in which
-- order, is orscript.report.sections.
-- No external assets, no scripts, no network. Charts come from orscript.report.svg.
local F = require "orscript.report.format"
local S = require "orscript.report.svg"

local concat, format = table.concat, string.format
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

-- The page frame (head, header, footer) around the sections (orscript.report.sections),
-- and the writer they draw with: escaping, cards and legends.
function M.render(data)
  local out = {}
  local function p(s) out[#out + 1] = s end
  local title = F.str(data.title) or "OpenRouter cost review"
  local H = { out = out, p = p, esc = esc, card = card, legend = legend }

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
  -- Sections in order; the charts share one <section> under one heading.
  local sections = require "orscript.report.sections"
  local open_group
  for k, section in ipairs(sections) do
    if section.group and section.group ~= open_group then
      local any = false
      for j = k, #sections do
        if sections[j].group ~= section.group then break end
        any = any or sections[j].present(data)
      end
      if any then p('<section class="charts"><h2>Where the money goes</h2>') end
      open_group = any and section.group or nil
    end
    section.html(H, data)
    local nxt = sections[k + 1]
    if open_group and (not nxt or nxt.group ~= open_group) then
      p("</section>")
      open_group = nil
    end
  end

  p('<footer>Generated by orscript' .. (F.str(data.generated_at) and (" at " .. esc(data.generated_at)) or "")
    .. ". Figures are estimates from the account's own usage and effective rates.</footer>")
  p("</main></body></html>")
  return concat(out, "\n") .. "\n"
end

return M
