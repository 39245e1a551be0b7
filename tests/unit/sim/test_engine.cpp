// Units below the HTTP layer: time buckets, scenarios, generation, determinism, ground truth.
#include "tests/unit/sim/sim_fixture.hpp"

#include "host/core/error.hpp"
#include "sim/endpoints.hpp"
#include "sim/generator.hpp"
#include "sim/query_engine.hpp"
#include "sim/rate_limiter.hpp"
#include "sim/scenario.hpp"
#include "sim/time_util.hpp"

#include <cmath>
#include <map>

using namespace simtest;
using namespace orscript::sim;

TEST_CASE("UTC calendar helpers: Sunday weeks, months, ISO parsing") {
  const auto d = parse_date("2026-11-18");
  REQUIRE(d);
  CHECK(weekday(*d) == 3);  // Wednesday
  CHECK(format_date(bucket_start(Granularity::week, *d * kDayMs)) == "2026-11-15");
  CHECK(format_date(bucket_start(Granularity::month, *d * kDayMs)) == "2026-11-01");
  CHECK(format_date(bucket_next(Granularity::month, parse_date("2026-12-01").value() * kDayMs)) == "2027-01-01");
  CHECK(parse_iso_datetime("2026-11-18T12:00:00Z") == kNow);
  CHECK(parse_iso_datetime("2026-11-18T12:00:00.000Z") == kNow);
  CHECK(parse_iso_datetime("2026-11-18T14:00:00+02:00") == kNow);
  CHECK_FALSE(parse_iso_datetime("2026-11-18"));
  CHECK_FALSE(parse_iso_datetime("2026-11-18T25:00:00Z"));
  CHECK_FALSE(parse_date("2026-02-29"));
  CHECK(bucket_label(Granularity::hour, kNow) == "2026-11-18 12:00:00");
  CHECK(format_iso_ms(kNow) == "2026-11-18T12:00:00.000Z");
}

TEST_CASE("shipped scenarios are embedded and load") {
  auto names = scenario_names();
  CHECK(std::find(names.begin(), names.end(), "demo") != names.end());
  CHECK(std::find(names.begin(), names.end(), "lean") != names.end());
  for (auto& n : names) {
    auto s = load_scenario(n);
    CHECK(s.name == n);
    CHECK(s.history_days >= 120);
  }
}

