#include "sim/query_engine.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <unordered_map>

namespace orscript::sim {

namespace json = boost::json;

namespace {

std::string type_name(const json::value* v) {
  if (!v) return "undefined";
  switch (v->kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return "number";
    case json::kind::string: return "string";
    case json::kind::array: return "array";
    case json::kind::object: return "object";
  }
  return "unknown";
}

template <class Names>
std::string one_of(const Names& names) {
  std::string s = "Invalid option: expected one of ";
  bool first = true;
  for (auto& n : names) {
    if (!first) s += "|";
    s += "\"" + std::string(n) + "\"";
    first = false;
  }
  return s;
}

struct Issues {
  std::vector<std::string> list;
  void add(const std::string& path, const std::string& msg) { list.push_back(path.empty() ? msg : path + ": " + msg); }
  void expected(const std::string& path, const char* type, const json::value* v) {
    add(path, std::string("Invalid input: expected ") + type + ", received " + type_name(v));
  }
  void raise() const {
    if (list.empty()) return;
    std::string m;
    for (auto& s : list) m += (m.empty() ? "" : "; ") + s;
    throw QueryError(400, m);
  }
};

const json::value* field(const json::object& o, std::string_view k) {
  auto it = o.find(k);
  return it == o.end() ? nullptr : &it->value();
}

std::vector<std::string_view> metric_names() {
  std::vector<std::string_view> v;
  for (auto& m : metrics()) v.push_back(m.name);
  return v;
}
std::vector<std::string_view> dim_names() {
  std::vector<std::string_view> v;
  for (auto& d : dimensions()) v.push_back(d.name);
  return v;
}

std::optional<Op> parse_op(std::string_view s) {
  for (int i = 0; i < 8; ++i)
    if (kOperatorNames[i] == s) return static_cast<Op>(i);
  return std::nullopt;
}

// Integer check in the style of zod's z.number().int().min().max().
std::optional<int> int_field(Issues& is, const json::object& o, std::string_view name, int lo, int hi) {
  const json::value* v = field(o, name);
  if (!v) return std::nullopt;
  const std::string path(name);
  if (!v->is_number()) {
    is.expected(path, "number", v);
    return std::nullopt;
  }
  const double d = v->to_number<double>();
  if (std::floor(d) != d) {
    is.add(path, "Invalid input: expected int, received number");
    return std::nullopt;
  }
  if (d < lo) {
    is.add(path, "Too small: expected number to be >=" + std::to_string(lo));
    return std::nullopt;
  }
  if (d > hi) {
    is.add(path, "Too big: expected number to be <=" + std::to_string(hi));
    return std::nullopt;
  }
  return static_cast<int>(d);
}

// Checks a filter's `value` for its operator (an array for in/not_in, else a scalar)
// and appends the values to `out`. False (issues added) when it does not fit.
bool filter_value(Issues& is, const std::string& p, std::string_view op, bool array_op, const json::value* val,
                  std::vector<json::value>& out) {
  if (!val) {
    is.add(p + ".value", "Invalid input: expected string | number | array, received undefined");
    return false;
  }
  if (!array_op) {
    if (!val->is_string() && !val->is_number()) {
      is.add(p + ".value", "Operator \"" + std::string(op) + "\" requires a scalar (string or number) value, received " + type_name(val));
      return false;
    }
    out.push_back(*val);
    return true;
  }
  if (!val->is_array()) {
    is.add(p + ".value", "Operator \"" + std::string(op) + "\" requires an array value, received " + type_name(val));
    return false;
  }
  bool ok = true;
  for (std::size_t j = 0; j < val->get_array().size(); ++j) {
    const auto& item = val->get_array()[j];
    if (!item.is_string() && !item.is_number()) {
      is.add(p + ".value." + std::to_string(j), "Invalid input: expected string | number, received " + type_name(&item));
      ok = false;
    } else {
      out.push_back(item);
    }
  }
  return ok;
}

// Classifier dimension names: identifiers (letters, digits, underscores, not starting
// with a digit) of at most 64 characters.
bool is_identifier(std::string_view n) {
  if (n.empty() || n.size() > 64 || std::isdigit(static_cast<unsigned char>(n[0]))) return false;
  return std::all_of(n.begin(), n.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}

// classifier_dimensions / classifier_filters (spec §3.3) against the scenario's classifiers.
void parse_classifier(Issues& is, const json::object& o, const Scenario* sc, Query& q) {
  std::string first_id;
  for (const char* k : {"classifier_dimensions", "classifier_filters"}) {
    const json::value* cv = field(o, k);
    if (!cv || cv->is_null()) continue;
    const std::string K = k;
    if (!cv->is_object()) {
      is.expected(K, "object", cv);
      continue;
    }
    const json::object& co = cv->get_object();
    const json::value* id = field(co, "classifier_id");
    if (!id || !id->is_string()) {
      is.expected(K + ".classifier_id", "string", id);
      continue;
    }
    const std::string idv(id->get_string());
    if (const json::value* dn = field(co, "dimension_names"); dn && dn->is_array() && dn->get_array().size() > 2) {
      is.add(K + ".dimension_names", "Too big: expected array to have <=2 items");
      continue;
    }
    if (!first_id.empty() && idv != first_id) {
      is.add(K + ".classifier_id", "must equal classifier_dimensions.classifier_id");
      continue;
    }
    first_id = idv;
    int ci = -1;
    for (std::size_t i = 0; sc && i < sc->classifiers.size(); ++i)
      if (sc->classifiers[i].id == idv) ci = static_cast<int>(i);
    if (ci < 0) {
      is.add(K + ".classifier_id", "Classifier not found: no active classifier with id \"" + idv + "\" in this account");
      continue;
    }
    const Classifier& cl = sc->classifiers[static_cast<std::size_t>(ci)];
    q.classifier.index = ci;
    auto dim_of = [&](const std::string& path, const json::value* v) -> int {
      if (!v || !v->is_string()) {
        is.expected(path, "string", v);
        return -1;
      }
      const std::string_view n = v->get_string();
      if (!is_identifier(n)) {
        is.add(path, "Invalid dimension name: expected letters, digits and underscores, at most 64 characters");
        return -1;
      }
      for (std::size_t d = 0; d < cl.dimensions.size(); ++d)
        if (cl.dimensions[d] == n) return static_cast<int>(d);
      is.add(path, "Unknown dimension \"" + std::string(n) + "\" for this classifier; " + one_of(cl.dimensions));
      return -1;
    };
    if (K == "classifier_dimensions") {
      q.classifier.grouped = true;
      if (const json::value* dn = field(co, "dimension_names"); dn && !dn->is_null()) {
        if (!dn->is_array()) is.expected(K + ".dimension_names", "array", dn);
        else if (dn->get_array().size() > 2) is.add(K + ".dimension_names", "Too big: expected array to have <=2 items");
        else
          for (std::size_t j = 0; j < dn->get_array().size(); ++j)
            if (int d = dim_of(K + ".dimension_names." + std::to_string(j), &dn->get_array()[j]); d >= 0)
              if (std::find(q.classifier.names.begin(), q.classifier.names.end(), d) == q.classifier.names.end())
                q.classifier.names.push_back(d);
      }
      if (const json::value* in = field(co, "include_nulls"); in && !in->is_null()) {
        if (!in->is_bool()) is.expected(K + ".include_nulls", "boolean", in);
        else q.classifier.include_nulls = in->get_bool();
      }
      continue;
    }
    const json::value* fl = field(co, "filters");
    if (!fl || !fl->is_array()) { is.expected(K + ".filters", "array", fl); continue; }
    const auto& a = fl->get_array();
    if (a.empty()) { is.add(K + ".filters", "Too small: expected array to have >=1 items"); continue; }
    if (a.size() > 10) { is.add(K + ".filters", "Too big: expected array to have <=10 items"); continue; }
    for (std::size_t i = 0; i < a.size(); ++i) {
      const std::string p = K + ".filters." + std::to_string(i);
      if (!a[i].is_object()) {
        is.expected(p, "object", &a[i]);
        continue;
      }
      const auto& fo = a[i].get_object();
      Query::ClassifierFilter f;
      f.dim = dim_of(p + ".field", field(fo, "field"));
      const json::value* op = field(fo, "operator");
      static constexpr std::string_view kOps[] = {"eq", "neq", "in", "not_in"};
      if (!op || !op->is_string()) {
        is.expected(p + ".operator", "string", op);
        continue;
      }
      if (std::find(std::begin(kOps), std::end(kOps), op->get_string()) == std::end(kOps)) {
        is.add(p + ".operator", one_of(kOps));
        continue;
      }
      const std::string_view ops = op->get_string();
      f.negate = ops == "neq" || ops == "not_in";
      std::vector<json::value> values;
      if (!filter_value(is, p, ops, ops == "in" || ops == "not_in", field(fo, "value"), values) || f.dim < 0) continue;
      for (auto& v : values) f.values.push_back(v.is_string() ? std::string(v.get_string()) : json::serialize(v));
      q.classifier.filters.push_back(std::move(f));
    }
  }
}

// The request's "metrics".
void parse_metrics(Issues& is, const json::object& o, Query& q) {
  const json::value* mv = field(o, "metrics");
  if (!mv || !mv->is_array()) {
    is.expected("metrics", "array", mv);
  } else if (mv->get_array().empty()) {
    is.add("metrics", "Too small: expected array to have >=1 items");
  } else {
    const auto& a = mv->get_array();
    for (std::size_t i = 0; i < a.size(); ++i) {
      const std::string p = "metrics." + std::to_string(i);
      if (!a[i].is_string()) {
        is.expected(p, "string", &a[i]);
        continue;
      }
      const MetricDef* m = find_metric(a[i].get_string());
      if (!m) {
        is.add(p, one_of(metric_names()));
        continue;
      }
      q.metrics.push_back(m);
    }
  }
}

// The request's "dimensions".
void parse_dimensions(Issues& is, const json::object& o, Query& q) {
  if (const json::value* dv = field(o, "dimensions")) {
    if (!dv->is_array()) {
      is.expected("dimensions", "array", dv);
    } else {
      const auto& a = dv->get_array();
      if (a.size() > 2) is.add("dimensions", "Too big: expected array to have <=2 items");
      for (std::size_t i = 0; i < a.size(); ++i) {
        const std::string p = "dimensions." + std::to_string(i);
        if (!a[i].is_string()) {
          is.expected(p, "string", &a[i]);
          continue;
        }
        const DimDef* d = find_dimension(a[i].get_string());
        if (!d) {
          is.add(p, one_of(dim_names()));
          continue;
        }
        q.dims.push_back(d);
      }
    }
  }
}

// The request's "filters".
void parse_filters(Issues& is, const json::object& o, Query& q) {
  if (const json::value* fv = field(o, "filters")) {
    if (!fv->is_array()) {
      is.expected("filters", "array", fv);
    } else {
      const auto& a = fv->get_array();
      if (a.size() > 20) is.add("filters", "Too big: expected array to have <=20 items");
      for (std::size_t i = 0; i < a.size(); ++i) {
        const std::string p = "filters." + std::to_string(i);
        if (!a[i].is_object()) {
          is.expected(p, "object", &a[i]);
          continue;
        }
        const auto& fo = a[i].get_object();
        QueryFilter f;
        bool ok = true;
        const json::value* ff = field(fo, "field");
        if (!ff || !ff->is_string()) {
          is.expected(p + ".field", "string", ff);
          ok = false;
        } else if (!(f.dim = find_dimension(ff->get_string()))) {
          is.add(p + ".field", one_of(dim_names()));
          ok = false;
        }
        const json::value* fo_op = field(fo, "operator");
        std::optional<Op> op;
        if (!fo_op || !fo_op->is_string()) {
          is.expected(p + ".operator", "string", fo_op);
          ok = false;
        } else if (!(op = parse_op(fo_op->get_string()))) {
          is.add(p + ".operator", one_of(kOperatorNames));
          ok = false;
        }
        const json::value* val = field(fo, "value");
        const bool array_op = op && (*op == Op::in || *op == Op::not_in);
        if (op) ok &= filter_value(is, p, fo_op->get_string(), array_op, val, f.values);
        else if (!val) is.add(p + ".value", "Invalid input: expected string | number | array, received undefined");
        if (const json::value* iu = field(fo, "include_unset")) {
          if (!iu->is_bool()) {
            is.expected(p + ".include_unset", "boolean", iu);
            ok = false;
          } else if (iu->get_bool() && op && !array_op) {
            is.add(p + ".include_unset", "include_unset is only allowed with the in and not_in operators");
            ok = false;
          } else {
            f.include_unset = iu->get_bool();
          }
        }
        if (ok) {
          f.op = *op;
          q.filters.push_back(std::move(f));
        }
      }
    }
  }
}

// The request's "granularity".
void parse_granularity(Issues& is, const json::object& o, Query& q) {
  if (const json::value* gv = field(o, "granularity"); gv && !gv->is_null()) {
    bool found = false;
    if (gv->is_string())
      for (int i = 0; i < 5; ++i)
        if (kGranularityNames[i] == gv->get_string()) {
          q.granularity = static_cast<Granularity>(i);
          found = true;
        }
    if (!found) is.add("granularity", one_of(kGranularityNames));
  }
}

// The request's "time_range" (default: the 7 days before now).
void parse_time_range(Issues& is, const json::object& o, Query& q, std::int64_t now_ms) {
  q.end_ms = now_ms;
  q.start_ms = now_ms - 7 * kDayMs;
  if (const json::value* tv = field(o, "time_range")) {
    if (!tv->is_object()) {
      is.expected("time_range", "object", tv);
    } else {
      for (const char* k : {"start", "end"}) {
        const std::string p = std::string("time_range.") + k;
        const json::value* v = field(tv->get_object(), k);
        if (!v || !v->is_string()) {
          is.expected(p, "string", v);
          continue;
        }
        const auto t = parse_iso_datetime(v->get_string());
        if (!t) {
          is.add(p, "Invalid ISO datetime");
          continue;
        }
        // SDK 1.3.19: seconds are required; minute precision ("…T00:00Z") is rejected.
        if (const std::string_view text = v->get_string(); text.size() < 19 || text[16] != ':') {
          is.add(p, "Invalid ISO datetime: seconds are required (YYYY-MM-DDTHH:MM:SSZ)");
          continue;
        }
        (k[0] == 's' ? q.start_ms : q.end_ms) = *t;
      }
    }
  }
}

// The request's "order_by": returns the field named (resolved by resolve_order once the
// metrics and dimensions are known), or "".
std::string parse_order_by(Issues& is, const json::object& o, Query& q) {
  std::string order_field;
  if (const json::value* ov = field(o, "order_by")) {
    if (!ov->is_object()) {
      is.expected("order_by", "object", ov);
    } else {
      const json::value* f = field(ov->get_object(), "field");
      const json::value* d = field(ov->get_object(), "direction");
      if (!f || !f->is_string()) is.expected("order_by.field", "string", f);
      else order_field = std::string(f->get_string());
      if (!d || !d->is_string() || (d->get_string() != "asc" && d->get_string() != "desc"))
        is.add("order_by.direction", "Invalid option: expected one of \"asc\"|\"desc\"");
      else q.order_desc = d->get_string() == "desc";
      if (!order_field.empty()) q.order_kind = Query::OrderKind::date;  // resolved below
    }
  }
  return order_field;
}

// Semantic rules on the time range: the 31-day limit of generation-level fields, 365 days,
// and minute granularity's 3 hours.
void check_time_range(Issues& is, Query& q) {
  for (auto* m : q.metrics) q.short_range |= m->short_range;
  for (auto* d : q.dims) q.short_range |= d->short_range;
  for (auto& f : q.filters) q.short_range |= f.dim->short_range;
  q.short_range |= q.classifier.index >= 0;
  if (q.start_ms >= q.end_ms) is.add("time_range", "start must be before end");
  const std::int64_t span = q.end_ms - q.start_ms;
  if (q.start_ms < q.end_ms) {
    if (q.short_range && span > 31 * kDayMs) {
      std::string which;
      for (auto* m : q.metrics)
        if (m->short_range) which += (which.empty() ? "" : ", ") + std::string(m->name);
      for (auto* d : q.dims)
        if (d->short_range) which += (which.empty() ? "" : ", ") + std::string(d->name);
      for (auto& f : q.filters)
        if (f.dim->short_range) which += (which.empty() ? "" : ", ") + std::string(f.dim->name);
      if (q.classifier.index >= 0) which += (which.empty() ? "" : ", ") + std::string("classifier fields");
      is.add("time_range", "Time range exceeds the maximum of 31 days for generation-level fields (" + which + ")");
    } else if (span > 365 * kDayMs) {
      is.add("time_range", "Time range exceeds the maximum of 365 days");
    }
    if (q.granularity == Granularity::minute && span > 3 * kHourMs)
      is.add("granularity", "minute granularity requires a time range of at most 3 hours");
  }
}

// What order_by's field names: the date, a requested metric (or request_count), a requested
// dimension, or user_email for the user dimension.
void resolve_order(Issues& is, Query& q, const std::string& order_field) {
  if (!order_field.empty()) {
    if (order_field == "date" || order_field.rfind("date__", 0) == 0 || order_field.rfind("created_at__", 0) == 0) {
      if (!q.granularity) is.add("order_by.field", "\"date\" ordering requires a granularity");
      q.order_kind = Query::OrderKind::date;
    } else if (auto* m = find_metric(order_field);
               m && (order_field == "request_count" || std::find(q.metrics.begin(), q.metrics.end(), m) != q.metrics.end())) {
      q.order_kind = Query::OrderKind::metric;
      q.order_metric = m;
    } else if (auto* d = find_dimension(order_field); d && std::find(q.dims.begin(), q.dims.end(), d) != q.dims.end()) {
      q.order_kind = Query::OrderKind::dim;
      q.order_dim = d;
    } else if (order_field == "user_email" && std::find(q.dims.begin(), q.dims.end(), find_dimension("user")) != q.dims.end()) {
      q.order_kind = Query::OrderKind::dim;
      q.order_dim = find_dimension("user");
    } else {
      is.add("order_by.field", "\"" + order_field + "\" is not a requested metric, a requested dimension, request_count or date");
    }
  }
}

}  // namespace

Query parse_query(const json::value& body, std::int64_t now_ms, const Scenario* scenario) {
  Issues is;
  if (!body.is_object()) {
    is.expected("", "object", &body);
    is.raise();
  }
  const json::object& o = body.get_object();
  Query q;
  parse_metrics(is, o, q);
  parse_dimensions(is, o, q);
  parse_filters(is, o, q);
  parse_granularity(is, o, q);
  parse_time_range(is, o, q, now_ms);
  const std::string order_field = parse_order_by(is, o, q);
  if (auto l = int_field(is, o, "limit", 1, 10000)) q.limit = *l;
  if (auto g = int_field(is, o, "group_limit", 1, 10000)) q.group_limit = *g;
  // classifier fields
  parse_classifier(is, o, scenario, q);
  is.raise();

  check_time_range(is, q);
  resolve_order(is, q, order_field);
  is.raise();
  return q;
}

namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && s.size() < 19 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
bool is_hash(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); });
}
std::string value_text(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  if (v.is_double()) {
    const double d = v.get_double();
    if (std::floor(d) == d && std::abs(d) < 1e15) return std::to_string(static_cast<long long>(d));
    return json::serialize(v);
  }
  return json::serialize(v);
}
std::optional<double> value_number(const json::value& v) {
  if (v.is_number()) return v.to_number<double>();
  if (v.is_string() && all_digits(v.get_string())) return std::stod(std::string(v.get_string()));
  return std::nullopt;
}

