---@meta
-- LuaLS / LuaCATS annotations for orscript result tables (docs/scripting-tables.md).
-- Not loaded at run time: editors with the Lua language server read it for completion
-- and type checks.

---@alias orscript.Cell number|string|boolean|orscript.Null
---@alias orscript.Row table<string, orscript.Cell>
---@alias orscript.DisplayFormat "number"|"currency"|"percent"|"latency"|"throughput"|"text"|"date"
---@alias orscript.FilterOp "eq"|"neq"|"gt"|"gte"|"lt"|"lte"|"in"|"not_in"|"=="|"~="|"!="|">"|">="|"<"|"<="
---@alias orscript.AggFn "sum"|"mean"|"avg"|"min"|"max"|"count"|"count_distinct"|"first"|"wmean"
---@alias orscript.Direction "asc"|"desc"

---The JSON null sentinel (`orscript.null`), distinct from nil.
---@class orscript.Null

---@class orscript.TableMeta
---@field truncated boolean true when the API hit its row limit: totals are partial
---@field row_count number rows in the response this table came from
---@field limit? number the request's limit
---@field query_time_ms? number server execution time
---@field cached_at? number epoch ms when served from the API's result cache
---@field warnings string[] non-fatal warnings from the API
---@field request? table the request body
---@field source string the endpoint ("/analytics/query", "activity", ...; "lua" for core.table)
---@field note? string when truncated: "top 5 of more (limit = 5); ..." or the API's row limit
---@field dry_run? boolean the empty result of --dry-run (nothing was sent)
---@field as_of? string datasets: when the response was generated
---@field [string] any other dataset metadata

---@class orscript.ColumnInfo
---@field name string
---@field type "number"|"string"|"time"|"boolean"
---@field role "dimension"|"metric"|"time"|"derived"
---@field format orscript.DisplayFormat
---@field is_rate boolean rates are never summed; use wmean
---@field source_key? string the key in the response, e.g. "date__day"
---@field granularity? string time columns: minute, hour, day, week, month

---@class orscript.TableOptions
---@field columns? string[] names to put first
---@field formats? table<string, orscript.DisplayFormat>
---@field rates? string[]|table<string, boolean>
---@field meta? { truncated?: boolean, row_count?: number, limit?: number, query_time_ms?: number, cached_at?: number, warnings?: string[], request?: table|string, source?: string }

---An aggregate: `"count"`, `{fn, column}` or `{"wmean", rate_column, weight_column}`.
---@alias orscript.AggSpec string|{ [1]: orscript.AggFn, [2]: string?, [3]: string? }

