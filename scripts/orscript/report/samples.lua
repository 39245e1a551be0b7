-- orscript.report.samples: a recommendation's "requests behind it" section (the sample
-- of generations recipes/review_samples.lua attaches as rec.samples), for every renderer.
--
-- Owns: the section's title, evidence sentence, table of sampled requests, failures and
-- notes, as text cells (each renderer escapes them for its syntax), and the whole section
-- for the terminal, Markdown and HTML. Does not fetch anything; JSON passes the data
-- through (recipes/review_samples.lua, S.json).
--
--   rec.samples = {
--     requested = 5, sampled = 5, fetched = 5, population = 4634,
--     range = { from = "2026-10-23T00:00:00Z", to = "2026-11-01T00:00:00Z", label = "2026-10-23 – 2026-10-31" },
--     evidence = "These 5 sampled requests are long generations: ...",
--     rows = { { id = "gen-…", created_at = "2026-10-17T05:57:44.105Z", provider = "OpenAI",
--                tokens_prompt = 5564, tokens_completion = 3447, tokens_cached = 0, finish_reason = "stop",
--                latency = 2371.2, cost = 0.78, ... }, ... },
--     failed = { { id = "gen-…", status = 404, message = "…" } }, notes = { "…" }, note = nil,
--   }
local F = require "orscript.report.format"

local format = string.format
local M = {}

M.HEADER = { "created (UTC)", "provider", "prompt", "completion", "cached", "finish", "latency", "cost", "generation" }
M.ALIGN = { "l", "l", "r", "r", "r", "l", "r", "r", "l" }

-- Dollars for one request: fractions of a cent stay visible.
local function cost(x)
  x = F.num(x)
  if not x then return F.MISSING end
  local a = math.abs(x)
  if a >= 1 or a == 0 then return F.money(x) end
  local sign = x < 0 and "-" or ""
  if a >= 0.01 then return format("%s$%.3f", sign, a) end
  if a >= 0.0001 then return format("%s$%.4f", sign, a) end
  return format("%s$%.6f", sign, a)
end
M.cost = cost

local function when(s)
  s = F.str(s)
  if not s then return F.MISSING end
  local d, t = s:match("^(%d%d%d%d%-%d%d%-%d%d)[T ](%d%d:%d%d)")
  return d and (d .. " " .. t) or s
end

local function str(s) return F.str(s) or F.MISSING end

-- "Requests behind it: 5 sampled of 4,634 generations (2026-10-23 – 2026-10-31)"; "no generations found" when none.
function M.title(s)
  local range = type(s.range) == "table" and F.str(s.range.label)
  range = range and format(" (%s)", range) or ""
  if F.num(s.population) == 0 then return "Requests behind it: no generations found" .. range end
  local of = F.num(s.population) and format(" of %s generations", F.count(s.population)) or ""
  return format("Requests behind it: %s sampled%s%s", F.count(F.num(s.sampled) or 0), of, range)
end