// The raw identifier a filter value is compared with, for a code of a dimension.
struct Matcher {
  const Store& s;
  Dim dim;
  std::vector<std::string>* warnings;

  bool eq(std::int32_t c, const json::value& v) const {
    const Scenario& sc = s.scenario;
    switch (dim) {
      case Dim::api_key_id: {
        if (auto n = value_number(v)) return static_cast<double>(sc.keys[c].id) == *n;
        if (v.is_string()) {
          std::string h(v.get_string());
          std::transform(h.begin(), h.end(), h.begin(), [](unsigned char ch) { return std::tolower(ch); });
          return sc.keys[c].hash == h;
        }
        return false;
      }
      case Dim::app:
        if (auto n = value_number(v)) return static_cast<double>(sc.apps[c].id) == *n;
        return false;
      case Dim::user: return sc.users[c].id == value_text(v);
      case Dim::workspace: return sc.workspaces[c].id == value_text(v);
      case Dim::model: return sc.models[c].permaslug == value_text(v) || sc.models[c].slug == value_text(v);
      default: return s.dim_label(dim, c) == value_text(v);
    }
  }
  // <0, 0, >0 comparing the row's raw id with the value.
  int cmp(std::int32_t c, const json::value& v) const {
    const Scenario& sc = s.scenario;
    if (dim == Dim::api_key_id || dim == Dim::app) {
      const double id = static_cast<double>(dim == Dim::app ? sc.apps[c].id : sc.keys[c].id);
      if (auto n = value_number(v)) return id < *n ? -1 : (id > *n ? 1 : 0);
      const std::string raw = dim == Dim::app ? std::to_string(sc.apps[c].id) : sc.keys[c].hash;
      return raw.compare(value_text(v));
    }
    std::string raw;
    switch (dim) {
      case Dim::user: raw = sc.users[c].id; break;
      case Dim::workspace: raw = sc.workspaces[c].id; break;
      default: raw = s.dim_label(dim, c);
    }
    return raw.compare(value_text(v));
  }
  bool test(std::int32_t c, const QueryFilter& f) const {
    if (c < 0) return f.include_unset;
    auto any_eq = [&] {
      for (auto& v : f.values)
        if (eq(c, v)) return true;
      return false;
    };
    switch (f.op) {
      case Op::eq:
      case Op::in: return any_eq();
      case Op::neq:
      case Op::not_in: return !any_eq();
      case Op::gt: return cmp(c, f.values[0]) > 0;
      case Op::gte: return cmp(c, f.values[0]) >= 0;
      case Op::lt: return cmp(c, f.values[0]) < 0;
      case Op::lte: return cmp(c, f.values[0]) <= 0;
    }
    return false;
  }
};

