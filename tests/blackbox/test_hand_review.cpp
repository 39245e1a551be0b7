// The cost review of a hand-built account (tests/fixtures/hand_scenario.json), its
// terminal report, --json and --html checked to the cent against figures worked out by
// hand below, from the scenario's parameters only (not from the simulator's query engine
// or its ground truth, which the demo tests compare against).
//
// The account: two keys, two models, every stream "exact" (each day carries exactly its
// requests_per_day; token sizes have sigma 0; no daily noise; flat weekly and hourly
// shapes; cache hits exactly cache_hit_rate). Window M = October 2026, D = 31 days,
// now = 2026-11-18T12:00:00Z.
//
//   alpha -> acme/large, $30 prompt / $60 completion per Mtok
//     100 requests/day x 31 days                  = 3,100 requests
//     per request 1000 x 30/1e6 + 500 x 60/1e6     = $0.03 + $0.03 = $0.06
//     spend 3,100 x $0.06                          = $186.00
//     tokens 3,100 x 1,500                         = 4,650,000 (3,100,000 prompt)
//     rate 186 / 4.65                              = $40.00/Mtok
//   beta -> acme/small, $0.10 prompt / $0.40 completion, cache read $0.02 per Mtok
//     1,000 requests/day x 31                      = 31,000 requests
//     upstream 2000 x 0.1/1e6 + 500 x 0.4/1e6      = $0.0002 + $0.0002 = $0.0004
//     cached 2000 x 0.5 = 1000 tokens: cache component 1000 x (0.02 - 0.10)/1e6 = -$0.00008
//     upstream 31,000 x 0.0004 = $12.40; cache 31,000 x -0.00008 = -$2.48
//     spend 12.40 - 2.48                           = $9.92
//     tokens 31,000 x 2,500                        = 77,500,000
//     rate 9.92 / 77.5                             = $0.128/Mtok (shown $0.13)
//   Account
//     spend 186.00 + 9.92                          = $195.92
//     tokens 4,650,000 + 77,500,000                = 82,150,000
//     requests 3,100 + 31,000                      = 34,100
//     blended B = 195.92 / 82.15                   = $2.384906/Mtok (shown $2.38)
//     components: upstream 186.00 + 12.40          = $198.40; cache = -$2.48; data, web
//       not used; remainder 195.92 - 198.40 + 2.48 = $0.00
//     by model: acme/large 186.00 / 195.92 = 94.9 %, acme/small 9.92 / 195.92 = 5.1 %
//     weekly (any complete week): alpha 7 x $6.00 = $42.00; beta 7 x 1000 x $0.00032 = $2.24
//   The one recommendation, expensive_model (alpha on acme/large):
//     r(large) / B = 40 / 2.384906                 = 16.8 x (>= 5: expensive)
//     alternative a = acme/small (r = $0.128 <= B, the only cheaper model)
//     the key's tokens at a's rate 4.65 x 0.128    = $0.5952 (shown $0.60)
//     window saving 186.00 - 0.5952                = $185.4048
//     MONTHLY impact (docs: window figure x 30.4 / D) 185.4048 x 30.4 / 31 = $181.8163 -> $181.82
// Nothing else crosses a threshold (acme/small is prompt-heavy, 0.8, but its hit rate 0.5
// is at the target and its spend is under $50; no reasoning, web, growth or changes).
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <cmath>
#include <string>

#include "tests/support/process.hpp"

namespace ot = orscript::test;
namespace json = boost::json;

namespace {

struct Review {
  ot::RunResult run;
  std::string dir, terminal, html;
  json::value report;
};

// One review of the hand scenario for every test case in this file.
const Review& review() {
  static const Review r = [] {
    Review x;
    x.dir = ot::temp_dir();
    ot::RunOptions o;
    o.env.emplace("NO_COLOR", "1");
    o.env["ORSCRIPT_CACHE_DIR"] = x.dir + "/cache";
    x.run = ot::orscript({"--demo", "--scenario", "tests/fixtures/hand_scenario.json", "--now", "2026-11-18T12:00:00Z",
                          "recipes/cost_review.lua", "--json", x.dir + "/review.json", "--html", x.dir + "/review.html"},
                         o);
    x.terminal = x.run.out;
    if (x.run.exit_code == 0) {
      x.report = json::parse(ot::read_file(x.dir + "/review.json"));
      x.html = ot::read_file(x.dir + "/review.html");
    }
    return x;
  }();
  return r;
}

bool has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

// The first line of `text` (from `from` on) that contains `label`, or "".
std::string line_with(const std::string& text, const std::string& label, const std::string& from = "") {
  std::size_t start = from.empty() ? 0 : text.find(from);
  if (start == std::string::npos) return "";
  std::size_t at = text.find(label, start);
  if (at == std::string::npos) return "";
  std::size_t b = text.rfind('\n', at);
  std::size_t e = text.find('\n', at);
  return text.substr(b == std::string::npos ? 0 : b + 1, e == std::string::npos ? std::string::npos : e - b - 1);
}

double number(const json::value& v) { return v.to_number<double>(); }

// Equal to the cent: within half a cent of the hand figure.
void cents(const json::value& v, double want, const char* what) {
  INFO(what << ": " << json::serialize(v) << " vs " << want);
  CHECK(std::fabs(number(v) - want) < 0.005);
}

}  // namespace

TEST_CASE("hand review: runs and finds exactly the one recommendation") {
  const Review& r = review();
  INFO(r.run.err);
  REQUIRE(r.run.exit_code == 0);
  auto& recs = r.report.at("recommendations").as_array();
  REQUIRE(recs.size() == 1);
  CHECK(recs[0].at("kind") == "expensive_model");
  CHECK(recs[0].at("key") == "alpha");
  CHECK(recs[0].at("model") == "acme/large");
  CHECK(has(r.terminal, "Move alpha's traffic from acme/large to acme/small"));
}

