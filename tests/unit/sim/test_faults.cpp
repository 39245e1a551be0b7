// Fault injection over raw HTTP.
#include "tests/unit/sim/sim_fixture.hpp"

#include "host/core/error.hpp"
#include "sim/faults.hpp"

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

using namespace simtest;

namespace {
std::unique_ptr<orscript::sim::Server> with_faults(std::vector<std::string> faults, std::uint64_t seed = 1) {
  auto o = options();
  o.faults = std::move(faults);
  o.seed = seed;
  return orscript::sim::Server::start(o);
}
rawhttp::Response meta(orscript::sim::Server& s, rawhttp::Conn& c) {
  return c.request("GET", "/api/v1/analytics/meta", rawhttp::bearer(s.management_key()));
}
}  // namespace

TEST_CASE("status faults for the first N requests, per endpoint") {
  auto s = with_faults({"analytics/meta:status=500#2", "activity:status=503"});
  rawhttp::Conn c(s->port());
  auto a = meta(*s, c);
  CHECK(a.status == 500);
  CHECK(parse(a.body).at("error").at("code") == 500);
  CHECK(meta(*s, c).status == 500);
  CHECK(meta(*s, c).status == 200);
  auto act = c.request("GET", "/api/v1/activity", rawhttp::bearer(s->management_key()));
  CHECK(act.status == 503);
  CHECK(act.header("retry-after") == "1");
  CHECK(c.request("GET", "/api/v1/key", rawhttp::bearer(s->management_key())).status == 200);
}

TEST_CASE("probabilistic faults are deterministic for a seed") {
  auto run = [](std::uint64_t seed) {
    auto s = with_faults({"*:status=500@0.5"}, seed);
    rawhttp::Conn c(s->port());
    std::string pattern;
    for (int i = 0; i < 24; ++i) pattern += meta(*s, c).status == 500 ? 'x' : '.';
    return pattern;
  };
  const std::string a = run(7), b = run(7), other = run(8);
  CHECK(a == b);
  CHECK(a != other);
  CHECK(a.find('x') != std::string::npos);
  CHECK(a.find('.') != std::string::npos);
}

TEST_CASE("burst429 answers the first N with 429 and rate-limit headers") {
  auto s = with_faults({"analytics/query:burst429=2"});
  rawhttp::Conn c(s->port());
  for (int i = 0; i < 2; ++i) {
    auto r = c.request("POST", "/api/v1/analytics/query", rawhttp::bearer(s->management_key()), R"({"metrics":["request_count"]})");
    CHECK(r.status == 429);
    CHECK(r.header("retry-after") == "1");
    CHECK(!r.header("x-ratelimit-reset").empty());
  }
  CHECK(c.request("POST", "/api/v1/analytics/query", rawhttp::bearer(s->management_key()), R"({"metrics":["request_count"]})").status == 200);
}

TEST_CASE("the html fault answers 200 with a web page, not JSON") {
  auto s = with_faults({"analytics/meta:html#1"});
  rawhttp::Conn c(s->port());
  auto r = meta(*s, c);
  CHECK(r.status == 200);
  CHECK(r.header("content-type").rfind("text/html", 0) == 0);
  CHECK(r.body.rfind("<!DOCTYPE html>", 0) == 0);
  auto again = meta(*s, c);  // only the first request
  CHECK(again.header("content-type") == "application/json");
}

TEST_CASE("malformed JSON keeps valid framing") {
  auto s = with_faults({"analytics/meta:malformed#1"});
  rawhttp::Conn c(s->port());
  auto r = meta(*s, c);
  CHECK(r.status == 200);
  CHECK(r.complete);
  boost::system::error_code ec;
  boost::json::parse(r.body, ec);
  CHECK(ec);
  CHECK(meta(*s, c).status == 200);  // the connection stays usable
}

TEST_CASE("truncate cuts the body short and closes") {
  auto s = with_faults({"analytics/meta:truncate"});
  rawhttp::Conn c(s->port());
  auto r = meta(*s, c);
  CHECK(r.status == 200);
  CHECK_FALSE(r.complete);
  CHECK((r.closed || r.reset));
  CHECK(r.body.size() < std::stoul(r.header("content-length")));
}

TEST_CASE("reset drops the connection mid-body") {
  auto s = with_faults({"activity:reset"});
  rawhttp::Conn c(s->port());
  auto r = c.request("GET", "/api/v1/activity", rawhttp::bearer(s->management_key()));
  CHECK_FALSE(r.complete);
  CHECK((r.reset || r.closed));
}