TEST_CASE("scenario validation names the bad field") {
  auto fails = [](const std::string& text, const std::string& needle) {
    try {
      parse_scenario(text, "t");
    } catch (const orscript::Error& e) {
      CHECK(e.kind == orscript::ErrorKind::usage);
      CHECK_MESSAGE(std::string(e.what()).find(needle) != std::string::npos, e.what());
      return;
    }
    FAIL("no error for " << text);
  };
  const std::string base = R"("workspaces":[{"id":"3c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f","name":"W"}],"keys":[{"id":1,"name":"k"}],"models":[{"slug":"a/b","prices":{"prompt":1},"providers":[{"name":"P"}]}])";
  fails("{", "invalid JSON");
  fails(R"({"workspaces":[]})", "$.name: missing");
  fails(R"({"name":"x",)" + base + R"(,"streams":[{"key":"k","model":"c/d"}]})", "$.streams.0.model: unknown model 'c/d'");
  fails(R"({"name":"x",)" + base + R"(,"streams":[{"key":"nobody","model":"a/b"}]})", "$.streams.0.key: unknown key");
  fails(R"({"name":"x",)" + base + R"(,"streams":[{"key":"k","model":"a/b","weekly":[1,2]}]})", "$.streams.0.weekly");
  fails(R"({"name":"x","history_days":30,)" + base + R"(,"streams":[{"key":"k","model":"a/b"}]})", "$.history_days: out of range");
  // Values outside their documented ranges (issue 12), each named by its JSON path.
  const std::string stream = R"(,"streams":[{"key":"k","model":"a/b",)";
  fails(R"({"name":"x",)" + base + stream + R"("requests_per_day":1e12}]})", "$.streams.0.requests_per_day: out of range");
  fails(R"({"name":"x",)" + base + stream + R"("prompt_tokens":{"mean":1e30}}]})", "$.streams.0.prompt_tokens.mean: out of range");
  fails(R"({"name":"x",)" + base + stream + R"("completion_tokens":1e30}]})", "$.streams.0.completion_tokens: out of range");
  fails(R"({"name":"x",)" + base + stream + R"("weekly":[1,1,1,1,1,1,-1]}]})", "$.streams.0.weekly.6");
  fails(R"({"name":"x",)" + base + stream + R"("requests_per_day":900000,"growth_per_week":-0.5}]})",
        "$.streams: would generate up to");
  fails(R"({"name":"x",)" + base + stream + R"("app":1e300}]})", "$.streams.0.app: expected a whole number");
  fails(R"({"name":"x","workspaces":[{"id":"nope","name":"W"}],"keys":[{"id":1,"name":"k"}],"models":[],"streams":[]})",
        "$.workspaces.0.id: expected a UUID");
  fails(R"({"name":"x","workspaces":[{"id":"3c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f","name":"W"}],"keys":[{"id":1,"name":"k","created":"2026-13-45"}]})",
        "$.keys.0.created: expected a date");
  fails(R"({"name":"x","workspaces":[{"id":"3c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f","name":"W"}],"keys":[{"id":1.5,"name":"k"}]})",
        "$.keys.0.id: expected a whole number");
  {
    // Invalid JSON: the position, and no Boost source location.
    try {
      parse_scenario(R"({"name": nope})", "t");
      FAIL("accepted");
    } catch (const orscript::Error& e) {
      const std::string m = e.what();
      CHECK(m.find("invalid JSON at byte") != std::string::npos);
      CHECK(m.find(".hpp") == std::string::npos);
      CHECK(m.find("boost") == std::string::npos);
    }
  }
  auto ok = parse_scenario(R"({"name":"x",)" + base + R"(,"streams":[{"key":"k","model":"a/b"}]})", "t");
  CHECK(ok.keys[0].hash.size() == 64);
  CHECK_THROWS_AS(load_scenario("no-such-scenario"), orscript::Error);
  // Devices and FIFOs are refused at once, not read for ever.
  for (const char* dev : {"/dev/zero", "/dev/urandom"}) {
    try {
      load_scenario(dev);
      FAIL("accepted " << dev);
    } catch (const orscript::Error& e) {
      CHECK(std::string(e.what()).find("not a regular file") != std::string::npos);
    }
  }
}

TEST_CASE("the demo holds at least 200,000 generation events in its last 31 days and 120 days of history") {
  auto store = generate(load_scenario("demo"), 1, kNow);
  std::size_t recent = 0;
  for (auto t : store->events.time_ms) recent += t >= kNow - 31 * kDayMs;
  CHECK(recent >= 200000);
  CHECK(store->history_start_ms <= kNow - 120 * kDayMs);
  CHECK(store->rollups.size() > 0);
  for (auto t : store->events.time_ms) REQUIRE(t <= kNow);
}

TEST_CASE("same scenario, seed and now give the same bytes - another seed does not") {
  auto a = Server::start(options()), b = Server::start(options());
  auto o = options();
  o.seed = 2;
  auto c = Server::start(o);
  const std::string body = R"({"metrics":["total_usage","p90_latency"],"dimensions":["provider"],"granularity":"day"})";
  auto ra = post(*a, "analytics/query", a->management_key(), body);
  auto rb = post(*b, "analytics/query", b->management_key(), body);
  auto rc = post(*c, "analytics/query", c->management_key(), body);
  auto strip = [](const std::string& s) { auto v = parse(s); v.at("data").as_object().erase("metadata"); return boost::json::serialize(v); };
  CHECK(strip(ra.body) == strip(rb.body));
  CHECK(strip(ra.body) != strip(rc.body));
  CHECK(get(*a, "activity", a->management_key()).body == get(*b, "activity", b->management_key()).body);
  CHECK(boost::json::serialize(a->ground_truth()) == boost::json::serialize(b->ground_truth()));
}

