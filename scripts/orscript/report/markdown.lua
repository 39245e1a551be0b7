-- orscript.report.markdown: the cost review as GitHub-flavoured Markdown.
--
-- Owns: headings, pipe tables and escaping of data text for Markdown (table pipes,
-- inline HTML, emphasis characters). Charts become tables; change points a list. What
-- each section shows is orscript.report.sections.
local F = require "orscript.report.format"

local concat = table.concat

local M = {}

-- Escapes text for inline Markdown: no HTML, no emphasis or links, no table breaks.
local function esc(s)
  s = F.str(s)
  if not s then return F.MISSING end
  s = s:gsub("\r?\n", " ")
  s = F.plain(s, "")
  s = s:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;")
  s = s:gsub("([\\`*_%[%]|#])", "\\%1")
  return (s:gsub("\r?\n", " "))
end
M.escape = esc

local function tbl(out, header, align, rows)
  local seps = {}
  for i = 1, #header do seps[i] = align[i] == "r" and "---:" or "---" end
  out[#out + 1] = "| " .. concat(header, " | ") .. " |"
  out[#out + 1] = "|" .. concat(seps, "|") .. "|"
  for _, row in ipairs(rows) do out[#out + 1] = "| " .. concat(row, " | ") .. " |" end
  out[#out + 1] = ""
end

-- The writer the sections draw with (orscript.report.sections): lines, escaping and
-- pipe tables.
function M.render(data)
  local out = {}
  local D = { esc = esc, out = out, tbl_into = tbl }  -- out and tbl_into: orscript.report.samples
  function D.p(s) out[#out + 1] = s or "" end
  function D.tbl(header, align, rows) tbl(out, header, align, rows) end
  function D.drop_last() out[#out] = nil end
  for _, section in ipairs(require "orscript.report.sections") do section.markdown(D, data) end
  return (concat(out, "\n"):gsub("\n+$", "")) .. "\n"
end

return M