-- The rows as text cells (in HEADER's order).
function M.rows(s)
  local out = {}
  for _, r in ipairs(F.list(s.rows)) do
    out[#out + 1] = { when(r.created_at), str(r.provider), F.count(r.tokens_prompt), F.count(r.tokens_completion),
                      F.count(r.tokens_cached), str(r.finish_reason),
                      F.num(r.latency) and (F.count(r.latency) .. " ms") or F.MISSING, cost(r.cost), str(r.id) }
  end
  return out
end

-- Failures and notes, one sentence each.
function M.notes(s)
  local out, groups, order = {}, {}, {}
  for _, f in ipairs(F.list(s.failed)) do  -- one line per distinct failure, with its ids
    local how = format("%s: %s", (F.num(f.status) or 0) > 0 and format("HTTP %d", f.status) or "no answer",
      str(f.message))
    if not groups[how] then groups[how] = {}; order[#order + 1] = how end
    table.insert(groups[how], str(f.id))
  end
  for _, how in ipairs(order) do
    local ids = groups[how]
    out[#out + 1] = #ids == 1 and format("GET /generation %s failed (%s)", ids[1], how)
      or format("GET /generation failed for %d ids (%s): %s", #ids, how, table.concat(ids, ", "))
  end
  for _, n in ipairs(F.list(s.notes)) do
    if not (F.str(n) or ""):find("fetches failed", 1, true) then out[#out + 1] = str(n) end
  end
  return out
end

-- Terminal columns, in order: {header, align, cell(r)}; `compact` ones are for narrow
-- terminals. DROP: the columns left out, in this order, while the table is still too wide
-- (the evidence sentence carries their figures; every other format keeps them).
local function term_columns(compact)
  local short = function(t) return (when(t):gsub("^%d%d%d%d%-", "")) end
  local lat = function(r)
    local x = F.num(r.latency)
    if not x then return F.MISSING end
    return compact and format("%.1f s", x / 1000) or (F.count(x) .. " ms")
  end
  return {
    { key = "created", compact and "UTC" or "created (UTC)", "l", function(r) return compact and short(r.created_at) or when(r.created_at) end },
    { key = "provider", "provider", "l", function(r) return str(r.provider) end },
    { key = "prompt", "prompt", "r", function(r) return F.count(r.tokens_prompt) end },
    { key = "completion", compact and "answer" or "completion", "r", function(r) return F.count(r.tokens_completion) end },
    { key = "cached", "cached", "r", function(r) return F.count(r.tokens_cached) end },
    { key = "finish", "finish", "l", function(r) return str(r.finish_reason) end },
    { key = "latency", "latency", "r", lat },
    { key = "cost", "cost", "r", function(r) return cost(r.cost) end },
    { key = "id", "generation", "l", function(r) return str(r.id) end },
  }
end
local DROP = { "cached", "latency", "provider" }

-- Terminal lines. `env` = {line, prose, table_lines, paint, clean, indent, width}: the
-- terminal renderer's own helpers, so the section looks like the rest of the report. The
-- table fits `env.width`: first the ids move under it, then dates and latencies shorten,
-- then the columns of DROP go (said under the table).
function M.terminal(s, env)
  if type(s) ~= "table" then return end
  local indent, paint = env.indent, env.paint
  env.line()
  for _, l in ipairs(F.wrap(env.clean(M.title(s)) or "", math.max(20, env.width - F.width(indent)))) do
    env.line(indent .. paint("bold", l))
  end
  env.prose("", s.evidence, indent)
  local list = F.list(s.rows)
  if #list > 0 then
    local style = function(r, _, x) return r == 1 and paint("dim", x) or x end
    local function render(cols)
      local rows, align = { {} }, {}
      for c, col in ipairs(cols) do rows[1][c], align[c] = col[1], col[2] end
      for _, r in ipairs(list) do
        local row = {}
        for c, col in ipairs(cols) do row[c] = env.clean(col[3](r)) or "" end
        rows[#rows + 1] = row
      end
      local lines = env.table_lines(rows, align, indent .. "  ", style)
      local widest = 0
      for _, l in ipairs(lines) do widest = math.max(widest, F.width(l)) end
      return lines, widest
    end
    local cols = term_columns(false)
    local lines, widest = render(cols)
    local ids, dropped = false, {}
    if widest > env.width then
      ids = true
      table.remove(cols)  -- the ids, listed under the table
      lines, widest = render(cols)
    end
    if widest > env.width then
      cols = term_columns(true)
      table.remove(cols)
      lines, widest = render(cols)
    end
    for _, name in ipairs(DROP) do
      if widest <= env.width then break end
      for c = #cols, 1, -1 do if cols[c].key == name then table.remove(cols, c) end end
      dropped[#dropped + 1] = name
      lines, widest = render(cols)
    end
    for _, l in ipairs(lines) do env.line(l) end
    if #dropped > 0 then
      env.prose("", format("(%s left out to fit the terminal; --markdown, --html and --json have them)",
        table.concat(dropped, ", ")), indent .. "  ")
    end
    if ids then
      local all = {}
      for i, r in ipairs(list) do all[i] = str(r.id) end
      env.prose("", "generations, in this order: " .. table.concat(all, ", "), indent .. "  ")
    end
  end
  for _, n in ipairs(M.notes(s)) do env.prose("", "note: " .. n, indent .. "  ") end
end

-- Markdown lines; `esc` escapes data text, `tbl(out, header, align, rows)` writes a table.
function M.markdown(s, out, esc, tbl)
  if type(s) ~= "table" then return end
  out[#out + 1] = "**" .. esc(M.title(s)) .. "**"
  out[#out + 1] = ""
  if F.str(s.evidence) then out[#out + 1] = esc(s.evidence); out[#out + 1] = "" end
  local rows = M.rows(s)
  if #rows > 0 then
    for _, r in ipairs(rows) do for j, c in ipairs(r) do r[j] = esc(c) end end
    tbl(out, M.HEADER, M.ALIGN, rows)
  end
  for _, n in ipairs(M.notes(s)) do out[#out + 1] = "- " .. esc(n) end
  if #M.notes(s) > 0 then out[#out + 1] = "" end
end

-- An HTML fragment; `esc` escapes text for HTML.
function M.html(s, esc)
  if type(s) ~= "table" then return "" end
  local out = { '<section class="samples">', "<h4>" .. esc(M.title(s)) .. "</h4>" }
  if F.str(s.evidence) then  -- `stop` in the sentence becomes code (after escaping, so nothing else can)
    out[#out + 1] = "<p>" .. esc(s.evidence):gsub("`([^`<>&]+)`", "<code>%1</code>") .. "</p>"
  end
  local rows = M.rows(s)
  if #rows > 0 then
    out[#out + 1] = '<table class="figures"><thead><tr>'
    for i, h in ipairs(M.HEADER) do
      out[#out + 1] = format("<th%s>%s</th>", M.ALIGN[i] == "r" and ' class="num"' or "", esc(h))
    end
    out[#out + 1] = "</tr></thead><tbody>"
    for _, r in ipairs(rows) do
      out[#out + 1] = "<tr>"
      for i, c in ipairs(r) do
        out[#out + 1] = format("<td%s>%s</td>", M.ALIGN[i] == "r" and ' class="num"' or (i == #r and ' class="id"' or ""),
          esc(c))
      end
      out[#out + 1] = "</tr>"
    end
    out[#out + 1] = "</tbody></table>"
  end
  local notes = M.notes(s)
  if #notes > 0 then
    out[#out + 1] = '<ul class="notes">'
    for _, n in ipairs(notes) do out[#out + 1] = "<li>" .. esc(n) .. "</li>" end
    out[#out + 1] = "</ul>"
  end
  out[#out + 1] = "</section>"
  return table.concat(out)
end

return M
