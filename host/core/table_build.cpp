// table_build.cpp: result tables straight from parsed JSON (no intermediate row copy).
//
// Rows are read once, key by key. A column's type is fixed by its first non-null value
// and widened to text if a later value does not fit (so nothing is silently lost).
#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <unordered_map>

#include "host/core/json_text.hpp"
#include "host/core/error.hpp"
#include "host/core/schema.hpp"
#include "host/core/table.hpp"
#include "host/core/table_detail.hpp"

namespace orscript {
namespace {

namespace json = boost::json;

// A decimal number as JSON writes one (optional sign, digits, fraction, exponent): no
// "NaN", "inf", hex ("0x10") or blanks. Finite only.
std::optional<double> parse_number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  const char* b = s.data();
  const char* e = b + s.size();
  if (*b == '+') ++b;
  const char* digits = b != e && *b == '-' ? b + 1 : b;
  if (digits == e || !((*digits >= '0' && *digits <= '9') || *digits == '.')) return std::nullopt;
  for (const char* c = digits; c != e; ++c)
    if (!((*c >= '0' && *c <= '9') || *c == '.' || *c == 'e' || *c == 'E' || *c == '+' || *c == '-'))
      return std::nullopt;
  double v = 0;
  auto [p, ec] = std::from_chars(b, e, v);
  if (ec != std::errc() || p != e || !std::isfinite(v)) return std::nullopt;
  return v;
}

// The largest magnitude a metric may have: more than any account's money or tokens
// (a quadrillion); anything beyond is a broken response, not data.
constexpr double kMaxMetric = 1e15;

double number_of(const json::value& v) {
  switch (v.kind()) {
    case json::kind::int64: return static_cast<double>(v.get_int64());
    case json::kind::uint64: return static_cast<double>(v.get_uint64());
    case json::kind::double_: return v.get_double();
    default: return 0;
  }
}

std::string shortest(double v) {
  char buf[32];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, p);
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool count_like(std::string_view n) {
  return ends_with(n, "tokens") || ends_with(n, "_count") || n == "requests" || ends_with(n, "_requests") ||
         n.substr(0, 7) == "tokens_";
}

bool id_like(std::string_view n) { return n == "rank" || n == "id" || ends_with(n, "_id") || n == "window_days"; }

// One column being built.
struct Slot {
  Column col;
  std::string key;              // the JSON key
  bool decided = false;         // type fixed by the first non-null value
  bool numeric_strings = false; // numeric text becomes a number
  bool time_candidate = false;  // date/time text becomes a time
  bool forced_time = false;     // analytics time key: always a time column
  std::string last_text;        // one-entry cache for repeated time text
  double last_time = 0;
  bool has_last = false;
  bool strict = false;          // a metric: every value a finite decimal number (else data error)
  bool count = false;           // a count: also a whole number >= 0
  bool finite = false;          // from the API: a JSON number must be finite (1e400 is not data)

  // A value a metric column cannot hold: the response is refused rather than read as 0.
  [[noreturn]] void refuse(std::string_view shown, std::string_view expected) const {
    throw Error(ErrorKind::data, "the API sent " + echo_input(shown, 40) + " for '" + key + "' in row " +
                                     std::to_string(col.size() + 1) + " (expected " + std::string(expected) +
                                     "); the response cannot be trusted: check the server or proxy at the base URL");
  }
  double checked(double v, std::string_view shown) const {
    if (!std::isfinite(v) || std::fabs(v) > kMaxMetric) refuse(shown, "a finite number of at most 1e15");
    if (count && (v < 0 || v != std::floor(v))) refuse(shown, "a whole number >= 0");
    return v;
  }

  void decide(ColumnType t) {
    decided = true;
    col.type = t;
    if (t == ColumnType::string) {
      col.str.assign(col.nulls.size(), std::string());
      col.num.clear();
    }
  }

  // Turns the values so far into text, so a value that fits no other type can be kept.
  void widen_to_text() {
    if (col.type == ColumnType::string) return;
    std::vector<std::string> text(col.nulls.size());
    for (std::size_t i = 0; i < col.nulls.size(); ++i) {
      if (col.nulls[i]) continue;
      double v = col.num[i];
      if (col.type == ColumnType::time)
        text[i] = iso_time(v, col.granularity);
      else if (col.type == ColumnType::boolean)
        text[i] = v != 0 ? "true" : "false";
      else
        text[i] = shortest(v);
    }
    col.num.clear();
    col.str = std::move(text);
    col.type = ColumnType::string;
    decided = true;
  }

