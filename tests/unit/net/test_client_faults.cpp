// Every fault the simulator injects: the client either succeeds after retrying (with the
// same data a clean server gives) or reports a clear error; never a partial result.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <chrono>
#include <utility>

#include "tests/unit/net/sim_fixture.hpp"

using namespace orscript;
using namespace orscript::net;
using orscript::net::test::SimFixture;
namespace json = boost::json;
using std::chrono::milliseconds;

namespace {

const json::object kQuery{{"metrics", json::array{"total_usage", "request_count"}}, {"dimensions", json::array{"model"}}};

// The clean answer from a simulator with the same (default) scenario and seed.
json::value clean_answer() {
  SimFixture clean;
  auto opts = clean.options();
  ApiClient client(opts);
  auto r = client.wait(client.analytics_query(kQuery));
  return r.json.as_object().at("data").as_object().at("data");
}

// Runs the query against a simulator with `faults`; returns the rows or rethrows.
json::value rows_with(SimFixture& sim, ApiClient& client) {
  auto r = client.wait(client.analytics_query(kQuery));
  return r.json.as_object().at("data").as_object().at("data");
}

}  // namespace

TEST_CASE("faults: a transient 500/503 is retried and the data is whole") {
  auto expected = clean_answer();
  const std::pair<const char*, int> cases[] = {
      {"analytics/query:status=500#2", 2}, {"analytics/query:status=503#1", 1}, {"*:status=502#1", 1}};
  for (auto entry : cases) {
    const char* fault = entry.first;  // clang 14: a structured binding cannot be captured (CAPTURE)
    int retries = entry.second;
    CAPTURE(fault);
    SimFixture sim(SimFixture::with_faults({fault}));
    ApiClient client(sim.options());
    CHECK(rows_with(sim, client) == expected);
    CHECK(client.stats().retries == retries);  // one per failed attempt, no more
    CHECK(client.stats().requests_sent == retries + 1);
    sim.check_no_key();
  }
}

TEST_CASE("faults: a persistent 500 ends as an api error after max_attempts") {
  SimFixture sim(SimFixture::with_faults({"*:status=500"}));
  auto opts = sim.options();
  opts.max_attempts = 3;
  ApiClient client(opts);
  auto e = sim.error_of(client, client.analytics_query(kQuery));
  CHECK(e.kind == ErrorKind::api);
  CHECK(e.status == 500);
  CHECK(std::string(e.what()).find("after 3 attempts") != std::string::npos);
  CHECK(client.stats().requests_sent == 3);
  CHECK(client.stats().retries == 2);
  sim.check_no_key();
}

TEST_CASE("faults: 408 is retried") {
  SimFixture sim(SimFixture::with_faults({"analytics/query:status=408#1"}));
  ApiClient client(sim.options());
  CHECK(client.wait(client.analytics_query(kQuery)).attempts == 2);
}

TEST_CASE("faults: 400, 401, 403 and 404 are never retried") {
  for (int status : {400, 401, 403, 404}) {
    CAPTURE(status);
    SimFixture sim(SimFixture::with_faults({"*:status=" + std::to_string(status)}));
    ApiClient client(sim.options());
    auto e = sim.error_of(client, client.analytics_query(kQuery));
    CHECK(e.status == status);
    CHECK(e.kind == (status == 401 || status == 403 ? ErrorKind::auth : ErrorKind::api));
    CHECK(client.stats().requests_sent == 1);
    CHECK(client.stats().retries == 0);
    sim.check_no_key();
  }
}

TEST_CASE("faults: a 429 burst honours Retry-After and then succeeds") {
  SimFixture sim(SimFixture::with_faults({"analytics/query:burst429=1"}));
  ApiClient client(sim.options());
  const auto start = std::chrono::steady_clock::now();
  auto r = client.wait(client.analytics_query(kQuery));
  // The client really waited (a lower bound: load can only make it longer).
  CHECK(std::chrono::steady_clock::now() - start >= milliseconds(1000));
  CHECK(r.attempts == 2);
  CHECK(client.stats().retries == 1);
  CHECK(client.stats().last_retry_delay == milliseconds(1000));  // the server's Retry-After: 1
  CHECK(sim.all_output().find("(server's Retry-After)") != std::string::npos);
  sim.check_no_key();
}

