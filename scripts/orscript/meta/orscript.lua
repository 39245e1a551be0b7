---@meta orscript
-- LuaLS / LuaCATS annotations for the orscript library (the global `orscript`).
-- Result tables (orscript.Table) are annotated in meta/table.lua.

---@alias orscript.Instant number Unix milliseconds (UTC)
---@alias orscript.TimeLike string|orscript.Instant ISO-8601 text ("2026-05-01", "2026-05-01T12:00:00Z") or Unix ms
---@alias orscript.Grain "minute"|"hour"|"day"|"week"|"month"
---@alias orscript.Operator "eq"|"neq"|"gt"|"gte"|"lt"|"lte"|"in"|"not_in"
---@alias orscript.FilterSpec {[1]: string, [2]: orscript.Operator, [3]: string|number|(string|number)[], include_unset?: boolean}

---@class orscript.Error
---@field kind "usage"|"script"|"auth"|"api"|"rate_limit"|"http"|"tls"|"timeout"|"data"|"interrupted"|"internal"
---@field message string
---@field status integer HTTP status, 0 when there was no response
---@field code? string the server's error.code
---@field api_message? string the server's error.message
---@field request? string "POST /api/v1/analytics/query"
---@field where string "file:line: " of the Lua code that caused it
---@field exit_code integer

---@class orscript.Range
---@field start orscript.Instant first instant (inclusive)
---@field stop orscript.Instant end (exclusive)
---@field end orscript.Instant same as stop
---@field period "month"|"week"|"day"|false calendar period, for prev()/shift()
local Range = {}
---@return number days length in days (may be fractional)
function Range:days() end
---@return number
function Range:hours() end
---@return number
function Range:ms() end
---@param t orscript.TimeLike
---@return boolean
function Range:contains(t) end
---@param n? integer periods to move (default 1; negative = back)
---@return orscript.Range
function Range:shift(n) end
---@return orscript.Range the period just before (previous calendar month for month ranges)
function Range:prev() end
---@return string start, string end ISO-8601 text
function Range:iso() end
---@return string first, string last inclusive dates "YYYY-MM-DD"
function Range:dates() end
---@param days number
---@return orscript.Range[]
function Range:split(days) end
---@param grain orscript.Grain
---@return orscript.Instant[]
function Range:buckets(grain) end

---@class orscript.timelib
---@field MINUTE integer
---@field HOUR integer
---@field DAY integer
---@field WEEK integer
---@field Range orscript.Range
local time = {}
---@return orscript.Instant
function time.now() end
---@param s string
---@return orscript.Instant
function time.parse(s) end
---@param t orscript.TimeLike
---@return string
function time.format(t) end
---@param t orscript.TimeLike
---@return string
function time.date(t) end
---@param t orscript.TimeLike
---@return integer year, integer month, integer day, integer hour, integer minute, integer second, integer weekday
function time.parts(t) end
---@param t orscript.TimeLike
---@param grain orscript.Grain|"year"
---@return orscript.Instant
function time.floor(t, grain) end
---@param t orscript.TimeLike
---@param n integer
---@param unit orscript.Grain|"year"
---@return orscript.Instant
function time.add(t, n, unit) end
---@param start orscript.TimeLike|table
---@param stop? orscript.TimeLike
---@return orscript.Range
function time.range(start, stop) end
---@param t? orscript.TimeLike
---@return orscript.Range
function time.month(t) end
---@return orscript.Range
function time.last_month() end
---@return orscript.Range
function time.this_month() end
---@param n integer
---@return orscript.Range
function time.last_days(n) end
---@param n integer
---@return orscript.Range
function time.last_hours(n) end
---@return orscript.Range
function time.today() end
---@param n? integer
---@return orscript.Range
function time.weeks(n) end