TEST_CASE("drip delivers the whole body in small chunks") {
  auto s = with_faults({"analytics/meta:drip=256/50ms"});
  rawhttp::Conn c(s->port());
  const auto start = std::chrono::steady_clock::now();
  auto r = meta(*s, c);
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(r.status == 200);
  CHECK(r.complete);
  CHECK(parse(r.body).at("data").at("metrics").as_array().size() == 34);
  // Chunks of 256 bytes 50 ms apart: the body cannot come in fewer pieces than a third of
  // its chunks (a few chunks may meet in one read when this reader is slow to run), and
  // the last chunk cannot come before (chunks - 1) pauses (lower bounds only).
  const auto chunks = static_cast<int>((r.body.size() + 255) / 256);
  REQUIRE(chunks >= 6);
  CHECK(r.reads >= chunks / 3);
  CHECK(took >= std::chrono::milliseconds(50 * (chunks - 1)));
  // Without the fault the same body comes in far fewer reads.
  auto plain = with_faults({});
  rawhttp::Conn c2(plain->port());
  auto whole = meta(*plain, c2);
  CHECK(whole.body == r.body);
  CHECK(whole.reads < chunks / 3);
}

TEST_CASE("oversize pads a valid body") {
  auto s = with_faults({"key:oversize=2MB"});
  rawhttp::Conn c(s->port());
  auto r = c.request("GET", "/api/v1/key", rawhttp::bearer(s->management_key()));
  CHECK(r.complete);
  CHECK(r.body.size() >= 2u * 1024 * 1024);
  CHECK(parse(r.body).at("data").at("is_management_key") == true);
}

TEST_CASE("latency delays asynchronously: delayed answers hold no server thread") {
  // Ten requests held for a minute each, more than the server has threads; a request
  // to another endpoint is still answered at once. A delay that blocked a thread would
  // leave it unanswered until the reader's timeout (a failed read, status 0).
  auto s = with_faults({"analytics/query:latency=60000ms"});
  std::vector<std::unique_ptr<rawhttp::Conn>> held;
  for (int i = 0; i < 10; ++i) {
    held.push_back(std::make_unique<rawhttp::Conn>(s->port()));
    held.back()->send("POST", "/api/v1/analytics/query", rawhttp::bearer(s->management_key()),
                      R"({"metrics":["request_count"]})");
  }
  // Wait (on the condition, not a clock) until the server has read all ten.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (s->requests_received() < 10 && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
  REQUIRE(s->requests_received() == 10);
  rawhttp::Conn free_conn(s->port(), 20);
  auto r = free_conn.request("GET", "/api/v1/key", rawhttp::bearer(s->management_key()));
  CHECK(r.status == 200);
  CHECK(r.complete);
}

TEST_CASE("latency with jitter delays every answer - concurrent requests are all answered") {
  auto s = with_faults({"analytics/query:latency=100ms,jitter=20ms"});
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  std::vector<int> status(20, 0);
  for (int i = 0; i < 20; ++i)
    threads.emplace_back([&, i] {
      rawhttp::Conn c(s->port());
      status[static_cast<std::size_t>(i)] =
          c.request("POST", "/api/v1/analytics/query", rawhttp::bearer(s->management_key()), R"({"metrics":["request_count"]})").status;
    });
  for (auto& t : threads) t.join();
  for (int st : status) CHECK(st == 200);
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(100));  // lower bound
}

TEST_CASE("bad fault specs are usage errors") {
  for (auto spec : {"nofaultsep", "x:explode", "x:status=200", "x:latency=fast", "x:status=500@2"}) {
    bool thrown = false;
    try {
      with_faults({spec});
    } catch (const orscript::Error& e) {
      thrown = e.kind == orscript::ErrorKind::usage;
    }
    CHECK_MESSAGE(thrown, spec);
  }
}

TEST_CASE("fault specs with nonsense numbers are usage errors naming the spec") {
  for (const char* bad : {"*:latency=99999999999999999999s", "*:latency=nan", "*:latency=inf", "*:latency=0x10ms",
                          "*:latency=-5ms", "*:latency=2h", "*:jitter=1e400", "*:status=5xx", "*:status=500abc",
                          "*:status=700", "*:burst429=-1", "*:burst429=3x", "*:status=500#-1", "*:status=500#1x",
                          "*:status=500@nan", "*:status=500@0.5x", "*:oversize=1e12", "*:drip=0", "*:drip=16/1e30s"}) {
    CAPTURE(bad);
    try {
      orscript::sim::Faults f({bad}, 1);
      FAIL("accepted");
    } catch (const orscript::Error& e) {
      CHECK(e.kind == orscript::ErrorKind::usage);
      CHECK(std::string(e.what()).find("invalid fault spec") != std::string::npos);
    }
  }
  // The documented forms still parse.
  orscript::sim::Faults ok({"analytics/query:latency=100ms,jitter=1.5s,status=503#2@0.5;*:drip=64KB/20ms,oversize=8MB"}, 1);
  CHECK(ok.decide("analytics/query").delay_ms >= 100);
}
