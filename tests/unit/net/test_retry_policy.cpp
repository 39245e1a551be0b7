// Retry policy: which failures are retried, the backoff, the server's hints, the budget.
#include <doctest/doctest.h>

#include "host/net/retry_policy.hpp"

using namespace orscript::net;
using std::chrono::milliseconds;

TEST_CASE("retry: final statuses are never retried") {
  RetryConfig c;
  for (int status : {400, 401, 403, 404, 409, 422}) {
    AttemptOutcome o;
    o.status = status;
    o.retry_after = "1";
    auto d = decide_retry(c, o, 1, milliseconds(0), 0.5);
    CHECK_FALSE(d.retry);
  }
}

TEST_CASE("retry: 408, 429, 5xx and connection errors are retried with growing backoff") {
  RetryConfig c;
  c.initial = milliseconds(100);
  c.multiplier = 2;
  for (int status : {408, 429, 500, 502, 503, 504, 529}) {
    AttemptOutcome o;
    o.status = status;
    auto d = decide_retry(c, o, 1, milliseconds(0), 1.0 - 1e-9);
    CHECK(d.retry);
    CHECK(d.delay.count() >= 99);
    CHECK(d.delay.count() <= 100);
  }
  AttemptOutcome conn;
  conn.transport_error = true;
  CHECK(decide_retry(c, conn, 3, milliseconds(0), 0.0).delay == milliseconds(200));  // 400 * 0.5
  CHECK(backoff_delay(c, 1, 0.0) == milliseconds(50));
  CHECK(backoff_delay(c, 2, 0.999999) == milliseconds(199));
  CHECK(backoff_delay(c, 20, 0.0) == c.max_interval / 2);  // capped
}

TEST_CASE("retry: permanent transport errors (TLS, malformed) are not retried") {
  AttemptOutcome o;
  o.permanent_error = true;
  o.status = 503;
  CHECK_FALSE(decide_retry(RetryConfig{}, o, 1, milliseconds(0), 0.5).retry);
}

TEST_CASE("retry: attempts and budget run out") {
  RetryConfig c;
  c.max_attempts = 3;
  c.budget = milliseconds(1000);
  c.initial = milliseconds(400);
  AttemptOutcome o;
  o.status = 503;
  CHECK(decide_retry(c, o, 2, milliseconds(0), 0.0).retry);
  CHECK_FALSE(decide_retry(c, o, 3, milliseconds(0), 0.0).retry);
  // 800 ms elapsed + at least 200 ms wait would pass the 1000 ms budget... exactly at it: allowed
  CHECK(decide_retry(c, o, 1, milliseconds(800), 0.0).retry);
  CHECK_FALSE(decide_retry(c, o, 1, milliseconds(801), 0.0).retry);
}

TEST_CASE("retry: retry-after-ms wins over Retry-After, both replace the backoff") {
  RetryConfig c;
  AttemptOutcome o;
  o.status = 429;
  o.retry_after_ms = "1500";
  o.retry_after = "7";
  auto d = decide_retry(c, o, 1, milliseconds(0), 0.3);
  CHECK(d.retry);
  CHECK(d.from_server_hint);
  CHECK(d.delay == milliseconds(1500));
  o.retry_after_ms.clear();
  CHECK(decide_retry(c, o, 1, milliseconds(0), 0.3).delay == milliseconds(7000));
  o.retry_after = "0.25";
  CHECK(decide_retry(c, o, 1, milliseconds(0), 0.3).delay == milliseconds(250));
  // Capped at max_interval; and a hint that would pass the budget ends the retries.
  o.retry_after = "3600";
  c.max_interval = milliseconds(60'000);
  CHECK(decide_retry(c, o, 1, milliseconds(0), 0.3).delay == milliseconds(60'000));
  c.budget = milliseconds(10'000);
  CHECK_FALSE(decide_retry(c, o, 1, milliseconds(0), 0.3).retry);
}

TEST_CASE("retry: Retry-After as an HTTP date") {
  auto date = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT");
  REQUIRE(date);
  CHECK(std::chrono::system_clock::to_time_t(*date) == 784111777);
  CHECK_FALSE(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"));
  CHECK_FALSE(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"));
  auto now = *date - std::chrono::seconds(3);
  auto hint = parse_retry_hint("", "Sun, 06 Nov 1994 08:49:37 GMT", now);
  REQUIRE(hint);
  CHECK(*hint == milliseconds(3000));
  // A date in the past means "now".
  CHECK(*parse_retry_hint("", "Sun, 06 Nov 1994 08:49:37 GMT", *date + std::chrono::hours(1)) == milliseconds(0));
  // Garbage is ignored and the computed backoff is used.
  CHECK_FALSE(parse_retry_hint("soon", "later"));
  CHECK_FALSE(parse_retry_hint("-5", ""));
}

TEST_CASE("retry: a failure unlikely to heal (refused on loopback, no such host) is retried once") {
  RetryConfig c;
  AttemptOutcome o;
  o.transport_error = true;
  o.unlikely_to_heal = true;
  CHECK(decide_retry(c, o, 1, milliseconds(0), 0.5).retry);
  auto d = decide_retry(c, o, 2, milliseconds(0), 0.5);
  CHECK_FALSE(d.retry);
  CHECK(d.reason.find("retried once") != std::string::npos);
  // Timeouts and 5xx keep the whole backoff.
  o.unlikely_to_heal = false;
  CHECK(decide_retry(c, o, 5, milliseconds(0), 0.5).retry);
}
