// Client-side rate limiter: 64/min on analytics, 30/min on datasets, with a fake clock.
#include <doctest/doctest.h>

#include "host/net/rate_limiter.hpp"

using namespace orscript::net;
using std::chrono::milliseconds;

namespace {
struct FakeClock {
  RateLimiter::Clock::time_point now{};
  RateLimiter::NowFn fn() {
    return [this] { return now; };
  }
};
}  // namespace

TEST_CASE("limiter: which paths are limited") {
  CHECK(RateLimiter::limit_for("/api/v1/analytics/query")->requests == 64);
  CHECK(RateLimiter::limit_for("/analytics/meta")->requests == 64);
  CHECK(RateLimiter::limit_for("/api/v1/datasets/app-rankings?limit=5")->requests == 30);
  CHECK_FALSE(RateLimiter::limit_for("/api/v1/key"));
  CHECK_FALSE(RateLimiter::limit_for("/api/v1/activity"));
}

TEST_CASE("limiter: holds 64 analytics requests per rolling minute") {
  FakeClock clock;
  RateLimiter limiter(clock.fn(), milliseconds(0));
  for (int i = 0; i < 64; ++i) CHECK(limiter.reserve("/api/v1/analytics/query") == milliseconds(0));
  CHECK(limiter.in_window("/api/v1/analytics/query") == 64);
  // The 65th must wait for the first to leave the window.
  CHECK(limiter.reserve("/api/v1/analytics/query") == milliseconds(60'000));
  clock.now += milliseconds(10'000);
  CHECK(limiter.reserve("/api/v1/analytics/meta") == milliseconds(50'000));
  // Other families are independent and unlimited paths never wait.
  CHECK(limiter.reserve("/api/v1/datasets/rankings-daily") == milliseconds(0));
  CHECK(limiter.reserve("/api/v1/key") == milliseconds(0));
}

TEST_CASE("limiter: any 60 s window holds at most the limit, simulated over ten minutes") {
  FakeClock clock;
  RateLimiter limiter(clock.fn(), milliseconds(0));
  std::vector<RateLimiter::Clock::time_point> sent;
  // A script firing one analytics request every 100 ms for ten minutes.
  for (int i = 0; i < 6000; ++i) {
    auto wait = limiter.reserve("/api/v1/analytics/query");
    sent.push_back(clock.now + wait);
    clock.now += milliseconds(100);
  }
  std::sort(sent.begin(), sent.end());
  std::size_t worst = 0;
  for (std::size_t i = 0, j = 0; i < sent.size(); ++i) {
    while (sent[i] - sent[j] >= milliseconds(60'000)) ++j;
    worst = std::max(worst, i - j + 1);
  }
  CHECK(worst == 64);
}

TEST_CASE("limiter: 30 per minute on datasets, margin added to the window") {
  FakeClock clock;
  RateLimiter limiter(clock.fn(), milliseconds(250));
  for (int i = 0; i < 30; ++i) CHECK(limiter.reserve("/api/v1/datasets/app-rankings") == milliseconds(0));
  CHECK(limiter.reserve("/api/v1/datasets/session-cost") == milliseconds(60'250));
  clock.now += milliseconds(61'000);
  CHECK(limiter.reserve("/api/v1/datasets/session-cost") == milliseconds(0));
}

#include "tests/unit/net/sim_fixture.hpp"

TEST_CASE("limiter: the client sends 64 analytics requests in a minute and holds the 65th") {
  orscript::net::test::SimFixture sim;
  FakeClock clock;  // never advances: the minute never ends
  auto opts = sim.options();
  opts.clock = clock.fn();
  ApiClient client(opts);
  std::vector<ApiClient::Ticket> tickets;
  for (int i = 0; i < 64; ++i) tickets.push_back(client.analytics_meta());
  for (auto& r : client.wait_all(tickets)) CHECK(r.status == 200);  // the server saw no 65th: no 429
  CHECK(client.stats().limiter_waits == 0);
  auto held = client.analytics_meta();
  CHECK(client.wait(client.key()).status == 200);  // other endpoints are not held
  CHECK(client.stats().limiter_waits == 1);
  CHECK(client.stats().requests_sent == 65);       // 64 + /key; the 65th analytics call waits
  CHECK(sim.all_output().find("rate limiter: holding GET /api/v1/analytics/meta for 60250 ms") != std::string::npos);
  client.cancel_all();
  CHECK(sim.error_of(client, held).kind == orscript::ErrorKind::interrupted);
  sim.check_no_key();
}
