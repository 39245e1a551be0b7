// Fuzz target: scenario files (sim/scenario.cpp). Only orscript::Error(usage) may come out.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "host/core/error.hpp"
#include "sim/scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    (void)orscript::sim::parse_scenario(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
  } catch (const orscript::Error& e) {
    if (e.kind != orscript::ErrorKind::usage) std::abort();
  }
  return 0;
}