struct CompiledFilter {
  Dim dim;
  std::vector<std::uint8_t> mask;  // index code + 1
};

CompiledFilter compile(const Store& s, const QueryFilter& f, std::vector<std::string>& warnings) {
  CompiledFilter cf{f.dim->dim, {}};
  const std::int32_t card = s.dim_cardinality(cf.dim);
  cf.mask.assign(static_cast<std::size_t>(card) + 1, 0);
  Matcher m{s, cf.dim, &warnings};
  if (cf.dim == Dim::api_key_id) {
    for (auto& v : f.values) {
      if (!v.is_string() || !is_hash(v.get_string())) continue;
      bool found = false;
      for (std::int32_t c = 0; c < card; ++c) found |= m.eq(c, v);
      if (!found)
        warnings.push_back("Could not resolve api_key_id hash: " + std::string(v.get_string()).substr(0, 8) + "...");
    }
  }
  if (cf.dim == Dim::generation_id && (f.op == Op::eq || f.op == Op::in || f.op == Op::neq || f.op == Op::not_in)) {
    std::vector<std::uint8_t> hit(static_cast<std::size_t>(card), 0);
    for (auto& v : f.values)
      if (auto i = s.find_generation(value_text(v)); i >= 0) hit[static_cast<std::size_t>(i)] = 1;
    const bool positive = f.op == Op::eq || f.op == Op::in;
    for (std::int32_t c = 0; c < card; ++c) cf.mask[c + 1] = positive ? hit[c] : !hit[c];
    cf.mask[0] = f.include_unset;
    return cf;
  }
  cf.mask[0] = m.test(-1, f);
  for (std::int32_t c = 0; c < card; ++c) cf.mask[c + 1] = m.test(c, f);
  return cf;
}

