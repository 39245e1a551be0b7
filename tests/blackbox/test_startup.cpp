// Black-box tests of what start-up loads (bench/README.md "Start-up"): with
// ORSCRIPT_FAST_START (the Linux default) `orscript -e ''` maps no shared library but libc
// and libm, and OpenSSL is loaded when TLS is first used, with TLS then working end to end.
// No timing is asserted here: the start-up ratio is measured by bench_startup.
#include <doctest/doctest.h>

#include <string>

#include "tests/support/process.hpp"

#if defined(__linux__) && defined(ORSCRIPT_FAST_START)
namespace ot = orscript::test;

namespace {

// Lua that prints the file name of every shared object mapped into the process.
const char* kPrintMaps =
    "local seen = {} "
    "for line in io.lines('/proc/self/maps') do "
    "  local so = line:match('/([^/]+%.so[%.%d]*)$') "
    "  if so and not seen[so] then seen[so] = true; print(so) end "
    "end";

bool maps(const std::string& out, const std::string& lib) {
  return out.find("\n" + lib) != std::string::npos || out.rfind(lib, 0) == 0;
}

}  // namespace

TEST_CASE("orscript -e maps neither OpenSSL, libedit, libstdc++, LuaJIT nor Boost.JSON") {
  auto r = ot::orscript({"-e", kPrintMaps}, ot::clean_options());
  REQUIRE(r.exit_code == 0);
  CAPTURE(r.out);
  CHECK(maps(r.out, "libc.so"));  // the check sees the libraries that are there
  for (const char* lib : {"libssl", "libcrypto", "libedit", "libstdc++", "libluajit", "libboost_json", "libtinfo"})
    CHECK_MESSAGE(!maps(r.out, lib), lib);
}

TEST_CASE("OpenSSL is loaded on first TLS use, and a query over TLS works") {
  const std::string code = std::string(
      "local t = orscript.query{metrics = {'total_usage'}, by = {'model'}, range = {'2026-11-01', '2026-11-08'}}:run() "
      "assert(#t > 0, 'no rows over TLS') ") + kPrintMaps;
  auto r = ot::orscript({"--demo", "--tls", "--now", "2026-11-18T12:00:00Z", "-e", code}, ot::clean_options());
  CAPTURE(r.err);
  REQUIRE(r.exit_code == 0);
  CAPTURE(r.out);
  CHECK(maps(r.out, "libssl.so"));
  CHECK(maps(r.out, "libcrypto.so"));
}
#endif