TEST_CASE("hand review: terminal figures match the hand figures") {
  const Review& r = review();
  REQUIRE(r.run.exit_code == 0);
  const std::string& t = r.terminal;
  INFO(t);
  CHECK(has(line_with(t, "Spend", "BASELINE"), "$195.92"));
  CHECK(has(line_with(t, "Tokens", "BASELINE"), "82,150,000"));
  CHECK(has(line_with(t, "Requests", "BASELINE"), "34,100"));
  CHECK(has(line_with(t, "Blended rate", "BASELINE"), "$2.38/Mtok"));
  // The recommendation's supporting figures.
  CHECK(has(t, "acme/large ($40.00/Mtok, 16.8× the blended $2.38/Mtok)"));
  CHECK(has(t, "acme/small ($0.13/Mtok"));
  CHECK(has(t, "4,650,000 tokens would cost"));
  CHECK(has(t, "$0.60 instead of $186.00"));
  CHECK(has(line_with(t, "tokens", "spend on acme/large by this key"), "4,650,000"));
  CHECK(has(line_with(t, "requests", "spend on acme/large by this key"), "3,100"));
  // Spend by model and by week.
  CHECK(has(line_with(t, "acme/large", "SPEND BY MODEL"), "$186.00  94.9%"));
  CHECK(has(line_with(t, "acme/small", "SPEND BY MODEL"), "$9.92   5.1%"));
  std::string alpha = line_with(t, "alpha", "WEEKLY SPEND BY KEY"), beta = line_with(t, "beta", "WEEKLY SPEND BY KEY");
  CHECK(has(alpha, "$42 "));
  CHECK_FALSE(has(alpha, "$41"));
  CHECK(has(beta, "$2.24"));
  CHECK_FALSE(has(beta, "$2.23"));
  CHECK_FALSE(has(beta, "$2.25"));
  // Each component.
  CHECK(has(line_with(t, "Upstream inference", "SPEND COMPONENTS"), "$198.40"));
  CHECK(has(line_with(t, "Cache", "SPEND COMPONENTS"), "-$2.48"));
  CHECK(has(line_with(t, "Data discount", "SPEND COMPONENTS"), "not used"));
  CHECK(has(line_with(t, "Remainder", "SPEND COMPONENTS"), "$0.00"));
}

TEST_CASE("hand review: JSON figures match the hand figures") {
  const Review& r = review();
  REQUIRE(r.run.exit_code == 0);
  auto& b = r.report.at("baseline");
  cents(b.at("spend"), 195.92, "spend");
  CHECK(number(b.at("tokens")) == 82150000);
  CHECK(number(b.at("requests")) == 34100);
  CHECK(std::fabs(number(b.at("blended_per_mtok")) - 195.92 / 82.15) < 1e-6);
  auto& rec = r.report.at("recommendations").as_array().at(0);
  CHECK(rec.at("alternative") == "acme/small");
  for (auto& f : rec.at("figures").as_array()) {
    const std::string name(f.at(0).as_string());
    CAPTURE(name);
    if (name.rfind("spend on acme/large", 0) == 0) cents(f.at(1), 186.00, "key spend");
    if (name == "tokens") CHECK(number(f.at(1)) == 4650000);
    if (name == "requests") CHECK(number(f.at(1)) == 3100);
    if (name == "model's effective rate") cents(f.at(1), 40.00, "r(large)");
    if (name == "alternative's effective rate") CHECK(std::fabs(number(f.at(1)) - 0.128) < 1e-6);
  }
  auto& by_model = r.report.at("charts").at("spend_by_model").as_array();
  REQUIRE(by_model.size() == 2);
  for (auto& m : by_model) cents(m.at("value"), m.at("label") == "acme/large" ? 186.00 : 9.92, "spend by model");
  for (auto& s : r.report.at("charts").at("weekly_by_key").at("series").as_array())
    for (auto& v : s.at("values").as_array()) cents(v, s.at("name") == "alpha" ? 42.00 : 2.24, "weekly");
}

// MONTHLY IMPACT (contract /work/contract/review.md, branch i10-review): window saving
// $185.4048 x 30.4 / 31 = $181.82 a month. Fails on a review that reports the window figure
// ($185.40) as the monthly impact.
TEST_CASE("hand review: the recommendation's monthly impact, by hand") {
  const Review& r = review();
  REQUIRE(r.run.exit_code == 0);
  auto& rec = r.report.at("recommendations").as_array().at(0);
  cents(rec.at("impact_usd"), 181.82, "monthly impact");
  CHECK(has(r.terminal, "$181.82/mo"));
  CHECK(has(r.html, "<span class=\"amount\">$181.82</span>"));
}

TEST_CASE("hand review: HTML figures match the hand figures") {
  const Review& r = review();
  REQUIRE(r.run.exit_code == 0);
  const std::string& h = r.html;
  CHECK(has(h, "<div class=\"label\">Spend</div><div class=\"value\">$195.92</div>"));
  CHECK(has(h, "82,150,000"));
  CHECK(has(h, "34,100"));
  CHECK(has(h, "$2.38/Mtok"));
  CHECK(has(h, "share of gross spend $198.40, less $2.48 of credits = $195.92 net"));
  CHECK(has(h, "<title>Cache: -$2.48</title>"));
  CHECK(has(h, "$40.00/Mtok"));
  CHECK(has(h, "$186.00"));
  CHECK(has(h, "$9.92"));
}