---@class orscript.QuerySpec
---@field metrics? string[]|string
---@field by? string[]|string
---@field where? orscript.FilterSpec[]|table<string, string|number|(string|number)[]>
---@field range? orscript.Range|{[1]: orscript.TimeLike, [2]: orscript.TimeLike}
---@field grain? orscript.Grain
---@field order? {[1]: string, [2]: "asc"|"desc"}|string|"asc"|"desc" "asc"/"desc" alone: by time (needs a grain)
---@field limit? integer 1..10000
---@field group_limit? integer 1..10000
---@field split? boolean
---@field classifier? {id: string, names?: string[], include_nulls?: boolean, where?: orscript.FilterSpec[]}

---@class orscript.Query
local Query = {}
---@param ... string|string[]
---@return orscript.Query
function Query:metrics(...) end
---@param ... string|string[]
---@return orscript.Query
function Query:by(...) end
---@param field string|orscript.FilterSpec[]
---@param op? orscript.Operator|string|number|table
---@param value? string|number|(string|number)[]
---@param opts? {include_unset?: boolean}
---@return orscript.Query
function Query:where(field, op, value, opts) end
---@param start orscript.Range|orscript.TimeLike|nil
---@param stop? orscript.TimeLike
---@return orscript.Query
function Query:range(start, stop) end
---@param g orscript.Grain|nil
---@return orscript.Query
function Query:grain(g) end
---@param field string
---@param dir? "asc"|"desc"
---@return orscript.Query
function Query:order(field, dir) end
---@param n integer
---@return orscript.Query
function Query:limit(n) end
---@param n integer
---@return orscript.Query
function Query:group_limit(n) end
---@param on? boolean
---@return orscript.Query
function Query:split(on) end
---@param c {id: string, names?: string[], include_nulls?: boolean, where?: orscript.FilterSpec[]}|nil
---@return orscript.Query
function Query:classifier(c) end
---@return orscript.QuerySpec
function Query:spec() end
---@return string json
function Query:body() end
---@return table body
function Query:payload() end
---@param opts? {split?: boolean}
---@return string
function Query:explain(opts) end
---@param opts? {split?: boolean}
---@return orscript.Table
function Query:run(opts) end
---@return orscript.Pending
function Query:submit() end

---@class orscript.Pending
local Pending = {}
---@return any
function Pending:wait() end
---@return string
function Pending:endpoint() end

---@class orscript.Request
---@field endpoint string
---@field params table<string, string|number|boolean>
---@field name string
local Request = {}
---@return any
function Request:run() end
---@return orscript.Pending
function Request:submit() end

---@class orscript.MetricInfo
---@field name string
---@field label string
---@field is_rate boolean
---@field format "number"|"currency"|"percent"|"latency"|"throughput"
---@field max_days integer 31 or 365

---@class orscript.DimensionInfo
---@field name string
---@field label string
---@field max_days integer
---@field label_resolved boolean

---@class orscript.Schema
---@field metrics orscript.MetricInfo[]
---@field dimensions orscript.DimensionInfo[]
---@field operators {name: string, value_type: "scalar"|"array"}[]
---@field granularities {name: string, label: string}[]
---@field fetched_at orscript.Instant
---@field source "api"|"cache"
---@field raw table
local Schema = {}
---@return orscript.MetricInfo?
function Schema:metric(name) end
---@return orscript.DimensionInfo?
function Schema:dimension(name) end
---@return {name: string, value_type: string}?
function Schema:operator(name) end
---@return {name: string, label: string}?
function Schema:granularity(name) end
---@param section "metrics"|"dimensions"|"operators"|"granularities"
---@return string[]
function Schema:names(section) end
---@return integer
function Schema:max_days(name) end

---@class orscript.requests
local request = {}
---@return orscript.Request
function request.activity(opts) end
---@return orscript.Request
function request.rankings_daily(opts) end
---@return orscript.Request
function request.rankings_apps(opts) end
---@return orscript.Request
function request.session_cost(opts) end
---@return orscript.Request
function request.keys(opts) end
---@return orscript.Request
function request.key() end
---@return orscript.Request
function request.credits() end
---@param id string
---@return orscript.Request
function request.generation(id) end
---@return orscript.Query
function request.query(spec) end