---A result table: typed columns, immutable; every operation returns a new table.
---@class orscript.Table
---@field meta orscript.TableMeta a fresh table describing the response
---@field columns string[] column names in order
---@field [integer] orscript.Row row i (nil outside 1..#t)
---@operator len: integer
local Table = {}

---Iterates rows: `for i, row in t:rows() do ... end`.
---@return fun(t: orscript.Table, i: integer): integer?, orscript.Row
---@return orscript.Table
---@return integer
function Table:rows() end

---The values of one column (nulls as orscript.null).
---@param name string
---@return orscript.Cell[]
function Table:col(name) end

---Describes one column, or every column when no name is given.
---@param name? string
---@return orscript.ColumnInfo|orscript.ColumnInfo[]
function Table:info(name) end

---Keeps rows where `fn(row, i)` is true, or where `column op value` holds.
---@param fn_or_column string|fun(row: orscript.Row, i: integer): any
---@param op? orscript.FilterOp
---@param value? orscript.Cell|orscript.Cell[]
---@return orscript.Table
function Table:filter(fn_or_column, op, value) end

---Stable sort, nulls last. `t:sort("col", "desc")` or `t:sort{"a", {"b", "desc"}}`.
---@param keys string|(string|{ [1]: string, [2]: orscript.Direction? })[]
---@param direction? orscript.Direction
---@return orscript.Table
function Table:sort(keys, direction) end

---The n rows with the largest values of `column` (nulls last).
---@param n integer
---@param column string
---@return orscript.Table
function Table:top(n, column) end

---The first n rows (default 10).
---@param n? integer
---@return orscript.Table
function Table:head(n) end

---Only the named columns, in that order.
---@param ... string|string[]
---@return orscript.Table
function Table:select(...) end

---Adds (or replaces) a column computed by `fn(row, i)` or by an expression over the
---row's columns, e.g. `"total_usage / tokens_total * 1e6"`.
---@param name string
---@param fn_or_expression string|fun(row: orscript.Row, i: integer): orscript.Cell?
---@param opts? { format?: orscript.DisplayFormat, rate?: boolean }
---@return orscript.Table
function Table:derive(name, fn_or_expression, opts) end

---Groups by column(s) and aggregates: `{spend = {"sum", "total_usage"}, n = "count"}` or
---`{{"spend", "sum", "total_usage"}, ...}`. Summing a rate raises; use "wmean".
---@param by string|string[]
---@param aggregates? table<string, orscript.AggSpec>|{ [1]: string, [2]: orscript.AggFn, [3]: string?, [4]: string? }[]
---@return orscript.Table
function Table:group(by, aggregates) end

---One row per `row` value, one column per `column` value, cells from `value`.
---@param row string
---@param column string
---@param value string
---@param aggregate? orscript.AggFn
---@return orscript.Table
function Table:pivot(row, column, value, aggregate) end

---Joins on equal key values; right-side name clashes get "_2".
---@param other orscript.Table
---@param on string|string[]
---@param how? "inner"|"left"|"right"|"outer"
---@return orscript.Table
function Table:join(other, on, how) end

---Renames columns: ("old", "new") or {old = "new", ...}.
---@param old string|table<string, string>
---@param new? string
---@return orscript.Table
function Table:rename(old, new) end

---Adds `<column>_share` (0–1) of the total, per `by` group when given.
---@param column string
---@param opts? { by?: string|string[], partial?: boolean }
---@return orscript.Table
function Table:share(column, opts) end

---Period over period: adds `<column>_prev`, `<column>_change`, `<column>_change_pct`.
---@param column string
---@param opts? { by?: string|string[], time?: string }
---@return orscript.Table
function Table:change(column, opts) end

---Sum of the non-null cells (orscript.null when all are null). Raises on a truncated
---result unless `{partial = true}`.
---@param column string
---@param opts? { partial?: boolean }
---@return number|orscript.Null
function Table:sum(column, opts) end

---A truncation-safe total: null reads as "not used" (a null-only column totals 0); a
---truncated table gives nil, and its note goes into `opts.warnings`.
---@param column string
---@param opts? { warnings?: string[], what?: string }
---@return number|nil
function Table:total(column, opts) end

---Appends "WHAT: warning" for each API warning (once) and a truncation note to `list`.
---@param list string[]
---@param what? string
---@return boolean whole
function Table:note_warnings(list, what) end

---A copy for display: columns in order, each a name or {column, shown_as [, fn]}.
---@param cols (string|{ [1]: string, [2]: string, [3]?: fun(v: any): any })[]
---@return orscript.Table
function Table:view(cols) end

---The aligned human table (what print(t) shows).
---@param opts? { width?: integer, max_rows?: integer }
---@return string
function Table:format(opts) end

---@return string
function Table:to_csv() end

---@return string
function Table:to_json() end

---@return string
function Table:to_markdown() end

---Writes .csv, .json or .md by the extension, or a chart: .svg or .html (then returns the path).
---@param path string
---@param plot_opts? orscript.PlotOptions
---@return string?
function Table:write(path, plot_opts) end

---@class orscript.PlotOptions
---@field x? string the x column (default: the time column, else the first text column)
---@field y? string|string[] number column(s) to draw
---@field by? string a text column splitting y into series
---@field kind? "line"|"bar"|"area"
---@field log? boolean|"auto"
---@field title? string
---@field path? string write a .svg or .html file and return its path
---@field format? "text"|"svg"|"html" without path: the chart as text (default "text": sparklines)

---A chart of the table (see docs/scripting-tables.md, "Charts").
---@param opts? orscript.PlotOptions
---@return string
function Table:plot(opts) end

---@class orscript.core
---@field null orscript.Null
local core = {}

---Builds a table from a list of rows or a table of columns.
---@param data orscript.Row[]|table<string, orscript.Cell[]>
---@param opts? orscript.TableOptions
---@return orscript.Table
function core.table(data, opts) end

---Builds a table from a response body given as JSON text.
---@param json_text string
---@param opts? { source?: string, request?: table|string }
---@return orscript.Table
function core.parse_table(json_text, opts) end

return core
