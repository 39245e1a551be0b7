// Every endpoint against the simulator, key kinds, final statuses, verbose and dry-run.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <set>

#include "tests/unit/net/sim_fixture.hpp"

using namespace orscript;
using namespace orscript::net;
using orscript::net::test::SimFixture;
namespace json = boost::json;

namespace {
const json::value& data_of(const Response& r) { return r.json.as_object().at("data"); }
}  // namespace

TEST_CASE("client: analytics meta and query") {
  SimFixture sim;
  ApiClient client(sim.options());
  auto meta = client.wait(client.analytics_meta());
  CHECK(meta.status == 200);
  CHECK(meta.request == "GET /api/v1/analytics/meta");
  CHECK(data_of(meta).as_object().at("metrics").as_array().size() > 0);
  CHECK(data_of(meta).as_object().at("granularities").is_array());

  json::object body{{"metrics", json::array{"total_usage", "request_count"}}, {"dimensions", json::array{"model"}}};
  auto q = client.wait(client.analytics_query(body));
  CHECK(q.status == 200);
  CHECK(q.request == "POST /api/v1/analytics/query");
  CHECK(q.attempts == 1);
  CHECK(q.bytes > 0);
  auto& d = data_of(q).as_object();
  CHECK(d.at("data").is_array());
  CHECK(d.at("metadata").as_object().at("truncated").is_bool());
  sim.check_no_key();
}

TEST_CASE("client: activity, key, keys, credits") {
  SimFixture sim;
  ApiClient client(sim.options());
  CHECK(data_of(client.wait(client.activity())).is_array());
  auto key = client.wait(client.key());
  CHECK(is_management_key(key));
  CHECK(data_of(client.wait(client.keys())).is_array());
  CHECK(data_of(client.wait(client.credits())).is_object());

  ApiClient inference(sim.options(false));
  CHECK_FALSE(is_management_key(inference.wait(inference.key())));
  sim.check_no_key();
}

TEST_CASE("client: datasets endpoints and offset paging") {
  SimFixture sim;
  ApiClient client(sim.options(false));  // datasets take any valid key
  auto daily = client.wait(client.rankings_daily());
  CHECK(data_of(daily).is_array());
  CHECK(daily.json.as_object().at("meta").as_object().at("version") == "v1");

  auto page = client.wait(client.app_rankings({{"limit", "10"}}));
  CHECK(data_of(page).as_array().size() <= 10);

  // Few pages: the client's own limiter allows 30 dataset requests a minute.
  auto all = client.wait(client.app_rankings({{"limit", "30"}}));  // one page, for comparison
  Response every = client.app_rankings_all({{"limit", "30"}});
  auto& rows = data_of(every).as_array();
  CHECK(rows.size() >= data_of(all).as_array().size());
  std::set<std::int64_t> ranks;
  for (auto& row : rows) ranks.insert(row.as_object().at("rank").to_number<std::int64_t>());
  CHECK(ranks.size() == rows.size());  // no page fetched twice
  if (!rows.empty()) {
    CHECK(*ranks.begin() == 1);
    CHECK(*ranks.rbegin() == static_cast<std::int64_t>(rows.size()));  // no gap
  }
  CHECK(every.json.as_object().at("meta").is_object());

  Response cells = client.session_cost_all({{"limit", "500"}});
  CHECK(data_of(cells).is_array());
  CHECK(client.stats().limiter_waits == 0);
  CHECK(client.wait(client.session_cost()).status == 200);
  sim.check_no_key();
}

TEST_CASE("client: inference key on analytics is an auth error that says how to fix it, not retried") {
  SimFixture sim;
  ApiClient client(sim.options(false));
  auto e = sim.error_of(client, client.analytics_query({{"metrics", json::array{"total_usage"}}}));
  CHECK(e.kind == ErrorKind::auth);
  CHECK(e.status == 403);
  CHECK(e.request == "POST /api/v1/analytics/query");
  CHECK(std::string(e.what()).find("not a management key") != std::string::npos);
  CHECK(std::string(e.what()).find("https://openrouter.ai/settings/management-keys") != std::string::npos);
  CHECK(e.api_code == "403");
  CHECK_FALSE(e.api_message.empty());
  CHECK(client.stats().requests_sent == 1);
  CHECK(client.stats().retries == 0);
  CHECK(exit_code_for(e.kind) == exit_code::auth);
  sim.check_no_key();
}