struct Group {
  std::int32_t bucket = -1;
  std::int32_t code[4] = {-1, -1, -1, -1};  // dimensions, then classifier columns
};

std::uint64_t mix64(std::uint64_t x) {  // splitmix64's finaliser
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
double unit(std::uint64_t h) { return static_cast<double>(h >> 11) * 0x1.0p-53; }

// A classifier's labels, derived from the generation (event index) so that they need
// no storage and are the same in every query: a share `coverage` of generations is
// tagged; each tagged one draws a label per dimension from its stream's weights.
struct ClassifierLabels {
  const Store& s;
  const Classifier& cl;
  std::uint64_t salt;
  std::vector<std::vector<std::string>> names;                   // [dim] labels, sorted
  std::vector<std::vector<std::vector<std::pair<double, int>>>> cum;  // [dim][stream] cumulative weight, code

  ClassifierLabels(const Store& store, const Classifier& c, int index)
      : s(store), cl(c), salt(mix64(store.seed * 1000003u + static_cast<std::uint64_t>(index) + 77)) {
    names.resize(cl.dimensions.size());
    cum.resize(cl.dimensions.size());
    for (std::size_t d = 0; d < cl.dimensions.size(); ++d) {
      for (auto& per_stream : cl.stream_labels)
        for (auto& [label, w] : per_stream[d]) names[d].push_back(label);
      std::sort(names[d].begin(), names[d].end());
      names[d].erase(std::unique(names[d].begin(), names[d].end()), names[d].end());
      for (auto& per_stream : cl.stream_labels) {
        std::vector<std::pair<double, int>> c;
        double total = 0;
        for (auto& [label, w] : per_stream[d]) {
          total += w;
          c.emplace_back(total, static_cast<int>(std::lower_bound(names[d].begin(), names[d].end(), label) - names[d].begin()));
        }
        for (auto& e : c) e.first /= total > 0 ? total : 1;
        cum[d].push_back(std::move(c));
      }
    }
  }
  std::int32_t label(std::size_t event, std::size_t d) const {
    const std::uint64_t h = mix64(salt ^ (event * 0x9E3779B97F4A7C15ull));
    if (unit(h) >= cl.coverage) return -1;
    const auto& c = cum[d][s.events.stream[event]];
    const double u = unit(mix64(h + d + 1));
    for (auto& [w, code] : c)
      if (u < w) return code;
    return c.empty() ? -1 : c.back().second;
  }
  int code_of(std::size_t d, const std::string& label) const {
    auto it = std::lower_bound(names[d].begin(), names[d].end(), label);
    return it != names[d].end() && *it == label ? static_cast<int>(it - names[d].begin()) : -2;
  }
};


// Percentiles p50, p90, p99 of each group's samples (counting sort by group), nearest rank
// via nth_element; NaN for a group without samples.
std::vector<std::array<double, 3>> percentiles(const std::vector<std::pair<std::int32_t, float>>& samples, std::size_t ng) {
  std::vector<std::array<double, 3>> out(ng, {NAN, NAN, NAN});
  std::vector<std::size_t> start(ng + 1, 0);
  for (auto& sm : samples) ++start[static_cast<std::size_t>(sm.first) + 1];
  for (std::size_t g = 0; g < ng; ++g) start[g + 1] += start[g];
  std::vector<float> vals(samples.size());
  std::vector<std::size_t> fill(start.begin(), start.end() - 1);
  for (auto& sm : samples) vals[fill[static_cast<std::size_t>(sm.first)]++] = sm.second;
  const double ps[3] = {0.5, 0.9, 0.99};
  for (std::size_t g = 0; g < ng; ++g) {
    const std::size_t b = start[g], e = start[g + 1], n = e - b;
    if (n == 0) continue;
    std::size_t prev = 0;
    for (int k = 0; k < 3; ++k) {
      std::size_t rank = static_cast<std::size_t>(std::ceil(ps[k] * static_cast<double>(n)));
      rank = std::max<std::size_t>(rank, 1) - 1;
      std::nth_element(vals.begin() + static_cast<std::ptrdiff_t>(b + prev), vals.begin() + static_cast<std::ptrdiff_t>(b + rank),
                       vals.begin() + static_cast<std::ptrdiff_t>(e));
      out[g][k] = vals[b + rank];
      prev = rank;
    }
  }
  return out;
}

// Ordering: one precomputed key tuple per group, ascending.
struct SortKey {
  double primary, bucket, metric, d[4];
  std::int32_t g;
};
double asc_key(double v, bool desc) { return std::isnan(v) ? INFINITY : (desc ? -v : v); }
bool sort_less(const SortKey& x, const SortKey& y) {
  if (x.primary != y.primary) return x.primary < y.primary;
  if (x.bucket != y.bucket) return x.bucket < y.bucket;
  if (x.metric != y.metric) return x.metric < y.metric;
  for (std::size_t k = 0; k < 4; ++k)
    if (x.d[k] != y.d[k]) return x.d[k] < y.d[k];
  return x.g < y.g;
}

// One run_query: its phases in order (the constructor compiles the filters), and what they
// hand each other.
class Execution {
 public:
  Execution(const Store& store, const Query& query);
  json::object run();

 private:
  void plan_buckets();
  std::int32_t bucket_of(std::int64_t t) const;
  void plan_columns();
  std::size_t col_index(Col c) const {
    return static_cast<std::size_t>(std::find(cols.begin(), cols.end(), c) - cols.begin());
  }
  void plan_grouping();
  std::int64_t combo_of(const Group& g) const {
    std::int64_t c = 0;
    for (std::size_t k = 0; k < nkey; ++k) c = c * card[k] + g.code[k] + 1;
    return c;
  }
  std::int32_t slot_for(std::int64_t key, const Group& g);
  // Whether a row passes every compiled filter; code_of(dim) reads the row's code.
  template <class CodeOf>
  bool passes_filters(CodeOf code_of) const {
    for (auto& f : filters)
      if (!f.mask[static_cast<std::size_t>(code_of(f.dim) + 1)]) return false;
    return true;
  }
  void scan_events();
  void scan_rollups();
  void compute_metrics();
  double metric_of(std::int32_t g, std::size_t k) const { return values[static_cast<std::size_t>(g) * nm + k]; }
  void build_labels();
  double rank_of(std::size_t k, std::int32_t code) const;
  std::string label(std::size_t k, std::int32_t code) const;
  std::vector<SortKey> sort_keys() const;
  void select_rows();
  json::array build_rows() const;

  const Store& s;
  const Query& q;
  std::chrono::steady_clock::time_point t0;
  std::vector<std::string> warnings;
  std::vector<CompiledFilter> filters;
  // Buckets.
  std::vector<std::int64_t> bucket_starts;
  std::vector<std::int32_t> day_bucket;  // for week/month: day offset -> bucket
  std::int64_t first_day = 0, unit = 0, nb = 1;
  // Columns to accumulate.
  std::vector<Col> cols;
  std::size_t nc = 0;
  bool want_pct_latency = false, want_pct_throughput = false;
  // Grouping.
  std::size_t ndim = 0, nkey = 0;
  Dim dims[4] = {Dim::model, Dim::model, Dim::model, Dim::model};
  std::int64_t card[4] = {1, 1, 1, 1};
  bool by_generation = false, clf_long = false, dense = false;
  std::optional<ClassifierLabels> clf;
  std::vector<std::int32_t> flat;  // long column: first code of each dimension
  std::vector<std::pair<std::size_t, std::vector<std::uint8_t>>> clf_masks;
  std::int64_t space = 1;
  std::vector<Group> groups;
  std::vector<double> acc;
  std::vector<std::int32_t> slot_dense;
  std::unordered_map<std::int64_t, std::int32_t> slot_map;
  std::vector<std::pair<std::int32_t, float>> lat_samples, thr_samples;
  // Metric values (NaN = null), labels, and the rows kept.
  std::size_t ng = 0, nm = 0;
  std::vector<double> values;
  std::vector<std::vector<std::string>> label_cache;
  std::vector<std::vector<double>> label_rank;
  std::vector<std::int32_t> kept;
  bool truncated = false;
};

Execution::Execution(const Store& store, const Query& query) : s(store), q(query), t0(std::chrono::steady_clock::now()) {
  for (auto& f : q.filters) filters.push_back(compile(s, f, warnings));
}

void Execution::plan_buckets() {
  first_day = day_index(q.start_ms);
  if (q.granularity) {
    for (std::int64_t b = bucket_start(*q.granularity, q.start_ms); b < q.end_ms; b = bucket_next(*q.granularity, b))
      bucket_starts.push_back(b);
    if (*q.granularity == Granularity::minute) unit = kMinuteMs;
    else if (*q.granularity == Granularity::hour) unit = kHourMs;
    else if (*q.granularity == Granularity::day) unit = kDayMs;
    else {
      const std::int64_t last_day = day_index(q.end_ms - 1);
      std::size_t bi = 0;
      for (std::int64_t d = first_day; d <= last_day; ++d) {
        while (bi + 1 < bucket_starts.size() && bucket_starts[bi + 1] <= d * kDayMs) ++bi;
        day_bucket.push_back(static_cast<std::int32_t>(bi));
      }
    }
  }
  nb = q.granularity ? static_cast<std::int64_t>(bucket_starts.size()) : 1;
}

std::int32_t Execution::bucket_of(std::int64_t t) const {
  if (!q.granularity) return 0;
  if (unit) return static_cast<std::int32_t>((t - bucket_starts[0]) / unit);
  return day_bucket[static_cast<std::size_t>(day_index(t) - first_day)];
}

void Execution::plan_columns() {
  auto need = [&](Col c) {
    if (std::find(cols.begin(), cols.end(), c) == cols.end()) cols.push_back(c);
  };
  need(Col::count);
  for (auto* m : q.metrics) {
    if (m->name == "tokens_total") {
      need(Col::prompt);
      need(Col::completion);
    } else if (m->agg == Agg::ratio) {
      need(m->num);
      need(m->den);
    } else if (m->agg == Agg::p50 || m->agg == Agg::p90 || m->agg == Agg::p99) {
      (m->num == Col::latency ? want_pct_latency : want_pct_throughput) = true;
    } else {
      need(m->num);
    }
  }
  nc = cols.size();
}

// Grouping: the dimensions, then the classifier's columns: one per dimension name,
// or without names one long column (clf_dimension_name + clf_dimension_value) whose
// code is flat[d] + label (the last code of each dimension is its null).
void Execution::plan_grouping() {
  ndim = q.dims.size();
  for (std::size_t k = 0; k < ndim; ++k) {
    dims[k] = q.dims[k]->dim;
    card[k] = s.dim_cardinality(dims[k]) + 1;
    by_generation |= dims[k] == Dim::generation_id;
  }
  if (q.classifier.index >= 0)
    clf.emplace(s, s.scenario.classifiers[static_cast<std::size_t>(q.classifier.index)], q.classifier.index);
  clf_long = clf && q.classifier.grouped && q.classifier.names.empty();
  nkey = ndim;
  if (clf && q.classifier.grouped) {
    if (clf_long) {
      std::int32_t next = 0;
      for (auto& n : clf->names) {
        flat.push_back(next);
        next += static_cast<std::int32_t>(n.size()) + 1;
      }
      card[nkey++] = next + 1;
    } else {
      for (int d : q.classifier.names) card[nkey++] = static_cast<std::int64_t>(clf->names[static_cast<std::size_t>(d)].size()) + 1;
    }
  }
  // Classifier filters as allowed-label masks per dimension (null never passes).
  for (auto& f : q.classifier.filters) {
    const auto d = static_cast<std::size_t>(f.dim);
    std::vector<std::uint8_t> m(clf->names[d].size(), f.negate ? 1 : 0);
    for (auto& v : f.values)
      if (int c = clf->code_of(d, v); c >= 0) m[static_cast<std::size_t>(c)] = f.negate ? 0 : 1;
    clf_masks.emplace_back(d, std::move(m));
  }
  space = nb;
  for (std::size_t k = 0; k < nkey; ++k) space *= card[k];
  dense = !by_generation && space <= (4 << 20);
  if (by_generation) {
    slot_dense.assign(s.events.size(), -1);
    groups.reserve(s.events.size());
    acc.reserve(s.events.size() * nc);
  }
  else if (dense) slot_dense.assign(static_cast<std::size_t>(space), -1);
}

std::int32_t Execution::slot_for(std::int64_t key, const Group& g) {
  std::int32_t* slot;
  if (by_generation || dense) {
    slot = &slot_dense[static_cast<std::size_t>(key)];
  } else {
    slot = &slot_map.try_emplace(key, -1).first->second;
  }
  if (*slot < 0) {
    *slot = static_cast<std::int32_t>(groups.size());
    groups.push_back(g);
    acc.resize(acc.size() + nc, 0.0);
  }
  return *slot;
}

void Execution::scan_events() {
  const Events& ev = s.events;
  const std::size_t n = ev.size();
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t t = ev.time_ms[i];
    if (t < q.start_ms || t >= q.end_ms) continue;
    bool pass = passes_filters([&](Dim d) { return s.event_dim(d, i); });
    for (auto& [d, m] : clf_masks) {
      const std::int32_t c = clf->label(i, d);
      if (c < 0 || !m[static_cast<std::size_t>(c)]) {
        pass = false;
        break;
      }
    }
    if (!pass) continue;
    Group g;
    g.bucket = bucket_of(t);
    for (std::size_t k = 0; k < ndim; ++k) g.code[k] = s.event_dim(dims[k], i);
    if (clf && q.classifier.grouped && !clf_long) {
      for (std::size_t j = 0; j < q.classifier.names.size(); ++j) {
        g.code[ndim + j] = clf->label(i, static_cast<std::size_t>(q.classifier.names[j]));
        if (g.code[ndim + j] < 0 && !q.classifier.include_nulls) pass = false;
      }
      if (!pass) continue;
    }
    // One contribution per row the event lands in (the long column: one per dimension).
    const std::size_t expand = clf_long ? flat.size() : 1;
    for (std::size_t e = 0; e < expand; ++e) {
      if (clf_long) {
        const std::int32_t c = clf->label(i, e);
        if (c < 0 && !q.classifier.include_nulls) continue;
        g.code[ndim] = flat[e] + (c < 0 ? static_cast<std::int32_t>(clf->names[e].size()) : c);
      }
      const std::int64_t key = by_generation ? static_cast<std::int64_t>(i)
                                             : static_cast<std::int64_t>(g.bucket) * (space / nb) + combo_of(g);
      const std::int32_t slot = slot_for(key, g);
      double* a = &acc[static_cast<std::size_t>(slot) * nc];
      for (std::size_t c = 0; c < nc; ++c) a[c] += s.event_value(cols[c], i);
      if (want_pct_latency) lat_samples.emplace_back(slot, ev.latency_ms[i]);
      if (want_pct_throughput) thr_samples.emplace_back(slot, ev.throughput[i]);
    }
  }
}

