// The hand-built scenario (tests/fixtures/hand_scenario.json): the simulator's answers and
// its ground truth against figures worked out by hand from the scenario's parameters, so
// an aggregation bug in the query engine cannot move both sides of a comparison at once.
//
// October 2026 (31 days; now 2026-11-18T12:00:00Z), every stream exact, no noise:
//   alpha, acme/large ($30 prompt, $60 completion per Mtok): 100 requests a day of
//     1000 prompt + 500 completion tokens: 3,100 requests, $0.03 + $0.03 = $0.06 each,
//     spend $186.00, tokens 3,100,000 + 1,550,000 = 4,650,000, r = 186 / 4.65 = $40.00/Mtok.
//   beta, acme/small ($0.1, $0.4, cache read $0.02): 1000 a day of 2000 + 500 tokens,
//     half the prompt cached: 31,000 requests, upstream $0.0002 + $0.0002 = $0.0004 each
//     ($12.40), cache 1000 x (0.02 - 0.1) / 1e6 = -$0.00008 each (-$2.48), spend
//     $9.92, tokens 62,000,000 + 15,500,000 = 77,500,000, cached 31,000,000,
//     r = 9.92 / 77.5 = $0.128/Mtok.
//   Account: $195.92, 82,150,000 tokens, 34,100 requests, B = 195.92 / 82.15 =
//     $2.384906/Mtok; acme/large is 40 / 2.384906 = 16.77 x B.
//   expensive_model (alpha, acme/large -> acme/small), over the window:
//     186 - 4,650,000 x 0.128 / 1e6 = 186 - 0.5952 = $185.4048; monthly (the ground truth's
//     unit: x 30.4 / 31 days) $181.8163.
#include "tests/unit/sim/sim_fixture.hpp"

#include <fstream>
#include <sstream>
#include <string>

#include "host/core/error.hpp"
#include "sim/scenario.hpp"

using namespace simtest;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

orscript::sim::Server& hand() {
  static std::unique_ptr<orscript::sim::Server> server = [] {
    auto o = options();
    o.scenario = std::string(ORSCRIPT_SRC) + "/tests/fixtures/hand_scenario.json";
    return orscript::sim::Server::start(o);
  }();
  return *server;
}

boost::json::value hand_query(const std::string& body) {
  auto r = post(hand(), "analytics/query", hand().management_key(), body);
  REQUIRE(r.status == 200);
  return parse(r.body);
}

const std::string kOctober = R"("time_range":{"start":"2026-10-01T00:00:00Z","end":"2026-11-01T00:00:00Z"})";

const boost::json::value* row_of(const boost::json::value& v, const char* dim, const char* value) {
  for (auto& r : rows(v))
    if (r.at(dim) == value) return &r;
  return nullptr;
}

}  // namespace

TEST_CASE("hand scenario: the month's totals and components, by hand") {
  auto t = hand_query(R"({"metrics":["total_usage","tokens_total","request_count","tokens_prompt",)"
                      R"("tokens_completion","cached_tokens","usage_upstream","usage_cache","usage_web",)"
                      R"("cache_hit_rate"],)" + kOctober + "}");
  REQUIRE(rows(t).size() == 1);
  auto& r = rows(t)[0];
  CHECK(num(r.at("total_usage")) == doctest::Approx(195.92).epsilon(1e-6));
  CHECK(num(r.at("tokens_total")) == 82150000);
  CHECK(num(r.at("request_count")) == 34100);
  CHECK(num(r.at("tokens_prompt")) == 65100000);
  CHECK(num(r.at("tokens_completion")) == 17050000);
  CHECK(num(r.at("cached_tokens")) == 31000000);
  CHECK(num(r.at("usage_upstream")) == doctest::Approx(198.40).epsilon(1e-6));
  CHECK(num(r.at("usage_cache")) == doctest::Approx(-2.48).epsilon(1e-6));
  CHECK(r.at("usage_web").is_null());  // not used
  CHECK(num(r.at("cache_hit_rate")) == doctest::Approx(31.0 / 65.1).epsilon(1e-9));
}