TEST_CASE("the query engine runs without HTTP and rejects with QueryError") {
  auto store = generate(load_scenario("demo"), 1, kNow);
  auto out = query(*store, boost::json::parse(R"({"metrics":["request_count"],"dimensions":["model"]})"));
  CHECK(out.at("data").as_array().size() == 11);
  CHECK_THROWS_AS(query(*store, boost::json::parse(R"({"metrics":[]})")), QueryError);
  Api api(store, ApiOptions{});
  HttpRequest req{"GET", "/api/v1/analytics/meta", {{"authorization", "Bearer " + store->scenario.management_token}}, ""};
  CHECK(api.handle(req).status == 200);
}

namespace {
const boost::json::object* find_item(const boost::json::value& truth, const std::string& kind) {
  for (auto& i : truth.at("items").as_array())
    if (i.at("kind").as_string() == kind) return &i.as_object();
  return nullptr;
}
}  // namespace

TEST_CASE("demo ground truth: each planted problem once, nothing else") {
  auto truth = demo().ground_truth();
  CHECK(truth.at("month").at("start") == "2026-10-01");
  CHECK(truth.at("month").at("end") == "2026-11-01");
  CHECK(truth.at("thresholds").at("expensive_multiple") == 5.0);
  std::map<std::string, int> kinds;
  for (auto& i : truth.at("items").as_array()) {
    kinds[std::string(i.at("kind").as_string())]++;
    CHECK(i.at("recommend") == (i.at("kind") != "repointed"));
  }
  // file_parsing (Docs Portal) and prompt_trimming (ingest-classifier's 40k-token prompts) became
  // findings when the review learnt to see file parsing and oversized prompts (issue 10).
  CHECK(kinds == std::map<std::string, int>{{"expensive_model", 1}, {"caching", 1}, {"web_search", 1},
                                             {"reasoning", 1}, {"growth", 1}, {"file_parsing", 1},
                                             {"prompt_trimming", 1}, {"repointed", 1}});
  const double base = num(truth.at("baseline").at("total_usage"));
  CHECK(base > 10000);
  CHECK(base < 100000);
}

TEST_CASE("ground truth: the expensive preview model is mostly one batch key, as the API reports") {
  auto truth = demo().ground_truth();
  auto* e = find_item(truth, "expensive_model");
  REQUIRE(e);
  CHECK(e->at("key") == "batch-pipeline");
  const double multiple = num(e->at("rate_per_mtok")) / num(e->at("blended_per_mtok"));
  CHECK(multiple > 20);
  CHECK(multiple < 30);
  const std::string model(e->at("model").as_string());
  auto by_key = query(R"({"metrics":["total_usage","tokens_total"],"dimensions":["api_key_id"],"filters":[{"field":"model","operator":"eq","value":")" +
                      model + R"("}],"time_range":{"start":"2026-10-01T00:00:00Z","end":"2026-11-01T00:00:00Z"}})");
  double total = 0, batch = 0;
  for (auto& r : rows(by_key)) {
    total += num(r.at("total_usage"));
    if (r.at("api_key_id") == "batch-pipeline") batch = num(r.at("total_usage"));
  }
  // The ground truth runs this same query engine, so comparing its spend_usd with `batch`
  // would only compare the engine with itself; test_hand_scenario.cpp checks both against
  // figures worked out by hand. Here: the shares the scenario plants.
  CHECK(batch / total > 0.8);
  CHECK(batch / total < 0.99);
  CHECK(num(e->at("impact_usd")) > 0);
  auto* r = find_item(truth, "repointed");
  REQUIRE(r);
  CHECK(r->at("recommend") == false);
  CHECK(num(r->at("weekly_after")) < num(r->at("weekly_before")) / 2);
  auto* g = find_item(truth, "growth");
  REQUIRE(g);
  CHECK(num(g->at("recent_weekly")) >= 2 * num(g->at("before_weekly")));
}

TEST_CASE("lean ground truth follows the same definitions with at most one recommendation") {
  auto o = options();
  o.scenario = "lean";
  auto s = Server::start(o);
  auto truth = s->ground_truth();
  int recommendations = 0;
  for (auto& i : truth.at("items").as_array()) recommendations += i.at("recommend") == true;
  CHECK(recommendations <= 1);
  CHECK(s->generation_events() > 0);
}

