// table_ops.cpp: row operations — take, filter, sort, top, head, select, derive, share,
// change, sum. Each returns a new table carrying the same meta.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>
#include <unordered_map>

#include "host/core/error.hpp"
#include "host/core/table.hpp"
#include "host/core/table_detail.hpp"

namespace orscript {
namespace {

std::string describe(const Cell& v) {
  switch (v.kind) {
    case Cell::Kind::null: return "null";
    case Cell::Kind::string: return "'" + v.str + "'";
    case Cell::Kind::boolean: return v.num != 0 ? "true" : "false";
    case Cell::Kind::number: {
      char buf[32];
      auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v.num);
      return std::string(buf, p);
    }
  }
  return "?";
}

// A filter value converted to the column's domain.
struct Target {
  bool null = false;
  double num = 0;
  std::string str;
};

Target to_target(const Column& c, const Cell& v) {
  Target t;
  if (v.kind == Cell::Kind::null) {
    t.null = true;
    return t;
  }
  auto mismatch = [&](const char* want) {
    throw Error(ErrorKind::usage, "cannot compare column '" + c.name + "' (" + std::string(type_name(c.type)) +
                                      ") with " + describe(v) + ": expected " + want);
  };
  switch (c.type) {
    case ColumnType::string:
      if (v.kind != Cell::Kind::string) mismatch("a string");
      t.str = v.str;
      break;
    case ColumnType::number:
      if (v.kind == Cell::Kind::number) {
        t.num = v.num;
      } else if (v.kind == Cell::Kind::string) {
        double d = 0;
        auto [p, ec] = std::from_chars(v.str.data(), v.str.data() + v.str.size(), d);
        if (ec != std::errc() || p != v.str.data() + v.str.size()) mismatch("a number");
        t.num = d;
      } else {
        mismatch("a number");
      }
      break;
    case ColumnType::time:
      if (v.kind == Cell::Kind::number) {
        t.num = v.num;
      } else if (v.kind == Cell::Kind::string) {
        auto parsed = parse_time(v.str);
        if (!parsed) mismatch("a date or time (YYYY-MM-DD or ISO 8601)");
        t.num = *parsed;
      } else {
        mismatch("a date or time (YYYY-MM-DD or ISO 8601)");
      }
      break;
    case ColumnType::boolean:
      if (v.kind != Cell::Kind::boolean) mismatch("a boolean");
      t.num = v.num;
      break;
  }
  return t;
}

// <0, 0, >0 for a non-null cell against a non-null target.
int compare(const Column& c, std::size_t row, const Target& t) {
  if (c.type == ColumnType::string) {
    int r = c.str[row].compare(t.str);
    return r < 0 ? -1 : r > 0 ? 1 : 0;
  }
  double a = c.num[row];
  return a < t.num ? -1 : a > t.num ? 1 : 0;
}

// Orders two non-null cells of one column.
int compare_rows(const Column& c, std::size_t a, std::size_t b) {
  if (c.type == ColumnType::string) {
    int r = c.str[a].compare(c.str[b]);
    return r < 0 ? -1 : r > 0 ? 1 : 0;
  }
  return c.num[a] < c.num[b] ? -1 : c.num[a] > c.num[b] ? 1 : 0;
}

const Column& time_column(const Table& t, std::string_view name) {
  if (!name.empty()) {
    const Column& c = t.column(name);
    if (c.type != ColumnType::time)
      throw Error(ErrorKind::usage, "column '" + c.name + "' is not a time column");
    return c;
  }
  for (auto& c : t.columns())
    if (c.type == ColumnType::time) return c;
  throw Error(ErrorKind::usage, "the table has no time column; query with a granularity or name one with {time=...}");
}

Column derived_like(const Column& src, std::string name) {
  Column c = src.empty_like();
  c.name = std::move(name);
  c.role = ColumnRole::derived;
  c.source_key.clear();
  return c;
}

}  // namespace

Table Table::take(const std::vector<std::size_t>& rows) const {
  Table t;
  t.meta = meta;
  t.columns_.reserve(columns_.size());
  for (auto& c : columns_) t.columns_.push_back(c.take(rows));
  return t;
}

