// table_detail.hpp: helpers shared by the table_*.cpp files (not part of the API).
//
// Owns: the byte key that identifies a row's values in hash-based operations (group,
// join, pivot, change, count_distinct) and the refusal raised for partial totals.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <string_view>
#include <string>
#include <vector>

#include "host/core/error.hpp"
#include "host/core/table.hpp"

namespace orscript::detail {

// Appends a type-tagged encoding of one cell: equal keys ⇔ equal typed values. Null has
// its own tag, so callers decide whether null matches.
inline void append_key(std::string& key, const Column& c, std::size_t row) {
  if (c.is_null(row)) {
    key.push_back('\0');
    return;
  }
  if (c.type == ColumnType::string) {
    const std::string& s = c.str[row];
    key.push_back('\1');
    auto n = static_cast<std::uint32_t>(s.size());
    key.append(reinterpret_cast<const char*>(&n), sizeof n);
    key.append(s);
    return;
  }
  double v = c.num[row];
  if (v == 0) v = 0;  // -0 and 0 are one key
  key.push_back(c.type == ColumnType::time ? '\3' : c.type == ColumnType::boolean ? '\4' : '\2');
  key.append(reinterpret_cast<const char*>(&v), sizeof v);
}

// A 64-bit hash of one row's values in `cols` (equal values, equal hash; null hashes
// alike). Callers confirm candidates with same_values.
inline std::uint64_t hash_row(const std::vector<const Column*>& cols, std::size_t row) {
  std::uint64_t h = 0x9E3779B97F4A7C15ull;
  for (const Column* c : cols) {
    std::uint64_t v;
    if (c->is_null(row)) {
      v = 0x51ED27F1C0FFEEull;
    } else if (c->type == ColumnType::string) {
      v = std::hash<std::string_view>{}(c->str[row]);
    } else {
      double d = c->num[row];
      if (d == 0) d = 0;
      std::memcpy(&v, &d, sizeof v);
    }
    h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 31;
  }
  return h;
}

// True when row `i` of `a` and row `j` of `b` hold the same values (null equals null).
inline bool same_values(const std::vector<const Column*>& a, std::size_t i, const std::vector<const Column*>& b,
                        std::size_t j) {
  for (std::size_t k = 0; k < a.size(); ++k) {
    const Column& x = *a[k];
    const Column& y = *b[k];
    bool nx = x.is_null(i), ny = y.is_null(j);
    if (nx || ny) {
      if (nx != ny) return false;
      continue;
    }
    if (x.type == ColumnType::string ? x.str[i] != y.str[j] : x.num[i] != y.num[j]) return false;
  }
  return true;
}

inline bool any_null(const std::vector<const Column*>& cols, std::size_t row) {
  for (const Column* c : cols)
    if (c->is_null(row)) return true;
  return false;
}

// "result is truncated (row limit N): the <what> would be partial; narrow the query,
// raise limit, or pass {partial=true}"
[[noreturn]] inline void refuse_partial(const Table& t, const std::string& what) {
  auto n = t.meta.row_limit();
  std::string limit = std::to_string(n ? *n : static_cast<std::int64_t>(t.row_count()));
  throw Error(ErrorKind::data, "result is truncated (row limit " + limit + "): the " + what +
                                   " would be partial; narrow the query, raise limit, or pass {partial=true}");
}

// The usage error for adding up a rate column.
[[noreturn]] inline void refuse_rate_sum(const Column& c, const std::string& what) {
  throw Error(ErrorKind::usage, "cannot " + what + " '" + c.name +
                                    "': it is a rate (is_rate), and rates do not add up; use a weighted mean "
                                    "instead, e.g. {\"wmean\", \"" + c.name + "\", \"request_count\"} in t:group");
}

// Checks that a column holds numbers (not text, time or booleans) for `what`.
inline void require_number(const Column& c, const std::string& what) {
  if (c.type != ColumnType::number)
    throw Error(ErrorKind::usage, "cannot " + what + " column '" + c.name + "': it holds " +
                                      std::string(type_name(c.type)) + " values, not numbers");
}

}  // namespace orscript::detail
