// table.cpp: columns, column lookup with suggestions, names of enums, time values.
#include "host/core/iso_time.hpp"
#include "host/core/table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "host/core/error.hpp"
#include "host/core/schema.hpp"

namespace orscript {

// --- names ----------------------------------------------------------------------------

std::string_view type_name(ColumnType t) {
  switch (t) {
    case ColumnType::number: return "number";
    case ColumnType::string: return "string";
    case ColumnType::time: return "time";
    case ColumnType::boolean: return "boolean";
  }
  return "number";
}

std::string_view role_name(ColumnRole r) {
  switch (r) {
    case ColumnRole::dimension: return "dimension";
    case ColumnRole::metric: return "metric";
    case ColumnRole::time: return "time";
    case ColumnRole::derived: return "derived";
  }
  return "metric";
}

namespace {
constexpr std::pair<DisplayFormat, std::string_view> kFormats[] = {
    {DisplayFormat::number, "number"},   {DisplayFormat::currency, "currency"},
    {DisplayFormat::percent, "percent"}, {DisplayFormat::latency, "latency"},
    {DisplayFormat::throughput, "throughput"}, {DisplayFormat::text, "text"},
    {DisplayFormat::date, "date"},
};
}  // namespace

std::string_view format_name(DisplayFormat f) {
  for (auto& [k, n] : kFormats)
    if (k == f) return n;
  return "number";
}

std::optional<DisplayFormat> parse_format(std::string_view name) {
  for (auto& [k, n] : kFormats)
    if (n == name) return k;
  return std::nullopt;
}

std::optional<CompareOp> parse_op(std::string_view n) {
  if (n == "eq" || n == "==") return CompareOp::eq;
  if (n == "neq" || n == "~=" || n == "!=") return CompareOp::neq;
  if (n == "gt" || n == ">") return CompareOp::gt;
  if (n == "gte" || n == ">=") return CompareOp::gte;
  if (n == "lt" || n == "<") return CompareOp::lt;
  if (n == "lte" || n == "<=") return CompareOp::lte;
  if (n == "in") return CompareOp::in;
  if (n == "not_in") return CompareOp::not_in;
  return std::nullopt;
}

std::optional<AggFn> parse_agg(std::string_view n) {
  if (n == "sum") return AggFn::sum;
  if (n == "mean" || n == "avg") return AggFn::mean;
  if (n == "min") return AggFn::min;
  if (n == "max") return AggFn::max;
  if (n == "count") return AggFn::count;
  if (n == "count_distinct") return AggFn::count_distinct;
  if (n == "first") return AggFn::first;
  if (n == "wmean") return AggFn::wmean;
  return std::nullopt;
}

MetricStyle infer_metric_style(std::string_view n) {
  auto ends = [&](std::string_view s) { return n.size() >= s.size() && n.substr(n.size() - s.size()) == s; };
  auto starts = [&](std::string_view s) { return n.substr(0, s.size()) == s; };
  if (n == "usage" || n == "total_usage" || n == "byok_fees" || starts("usage_") || ends("_usage") ||
      n.find("_usage_") != std::string_view::npos || ends("_usd") || ends("_cost"))
    return {DisplayFormat::currency, false};
  if (ends("_rate")) return {DisplayFormat::percent, true};
  if (ends("_latency") || n == "latency") return {DisplayFormat::latency, true};
  if (ends("_throughput") || n == "throughput") return {DisplayFormat::throughput, true};
  return {DisplayFormat::number, false};
}

MetricStyle metric_style(std::string_view name, const Schema* schema) {
  if (schema) {
    if (const MetricInfo* m = schema->metric(name)) {
      auto f = parse_format(m->display_format);
      return {f ? *f : DisplayFormat::number, m->is_rate};
    }
  }
  return infer_metric_style(name);
}

// --- time -----------------------------------------------------------------------------

std::optional<double> parse_time(std::string_view s) {
  auto ms = parse_iso8601(s);
  if (!ms) return std::nullopt;
  return static_cast<double>(*ms) / 1000.0;
}

std::string iso_time(double t, std::string_view granularity) {
  double whole = std::floor(t);
  auto secs = static_cast<std::int64_t>(whole);
  std::int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  std::int64_t rem = secs - days * 86400;
  int y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[48];
  bool coarse = granularity.empty() || granularity == "day" || granularity == "week" || granularity == "month";
  if (rem == 0 && whole == t && coarse) {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
  } else {
    int ms = static_cast<int>(std::lround((t - whole) * 1000));
    if (ms == 1000) ms = 999;
    int hh = static_cast<int>(rem / 3600), mi = static_cast<int>(rem % 3600 / 60), ss = static_cast<int>(rem % 60);
    if (ms)
      std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", y, m, d, hh, mi, ss, ms);
    else
      std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", y, m, d, hh, mi, ss);
  }
  return buf;
}

// --- columns --------------------------------------------------------------------------

Column Column::empty_like() const {
  Column c;
  c.name = name;
  c.type = type;
  c.role = role;
  c.format = format;
  c.is_rate = is_rate;
  c.source_key = source_key;
  c.granularity = granularity;
  return c;
}

void Column::push_null() {
  nulls.push_back(1);
  if (type == ColumnType::string)
    str.emplace_back();
  else
    num.push_back(0);
}

void Column::push_number(double v) {
  nulls.push_back(0);
  num.push_back(v);
}

void Column::push_string(std::string v) {
  nulls.push_back(0);
  str.push_back(std::move(v));
}

void Column::push_from(const Column& o, std::size_t row) {
  nulls.push_back(o.nulls[row]);
  if (type == ColumnType::string)
    str.push_back(o.str[row]);
  else
    num.push_back(o.num[row]);
}

Column Column::take(const std::vector<std::size_t>& rows) const {
  Column c = empty_like();
  c.nulls.reserve(rows.size());
  if (type == ColumnType::string)
    c.str.reserve(rows.size());
  else
    c.num.reserve(rows.size());
  for (std::size_t r : rows) {
    if (r == std::string::npos)
      c.push_null();
    else
      c.push_from(*this, r);
  }
  return c;
}

// --- tables ---------------------------------------------------------------------------

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

const Column* Table::find(std::string_view name) const {
  for (auto& c : columns_)
    if (c.name == name) return &c;
  return nullptr;
}

const Column& Table::column(std::string_view name) const {
  if (const Column* c = find(name)) return *c;
  std::string msg = "unknown column '" + std::string(name) + "'";
  if (columns_.empty()) {
    msg += " (the table has no columns)";
    throw Error(ErrorKind::usage, msg);
  }
  const Column* best = nullptr;
  std::size_t best_d = std::string::npos;
  std::string list;
  for (auto& c : columns_) {
    std::size_t d = edit_distance(name, c.name);
    if (d < best_d) best_d = d, best = &c;
    list += (list.empty() ? "" : ", ") + c.name;
  }
  if (best && best_d <= std::max<std::size_t>(2, name.size() / 3)) msg += "; did you mean '" + best->name + "'?";
  msg += " (columns: " + list + ")";
  throw Error(ErrorKind::usage, msg);
}

std::size_t Table::index_of(std::string_view name) const {
  return static_cast<std::size_t>(&column(name) - columns_.data());
}

void Table::set_column(Column c) {
  if (!columns_.empty() && c.size() != row_count())
    throw Error(ErrorKind::usage, "column '" + c.name + "' has " + std::to_string(c.size()) +
                                      " values but the table has " + std::to_string(row_count()) + " rows");
  for (auto& existing : columns_) {
    if (existing.name == c.name) {
      existing = std::move(c);
      return;
    }
  }
  columns_.push_back(std::move(c));
}

Cell Table::cell(std::size_t row, const Column& c) const {
  if (c.is_null(row)) return Cell::null();
  switch (c.type) {
    case ColumnType::string: return Cell::text(c.str[row]);
    case ColumnType::boolean: return Cell::boolean(c.num[row] != 0);
    case ColumnType::time:
    case ColumnType::number: return Cell::number(c.num[row]);
  }
  return Cell::null();
}

}  // namespace orscript
