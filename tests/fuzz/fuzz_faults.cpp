// Fuzz target: --fault specs (sim/faults.cpp), one spec per line, then one decision.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "host/core/error.hpp"
#include "sim/faults.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> specs(1);
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == '\n') specs.emplace_back();
    else specs.back() += static_cast<char>(data[i]);
  }
  try {
    orscript::sim::Faults f(specs, 1);
    auto d = f.decide("analytics/query");
    if (d.delay_ms < 0) std::abort();
  } catch (const orscript::Error& e) {
    if (e.kind != orscript::ErrorKind::usage) std::abort();
  }
  return 0;
}