  std::optional<double> time_of(std::string_view s) {
    if (has_last && s == last_text) return last_time;
    auto t = parse_time(s);
    if (t) {
      last_text.assign(s.data(), s.size());
      last_time = *t;
      has_last = true;
    }
    return t;
  }

  void put_string(std::string_view s) {
    if (!decided) {
      if (forced_time || (time_candidate && parse_time(s))) {
        decide(ColumnType::time);
      } else if (numeric_strings && parse_number(s)) {
        decide(ColumnType::number);
      } else {
        decide(ColumnType::string);
      }
    }
    switch (col.type) {
      case ColumnType::string: col.push_string(std::string(s)); return;
      case ColumnType::time:
        if (auto t = time_of(s)) return col.push_number(*t);
        break;
      case ColumnType::number:
        if (numeric_strings)
          if (auto v = parse_number(s)) return col.push_number(*v);
        break;
      case ColumnType::boolean:
        if (s == "true" || s == "false") return col.push_number(s == "true" ? 1 : 0);
        break;
    }
    widen_to_text();
    col.push_string(std::string(s));
  }

  void put(const json::value& v) {
    if (strict) {
      switch (v.kind()) {
        case json::kind::null: return col.push_null();
        case json::kind::string: {
          auto d = parse_number(v.get_string());
          if (!d) refuse("\"" + std::string(v.get_string()) + "\"", count ? "a whole number" : "a decimal number");
          if (!decided) decide(ColumnType::number);
          return col.push_number(checked(*d, v.get_string()));
        }
        case json::kind::int64:
        case json::kind::uint64:
        case json::kind::double_: {
          const double d = number_of(v);
          if (!decided) decide(ColumnType::number);
          return col.push_number(checked(d, shortest(d)));
        }
        default: refuse(to_json_text(v), "a number");
      }
    }
    switch (v.kind()) {
      case json::kind::null: col.push_null(); return;
      case json::kind::string: put_string(v.get_string()); return;
      case json::kind::int64:
      case json::kind::uint64:
      case json::kind::double_: {
        double d = number_of(v);
        if (finite && !std::isfinite(d)) refuse(shortest(d), "a finite number");
        if (!decided) decide(ColumnType::number);
        if (col.type == ColumnType::string) return col.push_string(shortest(d));
        if (col.type == ColumnType::boolean) {
          widen_to_text();
          return col.push_string(shortest(d));
        }
        return col.push_number(d);  // number, or a time given as epoch seconds
      }
      case json::kind::bool_: {
        if (!decided) decide(ColumnType::boolean);
        if (col.type == ColumnType::boolean) return col.push_number(v.get_bool() ? 1 : 0);
        widen_to_text();
        return col.push_string(v.get_bool() ? "true" : "false");
      }
      default: {
        // Nested values are kept as their JSON text.
        if (!decided) decide(ColumnType::string);
        widen_to_text();
        col.push_string(to_json_text(v));
        return;
      }
    }
  }
};

// Reads an array of flat objects into slots. `configure` sets up a new slot from its key.
template <class Configure>
std::vector<Slot> read_rows(const json::array& rows, Configure&& configure) {
  std::vector<Slot> slots;
  std::vector<std::size_t> by_pos;  // key position in a row -> slot, a guess checked by name
  std::size_t n = 0;
  for (const json::value& rv : rows) {
    const json::object* row = rv.if_object();
    if (!row) throw Error(ErrorKind::http, "malformed response: row " + std::to_string(n + 1) + " is not an object");
    std::size_t pos = 0;
    for (const auto& kv : *row) {
      std::string_view key = kv.key();
      std::size_t si = std::string::npos;
      if (pos < by_pos.size() && slots[by_pos[pos]].key == key) {
        si = by_pos[pos];
      } else {
        for (std::size_t i = 0; i < slots.size(); ++i)
          if (slots[i].key == key) si = i;
        if (si == std::string::npos) {
          Slot s;
          s.key = std::string(key);
          s.col.name = s.key;
          configure(s);
          for (std::size_t i = 0; i < n; ++i) s.col.push_null();
          slots.push_back(std::move(s));
          si = slots.size() - 1;
        }
        if (pos >= by_pos.size()) by_pos.resize(pos + 1);
        by_pos[pos] = si;
      }
      Slot& s = slots[si];
      if (s.col.size() == n) s.put(kv.value());  // a repeated key keeps its first value
      ++pos;
    }
    ++n;
    for (Slot& s : slots)
      if (s.col.size() < n) s.col.push_null();
  }
  return slots;
}

// Two rows with the same dimension values (and time bucket; with a label dimension, the
// same values in every column) mean a broken server or proxy: refused with a data error, so nothing downstream double counts or joins them
// into a blow-up.
// Dimensions answered with a label (a key's name, a user's name, ...): two rows may share
// one, so for them only a row equal in every column counts as a duplicate.
bool label_dimension(std::string_view n) { return n == "api_key_id" || n == "user" || n == "app" || n == "workspace"; }

void refuse_duplicate_rows(const std::vector<Slot>& slots) {
  std::vector<const Column*> keys;
  bool labels = false;
  for (const Slot& s : slots) labels = labels || (!s.strict && label_dimension(s.key));
  for (const Slot& s : slots)
    if (!s.strict || labels) keys.push_back(&s.col);
  if (keys.empty() || slots.empty()) return;
  const std::size_t rows = slots.front().col.size();
  // Rows by hash, each chain confirmed by value (as join and group do).
  std::unordered_map<std::uint64_t, std::size_t> head;
  head.reserve(rows);
  std::vector<std::size_t> next(rows, std::string::npos);
  for (std::size_t r = 0; r < rows; ++r) {
    auto [it, fresh] = head.try_emplace(detail::hash_row(keys, r), r);
    if (fresh) continue;
    for (std::size_t k = it->second; k != std::string::npos; k = next[k]) {
      if (!detail::same_values(keys, r, keys, k)) continue;
      std::string which;
      for (const Column* c : keys) {
        if (c->role == ColumnRole::metric) continue;
        if (!which.empty()) which += ", ";
        which += c->name + "=" +
                 (c->nulls[r] ? std::string("null") : c->type == ColumnType::string ? echo_input(c->str[r], 60) : shortest(c->num[r]));
      }
      throw Error(ErrorKind::data, "the API sent rows " + std::to_string(k + 1) + " and " + std::to_string(r + 1) +
                                       " for the same " + which +
                                       "; duplicate rows would be counted twice: check the server or proxy at the base URL");
    }
    next[r] = it->second;
    it->second = r;
  }
}

void read_request(const json::value& body, TableMeta& meta, std::vector<std::string>& metrics,
                  std::vector<std::string>& dims) {
  const json::object* o = body.if_object();
  if (!o) return;
  meta.request = to_json_text(*o);
  if (auto* l = o->if_contains("limit"); l && l->is_number()) meta.limit = static_cast<std::int64_t>(number_of(*l));
  auto names = [&](const char* key, std::vector<std::string>& out) {
    if (auto* a = o->if_contains(key); a && a->is_array())
      for (auto& v : a->get_array())
        if (v.is_string()) out.emplace_back(v.get_string());
  };
  names("metrics", metrics);
  names("dimensions", dims);
}

std::string_view time_key_granularity(std::string_view key) {
  for (std::string_view prefix : {"date__", "created_at__"})
    if (key.substr(0, prefix.size()) == prefix && key.size() > prefix.size()) return key.substr(prefix.size());
  return {};
}

}  // namespace

