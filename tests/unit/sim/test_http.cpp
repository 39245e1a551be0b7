// Serving, auth, the error envelope and the meta catalogue, over raw HTTP.
#include "tests/unit/sim/sim_fixture.hpp"

#include <set>
#include <thread>
#include <vector>

using namespace simtest;

TEST_CASE("meta lists the full catalogue with labels, formats and operator value types") {
  auto r = get(demo(), "analytics/meta", demo().management_key());
  REQUIRE(r.status == 200);
  CHECK(r.header("content-type") == "application/json");
  auto v = parse(r.body).at("data");
  CHECK(v.at("metrics").as_array().size() == 34);
  CHECK(v.at("dimensions").as_array().size() == 13);
  CHECK(v.at("granularities").as_array().size() == 5);
  std::set<std::string> names;
  for (auto& m : v.at("metrics").as_array()) {
    names.insert(std::string(m.at("name").as_string()));
    if (m.at("name") == "request_count") {
      CHECK(m.at("display_label") == "Request Count");
      CHECK(m.at("is_rate") == false);
      CHECK(m.at("display_format") == "number");
    }
    if (m.at("name") == "cache_hit_rate") {
      CHECK(m.at("is_rate") == true);
      CHECK(m.at("display_format") == "percent");
    }
    if (m.at("name") == "p90_latency") CHECK(m.at("display_format") == "latency");
    if (m.at("name") == "total_usage") CHECK(m.at("display_format") == "currency");
  }
  for (auto n : {"usage_web_fetch", "p99_throughput", "guardrail_invoked_rate", "byok_fees", "openrouter_usage"})
    CHECK(names.count(n) == 1);
  for (auto& op : v.at("operators").as_array()) {
    const bool array = op.at("name") == "in" || op.at("name") == "not_in";
    CHECK(op.at("value_type") == (array ? "array" : "scalar"));
  }
  CHECK(v.at("operators").as_array().size() == 8);
  CHECK(v.at("dimensions").as_array()[0].at("display_label") == "Model");
}

TEST_CASE("missing key is 401 with the error envelope") {
  auto r = get(demo(), "analytics/meta", "");
  CHECK(r.status == 401);
  auto e = parse(r.body).at("error");
  CHECK(e.at("code") == 401);
  CHECK(e.at("message") == "Missing Authentication header");
}

TEST_CASE("an unknown key is 401 everywhere, also on the datasets") {
  for (auto path : {"analytics/meta", "activity", "datasets/rankings-daily", "key", "credits"}) {
    auto r = get(demo(), path, "sk-or-v1-not-a-real-key");
    CHECK(r.status == 401);
    CHECK(parse(r.body).at("error").at("code") == 401);
  }
}

TEST_CASE("an inference key is 403 on management endpoints and accepted by the datasets") {
  const std::string k = demo().inference_key();
  for (auto path : {"analytics/meta", "activity", "credits", "keys"}) {
    auto r = get(demo(), path, k);
    CHECK(r.status == 403);
    CHECK(error_message(r.body) == "Only management keys can perform this operation");
  }
  auto q = post(demo(), "analytics/query", k, R"({"metrics":["request_count"]})");
  CHECK(q.status == 403);
  for (auto path : {"datasets/rankings-daily", "datasets/app-rankings", "datasets/session-cost", "key"})
    CHECK(get(demo(), path, k).status == 200);
}

TEST_CASE("the bearer scheme is case-insensitive") {
  rawhttp::Conn c(demo().port());
  auto r = c.request("GET", "/api/v1/analytics/meta", "Authorization: bearer " + demo().management_key() + "\r\n");
  CHECK(r.status == 200);
}

TEST_CASE("unknown paths are 404 and wrong methods 405, with the envelope") {
  auto r = get(demo(), "nope", demo().management_key());
  CHECK(r.status == 404);
  CHECK(parse(r.body).at("error").at("code") == 404);
  rawhttp::Conn c(demo().port());
  auto m = c.request("GET", "/elsewhere", "");
  CHECK(m.status == 404);
  auto w = get(demo(), "analytics/query", demo().management_key());
  CHECK(w.status == 405);
  CHECK(w.header("allow") == "POST");
}

TEST_CASE("keep-alive serves several requests on one connection") {
  rawhttp::Conn c(demo().port());
  for (int i = 0; i < 5; ++i) {
    auto r = c.request("GET", "/api/v1/analytics/meta", rawhttp::bearer(demo().management_key()));
    CHECK(r.status == 200);
    CHECK(r.complete);
    CHECK(r.header("connection") == "keep-alive");
  }
  c.send("GET", "/api/v1/key", rawhttp::bearer(demo().management_key()), "", true);
  auto last = c.read();
  CHECK(last.status == 200);
  CHECK(last.header("connection") == "close");
  CHECK(c.peer_closed());
}

TEST_CASE("many concurrent connections are all answered") {
  std::vector<std::thread> threads;
  std::vector<int> status(24, 0);
  for (int i = 0; i < 24; ++i)
    threads.emplace_back([&, i] {
      auto r = post(demo(), "analytics/query", demo().management_key(),
                    R"({"metrics":["total_usage"],"dimensions":["model"]})");
      status[static_cast<std::size_t>(i)] = r.status;
    });
  for (auto& t : threads) t.join();
  for (int s : status) CHECK(s == 200);
}

TEST_CASE("the server reports its URL, keys and events") {
  auto& s = demo();
  CHECK(s.base_url() == "http://127.0.0.1:" + std::to_string(s.port()) + "/api/v1");
  CHECK(s.ca_file().empty());
  CHECK(s.management_key().rfind("sk-or-v1-", 0) == 0);
  CHECK(s.inference_key() != s.management_key());
  CHECK(s.scenario_name() == "demo");
  CHECK(s.now_ms() == kNow);
  CHECK(s.generation_events() >= 200000);
}