TEST_CASE("rate limiter: a sliding window per subject, with retry and reset figures") {
  RateLimiter limiter;
  for (int i = 0; i < 500; ++i) REQUIRE(limiter.check("datasets-day", "account", 500, 86'400'000).allowed);
  const RateDecision refused = limiter.check("datasets-day", "account", 500, 86'400'000);
  CHECK_FALSE(refused.allowed);
  CHECK(refused.remaining == 0);
  CHECK(refused.limit == 500);
  CHECK(refused.retry_after_s > 86'000);
  CHECK(limiter.check("datasets-day", "other", 500, 86'400'000).allowed);
  CHECK(limiter.peek("x", "y", 1, 1000).allowed);
  CHECK(limiter.peek("x", "y", 1, 1000).allowed);  // peek does not consume
}

TEST_CASE("stop is idempotent and frees the port") {
  auto s = Server::start(options());
  const auto port = s->port();
  s->stop();
  s->stop();
  auto o = options();
  o.port = port;
  auto again = Server::start(o);
  CHECK(again->port() == port);
  CHECK(get(*again, "key", again->management_key()).status == 200);
}

TEST_CASE("exact_volume streams hold the expected request count each day, and charges follow from flags") {
  const std::string text = R"({"name":"exact","workspaces":[{"id":"3c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f","name":"W"}],"keys":[{"id":1,"name":"k"}],
    "pricing":{"web_search_per_request":0.02,"web_fetch_per_request":0.005,"file_per_page":0.002},
    "models":[{"slug":"a/b","prices":{"prompt":1,"completion":2},"providers":[{"name":"P"}]},
              {"slug":"a/n","prices":{"prompt":1,"completion":2},"native_web_search":true,"providers":[{"name":"P"}]}],
    "streams":[{"key":"k","model":"a/b","requests_per_day":100.4,"daily_noise":0,"exact_volume":true,
                "web_search_rate":0.5,"file_rate":0.3,"web_fetch_rate":0.2},
               {"key":"k","model":"a/n","requests_per_day":50,"daily_noise":0,"web_search_rate":1}]})";
  auto store = generate(parse_scenario(text, "t"), 7, kNow);
  const std::int64_t today = day_index(kNow);
  std::map<std::int64_t, int> per_day;
  double web = 0, native = 0, file = 0, fetch = 0;
  for (std::size_t i = 0; i < store->events.size(); ++i) {
    if (store->events.stream[i] == 0) ++per_day[day_index(store->events.time_ms[i])];
    web += store->event_value(Col::web, i);
    native += store->event_value(Col::upstream_web, i);
    file += store->event_value(Col::file, i);
    fetch += store->event_value(Col::web_fetch, i);
    if (store->events.flags[i] & kFlagFile) CHECK(store->events.file_pages[i] >= 1);
    else CHECK(store->events.file_pages[i] == 0);
    if (store->events.stream[i] == 1) CHECK(store->event_value(Col::upstream_web, i) == doctest::Approx(0.02));
  }
  int full_days = 0;
  for (auto& [day, n] : per_day)
    if (day < today) {
      ++full_days;
      CHECK((n == 100 || n == 101));  // floor(100.4 + u): never a Poisson-sized miss
    }
  CHECK(full_days >= 31);
  CHECK(web > 0);
  CHECK(native > 0);
  CHECK(file > 0);
  CHECK(fetch > 0);
  // Rollup rows: the day's hourly counts sum to about the expected volume (each hour rounds at random).
  std::map<std::int64_t, double> rollup_day;
  for (std::size_t i = 0; i < store->rollups.size(); ++i)
    if (store->rollups.stream[i] == 0) rollup_day[store->rollups.hour_ms[i] / kDayMs] += store->rollup_value(Col::count, i);
  REQUIRE(!rollup_day.empty());
  for (auto& [day, n] : rollup_day) CHECK(std::abs(n - 100.4) <= 12);
  // The derived money columns of a rollup row add up as before: total = credits + BYOK inference.
  for (std::size_t i = 0; i < store->rollups.size(); i += 97)
    CHECK(store->rollup_value(Col::total_usage, i) ==
          doctest::Approx(store->rollup_value(Col::usage, i) + store->rollup_value(Col::byok_inference, i)));
}
