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
//     per 30.4-day month: 195.92 x 30.4 / 31      = $192.128 -> $192.13 (factor 0.980645)
//     weekly (any complete week): alpha 7 x $6.00 = $42.00; beta 7 x 1000 x $0.00032 = $2.24
//   The one recommendation, expensive_model (alpha on acme/large):
//     r(large) / B = 40 / 2.384906                 = 16.8 x (>= 5: expensive)
//     alternative a = acme/small (r = $0.128 <= B, the only cheaper model)
//     the key's tokens at a's rate 4.65 x 0.128    = $0.5952
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
  CHECK(has(line_with(t, "Per 30.4-day month", "BASELINE"), "$192.13"));
  // The recommendation's supporting figures.
  CHECK(has(t, "acme/large ($40.00/Mtok, 16.8× the blended inference rate\n            $2.38/Mtok)"));
  CHECK(has(line_with(t, "blended inference rate (no surcharges)", "RECOMMENDATIONS"), "$2.38/Mtok"));
  CHECK(has(t, "acme/small ($0.13/Mtok"));
  CHECK(has(line_with(t, "spend on acme/large by this key", "RECOMMENDATIONS"), "$186.00"));
  CHECK(has(line_with(t, "tokens", "spend on acme/large by this key"), "4,650,000"));
  CHECK(has(line_with(t, "model's effective rate", "RECOMMENDATIONS"), "$40.00/Mtok"));
  CHECK(has(line_with(t, "alternative's effective rate", "RECOMMENDATIONS"), "$0.13/Mtok"));
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
  CHECK(has(line_with(t, "remainder", "SPEND COMPONENTS"), "$0.00"));
}

TEST_CASE("hand review: JSON figures match the hand figures") {
  const Review& r = review();
  REQUIRE(r.run.exit_code == 0);
  CHECK(number(r.report.at("version")) == 1);
  auto& w = r.report.at("window");
  CHECK(w.at("from") == "2026-10-01T00:00:00Z");
  CHECK(w.at("to") == "2026-11-01T00:00:00Z");
  CHECK(number(w.at("days")) == 31);
  CHECK(w.at("partial") == false);
  CHECK(std::fabs(number(w.at("monthly_factor")) - 30.4 / 31) < 1e-9);
  auto& b = r.report.at("baseline");
  cents(b.at("total_usage"), 195.92, "spend");
  CHECK(number(b.at("tokens_total")) == 82150000);
  CHECK(number(b.at("request_count")) == 34100);
  CHECK(std::fabs(number(b.at("blended_per_mtok")) - 195.92 / 82.15) < 1e-6);
  CHECK(number(b.at("byok_share")) == 0);
  cents(b.at("monthly_spend"), 192.13, "per 30.4-day month");
  auto& rec = r.report.at("recommendations").as_array().at(0);
  CHECK(rec.at("alternative") == "acme/small");
  CHECK(rec.at("app").is_null());
  cents(rec.at("spend"), 186.00, "key spend");
  CHECK(number(rec.at("tokens")) == 4650000);
  CHECK(number(rec.at("requests")) == 3100);
  cents(rec.at("rate"), 40.00, "r(large)");
  CHECK(std::fabs(number(rec.at("alt_rate")) - 0.128) < 1e-6);
  CHECK(std::fabs(number(rec.at("multiple")) - 40 / (195.92 / 82.15)) < 1e-4);
  CHECK(number(rec.at("share")) == doctest::Approx(1.0));
  CHECK(r.report.at("observations").as_array().empty());
}

// The monthly impact (docs/recipes.md, docs/review-json.md): window saving $185.4048 x
// 30.4 / 31 = $181.82 a month. A review that reported the window figure ($185.40) fails.
TEST_CASE("hand review: the recommendation's monthly impact, by hand") {
  const Review& r = review();
  REQUIRE(r.run.exit_code == 0);
  auto& rec = r.report.at("recommendations").as_array().at(0);
  cents(rec.at("impact_usd"), 181.82, "monthly impact");
  CHECK(has(r.terminal, " 1. $181.82/mo  Move alpha's traffic from acme/large to acme/small"));
  CHECK(has(r.terminal, "up to $181.82/month in all"));
  CHECK(has(r.html, "<span class=\"amount\">$181.82</span>"));
}

TEST_CASE("hand review: HTML figures match the hand figures") {
  const Review& r = review();
  REQUIRE(r.run.exit_code == 0);
  const std::string& h = r.html;
  CHECK(has(h, "<div class=\"label\">Spend</div><div class=\"value\">$195.92</div>"));
  CHECK(has(h, "<div class=\"sub\">82,150,000</div>"));
  CHECK(has(h, "<div class=\"sub\">34,100</div>"));
  CHECK(has(h, "<div class=\"label\">Blended rate</div><div class=\"value\">$2.38/Mtok</div>"));
  CHECK(has(h, "<div class=\"label\">Per 30.4-day month</div><div class=\"value\">$192.13</div>"));
  CHECK(has(h, "<title>acme/small: $9.92</title>"));
  CHECK(has(h, "<td>spend on acme/large by this key (October 2026)</td><td class=\"num\">$186.00</td>"));
  CHECK(has(h, "share of gross spend $198.40, less $2.48 of credits = $195.92 net"));
  CHECK(has(h, "<title>Cache: -$2.48</title>"));
  CHECK(has(h, "$40.00/Mtok"));
  CHECK(has(h, "$186.00"));
  CHECK(has(h, "$9.92"));
}
