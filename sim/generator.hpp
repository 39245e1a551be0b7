// generator.hpp: deterministic traffic generation for a scenario.
//
// Owns: turning (scenario, seed, now) into a Store: per stream and UTC day a
// request volume (weekly shape, growth, change points, day noise), then either
// individual generation events (the last `detail_days` days) or hourly rollups
// drawn from the same stream parameters (older days). Same inputs, same bytes.
// Does not own: the scenario format (scenario.hpp) or queries (query_engine.hpp).
#pragma once

#include "sim/store.hpp"

#include <cstdint>
#include <memory>

namespace orscript::sim {

// Resolved change point of a stream: from UTC day `day` on.
struct ResolvedChange {
  std::int64_t day = 0;
  int model = -1;
  double volume = 1;
};

// The UTC day a change starts, given now (days_ago is floored to a day; week_start_ago N
// is the Sunday starting the Nth latest complete week).
std::int64_t change_day(const Change& change, std::int64_t now_ms);

// Generates the whole store. Throws orscript::Error(usage) for an unusable scenario.
std::shared_ptr<const Store> generate(Scenario scenario, std::uint64_t seed, std::int64_t now_ms);

}  // namespace orscript::sim
