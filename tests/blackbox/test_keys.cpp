// Black-box tests of the key-management calls and the request body: state-changing
// calls are refused under --dry-run and logged with -V; q:body() is the sent text.
#include <doctest/doctest.h>

#include <string>

#include "tests/support/process.hpp"

namespace ot = orscript::test;

namespace {
const char* kNow = "2026-11-18T12:00:00Z";
}

TEST_CASE("state-changing key calls are refused under --dry-run / before anything is sent") {
  for (const char* chunk : {"orscript.set_key_limit('batch-pipeline', {limit = 10})", "orscript.disable_key('staging')",
                            "orscript.set_budget('Default', 'daily', 5)",
                            "orscript.request.call('key_update', {hash = ('a'):rep(64), disabled = true}):run()"}) {
    auto r = ot::orscript({"--demo", "--now", kNow, "--dry-run", "-e", chunk});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("refused under --dry-run") != std::string::npos);
    CHECK(r.err.find("dry-run: PATCH") == std::string::npos);
    CHECK(r.err.find("dry-run: PUT") == std::string::npos);
  }
}

TEST_CASE("-V logs each change to the account with its body / never the key") {
  auto r = ot::orscript({"--demo", "--now", kNow, "-V", "-e",
                         "local k = orscript.set_key_limit('batch-pipeline', {limit = 10, reset = 'weekly'})"
                         " print(k.limit, k.limit_reset)"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "10\tweekly\n");
  CHECK(r.err.find("changing the account: PATCH /api/v1/keys/935c4268e2f79005ef2c577a681c9f267e563fcad6696941f5eeab0ffefc52f6 "
                   "{\"limit\":10,\"limit_reset\":\"weekly\"}") != std::string::npos);
  CHECK(r.err.find("sk-or-v1-demo") == std::string::npos);
}

TEST_CASE("q:body() is byte for byte the body --dry-run shows being sent") {
  auto r = ot::orscript({"--demo", "--now", kNow, "--dry-run", "-e",
                         "local q = orscript.query{metrics = {'total_usage', 'request_count'}, by = {'model'},"
                         " where = {{'provider', 'in', {'OpenAI', 'Anthropic'}, include_unset = true}},"
                         " range = orscript.time.last_days(7), order = {'total_usage', 'desc'}, limit = 5,"
                         " classifier = {id = '5f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f', names = {'task_type'}}}"
                         " print(q:body()) q:run()"});
  CHECK(r.exit_code == 0);
  const std::string body = r.out.substr(0, r.out.find('\n'));
  CHECK(body.find("\"classifier_dimensions\"") != std::string::npos);
  const auto at = r.err.find("dry-run: POST ");
  REQUIRE(at != std::string::npos);
  const auto line = r.err.find('\n', at) + 1;
  CHECK(r.err.substr(line, r.err.find('\n', line) - line) == body);
}