Table from_analytics(const json::value& response, const json::object& request_body, const Schema* schema) {
  return from_analytics(response, json::value(request_body), schema);
}

Table from_analytics(const json::value& response, const json::value& request_body, const Schema* schema) {
  const json::object* d = response.if_object();
  if (d) {
    if (auto* inner = d->if_contains("data"); inner && inner->is_object()) d = &inner->get_object();
  }
  const json::array* rows = nullptr;
  if (d)
    if (auto* r = d->if_contains("data"); r && r->is_array()) rows = &r->get_array();
  if (!rows) throw Error(ErrorKind::http, "malformed analytics response: no data.data row array");

  Table t;
  t.meta.source = "/analytics/query";
  std::vector<std::string> metrics, dims;
  read_request(request_body, t.meta, metrics, dims);
  if (auto* m = d->if_contains("metadata"); m && m->is_object()) {
    auto& mo = m->get_object();
    if (auto* v = mo.if_contains("truncated"); v && v->is_bool()) t.meta.truncated = v->get_bool();
    if (auto* v = mo.if_contains("row_count"); v && v->is_number())
      t.meta.row_count = static_cast<std::int64_t>(number_of(*v));
    if (auto* v = mo.if_contains("query_time_ms"); v && v->is_number()) t.meta.query_time_ms = number_of(*v);
  }
  // Anything else the response carries (e.g. the split planner's "plan") is kept as is.
  for (const auto& kv : *d)
    if (kv.key() != "data" && kv.key() != "metadata" && kv.key() != "cachedAt" && kv.key() != "warnings")
      t.meta.extra[kv.key()] = kv.value();
  if (auto* m = d->if_contains("metadata"); m && m->is_object())
    for (const auto& kv : m->get_object())
      if (kv.key() != "truncated" && kv.key() != "row_count" && kv.key() != "query_time_ms")
        t.meta.extra[kv.key()] = kv.value();
  if (auto* v = d->if_contains("cachedAt"); v && v->is_number())
    t.meta.cached_at = static_cast<std::int64_t>(number_of(*v));
  if (auto* w = d->if_contains("warnings"); w && w->is_array())
    for (auto& v : w->get_array())
      t.meta.warnings.push_back(v.is_string() ? std::string(v.get_string()) : to_json_text(v));

  bool have_time = false;
  auto configure = [&](Slot& s) {
    std::string_view g = time_key_granularity(s.key);
    if (!g.empty() && !have_time) {
      have_time = true;
      s.forced_time = true;
      s.col.name = "date";
      s.col.source_key = s.key;
      s.col.granularity = std::string(g);
      s.col.role = ColumnRole::time;
      s.col.format = DisplayFormat::date;
      return;
    }
    bool is_dim = std::find(dims.begin(), dims.end(), s.key) != dims.end();
    bool is_metric = std::find(metrics.begin(), metrics.end(), s.key) != metrics.end() ||
                     (schema && schema->metric(s.key)) || count_like(s.key);
    s.numeric_strings = is_metric && !is_dim;
    s.strict = s.numeric_strings;
    s.count = s.strict && count_like(s.key);
    s.finite = true;
    s.col.role = s.numeric_strings ? ColumnRole::metric : ColumnRole::dimension;
  };
  std::vector<Slot> slots = read_rows(*rows, configure);
  refuse_duplicate_rows(slots);

  auto& cols = t.columns_mut();
  cols.reserve(slots.size());
  for (Slot& s : slots) {
    Column& c = s.col;
    if (c.role == ColumnRole::time) {
      if (c.type != ColumnType::time) c.role = ColumnRole::dimension, c.format = DisplayFormat::text;
    } else if (c.type == ColumnType::number) {
      c.role = ColumnRole::metric;
      MetricStyle st = metric_style(c.name, schema);
      c.format = st.format;
      c.is_rate = st.is_rate;
    } else {
      c.role = ColumnRole::dimension;
      c.format = DisplayFormat::text;
    }
    cols.push_back(std::move(c));
  }
  // The time column leads.
  std::stable_partition(cols.begin(), cols.end(), [](const Column& c) { return c.role == ColumnRole::time; });
  return t;
}