Table Table::filter(const std::vector<bool>& keep) const {
  if (keep.size() != row_count())
    throw Error(ErrorKind::internal, "filter mask has " + std::to_string(keep.size()) + " entries for " +
                                         std::to_string(row_count()) + " rows");
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < keep.size(); ++i)
    if (keep[i]) rows.push_back(i);
  return take(rows);
}

Table Table::filter(std::string_view name, CompareOp op, const std::vector<Cell>& values) const {
  const Column& c = column(name);
  bool list = op == CompareOp::in || op == CompareOp::not_in;
  if (!list && values.size() != 1)
    throw Error(ErrorKind::usage, "filter on '" + c.name + "': this operator takes one value");
  std::vector<Target> targets;
  targets.reserve(values.size());
  for (auto& v : values) targets.push_back(to_target(c, v));
  if (!list && targets[0].null && op != CompareOp::eq && op != CompareOp::neq)
    throw Error(ErrorKind::usage, "filter on '" + c.name + "': null can only be compared with eq or neq");

  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < c.size(); ++i) {
    bool keep = false;
    bool null = c.is_null(i);
    if (list) {
      bool found = false;
      for (auto& t : targets) {
        if (t.null ? null : (!null && compare(c, i, t) == 0)) {
          found = true;
          break;
        }
      }
      keep = op == CompareOp::in ? found : !found;
    } else {
      const Target& t = targets[0];
      if (t.null) {
        keep = op == CompareOp::eq ? null : !null;
      } else if (null) {
        keep = op == CompareOp::neq;
      } else {
        int r = compare(c, i, t);
        switch (op) {
          case CompareOp::eq: keep = r == 0; break;
          case CompareOp::neq: keep = r != 0; break;
          case CompareOp::gt: keep = r > 0; break;
          case CompareOp::gte: keep = r >= 0; break;
          case CompareOp::lt: keep = r < 0; break;
          case CompareOp::lte: keep = r <= 0; break;
          default: break;
        }
      }
    }
    if (keep) rows.push_back(i);
  }
  return take(rows);
}

Table Table::sort(const std::vector<SortKey>& keys) const {
  std::vector<std::pair<const Column*, bool>> cols;
  for (auto& k : keys) cols.emplace_back(&column(k.column), k.descending);
  std::vector<std::size_t> idx(row_count());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
    for (auto& [c, desc] : cols) {
      bool na = c->is_null(a), nb = c->is_null(b);
      if (na || nb) {
        if (na == nb) continue;
        return nb;  // nulls last in either direction
      }
      int r = compare_rows(*c, a, b);
      if (r != 0) return desc ? r > 0 : r < 0;
    }
    return false;
  });
  return take(idx);
}

Table Table::top(std::size_t n, std::string_view name) const {
  return sort({{std::string(name), true}}).head(n);
}

Table Table::head(std::size_t n) const {
  std::vector<std::size_t> idx(std::min(n, row_count()));
  std::iota(idx.begin(), idx.end(), 0);
  return take(idx);
}

Table Table::select(const std::vector<std::string>& names) const {
  Table t;
  t.meta = meta;
  for (auto& n : names) {
    if (t.find(n)) throw Error(ErrorKind::usage, "column '" + n + "' selected twice");
    t.columns_.push_back(column(n));
  }
  return t;
}

Table Table::rename(const std::vector<std::pair<std::string, std::string>>& renames) const {
  Table t = *this;
  for (auto& [from, to] : renames) {
    column(from);  // unknown names raise with suggestions
    if (to.empty()) throw Error(ErrorKind::usage, "rename: the new name for '" + from + "' is empty");
  }
  for (auto& c : t.columns_)
    for (auto& [from, to] : renames)
      if (c.name == from) {
        c.name = to;
        break;
      }
  for (std::size_t i = 0; i < t.columns_.size(); ++i)
    for (std::size_t j = i + 1; j < t.columns_.size(); ++j)
      if (t.columns_[i].name == t.columns_[j].name)
        throw Error(ErrorKind::usage, "rename: two columns would be named '" + t.columns_[i].name +
                                          "'; rename the other one too, or t:select the columns to keep");
  return t;
}

Table Table::with_column(Column c) const {
  Table t = *this;
  t.set_column(std::move(c));
  return t;
}