---@class orscript.rankingslib
local rankings = {}
---@param opts? {start_date?: string, end_date?: string, range?: orscript.Range, period?: "day"|"week"|"month", modality?: string, context_bucket?: string, category?: string, language_type?: "natural"|"programming"}
---@return orscript.Table
function rankings.daily(opts) end
---@param opts? {sort?: "popular"|"trending", category?: string, subcategory?: string, start_date?: string, end_date?: string, range?: orscript.Range, limit?: integer}
---@return orscript.Table
function rankings.apps(opts) end

---@class orscriptlib
---@field version string
---@field demo boolean
---@field null userdata JSON null, distinct from nil
---@field time orscript.timelib
---@field rankings orscript.rankingslib
---@field request orscript.requests
---@field json {encode: fun(v: any): string, decode: fun(s: string): any}
---@field Query orscript.Query
---@field Range orscript.Range
orscript = {}
---@param spec? orscript.QuerySpec
---@return orscript.Query
function orscript.query(spec) end
---@param list (orscript.Query|orscript.Request|orscript.Pending)[]
---@return any[]
function orscript.all(list) end
---@param opts? {refresh?: boolean}
---@return orscript.Schema
function orscript.meta(opts) end
---@param opts? orscript.params.activity|{key?: string, key_hash?: string} key: a name or hash
---@return orscript.Table
function orscript.activity(opts) end
---@param opts? orscript.params.session_cost
---@return orscript.Table
function orscript.session_cost(opts) end
---Every key of every workspace (or of one), all pages.
---@param opts? {workspace?: string, include_disabled?: boolean}
---@return orscript.Table
function orscript.keys(opts) end
---One key's fields (GET /keys/{hash}); `key` is its name or 64-hex hash.
---@param key string
---@return table
function orscript.key_info(key) end
---Caps a key (PATCH /keys/{hash}); refused under --dry-run. orscript.null removes a field.
---@param key string name or hash
---@param opts {limit?: number|userdata, reset?: "daily"|"weekly"|"monthly"|userdata, include_byok?: boolean}
---@return table key the key after the change
function orscript.set_key_limit(key, opts) end
---Disables (or with false, enables) a key; refused under --dry-run.
---@param key string name or hash
---@param disabled? boolean default true
---@return table key
function orscript.disable_key(key, disabled) end
---@return orscript.Table
function orscript.workspaces() end
---@param ws string workspace id, slug or name
---@return {workspace: string, include_byok: boolean, daily?: number, weekly?: number, monthly?: number, lifetime?: number, items: table[]}
function orscript.budgets(ws) end
---Sets (or with nil usd, removes) a workspace budget; refused under --dry-run.
---@param ws string workspace id, slug or name
---@param interval "daily"|"weekly"|"monthly"|"lifetime"
---@param usd number|nil
---@param opts? {include_byok?: boolean}
---@return table
function orscript.set_budget(ws, interval, usd, opts) end
---@return table
function orscript.key() end
---@return {total_credits: number, total_usage: number}
function orscript.credits() end
---@param id string
---@return table
function orscript.generation(id) end

---@class orscript.GenerationsSpread
---@field median number
---@field p90 number
---@field mean number
---@field min number
---@field max number
---@field total number
---@field n integer

---@class orscript.GenerationsMix
---@field value string
---@field count integer
---@field share number

---@class orscript.GenerationsSummary
---@field requests integer fetched
---@field sampled integer
---@field failed integer
---@field population integer?
---@field prompt orscript.GenerationsSpread?
---@field completion orscript.GenerationsSpread?
---@field reasoning orscript.GenerationsSpread?
---@field latency orscript.GenerationsSpread?
---@field generation_time orscript.GenerationsSpread?
---@field cost orscript.GenerationsSpread?
---@field cached_share number? cached ÷ prompt tokens
---@field cached_requests number? share of requests with any cached token
---@field finish_reasons orscript.GenerationsMix[]
---@field providers orscript.GenerationsMix[]
---@field models orscript.GenerationsMix[]
---@field missing table<string, integer> rows without each column