Table from_rows(const json::value& response, std::string_view source, const RowsOptions& options) {
  const json::array* rows = response.if_array();
  Table t;
  t.meta.source = std::string(source);
  if (!rows) {
    if (const json::object* o = response.if_object()) {
      if (auto* r = o->if_contains("data"); r && r->is_array()) rows = &r->get_array();
      if (auto* m = o->if_contains("meta"); m && m->is_object()) t.meta.extra = m->get_object();
    }
  }
  if (!rows) throw Error(ErrorKind::http, "malformed response from " + std::string(source) + ": no data row array");
  t.meta.row_count = static_cast<std::int64_t>(rows->size());

  auto configure = [&](Slot& s) {
    s.numeric_strings = count_like(s.key) ||
                        std::find(options.numeric.begin(), options.numeric.end(), s.key) != options.numeric.end() ||
                        (options.schema && options.schema->metric(s.key));
    s.time_candidate = !s.numeric_strings;
    s.strict = s.numeric_strings && options.from_api;
    s.count = s.strict && count_like(s.key);
    s.finite = options.from_api;
  };
  std::vector<Slot> slots = read_rows(*rows, configure);
  auto& cols = t.columns_mut();
  cols.reserve(slots.size());
  for (Slot& s : slots) {
    Column& c = s.col;
    switch (c.type) {
      case ColumnType::time: {
        c.role = ColumnRole::time;
        c.format = DisplayFormat::date;
        bool whole_days = true;
        for (std::size_t i = 0; i < c.size() && whole_days; ++i)
          whole_days = c.nulls[i] || std::fmod(c.num[i], 86400.0) == 0;
        c.granularity = whole_days ? "day" : "";
        break;
      }
      case ColumnType::number:
        if (id_like(c.name)) {
          c.role = ColumnRole::dimension;
          c.format = DisplayFormat::text;
        } else {
          c.role = ColumnRole::metric;
          MetricStyle st = metric_style(c.name, options.schema);
          c.format = st.format;
          c.is_rate = st.is_rate;
        }
        break;
      default:
        c.role = ColumnRole::dimension;
        c.format = DisplayFormat::text;
    }
    cols.push_back(std::move(c));
  }
  return t;
}

}  // namespace orscript
