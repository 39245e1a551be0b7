-- orscript.report: renders a cost review's result as terminal text, Markdown, one
-- self-contained HTML page (inline CSS and SVG charts, no scripts, no network) or
-- JSON. Pure Lua; the analysis that fills `data` lives in recipes/cost_review.lua.
--
--   local report = require "orscript.report"
--   io.write(report.terminal(data, { color = report.want_color() }))
--   report.write("review.html", report.html(data))
--
-- Renderers: orscript/report/{terminal,markdown,html,svg,json,format}.lua.
--
-- The data contract (every field optional unless noted; orscript.null and NaN are
-- read as missing; see docs/report.md):
--
--   data = {
--     title = "OpenRouter cost review", account = "demo",
--     generated_at = "2026-11-18T12:00:00Z",
--     window   = { start = "2026-10-01", ["end"] = "2026-11-01", label = "October 2026" },
--     baseline = { spend = 31234.5, tokens = 2.1e10, requests = 5400000, blended_per_mtok = 1.49 },
--     recommendations = {            -- ordered by impact_usd, descending (kept as given)
--       { rank = 1, kind = "expensive_model", title = "...", impact_usd = 8123.4,
--         target = "key nightly-batch", change = "...", risk = "...",
--         figures = { { "spend (October)", 8500.1, "currency" }, ... } },   -- {label, value, format}
--     },
--     observations = { { title = "...", text = "..." } },                    -- or plain strings
--     charts = {
--       spend_by_model = { { label = "anthropic/claude-sonnet-4.5", value = 12000.5 }, ... },
--       weekly_by_key  = { weeks = { "2026-09-20", ... },                    -- week starts, ISO dates
--                          series = { { name = "nightly-batch", values = { 1200.1, nil, ... } } },
--                          markers = { { series = "support-bot", week = "2026-10-25", label = "..." } } },
--       components     = { weeks = { ... },
--                          series = { { name = "usage_upstream", values = { ... } }, ... } },
--     },
--     warnings = { "..." },
--     verify_script = "-- Lua source of the re-run script",
--     no_findings = false,            -- true: the report says plainly that nothing needs changing
--   }
--
-- Figure formats: "currency" ($12,345.67), "percent" (0–1 ratio → 12.3%), "per_mtok"
-- ($/million tokens → $37.20/Mtok), "count" (21,000,000,000), "number", "text".
-- A nil inside a series is a gap (the line breaks; the bar is absent). A marker whose
-- week is not in `weeks` is drawn at the first later week, or not at all.
local F = require "orscript.report.format"

local report = {}

local function check(fn, data)
  if type(data) ~= "table" then
    error(string.format("orscript.report.%s: expected a data table, got %s", fn, type(data)), 3)
  end
end

-- report.terminal(data, opts) → string. opts.color: ANSI colour; opts.width: wrap
-- width (default 100); opts.verify_script = false leaves out the re-run script.
function report.terminal(data, opts)
  check("terminal", data)
  if opts ~= nil and type(opts) ~= "table" then
    error("orscript.report.terminal: opts must be a table or nil", 2)
  end
  return require("orscript.report.terminal").render(data, opts or {})
end

-- report.markdown(data) → string (GitHub-flavoured Markdown).
function report.markdown(data)
  check("markdown", data)
  return require("orscript.report.markdown").render(data)
end

-- report.html(data) → string: one self-contained HTML document.
function report.html(data)
  check("html", data)
  return require("orscript.report.html").render(data)
end

-- report.json(data) → string. Gaps become null; empty lists [], empty window,
-- baseline and charts {}.
function report.json(data)
  check("json", data)
  return require("orscript.report.json").render(data)
end

-- report.write(path, text): writes text to path (binary, replacing it); raises
-- "orscript.report.write: cannot write 'path': reason" on failure.
function report.write(path, text)
  if type(path) ~= "string" or path == "" then
    error("orscript.report.write: expected a file path, got " .. tostring(path), 2)
  end
  if type(text) ~= "string" then
    error("orscript.report.write: expected the text to write, got " .. type(text), 2)
  end
  -- Whole or not at all: a temporary file beside it, then rename (an interrupted run or
  -- a full disk never leaves half a report where a good one was).
  local has_core, core = pcall(require, "orscript.core")
  if has_core and type(core) == "table" and core.write_file then
    local ok, err = pcall(core.write_file, path, text)
    if not ok then
      error("orscript.report.write: " .. tostring(type(err) == "table" and err.message or err), 2)
    end
    return path
  end
  -- Outside orscript (plain LuaJIT): the same temporary file and rename, in Lua.
  local tmp = path .. ".tmp-" .. tostring(os.time()) .. tostring(math.random(1e9))
  local f, err = io.open(tmp, "wb")
  if not f then error("orscript.report.write: cannot write '" .. path .. "': " .. tostring(err), 2) end
  local ok, werr = f:write(text)
  local closed, cerr = f:close()
  local renamed, rerr = false, nil
  if ok and closed then renamed, rerr = os.rename(tmp, path) end
  if not renamed then
    os.remove(tmp)
    error("orscript.report.write: cannot write '" .. path .. "': " .. tostring(werr or cerr or rerr), 2)
  end
  return path
end

-- report.want_color() → boolean: true when NO_COLOR is unset (or empty), TERM is not
-- "dumb" and stdout is a terminal (isatty(1) through the FFI; false if unavailable).
function report.want_color()
  local no_color = os.getenv("NO_COLOR")
  if no_color and no_color ~= "" then return false end
  if os.getenv("TERM") == "dumb" then return false end
  if not io.stdout then return false end
  local ok, tty = pcall(function()
    local ffi = require "ffi"
    if not pcall(function() return ffi.C.isatty end) then
      ffi.cdef "int isatty(int fd);"
    end
    return ffi.C.isatty(1) == 1
  end)
  return ok and tty == true
end

-- Formatting helpers shared with the recipes. Missing values (nil, null, NaN) → "—".
report.format_money = F.money          -- 12345.678 → "$12,345.68"; -5 → "-$5.00"
report.format_percent = F.percent      -- 0.1234 → "12.3%" (argument is a 0–1 ratio)
report.format_count = F.count          -- 2.1e10 → "21,000,000,000" (exact, rounded to integer)
report.format_compact = F.compact      -- 2.1e10 → "21.0B"
report.format_per_mtok = F.per_mtok    -- 37.2 → "$37.20/Mtok"
report.format_figure = F.figure        -- (value, "currency"|"percent"|...) → string
report.MISSING = F.MISSING

return report
