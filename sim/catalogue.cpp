#include "sim/catalogue.hpp"

#include <boost/json.hpp>

namespace orscript::sim {

namespace {
using K = MetricKind;
using A = Agg;
using C = Col;

constexpr MetricDef kMetrics[] = {
    {"request_count", "Request Count", "number", false, false, K::count, A::sum, C::count, C::count, false},
    {"tokens_total", "Total Tokens", "number", false, false, K::count, A::sum, C::prompt, C::count, false},
    {"tokens_prompt", "Prompt Tokens", "number", false, false, K::count, A::sum, C::prompt, C::count, false},
    {"tokens_completion", "Completion Tokens", "number", false, false, K::count, A::sum, C::completion, C::count, false},
    {"reasoning_tokens", "Reasoning Tokens", "number", false, false, K::count, A::sum, C::reasoning, C::count, false},
    {"cached_tokens", "Cached Tokens", "number", false, false, K::count, A::sum, C::cached, C::count, false},
    {"byok_request_count", "BYOK Request Count", "number", false, false, K::count, A::sum, C::byok_count, C::count, false},
    {"guardrail_invoked_count", "Guardrail Invoked Count", "number", false, true, K::count, A::sum, C::guardrail, C::count, false},
    {"response_cached_count", "Response Cached Count", "number", false, true, K::count, A::sum, C::response_cached, C::count, false},
    {"total_usage", "Total Usage", "currency", false, false, K::money, A::sum, C::total_usage, C::count, false},
    {"byok_usage", "BYOK Usage", "currency", false, false, K::money, A::sum, C::byok_inference, C::count, false},
    {"credits_usage", "Credits Usage", "currency", false, false, K::money, A::sum, C::usage, C::count, false},
    {"openrouter_usage", "OpenRouter Usage", "currency", false, true, K::money, A::sum, C::openrouter_usage, C::count, false},
    {"byok_fees", "BYOK Fees", "currency", false, true, K::money, A::sum, C::byok_fee, C::count, false},
    {"usage_upstream", "Upstream Usage", "currency", false, false, K::money, A::sum, C::upstream, C::count, true},
    {"usage_cache", "Cache Usage", "currency", false, false, K::money, A::sum, C::cache, C::count, true},
    {"usage_data", "Data Usage", "currency", false, false, K::money, A::sum, C::data, C::count, true},
    {"usage_web", "Web Search Usage", "currency", false, false, K::money, A::sum, C::web, C::count, true},
    {"usage_upstream_web", "Upstream Web Search Usage", "currency", false, false, K::money, A::sum, C::upstream_web, C::count, true},
    {"usage_file", "File Usage", "currency", false, true, K::money, A::sum, C::file, C::count, true},
    {"usage_upstream_file", "Upstream File Usage", "currency", false, true, K::money, A::sum, C::upstream_file, C::count, true},
    {"usage_web_fetch", "Web Fetch Usage", "currency", false, true, K::money, A::sum, C::web_fetch, C::count, true},
    {"usage_upstream_web_fetch", "Upstream Web Fetch Usage", "currency", false, true, K::money, A::sum, C::upstream_web_fetch, C::count, true},
    {"avg_latency", "Avg Latency", "latency", true, true, K::latency, A::avg, C::latency, C::count, false},
    {"p50_latency", "P50 Latency", "latency", true, true, K::latency, A::p50, C::latency, C::count, false},
    {"p90_latency", "P90 Latency", "latency", true, true, K::latency, A::p90, C::latency, C::count, false},
    {"p99_latency", "P99 Latency", "latency", true, true, K::latency, A::p99, C::latency, C::count, false},
    {"avg_throughput", "Avg Throughput", "throughput", true, true, K::throughput, A::avg, C::throughput, C::count, false},
    {"p50_throughput", "P50 Throughput", "throughput", true, true, K::throughput, A::p50, C::throughput, C::count, false},
    {"p90_throughput", "P90 Throughput", "throughput", true, true, K::throughput, A::p90, C::throughput, C::count, false},
    {"p99_throughput", "P99 Throughput", "throughput", true, true, K::throughput, A::p99, C::throughput, C::count, false},
    {"cache_hit_rate", "Cache Hit Rate", "percent", true, false, K::ratio, A::ratio, C::cached, C::prompt, false},
    {"guardrail_invoked_rate", "Guardrail Invoked Rate", "percent", true, true, K::ratio, A::ratio, C::guardrail, C::count, false},
    {"response_cached_rate", "Response Cached Rate", "percent", true, true, K::ratio, A::ratio, C::response_cached, C::count, false},
};

constexpr DimDef kDims[] = {
    {"model", "Model", false, false, Dim::model},
    {"variant", "Variant", false, false, Dim::variant},
    {"api_key_id", "API Key", false, false, Dim::api_key_id},
    {"user", "User", false, true, Dim::user},
    {"workspace", "Workspace", false, false, Dim::workspace},
    {"app", "App", false, true, Dim::app},
    {"generation_id", "Generation ID", true, false, Dim::generation_id},
    {"provider", "Provider", true, false, Dim::provider},
    {"origin", "Origin", true, true, Dim::origin},
    {"country", "Country", true, true, Dim::country},
    {"finish_reason", "Finish Reason", true, false, Dim::finish_reason},
    {"external_user", "External User", true, true, Dim::external_user},
    {"context_length_bucket", "Context Length Bucket", true, false, Dim::context_length_bucket},
};
}  // namespace

std::span<const MetricDef> metrics() { return kMetrics; }
std::span<const DimDef> dimensions() { return kDims; }

const MetricDef* find_metric(std::string_view name) {
  for (auto& m : kMetrics)
    if (m.name == name) return &m;
  return nullptr;
}

const DimDef* find_dimension(std::string_view name) {
  for (auto& d : kDims)
    if (d.name == name) return &d;
  return nullptr;
}

boost::json::value meta_json() {
  namespace json = boost::json;
  json::array ms, ds, ops, gs;
  for (auto& m : kMetrics)
    ms.push_back(json::object{{"name", m.name}, {"display_label", m.label}, {"is_rate", m.is_rate},
                              {"display_format", m.format}});
  for (auto& d : kDims) ds.push_back(json::object{{"name", d.name}, {"display_label", d.label}});
  for (auto op : kOperatorNames)
    ops.push_back(json::object{{"name", op}, {"value_type", (op == "in" || op == "not_in") ? "array" : "scalar"}});
  const std::string_view glabels[] = {"Minute", "Hour", "Day", "Week", "Month"};
  for (int i = 0; i < 5; ++i) gs.push_back(json::object{{"name", kGranularityNames[i]}, {"display_label", glabels[i]}});
  return json::object{{"data", json::object{{"metrics", ms}, {"dimensions", ds}, {"operators", ops}, {"granularities", gs}}}};
}

}  // namespace orscript::sim
