// Base URL: both conventions, loopback-only plain http, rejects what it cannot use.
#include <doctest/doctest.h>

#include "host/core/error.hpp"
#include "host/net/api_client.hpp"
#include "host/net/base_url.hpp"

using namespace orscript;
using namespace orscript::net;

TEST_CASE("base url: origin and full base both resolve to <origin>/api/v1") {
  CHECK(normalize_base_url("https://openrouter.ai") == "https://openrouter.ai/api/v1");
  CHECK(normalize_base_url("https://openrouter.ai/") == "https://openrouter.ai/api/v1");
  CHECK(normalize_base_url("https://openrouter.ai/api/v1") == "https://openrouter.ai/api/v1");
  CHECK(normalize_base_url("https://openrouter.ai/api/v1/") == "https://openrouter.ai/api/v1");
  CHECK(normalize_base_url("HTTPS://OpenRouter.AI:443/api/v1") == "https://openrouter.ai/api/v1");
  CHECK(normalize_base_url("https://proxy.example:8443/openrouter/api/v1") ==
        "https://proxy.example:8443/openrouter/api/v1");
  CHECK(normalize_base_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080/api/v1");
  CHECK(normalize_base_url("http://localhost:8080/api/v1") == "http://localhost:8080/api/v1");
  CHECK(normalize_base_url("http://[::1]:9/api/v1") == "http://[::1]:9/api/v1");
}

TEST_CASE("base url: plain http only to loopback, junk rejected as usage errors") {
  for (const char* bad : {"http://openrouter.ai", "http://10.0.0.1/api/v1", "ftp://openrouter.ai", "openrouter.ai",
                          "https://openrouter.ai/api", "https://openrouter.ai/v1", "https://:443",
                          "https://user:pw@openrouter.ai", "https://openrouter.ai:99999", "https://x/api/v1?a=b"}) {
    CAPTURE(bad);
    try {
      normalize_base_url(bad);
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.kind == ErrorKind::usage);
      CHECK(std::string(e.what()).find(';') != std::string::npos);  // cause; fix
    }
  }
}

TEST_CASE("base url: host classification") {
  CHECK(is_ip_literal("127.0.0.1"));
  CHECK(is_ip_literal("[::1]"));
  CHECK_FALSE(is_ip_literal("localhost"));
  CHECK(is_loopback_host("localhost"));
  CHECK(is_loopback_host("127.8.9.1"));
  CHECK(is_loopback_host("::1"));
  CHECK_FALSE(is_loopback_host("128.0.0.1"));
  CHECK_FALSE(is_loopback_host("example.com"));
}

TEST_CASE("base url: flag beats OPENROUTER_BASE_URL beats the default") {
  ::unsetenv("OPENROUTER_BASE_URL");
  CHECK(resolve_base_url() == "https://openrouter.ai/api/v1");
  ::setenv("OPENROUTER_BASE_URL", "https://example.org", 1);
  CHECK(resolve_base_url() == "https://example.org/api/v1");
  CHECK(resolve_base_url("http://127.0.0.1:5") == "http://127.0.0.1:5/api/v1");
  ::unsetenv("OPENROUTER_BASE_URL");
}

TEST_CASE("base url: control characters and what a URL parser rejects are refused (header injection)") {
  const std::string injected = "http://127.0.0.1:8080/ok\r\nX-Injected: yes\r\nX-Pad: /api/v1";
  for (const std::string& bad :
       {injected, std::string("http://127.0.0.1:8080/api/v1\n"), std::string("http://127.0.0.1\t/api/v1"),
        std::string("http://127.0.0.1/a b/api/v1"), std::string("https://open\x1brouter.ai"),
        std::string("https://openrouter.ai\0/api/v1", 27), std::string("https://\xc3\xa9.example/api/v1"),
        std::string("https://open\"router.ai"), std::string("https://openrouter.ai/<x>/api/v1"),
        std::string("https://open_router!.ai/api/v1"), std::string("http://[zz]/api/v1")}) {
    CAPTURE(echo_input(bad));
    try {
      normalize_base_url(bad);
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.kind == ErrorKind::usage);
      const std::string msg = e.what();
      CHECK(msg.find_first_of("\r\n\t\x1b") == std::string::npos);  // echoed escaped
    }
  }
  ::setenv("OPENROUTER_BASE_URL", injected.c_str(), 1);
  CHECK_THROWS_AS(resolve_base_url(), Error);
  ::unsetenv("OPENROUTER_BASE_URL");
}

TEST_CASE("echo_input escapes control bytes and caps long input") {
  CHECK(echo_input("a\r\nb\x1b[31m\x7f") == "a\\r\\nb\\x1b[31m\\x7f");
  const std::string big(1 << 20, 'x');
  const std::string e = echo_input(big);
  CHECK(e.size() < 200);
  CHECK(e.find("(1048576 bytes)") != std::string::npos);
}