TEST_CASE("faults: a 503 with Retry-After uses the hint, not the backoff") {
  SimFixture sim(SimFixture::with_faults({"*:status=503#1"}));
  auto opts = sim.options();
  opts.retry_initial = milliseconds(1);
  ApiClient client(opts);
  const auto start = std::chrono::steady_clock::now();
  CHECK(client.wait(client.key()).attempts == 2);
  CHECK(std::chrono::steady_clock::now() - start >= milliseconds(1000));  // waited the hint, not 1 ms
  CHECK(client.stats().last_retry_delay == milliseconds(1000));
}

TEST_CASE("faults: 429 that outlasts the budget is a rate_limit error") {
  SimFixture sim(SimFixture::with_faults({"*:status=429"}));
  auto opts = sim.options();
  opts.retry_budget = milliseconds(500);  // Retry-After: 1 s does not fit
  ApiClient client(opts);
  auto e = sim.error_of(client, client.key());
  CHECK(e.kind == ErrorKind::rate_limit);
  CHECK(e.status == 429);
  CHECK(client.stats().requests_sent == 1);
  CHECK(exit_code_for(e.kind) == exit_code::rate_limit);
  sim.check_no_key();
}

TEST_CASE("faults: a reset or truncated response is retried, never returned in part") {
  auto expected = clean_answer();
  for (const char* fault : {"analytics/query:reset#1", "analytics/query:truncate#1", "analytics/query:malformed#1"}) {
    CAPTURE(fault);
    SimFixture sim(SimFixture::with_faults({fault}));
    ApiClient client(sim.options());
    CHECK(rows_with(sim, client) == expected);
    CHECK(client.stats().retries == 1);
    sim.check_no_key();
  }
}

TEST_CASE("faults: persistent reset, truncation and malformed JSON are clear http errors") {
  for (const char* fault : {"*:reset", "*:truncate", "*:malformed"}) {
    CAPTURE(fault);
    SimFixture sim(SimFixture::with_faults({fault}));
    auto opts = sim.options();
    opts.max_attempts = 2;
    ApiClient client(opts);
    auto e = sim.error_of(client, client.analytics_query(kQuery));
    CHECK(e.kind == ErrorKind::http);
    CHECK(std::string(e.what()).find("nothing was returned") != std::string::npos);
    CHECK(client.stats().requests_sent == 2);
    sim.check_no_key();
  }
}

TEST_CASE("faults: a 200 that is a web page, not JSON, is a clear http error and not retried") {
  SimFixture sim(SimFixture::with_faults({"analytics/query:html"}));
  ApiClient client(sim.options());
  auto e = sim.error_of(client, client.analytics_query(kQuery));
  CHECK(e.kind == ErrorKind::http);
  CHECK(e.status == 200);
  CHECK(std::string(e.what()).find("content type 'text/html") != std::string::npos);
  CHECK(std::string(e.what()).find("check that the base URL") != std::string::npos);
  CHECK(client.stats().requests_sent == 1);
  sim.check_no_key();
}

TEST_CASE("faults: an oversized body hits the cap and is not retried") {
  SimFixture sim(SimFixture::with_faults({"*:oversize=256KB"}));
  auto opts = sim.options();
  opts.max_body_bytes = 64 * 1024;
  ApiClient client(opts);
  auto e = sim.error_of(client, client.key());
  CHECK(e.kind == ErrorKind::http);
  CHECK(std::string(e.what()).find("larger than the cap") != std::string::npos);
  CHECK(client.stats().requests_sent == 1);
  // Under the cap the padded body is still valid JSON.
  ApiClient roomy(sim.options());
  CHECK(roomy.wait(roomy.key()).bytes >= 256 * 1024);
}

TEST_CASE("faults: a dripping body slower than the read deadline times out") {
  SimFixture sim(SimFixture::with_faults({"*:drip=8B/200ms"}));
  auto opts = sim.options();
  opts.read_timeout = milliseconds(150);
  opts.max_attempts = 1;
  ApiClient client(opts);
  auto e = sim.error_of(client, client.key());
  CHECK(e.kind == ErrorKind::timeout);
  CHECK(exit_code_for(e.kind) == exit_code::network);
  sim.check_no_key();
}

TEST_CASE("faults: latency and jitter only slow things down") {
  auto expected = clean_answer();
  SimFixture sim(SimFixture::with_faults({"*:latency=200ms,jitter=20ms"}));
  ApiClient client(sim.options());
  const auto start = std::chrono::steady_clock::now();
  CHECK(rows_with(sim, client) == expected);
  CHECK(std::chrono::steady_clock::now() - start >= milliseconds(200));  // it was slowed down...
  CHECK(client.stats().retries == 0);                                    // ...and nothing else
  CHECK(client.stats().requests_sent == 1);
}
