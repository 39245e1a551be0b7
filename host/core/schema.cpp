#include "host/core/schema.hpp"

#include <boost/json.hpp>

namespace orscript {
namespace {
std::string str(const boost::json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::vector<NamedItem> items(const boost::json::object& data, std::string_view key, std::string_view second) {
  std::vector<NamedItem> out;
  auto* arr = data.if_contains(key);
  if (!arr || !arr->is_array()) return out;
  for (auto& v : arr->get_array())
    if (v.is_object()) out.push_back({str(v.get_object(), "name"), str(v.get_object(), second)});
  return out;
}
}  // namespace

Schema Schema::from_meta(const boost::json::value& meta) {
  Schema s;
  const boost::json::object* data = meta.if_object();
  if (data) {
    if (auto* inner = data->if_contains("data"); inner && inner->is_object()) data = &inner->get_object();
  }
  if (!data) return s;
  if (auto* arr = data->if_contains("metrics"); arr && arr->is_array()) {
    for (auto& v : arr->get_array()) {
      if (!v.is_object()) continue;
      auto& o = v.get_object();
      MetricInfo m{str(o, "name"), str(o, "display_label")};
      if (auto f = str(o, "display_format"); !f.empty()) m.display_format = f;
      if (auto* r = o.if_contains("is_rate"); r && r->is_bool()) m.is_rate = r->get_bool();
      s.metrics.push_back(std::move(m));
    }
  }
  s.dimensions = items(*data, "dimensions", "display_label");
  s.operators = items(*data, "operators", "value_type");
  s.granularities = items(*data, "granularities", "display_label");
  return s;
}

const MetricInfo* Schema::metric(std::string_view name) const {
  for (auto& m : metrics)
    if (m.name == name) return &m;
  return nullptr;
}

bool Schema::has_dimension(std::string_view name) const {
  for (auto& d : dimensions)
    if (d.name == name) return true;
  return false;
}

}  // namespace orscript
