// Fuzz target: the one ISO-8601 parser, and formatting any int64 instant.
// A parsed time must format and parse back to itself (within years 0000..9999).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "host/core/iso_time.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string why;
  if (auto ms = orscript::parse_iso8601(text, &why)) {
    const std::string back = orscript::format_iso8601_ms(*ms);
    auto again = orscript::parse_iso8601(back);
    // Offsets can move a 0000-01-01 or 9999-12-31 instant outside what 4 digits show.
    const std::int64_t lo = orscript::days_from_civil(0, 1, 1) * 86'400'000;
    const std::int64_t hi = orscript::days_from_civil(10000, 1, 1) * 86'400'000 - 1;
    if (*ms >= lo && *ms <= hi && (!again || *again != *ms)) std::abort();
  } else if (why.empty()) {
    std::abort();  // a refusal always says why
  }
  if (size >= 8) {
    std::int64_t raw;
    std::memcpy(&raw, data, 8);
    (void)orscript::format_iso8601_ms(raw);
  }
  return 0;
}
