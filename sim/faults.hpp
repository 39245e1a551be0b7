// faults.hpp: fault injection for the simulated API, off by default.
//
// Owns: parsing fault specs ("analytics/query:latency=100ms,jitter=20ms",
// "*:status=500@0.3", "activity:reset#1", ...; grammar in docs/simulator.md) and
// deciding, per request, deterministically from the seed and the arrival order,
// which faults apply. Does not own: carrying them out (endpoints.cpp changes the
// answer, http_server.cpp delays, drips or cuts the delivery).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orscript::sim {

struct FaultDecision {
  std::int64_t delay_ms = 0;
  std::optional<int> status;   // answer with this error status instead
  bool burst429 = false;       // answer 429 with rate-limit headers
  bool reset = false, truncate = false, malformed = false;
  bool html = false;           // answer 200 with a text/html page (a portal or proxy answered)
  std::size_t drip_bytes = 0;
  std::int64_t drip_interval_ms = 0;
  std::size_t oversize = 0;    // pad the body to at least this many bytes
};

class Faults {
 public:
  // Parses every spec; throws orscript::Error(usage) with the offending text.
  Faults(const std::vector<std::string>& specs, std::uint64_t seed);
  Faults() = default;
  // Decides the faults for one request to `endpoint` ("analytics/query", ...).
  FaultDecision decide(std::string_view endpoint);
  bool empty() const { return rules_.empty(); }

 private:
  struct Item {
    std::string name;          // latency, jitter, status, burst429, reset, truncate, malformed, html, drip, oversize
    std::int64_t a = 0, b = 0; // parsed value(s)
    double probability = 1.0;
    std::int64_t first = -1;   // only the first N matching requests (-1: all)
  };
  struct Rule {
    std::string pattern;
    std::vector<Item> items;
    std::uint64_t seen = 0;
  };
  std::vector<Rule> rules_;
  std::uint64_t seed_ = 1;
  std::mutex mu_;
};

}  // namespace orscript::sim
