// Fuzz target: --base-url / OPENROUTER_BASE_URL (host/net/base_url.cpp). An accepted URL
// has no control characters or spaces and normalizes to itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "host/core/error.hpp"
#include "host/net/api_client.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const std::string url = orscript::net::normalize_base_url(text);
    for (unsigned char c : url)
      if (c < 0x21 || c >= 0x7f) std::abort();
    if (orscript::net::normalize_base_url(url) != url) std::abort();
  } catch (const orscript::Error& e) {
    if (e.kind != orscript::ErrorKind::usage) std::abort();
    for (unsigned char c : std::string(e.what()))
      if (c < 0x20 || c == 0x7f) std::abort();  // echoed input is escaped
  }
  return 0;
}
