// Fuzz target: API JSON -> result table (from_analytics, from_rows) and its text forms.
// Any exception other than orscript::Error (or a sanitizer report) is a finding.
#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "host/core/error.hpp"
#include "host/core/table.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(std::string_view(reinterpret_cast<const char*>(data), size), ec);
  if (ec) return 0;
  static const boost::json::value request =
      boost::json::parse(R"({"metrics":["total_usage","request_count","cache_hit_rate"],"dimensions":["model"],"limit":100})");
  try {
    orscript::Table t = orscript::from_analytics(v, request, nullptr);
    (void)t.to_csv();
    (void)t.to_json();
    (void)t.to_markdown();
  } catch (const orscript::Error&) {
  }
  try {
    orscript::Table t = orscript::from_rows(v, "activity");
    (void)t.to_csv();
  } catch (const orscript::Error&) {
  }
  return 0;
}