// Rollups (only for long-range queries, hours before the detail window).
void Execution::scan_rollups() {
  if (q.short_range) return;
  const Rollups& r = s.rollups;
  for (std::size_t i = 0; i < r.size(); ++i) {
    const std::int64_t t = r.hour_ms[i];
    if (t < q.start_ms || t >= q.end_ms) continue;
    if (!passes_filters([&](Dim d) { return s.rollup_dim(d, i); })) continue;
    Group g;
    g.bucket = bucket_of(t);
    for (std::size_t k = 0; k < ndim; ++k) g.code[k] = s.rollup_dim(dims[k], i);
    const std::int64_t key = static_cast<std::int64_t>(g.bucket) * (space / nb) + combo_of(g);
    const std::int32_t slot = slot_for(key, g);
    double* a = &acc[static_cast<std::size_t>(slot) * nc];
    for (std::size_t c = 0; c < nc; ++c) a[c] += s.rollup_value(cols[c], i);
  }
}

// Percentiles, then each group's metric values (NaN = null).
void Execution::compute_metrics() {
  ng = groups.size();
  std::vector<std::array<double, 3>> lat_p, thr_p;
  if (want_pct_latency) lat_p = percentiles(lat_samples, ng);
  if (want_pct_throughput) thr_p = percentiles(thr_samples, ng);
  nm = q.metrics.size();
  values.assign(ng * nm, 0.0);
  for (std::size_t g = 0; g < ng; ++g) {
    const double* a = &acc[g * nc];
    for (std::size_t k = 0; k < nm; ++k) {
      const MetricDef* m = q.metrics[k];
      double v = NAN;
      const double cnt = a[col_index(Col::count)];
      switch (m->agg) {
        case Agg::sum:
          v = m->name == "tokens_total" ? a[col_index(Col::prompt)] + a[col_index(Col::completion)] : a[col_index(m->num)];
          if (m->nullable_when_zero && v == 0.0) v = NAN;
          break;
        case Agg::ratio: {
          const double den = a[col_index(m->den)];
          v = den > 0 ? a[col_index(m->num)] / den : NAN;
          break;
        }
        case Agg::avg: v = cnt > 0 ? a[col_index(m->num)] / cnt : NAN; break;
        case Agg::p50:
        case Agg::p90:
        case Agg::p99: {
          const int idx = m->agg == Agg::p50 ? 0 : (m->agg == Agg::p90 ? 1 : 2);
          v = (m->num == Col::latency ? lat_p : thr_p)[g][idx];
          break;
        }
      }
      values[g * nm + k] = v;
    }
  }
}