TEST_CASE("hand scenario: spend and tokens by key and by model, by hand") {
  auto by_key = hand_query(R"({"metrics":["total_usage","tokens_total","request_count"],"dimensions":["api_key_id"],)" +
                           kOctober + "}");
  REQUIRE(rows(by_key).size() == 2);
  auto* alpha = row_of(by_key, "api_key_id", "alpha");
  auto* beta = row_of(by_key, "api_key_id", "beta");
  REQUIRE(alpha);
  REQUIRE(beta);
  CHECK(num(alpha->at("total_usage")) == doctest::Approx(186.00).epsilon(1e-6));
  CHECK(num(alpha->at("tokens_total")) == 4650000);
  CHECK(num(alpha->at("request_count")) == 3100);
  CHECK(num(beta->at("total_usage")) == doctest::Approx(9.92).epsilon(1e-6));
  CHECK(num(beta->at("tokens_total")) == 77500000);
  CHECK(num(beta->at("request_count")) == 31000);
  // Weekly: $42.00 and $2.24 a week in every complete week.
  auto weekly = hand_query(R"({"metrics":["total_usage"],"dimensions":["api_key_id"],"granularity":"week",)"
                           R"("time_range":{"start":"2026-10-04T00:00:00Z","end":"2026-11-15T00:00:00Z"}})");
  CHECK(rows(weekly).size() == 12);
  for (auto& r : rows(weekly)) {
    CAPTURE(r);
    CHECK(num(r.at("total_usage")) == doctest::Approx(r.at("api_key_id") == "alpha" ? 42.0 : 2.24).epsilon(1e-6));
  }
}

TEST_CASE("hand scenario: the ground truth's blended rate and expensive-model saving, by hand") {
  auto truth = hand().ground_truth();
  auto& base = truth.at("baseline");
  CHECK(num(base.at("total_usage")) == doctest::Approx(195.92).epsilon(1e-6));
  CHECK(num(base.at("tokens_total")) == 82150000);
  CHECK(num(base.at("blended_per_mtok")) == doctest::Approx(195.92 / 82.15).epsilon(1e-6));
  int recommend = 0;
  const boost::json::value* item = nullptr;
  for (auto& i : truth.at("items").as_array()) {
    if (i.at("recommend") == true) ++recommend;
    if (i.at("kind") == "expensive_model") item = &i;
  }
  CHECK(recommend == 1);
  REQUIRE(item);
  CHECK(item->at("key") == "alpha");
  CHECK(item->at("model") == "acme/large");
  CHECK(item->at("alternative") == "acme/small");
  CHECK(num(item->at("spend_usd")) == doctest::Approx(186.00).epsilon(1e-6));
  CHECK(num(item->at("rate_per_mtok")) == doctest::Approx(40.0).epsilon(1e-6));
  CHECK(num(item->at("alternative_per_mtok")) == doctest::Approx(0.128).epsilon(1e-6));
  CHECK(num(item->at("impact_usd")) == doctest::Approx(185.4048 * 30.4 / 31).epsilon(1e-6));
}

TEST_CASE("hand scenario: 'exact' must be a boolean, and the error names the field") {
  std::string text = read_text(std::string(ORSCRIPT_SRC) + "/tests/fixtures/hand_scenario.json");
  const std::string from = "\"exact\": true", to = "\"exact\": \"yes\"";
  text.replace(text.find(from), from.size(), to);
  try {
    orscript::sim::parse_scenario(text, "hand.json");
    FAIL("a string 'exact' was accepted");
  } catch (const orscript::Error& e) {
    CHECK(e.kind == orscript::ErrorKind::usage);
    CHECK(std::string(e.what()).find("$.streams.0.exact: expected true or false") != std::string::npos);
  }
}
