// Key sources: --api-key-file, then --api-key (with a warning), then OPENROUTER_API_KEY.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "host/core/error.hpp"
#include "host/net/api_client.hpp"
#include "tests/support/process.hpp"

using namespace orscript;
using namespace orscript::net;

TEST_CASE("api key: file beats flag beats environment, the flag warns without the key") {
  const std::string key = "sk-or-v1-filekeyfilekeyfilekey1234";
  const std::string path = test::temp_dir() + "/key";
  test::write_file(path, "  " + key + "  \nsecond line\n");
  ::chmod(path.c_str(), 0600);
  ::setenv("OPENROUTER_API_KEY", "sk-or-v1-envkeyenvkeyenvkey5678", 1);
  std::string warned;
  auto warn = [&](std::string_view w) { warned += std::string(w); };
  CHECK(resolve_api_key(path, "sk-or-v1-flag", warn).reveal() == key);
  CHECK(warned.empty());
  CHECK(resolve_api_key("", "sk-or-v1-flagkeyflagkey9999", warn).reveal() == "sk-or-v1-flagkeyflagkey9999");
  CHECK(warned.find("process list") != std::string::npos);
  CHECK(warned.find("flagkey") == std::string::npos);
  CHECK(resolve_api_key("", "").reveal() == "sk-or-v1-envkeyenvkeyenvkey5678");
  ::unsetenv("OPENROUTER_API_KEY");
  CHECK(resolve_api_key("", "").empty());
}

TEST_CASE("api key: a key file readable by others is used, with a chmod hint and without the key") {
  const std::string key = "sk-or-v1-openfileopenfileopen4321";
  const std::string path = test::temp_dir() + "/key";
  test::write_file(path, key + "\n");
  ::chmod(path.c_str(), 0644);
  std::string warned;
  CHECK(resolve_api_key(path, "", [&](std::string_view w) { warned += std::string(w); }).reveal() == key);
  CHECK(warned.find("chmod 600 " + path) != std::string::npos);
  CHECK(warned.find("openfileopen") == std::string::npos);
}

TEST_CASE("api key: an unreadable or empty key file is a usage error") {
  CHECK_THROWS_AS(resolve_api_key("/nonexistent/key", ""), Error);
  const std::string path = test::temp_dir() + "/empty";
  test::write_file(path, "\n");
  try {
    resolve_api_key(path, "");
    FAIL("accepted an empty key file");
  } catch (const Error& e) {
    CHECK(e.kind == ErrorKind::usage);
  }
}