void Execution::build_labels() {
  // Labels (cached per code) and the rank of each code in label order.
  label_cache.assign(nkey, {});
  label_rank.assign(nkey, {});
  for (std::size_t k = 0; k < nkey; ++k) {
    if (k < ndim && dims[k] == Dim::generation_id) continue;
    auto& lc = label_cache[k];
    if (k < ndim) {
      lc.resize(static_cast<std::size_t>(card[k] - 1));
      for (std::int32_t c = 0; c + 1 < card[k]; ++c) lc[static_cast<std::size_t>(c)] = s.dim_label(dims[k], c);
    } else if (clf_long) {  // "name\x1fvalue" (value "\x7f" for null, sorting last)
      for (std::size_t d = 0; d < flat.size(); ++d) {
        for (auto& n : clf->names[d]) lc.push_back(clf->cl.dimensions[d] + "\x1f" + n);
        lc.push_back(clf->cl.dimensions[d] + "\x1f\x7f");
      }
    } else {
      lc = clf->names[static_cast<std::size_t>(q.classifier.names[k - ndim])];
    }
    std::vector<std::int32_t> idx(lc.size());
    for (std::size_t c = 0; c < idx.size(); ++c) idx[c] = static_cast<std::int32_t>(c);
    std::sort(idx.begin(), idx.end(), [&](std::int32_t x, std::int32_t y) { return lc[x] != lc[y] ? lc[x] < lc[y] : x < y; });
    label_rank[k].resize(idx.size());
    for (std::size_t r = 0; r < idx.size(); ++r) label_rank[k][static_cast<std::size_t>(idx[r])] = static_cast<double>(r);
  }
}

