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

namespace {
// The usage error's message from resolving `path`, or "" when it was accepted.
std::string refusal(const std::string& path) {
  try {
    resolve_api_key(path, "");
  } catch (const Error& e) {
    CHECK(e.kind == ErrorKind::usage);
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("api key: a FIFO, a device, a directory or a huge file is refused at once, not read") {
  const std::string dir = test::temp_dir();
  const std::string fifo = dir + "/fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK(refusal(fifo).find("not a regular file") != std::string::npos);  // today: blocks forever
  const std::string zero = dir + "/zero";
  REQUIRE(::symlink("/dev/zero", zero.c_str()) == 0);
  CHECK(refusal(zero).find("not a regular file") != std::string::npos);  // today: reads without end
  CHECK(refusal(dir).find("is a directory") != std::string::npos);       // today: "is empty"
  const std::string big = dir + "/big";
  test::write_file(big, std::string(1 << 20, 'k'));
  CHECK(refusal(big).find("too large") != std::string::npos);
}

TEST_CASE("api key: a UTF-8 BOM and CRLF are stripped (noted when verbose) and a NUL is refused") {
  const std::string key = "sk-or-v1-bombombombombombom1234";
  const std::string path = test::temp_dir() + "/bom";
  test::write_file(path, "\xEF\xBB\xBF" + key + "\r\n");
  ::chmod(path.c_str(), 0600);
  std::string noted;
  CHECK(resolve_api_key(path, "", {}, [&](std::string_view n) { noted += std::string(n); }).reveal() == key);
  CHECK(noted.find("byte-order mark") != std::string::npos);
  CHECK(noted.find("bombom") == std::string::npos);
  test::write_file(path, "sk-or-v1-nul" + std::string(1, '\0') + "tail\n");
  CHECK(refusal(path).find("NUL") != std::string::npos);
}
