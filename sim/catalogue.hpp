// catalogue.hpp: the analytics metrics, dimensions, operators and granularities.
//
// Owns: the static catalogue of spec §3.4/§3.5 (names, display labels, display
// formats, is_rate, whether a field is limited to 31-day windows) and the
// `/analytics/meta` JSON built from it. Does not own: computing metric values
// (query_engine.hpp).
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <span>
#include <string_view>

namespace orscript::sim {

// Summable per-row quantities; every metric is computed from these sums.
enum class Col : std::uint8_t {
  count, byok_count, guardrail, response_cached, prompt, completion, reasoning, cached,
  usage, total_usage, byok_inference, byok_fee, openrouter_usage,
  upstream, cache, data, web, upstream_web, file, upstream_file, web_fetch, upstream_web_fetch,
  latency, throughput,
  kCount
};
inline constexpr int kColCount = static_cast<int>(Col::kCount);

enum class MetricKind : std::uint8_t { count, money, ratio, latency, throughput };
enum class Agg : std::uint8_t { sum, ratio, avg, p50, p90, p99 };

struct MetricDef {
  std::string_view name, label, format;  // format: number|currency|percent|latency|throughput
  bool is_rate;
  bool short_range;       // limited to 31-day windows (generation-level source)
  MetricKind kind;
  Agg agg;
  Col num;                // summed column (or the sampled one for avg/percentiles)
  Col den;                // denominator for ratio metrics
  bool nullable_when_zero;  // usage_* components are null when unused
};

enum class Dim : std::uint8_t {
  model, variant, api_key_id, user, workspace, app,
  generation_id, provider, origin, country, finish_reason, external_user, context_length_bucket,
  kCount
};
inline constexpr int kDimCount = static_cast<int>(Dim::kCount);

struct DimDef {
  std::string_view name, label;
  bool short_range;
  bool has_unset;  // rows may have no value (include_unset applies)
  Dim dim;
};

std::span<const MetricDef> metrics();
std::span<const DimDef> dimensions();
const MetricDef* find_metric(std::string_view name);
const DimDef* find_dimension(std::string_view name);

inline constexpr std::string_view kGranularityNames[] = {"minute", "hour", "day", "week", "month"};
inline constexpr std::string_view kOperatorNames[] = {"eq", "neq", "in", "not_in", "gt", "gte", "lt", "lte"};

// The full `GET /analytics/meta` body: {"data":{metrics,dimensions,operators,granularities}}.
boost::json::value meta_json();

}  // namespace orscript::sim
