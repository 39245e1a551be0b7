// schema.hpp: the analytics catalogue as served by GET /analytics/meta.
//
// Owns: reading the meta response into metrics (with is_rate and display_format),
// dimensions, operators and granularities, and looking names up. This is the one
// reader of the response: the table engine formats columns by it, the Lua model
// (scripts/orscript/schema.lua, through core.set_schema) is built on it, and shell
// completion takes names from it. Does not own: fetching or caching it, validating
// queries, or the facts the response does not carry (31-day windows, everyday words,
// rates' parts), which live only in scripts/orscript/schema.lua.
#pragma once

#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace orscript {

struct MetricInfo {
  std::string name, label;
  std::string display_format = "number";  // number currency percent latency throughput
  bool is_rate = false;
};

struct NamedItem {
  std::string name, label;  // dimensions and granularities: label; operators: value_type
};

struct Schema {
  std::vector<MetricInfo> metrics;
  std::vector<NamedItem> dimensions, operators, granularities;

  // Accepts the whole response ({"data":{...}}) or its data object. Unknown fields
  // and enum values are tolerated; missing arrays are empty.
  static Schema from_meta(const boost::json::value& meta);
  const MetricInfo* metric(std::string_view name) const;
  bool has_dimension(std::string_view name) const;
};

}  // namespace orscript