// A code's place in label order; unset sorts last.
double Execution::rank_of(std::size_t k, std::int32_t code) const {
    if (code < 0) return INFINITY;  // unset sorts last
    if (k < ndim && dims[k] == Dim::generation_id)  // "gen-<unix seconds>-<index>..." sorts by time, then index
      return static_cast<double>(s.events.time_ms[static_cast<std::size_t>(code)] / 1000) * 1e6 + code;
    return label_rank[k][static_cast<std::size_t>(code)];
  }

std::string Execution::label(std::size_t k, std::int32_t code) const {
    if (k < ndim && dims[k] == Dim::generation_id) return s.dim_label(dims[k], code);
    return label_cache[k][static_cast<std::size_t>(code)];
  }

std::vector<SortKey> Execution::sort_keys() const {
  std::vector<SortKey> keys(ng);
  for (std::size_t gi = 0; gi < ng; ++gi) {
    const auto g = static_cast<std::int32_t>(gi);
    SortKey& sk = keys[gi];
    sk.g = g;
    sk.primary = 0;
    switch (q.order_kind) {
      case Query::OrderKind::metric: {
        auto it = std::find(q.metrics.begin(), q.metrics.end(), q.order_metric);
        const double v = it != q.metrics.end() ? metric_of(g, static_cast<std::size_t>(it - q.metrics.begin()))
                                               : acc[gi * nc + col_index(Col::count)];
        sk.primary = asc_key(v, q.order_desc);
        break;
      }
      case Query::OrderKind::dim: {
        const auto k = static_cast<std::size_t>(std::find(q.dims.begin(), q.dims.end(), q.order_dim) - q.dims.begin());
        const double r = rank_of(k, groups[gi].code[k]);
        sk.primary = std::isinf(r) ? INFINITY : (q.order_desc ? -r : r);
        break;
      }
      case Query::OrderKind::date:
        sk.primary = q.order_desc ? -groups[gi].bucket : groups[gi].bucket;
        break;
      case Query::OrderKind::none: break;
    }
    sk.bucket = q.granularity ? -static_cast<double>(groups[gi].bucket) : 0.0;
    sk.metric = nm ? asc_key(metric_of(g, 0), true) : 0.0;
    for (std::size_t k = 0; k < 4; ++k) sk.d[k] = k < nkey ? rank_of(k, groups[gi].code[k]) : 0.0;
  }
  return keys;
}

