// table.hpp: the result table — typed columns, the operations an analysis needs, output.
//
// Owns: `orscript::Table`, a column store built straight from parsed API responses
// (analytics query rows, /activity, the datasets) or from plain rows; its metadata
// (truncated, row_count, warnings, cachedAt, the request); the immutable operations
// (filter, sort, top, derive, group, pivot, join, share, change, sum); and its text
// forms (aligned human table, CSV, JSON, Markdown, files). Does not own: fetching
// (host/net), the Lua view of a table (bindings/table_binding.hpp) or query checks.
//
// Split by responsibility: table.cpp (columns, lookup, time values), table_build.cpp
// (from JSON), table_ops.cpp (row operations), table_group.cpp (group/pivot/join),
// table_format.cpp (text forms); table_detail.hpp holds their shared private helpers.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orscript {

struct Schema;

enum class ColumnType : std::uint8_t { number, string, time, boolean };
enum class ColumnRole : std::uint8_t { dimension, metric, time, derived };
enum class DisplayFormat : std::uint8_t { number, currency, percent, latency, throughput, text, date };

std::string_view type_name(ColumnType t);
std::string_view role_name(ColumnRole r);
std::string_view format_name(DisplayFormat f);
// "number" "currency" "percent" "latency" "throughput" "text" "date"; nullopt otherwise.
std::optional<DisplayFormat> parse_format(std::string_view name);

// How a metric is shown when the schema does not say: usage_*/total_usage/*_usage/
// byok_fees/*_usd/*_cost currency, *_rate percent (rate), *_latency latency (rate),
// *_throughput throughput (rate), else number.
struct MetricStyle {
  DisplayFormat format = DisplayFormat::number;
  bool is_rate = false;
};
MetricStyle infer_metric_style(std::string_view name);
// The schema's word when it knows the metric, else infer_metric_style.
MetricStyle metric_style(std::string_view name, const Schema* schema);

// Time values are UTC epoch seconds. Accepts YYYY-MM-DD, "YYYY-MM-DD HH:MM[:SS]" and ISO
// 8601 with T, fractional seconds and Z or ±HH:MM. nullopt when the text is not a time.
std::optional<double> parse_time(std::string_view text);
// ISO text for a time cell: "YYYY-MM-DD" when it is midnight and the granularity is a
// day or coarser (or unknown), else "YYYY-MM-DDTHH:MM:SSZ" (".mmm" when fractional).
std::string iso_time(double epoch_seconds, std::string_view granularity);

// One column. Cells of number, time (epoch seconds) and boolean (0/1) columns live in
// `num`, text in `str`; `nulls[i]` is 1 where the cell is null (distinct from 0).
struct Column {
  std::string name;
  ColumnType type = ColumnType::number;
  ColumnRole role = ColumnRole::metric;
  DisplayFormat format = DisplayFormat::number;
  bool is_rate = false;        // averaged/ratio values: never summed
  std::string source_key;      // the key in the response ("date__day"), "" if the name
  std::string granularity;     // time columns: minute hour day week month, or ""
  std::vector<double> num;
  std::vector<std::string> str;
  std::vector<std::uint8_t> nulls;

  std::size_t size() const { return nulls.size(); }
  bool is_null(std::size_t i) const { return nulls[i] != 0; }
  bool is_text() const { return type == ColumnType::string; }

  // An empty column with this column's name, type and display attributes.
  Column empty_like() const;
  void push_null();
  void push_number(double v);       // number, time, boolean columns
  void push_string(std::string v);  // string columns
  void push_from(const Column& other, std::size_t row);  // same type; copies a cell
  // Gathers rows; an index of npos gives a null cell.
  Column take(const std::vector<std::size_t>& rows) const;
};

// One value given by a caller (filter arguments, cells read back).
struct Cell {
  enum class Kind : std::uint8_t { null, number, string, boolean };
  Kind kind = Kind::null;
  double num = 0;
  std::string str;

  static Cell null() { return {}; }
  static Cell number(double v) { return {Kind::number, v, {}}; }
  static Cell text(std::string s) { return {Kind::string, 0, std::move(s)}; }
  static Cell boolean(bool b) { return {Kind::boolean, b ? 1.0 : 0.0, {}}; }
};

struct TableMeta {
  bool truncated = false;                   // the API hit its row limit: totals are partial
  std::optional<std::int64_t> row_count;    // metadata.row_count as sent
  std::optional<std::int64_t> limit;        // the request's limit, when it had one
  std::optional<double> query_time_ms;
  std::optional<std::int64_t> cached_at;    // cachedAt, epoch ms, when served from cache
  std::vector<std::string> warnings;
  std::string request;                      // the request body as JSON text, "" if none
  std::string source;                       // "/analytics/query", "activity", ...
  boost::json::object extra;                // other response metadata (datasets: as_of, ...)

  // The row limit to name in messages: limit, else row_count.
  std::optional<std::int64_t> row_limit() const { return limit ? limit : row_count; }
};

enum class CompareOp : std::uint8_t { eq, neq, gt, gte, lt, lte, in, not_in };
// "eq" "neq" "gt" "gte" "lt" "lte" "in" "not_in" (also "==" "~=" "!=" ">" ">=" "<" "<=").
std::optional<CompareOp> parse_op(std::string_view name);

struct SortKey {
  std::string column;
  bool descending = false;
};

enum class AggFn : std::uint8_t { sum, mean, min, max, count, count_distinct, first, wmean };
// "sum" "mean" (or "avg") "min" "max" "count" "count_distinct" "first" "wmean".
std::optional<AggFn> parse_agg(std::string_view name);