TEST_CASE("client: a wrong key is a 401 auth error, never retried, key never shown") {
  SimFixture sim;
  auto opts = sim.options();
  const std::string bad_key = "sk-or-v1-0123456789abcdef0123456789abcdefWRONG";
  opts.api_key = Secret(bad_key);
  ApiClient client(opts);
  auto e = sim.error_of(client, client.analytics_meta());
  CHECK(e.kind == ErrorKind::auth);
  CHECK(e.status == 401);
  CHECK(std::string(e.what()).find("invalid or missing") != std::string::npos);
  CHECK(client.stats().requests_sent == 1);
  CHECK(sim.all_output().find(bad_key) == std::string::npos);
  sim.check_no_key();
}

TEST_CASE("client: no key at all fails before sending") {
  SimFixture sim;
  auto opts = sim.options();
  opts.api_key = Secret();
  ApiClient client(opts);
  auto e = sim.error_of(client, client.analytics_meta());
  CHECK(e.kind == ErrorKind::auth);
  CHECK(client.stats().requests_sent == 0);
}

TEST_CASE("client: 400 and 404 are api errors with the server's message, never retried") {
  SimFixture sim;
  ApiClient client(sim.options());
  auto e = sim.error_of(client, client.analytics_query({{"metrics", json::array{"total_usage"}},
                                                        {"dimensions", json::array{"model", "provider", "app"}}}));
  CHECK(e.kind == ErrorKind::api);
  CHECK(e.status == 400);
  CHECK(e.api_message.find("dimensions") != std::string::npos);
  CHECK(std::string(e.what()).find(e.api_message) != std::string::npos);
  auto nf = sim.error_of(client, client.generation("gen-does-not-exist"));
  CHECK(nf.kind == ErrorKind::api);
  CHECK(nf.status == 404);
  CHECK(client.stats().requests_sent == 2);
  CHECK(client.stats().retries == 0);
  CHECK(exit_code_for(nf.kind) == exit_code::api);
  sim.check_no_key();
}

TEST_CASE("client: verbose logs one line per request with method, path, status, time and bytes") {
  SimFixture sim;
  ApiClient client(sim.options());
  client.wait(client.analytics_meta());
  auto out = sim.all_output();
  CHECK(out.find("orscript: GET /api/v1/analytics/meta -> 200 in ") != std::string::npos);
  CHECK(out.find(" bytes (attempt 1") != std::string::npos);
  sim.check_no_key();
}

TEST_CASE("client: dry-run prints the request and sends nothing") {
  SimFixture sim;
  auto opts = sim.options();
  opts.dry_run = true;
  ApiClient client(opts);
  auto r = client.wait(client.analytics_query({{"metrics", json::array{"total_usage"}}}));
  CHECK(r.dry_run);
  CHECK(r.json.is_null());
  CHECK(client.stats().requests_sent == 0);
  auto out = sim.all_output();
  CHECK(out.find("dry-run: POST " + sim.server->base_url() + "/analytics/query\n{\"metrics\":[\"total_usage\"]}") !=
        std::string::npos);
  sim.check_no_key();
}

TEST_CASE("client: many calls at once share a bounded pool of keep-alive connections") {
  SimFixture sim;
  auto opts = sim.options();
  opts.max_connections_per_host = 4;
  ApiClient client(opts);
  std::vector<ApiClient::Ticket> tickets;
  for (int i = 0; i < 12; ++i) tickets.push_back(client.key());
  auto results = client.wait_all(tickets);
  CHECK(results.size() == 12);
  for (auto& r : results) CHECK(r.status == 200);
  CHECK(client.stats().connections_opened <= 4);
  // Later calls reuse the pooled connections.
  for (int i = 0; i < 5; ++i) client.wait(client.key());
  CHECK(client.stats().connections_opened <= 4);
  CHECK(client.stats().requests_sent == 17);
}

TEST_CASE("client: wait on a result twice is a usage error") {
  SimFixture sim;
  ApiClient client(sim.options());
  auto t = client.key();
  client.wait(t);
  CHECK_THROWS_AS(client.wait(t), Error);
}

TEST_CASE("client: control bytes and over-long header values are refused as the client's own limit") {
  SimFixture sim;
  auto refused = [&](auto tweak, const std::string& expect) {
    ClientOptions o = sim.options();
    tweak(o);
    try {
      ApiClient client(o);
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.kind == ErrorKind::usage);
      CHECK(std::string(e.what()).find(expect) != std::string::npos);
    }
  };
  refused([](ClientOptions& o) { o.api_key = Secret(std::string(1 << 20, 'k')); }, "its own limit");
  refused([](ClientOptions& o) { o.app_categories = std::string(100 * 1024, 'c'); }, "its own limit");
  refused([](ClientOptions& o) { o.api_key = Secret(std::string("sk-or-v1-a\0b", 12)); }, "control character");
  refused([](ClientOptions& o) { o.app_title = "title\x1b[2J"; }, "control character");
}