// group_limit and limit: the groups kept, in order, and whether any were cut.
void Execution::select_rows() {
  std::vector<SortKey> keys = sort_keys();
  std::int64_t limit = q.limit;
  const bool auto_group_limit = nkey > 0 && q.granularity && !q.group_limit;
  if (auto_group_limit) {
    std::int64_t combos = 0;
    if (by_generation) combos = static_cast<std::int64_t>(ng);
    else {
      std::unordered_map<std::int64_t, int> seen;
      for (auto& g : groups) seen.emplace(combo_of(g), 0);
      combos = static_cast<std::int64_t>(seen.size());
    }
    limit = std::max<std::int64_t>(limit, std::min<std::int64_t>(nb * combos, 10000));
  }
  // Rows per dimension combination can only exceed group_limit with a time axis.
  const bool group_limited = nkey > 0 && q.group_limit && q.granularity && !by_generation && *q.group_limit < nb;
  if (group_limited) {
    std::sort(keys.begin(), keys.end(), sort_less);
    std::unordered_map<std::int64_t, int> per_combo;
    for (auto& sk : keys) {
      const Group& g = groups[static_cast<std::size_t>(sk.g)];
      const std::int64_t ck = combo_of(g);
      if (++per_combo[ck] <= *q.group_limit) kept.push_back(sk.g);
    }
    truncated = static_cast<std::int64_t>(kept.size()) > limit;
    if (truncated) kept.resize(static_cast<std::size_t>(limit));
  } else {
    truncated = static_cast<std::int64_t>(ng) > limit;
    const auto take = static_cast<std::size_t>(std::min<std::int64_t>(limit, static_cast<std::int64_t>(ng)));
    if (take < ng) std::nth_element(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(take), keys.end(), sort_less);
    std::sort(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(take), sort_less);
    kept.reserve(take);
    for (std::size_t i = 0; i < take; ++i) kept.push_back(keys[i].g);
  }

}

json::array Execution::build_rows() const {
  std::string bucket_key;
  if (q.granularity)
    bucket_key = std::string(q.short_range ? "created_at__" : "date__") +
                 std::string(kGranularityNames[static_cast<int>(*q.granularity)]);
  json::array rows;
  rows.reserve(kept.size());
  for (auto g : kept) {
    json::object row;
    row.reserve(2 + nkey * 2 + nm);
    if (q.granularity) row.emplace(bucket_key, bucket_label(*q.granularity, bucket_starts[groups[g].bucket]));
    for (std::size_t k = 0; k < ndim; ++k) {
      const std::int32_t code = groups[g].code[k];
      if (code < 0) row.emplace(q.dims[k]->name, nullptr);
      else row.emplace(q.dims[k]->name, label(k, code));
      if (dims[k] == Dim::user) {
        if (code < 0 || s.scenario.users[code].email.empty()) row.emplace("user_email", nullptr);
        else row.emplace("user_email", s.scenario.users[code].email);
      }
      if (dims[k] == Dim::user && code >= 0 && s.scenario.users[code].name.empty()) row["user"] = nullptr;
    }
    for (std::size_t k = ndim; k < nkey; ++k) {
      const std::int32_t code = groups[g].code[k];
      if (clf_long) {
        const std::string& both = label_cache[k][static_cast<std::size_t>(code)];
        const auto sep = both.find('\x1f');
        row.emplace("clf_dimension_name", both.substr(0, sep));
        if (both.substr(sep + 1) == "\x7f") row.emplace("clf_dimension_value", nullptr);
        else row.emplace("clf_dimension_value", both.substr(sep + 1));
      } else {
        const std::string& name = clf->cl.dimensions[static_cast<std::size_t>(q.classifier.names[k - ndim])];
        if (code < 0) row.emplace(name, nullptr);
        else row.emplace(name, label_cache[k][static_cast<std::size_t>(code)]);
      }
    }
    for (std::size_t k = 0; k < nm; ++k) {
      const double v = metric_of(g, k);
      const MetricDef* m = q.metrics[k];
      if (std::isnan(v)) row.emplace(m->name, nullptr);
      else if (m->kind == MetricKind::count) row.emplace(m->name, std::to_string(static_cast<long long>(std::llround(v))));
      else row.emplace(m->name, v);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

json::object Execution::run() {
  plan_buckets();
  plan_columns();
  plan_grouping();
  scan_events();
  scan_rollups();
  compute_metrics();
  build_labels();
  select_rows();
  json::array rows = build_rows();
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  json::object out;
  const auto row_count = rows.size();
  out["data"] = std::move(rows);
  out["metadata"] = json::object{{"query_time_ms", std::round(ms * 1000) / 1000}, {"row_count", row_count}, {"truncated", truncated}};
  if (!warnings.empty()) {
    json::array w;
    for (auto& x : warnings) w.push_back(json::string(x));
    out["warnings"] = std::move(w);
  }
  return out;
}

}  // namespace

json::object run_query(const Store& s, const Query& q) { return Execution(s, q).run(); }

json::object query(const Store& store, const json::value& body) {
  return run_query(store, parse_query(body, store.now_ms, &store.scenario));
}

}  // namespace orscript::sim
