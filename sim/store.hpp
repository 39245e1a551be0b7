// store.hpp: the generated traffic of one scenario, laid out for fast scans.
//
// Owns: generation events in struct-of-arrays form with integer-coded dimensions
// (the last `detail_days` days), hourly rollups per stream for older days, the
// dictionaries that decode the codes, and per-row accessors the query engine and
// the endpoints read. Does not own: producing the data (generator.hpp) or
// answering queries (query_engine.hpp). Immutable once generated.
#pragma once

#include "sim/catalogue.hpp"
#include "sim/scenario.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace orscript::sim {

inline constexpr std::uint8_t kFlagByok = 1, kFlagGuardrail = 2, kFlagResponseCached = 4, kFlagWeb = 8,
                              kFlagFile = 16, kFlagWebFetch = 32, kFlagStreamed = 64;

// One row per generation.
struct Events {
  std::vector<std::int64_t> time_ms;
  std::vector<std::uint16_t> stream;
  std::vector<std::uint8_t> model, provider, country, finish, ctx_bucket, flags;
  std::vector<std::int32_t> external_user;  // -1: none
  std::vector<std::uint32_t> prompt, completion, reasoning, cached;
  std::vector<float> latency_ms, throughput;
  std::vector<float> upstream, cache, data, web, upstream_web, file, web_fetch, byok_fee;
  std::size_t size() const { return time_ms.size(); }
};

// One row per (stream, model, hour) for hours before the detail window.
struct Rollups {
  std::vector<std::int64_t> hour_ms;
  std::vector<std::uint16_t> stream;
  std::vector<std::uint8_t> model;
  std::array<std::vector<double>, kColCount> cols;  // unused columns stay empty
  std::size_t size() const { return hour_ms.size(); }
};

struct Store {
  Scenario scenario;
  std::uint64_t seed = 1;
  std::int64_t now_ms = 0;
  std::int64_t history_start_ms = 0;  // first day of history (00:00 UTC)
  std::int64_t detail_start_ms = 0;   // first day held event by event
  Events events;
  Rollups rollups;
  // Dictionaries of generation-level values.
  std::vector<std::string> providers, countries, finish_reasons, ctx_buckets, external_users, variants;
  std::vector<std::int32_t> model_variant;             // model -> variant code
  std::vector<std::vector<int>> model_providers;      // model -> provider codes, in scenario order
  std::vector<std::vector<std::string>> endpoint_ids; // model -> per provider entry, UUID

  // Derived per-event money.
  double event_usage(std::size_t i) const;           // billed to credits
  double event_byok_inference(std::size_t i) const;  // BYOK inference cost (0 unless BYOK)
  // Value of a summable column for an event / a rollup row.
  double event_value(Col c, std::size_t i) const;
  double rollup_value(Col c, std::size_t i) const {
    auto& v = rollups.cols[static_cast<int>(c)];
    return v.empty() ? 0.0 : v[i];
  }
  // Dimension code of an event (-1: unset). generation_id's code is the event index.
  std::int32_t event_dim(Dim d, std::size_t i) const;
  // Dimension code of a rollup row; only the long-range dimensions are defined.
  std::int32_t rollup_dim(Dim d, std::size_t i) const;
  // Number of distinct codes of a dimension.
  std::int32_t dim_cardinality(Dim d) const;
  // The value shown in result rows for a code (callers handle -1 as null).
  std::string dim_label(Dim d, std::int32_t code) const;

  // "gen-<unix>-<20 chars>" for an event, and its inverse (-1 when not ours).
  std::string generation_id(std::size_t i) const;
  std::int64_t find_generation(std::string_view id) const;
};

}  // namespace orscript::sim