---@class orscript.Generations
---@field rows orscript.Table id, created_at, model, provider, tokens_*, finish_reason, latency, generation_time, cost
---@field summary orscript.GenerationsSummary
---@field failed {id: string, status: integer, kind: string, message: string}[]
---@field ids string[] the sampled ids
---@field population integer|false generations that matched (false when `ids` were given)
---@field range orscript.Range|false the range sampled
---@field notes string[]
---@field note string|false why there are no rows
local Generations = {}
---@return string
function Generations:describe() end

---A sample of the requests behind a slice: ids from the generation_id dimension, each fetched with GET /generation.
---@param opts? {key?: string, model?: string, app?: integer, where?: table, range?: orscript.Range|table, n?: integer, seed?: integer, ids?: string[], concurrency?: integer}
---@return orscript.Generations
function orscript.generations(opts) end
---@return orscript.Instant
function orscript.now() end
---@return string label, string description
function orscript.account() end
---@return string?
function orscript.cache_dir() end
---@param kind string
---@param message string
---@param level? integer
function orscript.error(kind, message, level) end

---@class orscript.ForecastFigures
---@field so_far number
---@field projected number
---@field low number
---@field high number
---@field last_month number
---@field last_month_so_far number
---@field change number
---@field change_pct number|orscript.Null
---@field run_rate number

---@class orscript.Forecast
---@field total orscript.ForecastFigures
---@field groups orscript.Table|false per `by` value, largest projection first
---@field movers orscript.Table|false the groups by the size of their change
---@field daily orscript.Table date, actual, expected
---@field month orscript.Range
---@field days_elapsed number
---@field days_in_month number
---@field as_of string
---@field metric string
---@field by string[]|false
local Forecast = {}
---@return string
function Forecast:summary() end

---Month to date, a weekday-aware projection with a range, and last month.
---@param opts? {by?: string|string[], metric?: string, weeks?: integer, where?: table, table?: orscript.Table}
---@return orscript.Forecast
function orscript.forecast(opts) end

---The forecast's daily query, unsent (for orscript.all); its result is `table` for forecast and anomalies.
---@param opts? {by?: string|string[], metric?: string, weeks?: integer, where?: table}
---@return orscript.Query
function orscript.forecast_query(opts) end

---Spikes and drops against a robust, weekday-aware baseline, in dollars.
---@param opts? {by?: string|string[], metric?: string, grain?: "day"|"week", days?: integer, weeks?: integer, baseline_weeks?: integer, threshold?: number, min_usd?: number, where?: table, table?: orscript.Table}
---@return orscript.Table
function orscript.anomalies(opts) end

---@class orscript.chart
orscript.chart = {}
---One block character per value; a missing value is a space.
---@param values (number|orscript.Null)[]
---@return string
function orscript.chart.sparkline(values) end

---@class orscript.code.Match
---@field root string
---@field file string
---@field line integer
---@field column integer
---@field text string
---@field name? string
---@field needle string
---@field kind string
---@field of string
---@field place "assignment"|"value"|"comment"

---@class orscript.code
orscript.code = {}
---Where models, keys and apps appear in source trees (exact matches, comments and vendored folders skipped).
---@param opts {dir?: string, dirs?: string[], models?: string[], keys?: string[], apps?: string[], envs?: string[], needles?: {text: string, kind?: string}[], comments?: boolean, git?: boolean, max_bytes?: integer, limit?: integer}
---@return {matches: orscript.code.Match[], files: integer, bytes: integer, skipped_binary: integer, skipped_large: integer, modes: string[], truncated: boolean}
function orscript.code.find(opts) end
---The slug of a dated permaslug ("openai/gpt-4o-2024-05-13" -> "openai/gpt-4o"), or nil.
---@param model string
---@return string?
function orscript.code.slug_of(model) end
---The environment-variable names a key is commonly kept in.
---@param key string
---@return string[]
function orscript.code.env_names(key) end

return orscript