struct Aggregate {
  std::string name;     // output column
  AggFn fn = AggFn::sum;
  std::string column;   // input column ("" for count: counts rows)
  std::string weight;   // wmean only: the weight column
};

enum class JoinKind : std::uint8_t { inner, left };

struct FormatOptions {
  int width = 100;             // terminal width to fit
  std::size_t max_rows = 40;   // rows shown before "… N more rows"
};

class Table {
 public:
  TableMeta meta;

  std::size_t row_count() const { return columns_.empty() ? 0 : columns_.front().size(); }
  std::size_t column_count() const { return columns_.size(); }
  const std::vector<Column>& columns() const { return columns_; }
  // For builders: callers keep every column the same length.
  std::vector<Column>& columns_mut() { return columns_; }
  const Column* find(std::string_view name) const;
  // Throws Error(usage) naming the columns that exist and the nearest one.
  const Column& column(std::string_view name) const;
  std::size_t index_of(std::string_view name) const;  // throws like column()
  // Appends, or replaces a column of the same name in place. Throws Error(usage) when
  // the length differs from the table's.
  void set_column(Column c);
  Cell cell(std::size_t row, const Column& c) const;

  // --- operations: each returns a new table with the same meta -----------------------
  Table take(const std::vector<std::size_t>& rows) const;
  Table filter(const std::vector<bool>& keep) const;
  // Rows where `column op value` holds; `values` has one element except for in/not_in.
  // Null cells match only eq null / neq non-null / in lists holding null.
  Table filter(std::string_view column, CompareOp op, const std::vector<Cell>& values) const;
  Table sort(const std::vector<SortKey>& keys) const;   // stable; nulls last
  Table top(std::size_t n, std::string_view column) const;  // n largest, nulls last
  Table head(std::size_t n) const;
  Table select(const std::vector<std::string>& names) const;
  Table with_column(Column c) const;  // derive: add or replace
  // Group by `by` (first-appearance order; none: one totals row) with one output column
  // per aggregate. A sum over an is_rate column throws Error(usage) pointing to wmean.
  Table group(const std::vector<std::string>& by, const std::vector<Aggregate>& aggs) const;
  // One row per `row` value, one column per `col` value, cells from `value`. Without
  // `agg`, two rows for one cell throw Error(usage); missing cells are null.
  Table pivot(std::string_view row, std::string_view col, std::string_view value,
              std::optional<AggFn> agg = std::nullopt) const;
  // Joins on equal values of `on` (null never matches). Right-side name clashes get
  // "_2". Key columns must have the same type on both sides.
  Table join(const Table& right, const std::vector<std::string>& on, JoinKind how) const;
  // Adds `<column>_share` = value / total (per `by` group when given), 0–1, percent.
  // Refuses rates, and truncated tables unless `partial`.
  Table share(std::string_view column, const std::vector<std::string>& by, bool partial) const;
  // Period over period along `time` (default: the time column) within groups of `by`
  // (default: every dimension column): adds <column>_prev, <column>_change and
  // <column>_change_pct (relative, percent). Row order is kept.
  Table change(std::string_view column, const std::optional<std::vector<std::string>>& by,
               std::string_view time = {}) const;
  // Sum over non-null cells; nullopt when every cell is null. Throws Error(data) on a
  // truncated table unless `partial`, Error(usage) for rates and non-number columns.
  std::optional<double> sum(std::string_view column, bool partial = false) const;

  // --- output -----------------------------------------------------------------------
  std::string format(const FormatOptions& options = {}) const;  // aligned, with notes
  std::string to_csv() const;       // RFC 4180, raw values, CRLF
  std::string to_json() const;      // array of row objects; time as ISO text
  std::string to_markdown() const;  // formatted values
  // By extension: .csv .json .md (.markdown). Throws Error(usage) for others or when
  // the file cannot be written.
  void write(const std::string& path) const;

 private:
  std::vector<Column> columns_;
};

// Builds from a POST /analytics/query response (the whole body {"data":{...}} or its
// data object). `request_body` (object or null) gives metric and dimension names, the
// limit, and is kept as meta.request; `schema` (may be null) gives display_format and
// is_rate per metric. Throws Error(http) when the response has no row array, and
// Error(data) for a metric value that is not a finite decimal number of at most 1e15
// ("NaN", "0x10", 1e400; counts also whole and >= 0) or two rows with the same
// dimension values: never a silent 0, inf or double count.
Table from_analytics(const boost::json::value& response, const boost::json::value& request_body,
                     const Schema* schema);
Table from_analytics(const boost::json::value& response, const boost::json::object& request_body,
                     const Schema* schema);

struct RowsOptions {
  const Schema* schema = nullptr;
  std::vector<std::string> numeric;  // string columns to read as numbers, besides the
                                     // defaults (*tokens, *_count, requests, *_requests)
  bool from_api = true;  // numeric columns must hold finite decimals (counts: whole >= 0),
                         // else Error(data); false for tables a script builds
};
// Builds from /activity, the datasets endpoints or any array of flat row objects:
// `response` is {"data":[...], "meta":{...}} or the array itself; `source` is recorded
// in meta. Numbers stay numbers, count-like numeric strings become numbers, a column
// named date (or whose every value is a date/time) becomes a time column.
Table from_rows(const boost::json::value& response, std::string_view source, const RowsOptions& options = {});

// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace orscript
