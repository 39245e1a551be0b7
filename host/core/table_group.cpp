// table_group.cpp: the hash-based operations — group + aggregate, pivot, join.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "host/core/error.hpp"
#include "host/core/table.hpp"
#include "host/core/table_detail.hpp"

namespace orscript {
namespace {

// Assigns each row a group number in order of first appearance.
struct Grouping {
  std::vector<std::size_t> group_of;  // row -> group
  std::vector<std::size_t> first;     // group -> its first row
};

Grouping group_rows(const std::vector<const Column*>& keys, std::size_t rows) {
  Grouping g;
  g.group_of.resize(rows);
  std::unordered_map<std::uint64_t, std::size_t> head;  // hash -> newest group with it
  std::vector<std::size_t> next;                         // group -> older group, same hash
  head.reserve(rows / 4 + 16);
  for (std::size_t i = 0; i < rows; ++i) {
    std::uint64_t h = detail::hash_row(keys, i);
    auto [it, fresh] = head.try_emplace(h, std::string::npos);
    std::size_t found = std::string::npos;
    for (std::size_t k = it->second; k != std::string::npos; k = next[k])
      if (detail::same_values(keys, g.first[k], keys, i)) {
        found = k;
        break;
      }
    if (found == std::string::npos) {
      found = g.first.size();
      g.first.push_back(i);
      next.push_back(it->second);
      it->second = found;
    }
    g.group_of[i] = found;
  }
  return g;
}

std::string agg_label(AggFn fn) {
  switch (fn) {
    case AggFn::sum: return "sum";
    case AggFn::mean: return "mean";
    case AggFn::min: return "min";
    case AggFn::max: return "max";
    case AggFn::count: return "count";
    case AggFn::count_distinct: return "count_distinct";
    case AggFn::first: return "first";
    case AggFn::wmean: return "wmean";
  }
  return "?";
}

Column aggregate(const Table& t, const Grouping& g, const Aggregate& a) {
  std::size_t n = g.first.size();
  const Column* src = a.column.empty() ? nullptr : &t.column(a.column);
  if (!src && a.fn != AggFn::count)
    throw Error(ErrorKind::usage, "aggregate '" + a.name + "': " + agg_label(a.fn) + " needs a column");
  Column out;
  out.name = a.name;
  out.role = ColumnRole::metric;
  auto styled = [&] {
    out.format = src->format;
    out.is_rate = src->is_rate;
  };
  switch (a.fn) {
    case AggFn::sum:
    case AggFn::mean: {
      detail::require_number(*src, agg_label(a.fn));
      if (a.fn == AggFn::sum && src->is_rate) detail::refuse_rate_sum(*src, "sum");
      styled();
      std::vector<double> total(n, 0);
      std::vector<std::size_t> count(n, 0);
      for (std::size_t i = 0; i < src->size(); ++i) {
        if (src->is_null(i)) continue;
        total[g.group_of[i]] += src->num[i];
        ++count[g.group_of[i]];
      }
      for (std::size_t k = 0; k < n; ++k) {
        if (count[k] == 0)
          out.push_null();
        else
          out.push_number(a.fn == AggFn::sum ? total[k] : total[k] / static_cast<double>(count[k]));
      }
      break;
    }
    case AggFn::min:
    case AggFn::max: {
      if (src->type == ColumnType::string) {
        std::vector<std::size_t> best(n, std::string::npos);
        for (std::size_t i = 0; i < src->size(); ++i) {
          if (src->is_null(i)) continue;
          std::size_t& b = best[g.group_of[i]];
          if (b == std::string::npos || (a.fn == AggFn::min ? src->str[i] < src->str[b] : src->str[i] > src->str[b]))
            b = i;
        }
        Column c = src->take(best);
        c.name = a.name;
        return c;
      }
      out = src->empty_like();
      out.name = a.name;
      if (out.role != ColumnRole::time) out.role = ColumnRole::metric;
      std::vector<double> best(n, 0);
      std::vector<bool> has(n, false);
      for (std::size_t i = 0; i < src->size(); ++i) {
        if (src->is_null(i)) continue;
        std::size_t k = g.group_of[i];
        double v = src->num[i];
        if (!has[k] || (a.fn == AggFn::min ? v < best[k] : v > best[k])) best[k] = v, has[k] = true;
      }
      for (std::size_t k = 0; k < n; ++k) {
        if (has[k])
          out.push_number(best[k]);
        else
          out.push_null();
      }
      break;
    }
    case AggFn::count:
    case AggFn::count_distinct: {
      std::vector<double> count(n, 0);
      if (a.fn == AggFn::count) {
        for (std::size_t i = 0; i < t.row_count(); ++i)
          if (!src || !src->is_null(i)) ++count[g.group_of[i]];
      } else {
        std::vector<std::unordered_set<std::string>> seen(n);
        std::string key;
        for (std::size_t i = 0; i < src->size(); ++i) {
          if (src->is_null(i)) continue;
          key.clear();
          detail::append_key(key, *src, i);
          seen[g.group_of[i]].insert(key);
        }
        for (std::size_t k = 0; k < n; ++k) count[k] = static_cast<double>(seen[k].size());
      }
      for (double c : count) out.push_number(c);
      break;
    }
    case AggFn::first: {
      std::vector<std::size_t> pick(n, std::string::npos);
      for (std::size_t i = 0; i < src->size(); ++i)
        if (!src->is_null(i) && pick[g.group_of[i]] == std::string::npos) pick[g.group_of[i]] = i;
      out = src->take(pick);
      out.name = a.name;
      break;
    }
    case AggFn::wmean: {
      detail::require_number(*src, "take the weighted mean of");
      if (a.weight.empty())
        throw Error(ErrorKind::usage, "aggregate '" + a.name + "': wmean needs a weight column, e.g. {\"wmean\", \"" +
                                          src->name + "\", \"request_count\"}");
      const Column& w = t.column(a.weight);
      detail::require_number(w, "weight by");
      styled();
      out.is_rate = true;
      std::vector<double> num(n, 0), den(n, 0);
      for (std::size_t i = 0; i < src->size(); ++i) {
        if (src->is_null(i) || w.is_null(i)) continue;
        num[g.group_of[i]] += src->num[i] * w.num[i];
        den[g.group_of[i]] += w.num[i];
      }
      for (std::size_t k = 0; k < n; ++k) {
        if (den[k] == 0)
          out.push_null();
        else
          out.push_number(num[k] / den[k]);
      }
      break;
    }
  }
  return out;
}

std::string key_label(const Column& c, std::size_t row) {
  if (c.is_null(row)) return "null";
  switch (c.type) {
    case ColumnType::string: return c.str[row];
    case ColumnType::time: return iso_time(c.num[row], c.granularity);
    case ColumnType::boolean: return c.num[row] != 0 ? "true" : "false";
    case ColumnType::number: {
      char buf[32];
      auto [p, ec] = std::to_chars(buf, buf + sizeof buf, c.num[row]);
      return std::string(buf, p);
    }
  }
  return "";
}

}  // namespace

Table Table::group(const std::vector<std::string>& by, const std::vector<Aggregate>& aggs) const {
  std::vector<const Column*> keys;
  for (auto& b : by) keys.push_back(&column(b));
  Grouping g = group_rows(keys, row_count());
  // With no key columns every row is one group, also for an empty table (a totals row).
  if (keys.empty() && g.first.empty()) g.first.push_back(std::string::npos);
  Table t;
  t.meta = meta;
  for (const Column* k : keys) t.columns_.push_back(k->take(g.first));
  for (auto& a : aggs) {
    if (t.find(a.name)) throw Error(ErrorKind::usage, "group: output column '" + a.name + "' is defined twice");
    t.columns_.push_back(aggregate(*this, g, a));
  }
  return t;
}

Table Table::pivot(std::string_view row, std::string_view col, std::string_view value,
                   std::optional<AggFn> agg) const {
  if (agg) {
    if (*agg == AggFn::wmean)
      throw Error(ErrorKind::usage, "pivot: wmean needs a weight; group with {\"wmean\", value, weight} first");
    std::string rn(row), cn(col), vn(value);
    return group({rn, cn}, {{vn, *agg, vn, {}}}).pivot(row, col, value);
  }
  const Column& rc = column(row);
  const Column& cc = column(col);
  const Column& vc = column(value);
  Grouping rows = group_rows({&rc}, row_count());
  Grouping cols = group_rows({&cc}, row_count());
  // Numeric and time headers in ascending order, text in order of appearance.
  std::vector<std::size_t> col_order(cols.first.size());
  for (std::size_t k = 0; k < col_order.size(); ++k) col_order[k] = k;
  if (cc.type != ColumnType::string) {
    std::stable_sort(col_order.begin(), col_order.end(), [&](std::size_t a, std::size_t b) {
      std::size_t ra = cols.first[a], rb = cols.first[b];
      if (cc.is_null(ra) || cc.is_null(rb)) return !cc.is_null(ra) && cc.is_null(rb);
      return cc.num[ra] < cc.num[rb];
    });
  }
  std::vector<std::size_t> col_pos(col_order.size());
  for (std::size_t k = 0; k < col_order.size(); ++k) col_pos[col_order[k]] = k;

  std::size_t nr = rows.first.size(), nc = col_order.size();
  std::vector<std::size_t> cell(nr * nc, std::string::npos);
  for (std::size_t i = 0; i < row_count(); ++i) {
    std::size_t& slot = cell[rows.group_of[i] * nc + col_pos[cols.group_of[i]]];
    if (slot != std::string::npos)
      throw Error(ErrorKind::usage, "pivot: more than one '" + vc.name + "' value for " + rc.name + "=" +
                                        key_label(rc, i) + ", " + cc.name + "=" + key_label(cc, i) +
                                        "; pass an aggregate (t:pivot(row, col, value, \"sum\")) or group first");
    slot = i;
  }
  Table t;
  t.meta = meta;
  t.columns_.push_back(rc.take(rows.first));
  for (std::size_t k = 0; k < nc; ++k) {
    std::vector<std::size_t> pick(nr);
    for (std::size_t r = 0; r < nr; ++r) pick[r] = cell[r * nc + k];
    Column out = vc.take(pick);
    out.name = key_label(cc, cols.first[col_order[k]]);
    out.role = ColumnRole::metric;
    out.source_key.clear();
    while (t.find(out.name)) out.name += "_2";
    t.columns_.push_back(std::move(out));
  }
  return t;
}

// A join's output cap (rows). Ten million rows of a few columns is about a gigabyte.
constexpr std::size_t kMaxJoinRows = 10'000'000;

Table Table::join(const Table& right, const std::vector<std::string>& on, JoinKind how) const {
  if (on.empty()) throw Error(ErrorKind::usage, "join: name at least one key column");
  std::vector<const Column*> lk, rk;
  for (auto& name : on) {
    const Column& l = column(name);
    const Column& r = right.column(name);
    if (l.type != r.type)
      throw Error(ErrorKind::usage, "join key '" + name + "' is " + std::string(type_name(l.type)) +
                                        " on the left but " + std::string(type_name(r.type)) + " on the right");
    lk.push_back(&l);
    rk.push_back(&r);
  }
  // Right rows by key hash, each chain in row order; equal hashes are confirmed by value.
  std::unordered_map<std::uint64_t, std::size_t> head;
  head.reserve(right.row_count());
  std::vector<std::size_t> next(right.row_count(), std::string::npos);
  for (std::size_t i = right.row_count(); i-- > 0;) {
    if (detail::any_null(rk, i)) continue;
    auto [it, fresh] = head.try_emplace(detail::hash_row(rk, i), i);
    if (!fresh) {
      next[i] = it->second;
      it->second = i;
    }
  }
  std::vector<std::size_t> li, ri;
  li.reserve(row_count());
  ri.reserve(row_count());
  for (std::size_t i = 0; i < row_count(); ++i) {
    bool matched = false;
    if (!detail::any_null(lk, i)) {
      if (auto it = head.find(detail::hash_row(lk, i)); it != head.end()) {
        for (std::size_t j = it->second; j != std::string::npos; j = next[j]) {
          if (!detail::same_values(lk, i, rk, j)) continue;
          li.push_back(i);
          ri.push_back(j);
          matched = true;
        }
      }
    }
    // Keys repeated on both sides multiply; past the cap it is a mistake, not a result.
    if (li.size() > kMaxJoinRows)
      throw Error(ErrorKind::data, "join on '" + on.front() + "' would make more than " + std::to_string(kMaxJoinRows) +
                                       " rows: the key repeats on both sides (" + std::to_string(row_count()) + " x " +
                                       std::to_string(right.row_count()) + " rows); group or filter one side first");
    if (!matched && how == JoinKind::left) li.push_back(i), ri.push_back(std::string::npos);
  }
  Table t = take(li);
  t.meta.truncated = meta.truncated || right.meta.truncated;
  if (!meta.truncated && right.meta.truncated) {  // the refusal names the limit that was hit
    t.meta.limit = right.meta.limit;
    t.meta.row_count = right.meta.row_count;
  }
  for (auto& w : right.meta.warnings)
    if (std::find(t.meta.warnings.begin(), t.meta.warnings.end(), w) == t.meta.warnings.end())
      t.meta.warnings.push_back(w);
  for (auto& c : right.columns()) {
    if (std::find(on.begin(), on.end(), c.name) != on.end()) continue;
    Column out = c.take(ri);
    int n = 2;
    while (t.find(out.name)) out.name = c.name + "_" + std::to_string(n++);
    t.columns_.push_back(std::move(out));
  }
  return t;
}

}  // namespace orscript