Table Table::share(std::string_view name, const std::vector<std::string>& by, bool partial) const {
  const Column& c = column(name);
  detail::require_number(c, "take the share of");
  if (c.is_rate) detail::refuse_rate_sum(c, "take the share of");
  if (meta.truncated && !partial) detail::refuse_partial(*this, "shares of the total");
  std::vector<const Column*> keys;
  for (auto& b : by) keys.push_back(&column(b));

  std::unordered_map<std::string, std::size_t> groups;
  std::vector<std::size_t> group_of(row_count());
  std::vector<double> totals;
  std::string key;
  for (std::size_t i = 0; i < row_count(); ++i) {
    key.clear();
    for (const Column* k : keys) detail::append_key(key, *k, i);
    auto [it, fresh] = groups.try_emplace(key, totals.size());
    if (fresh) totals.push_back(0);
    group_of[i] = it->second;
    if (!c.is_null(i)) totals[it->second] += c.num[i];
  }
  Column out;
  out.name = c.name + "_share";
  out.role = ColumnRole::derived;
  out.format = DisplayFormat::percent;
  for (std::size_t i = 0; i < row_count(); ++i) {
    double total = totals[group_of[i]];
    if (c.is_null(i) || total == 0)
      out.push_null();
    else
      out.push_number(c.num[i] / total);
  }
  return with_column(std::move(out));
}

Table Table::change(std::string_view name, const std::optional<std::vector<std::string>>& by,
                    std::string_view time) const {
  const Column& c = column(name);
  detail::require_number(c, "compute the change of");
  const Column& tc = time_column(*this, time);
  std::vector<const Column*> keys;
  if (by) {
    for (auto& b : *by) keys.push_back(&column(b));
  } else {
    for (auto& col : columns_)
      if (col.role == ColumnRole::dimension && &col != &c) keys.push_back(&col);
  }
  // Rows ordered by group, then time; the previous row of the same group is the prior period.
  std::unordered_map<std::string, std::size_t> groups;
  std::vector<std::size_t> group_of(row_count());
  std::string key;
  for (std::size_t i = 0; i < row_count(); ++i) {
    key.clear();
    for (const Column* k : keys) detail::append_key(key, *k, i);
    group_of[i] = groups.try_emplace(key, groups.size()).first->second;
  }
  std::vector<std::size_t> order(row_count());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (group_of[a] != group_of[b]) return group_of[a] < group_of[b];
    bool na = tc.is_null(a), nb = tc.is_null(b);
    if (na || nb) return !na && nb;
    return tc.num[a] < tc.num[b];
  });
  std::vector<std::size_t> prev(row_count(), std::string::npos);
  for (std::size_t k = 1; k < order.size(); ++k)
    if (group_of[order[k]] == group_of[order[k - 1]]) prev[order[k]] = order[k - 1];

  Column p = derived_like(c, c.name + "_prev");
  Column d = derived_like(c, c.name + "_change");
  Column r;
  r.name = c.name + "_change_pct";
  r.role = ColumnRole::derived;
  r.format = DisplayFormat::percent;
  r.is_rate = true;
  for (std::size_t i = 0; i < row_count(); ++i) {
    std::size_t j = prev[i];
    if (j == std::string::npos || c.is_null(j)) {
      p.push_null();
      d.push_null();
      r.push_null();
      continue;
    }
    p.push_number(c.num[j]);
    if (c.is_null(i)) {
      d.push_null();
      r.push_null();
      continue;
    }
    d.push_number(c.num[i] - c.num[j]);
    if (c.num[j] == 0)
      r.push_null();
    else
      r.push_number((c.num[i] - c.num[j]) / std::fabs(c.num[j]));
  }
  Table t = with_column(std::move(p));
  t.set_column(std::move(d));
  t.set_column(std::move(r));
  return t;
}

std::optional<double> Table::sum(std::string_view name, bool partial) const {
  const Column& c = column(name);
  detail::require_number(c, "sum");
  if (c.is_rate) detail::refuse_rate_sum(c, "sum");
  if (meta.truncated && !partial) detail::refuse_partial(*this, "sum");
  if (c.size() == 0) return 0.0;  // nothing matched: the total is zero, not unknown
  double total = 0;
  bool any = false;
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (c.is_null(i)) continue;
    total += c.num[i];
    any = true;
  }
  if (!any) return std::nullopt;
  return total;
}

}  // namespace orscript
