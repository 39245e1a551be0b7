// Black-box tests of the recipes (recipes/*.lua) run as scripts by the real binary
// against the simulator: each recipe's report carries its key lines; the cost review
// on the second shipped scenario ("lean") agrees with that scenario's ground truth
// (tests/lua/check_review.lua reads the review's --json output); the review writes
// --markdown, --html, --json and --verify-script files; the verification script runs;
// the review sends at most 15 requests (counted from --verbose stderr).
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace ot = orscript::test;
using ot::RunOptions;
using ot::RunResult;

namespace {

const char* kNow = "2026-11-18T12:00:00Z";

RunOptions options() { return ot::clean_options(); }

// orscript --demo [--scenario S] --now NOW <args...>
RunResult demo(const std::vector<std::string>& args, const std::string& scenario = "") {
  std::vector<std::string> argv{"--demo"};
  if (!scenario.empty()) argv.insert(argv.end(), {"--scenario", scenario});
  argv.insert(argv.end(), {"--now", kNow});
  argv.insert(argv.end(), args.begin(), args.end());
  return ot::orscript(argv, options());
}

bool has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && st.st_size > 0;
}

// Requests logged by --verbose: "orscript: POST /api/v1/... -> 200 in 3.1 ms, ... (attempt 1)".
int logged_requests(const std::string& err) {
  std::istringstream in(err);
  std::string line;
  int n = 0;
  while (std::getline(in, line))
    if (line.rfind("orscript: ", 0) == 0 && has(line, " -> ") && has(line, "(attempt")) ++n;
  return n;
}

// Runs orscript --demo <args...> (see demo) and checks that it succeeds and that its
// stdout holds each of `lines`; returns the run for further checks.
RunResult run_ok(const std::vector<std::string>& args, std::initializer_list<const char*> lines,
                 const std::string& scenario = "") {
  auto r = demo(args, scenario);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  for (const char* line : lines) CHECK_MESSAGE(has(r.out, line), line);
  return r;
}

// Runs orscript --demo <args...> and checks that it is a usage error naming `message`.
void check_usage_error(const std::vector<std::string>& args, const std::string& message) {
  auto r = demo(args);
  CHECK(r.exit_code == 2);
  CHECK_MESSAGE(has(r.err, message), message);
}

}  // namespace

TEST_CASE("recipes: top_models prints the blended rate and flags the expensive model") {
  run_ok({"recipes/top_models.lua"},
         {"Top models: October 2026 (2026-10-01 .. 2026-11-01)", "blended rate $",
          "Flagged: effective rate at least 5× the blended", "! openai/gpt-4.5-preview",
          "Highest-volume model at or below the blended rate:"});
}

TEST_CASE("recipes: key_drilldown names the keys behind a model and writes CSV") {
  std::string dir = ot::temp_dir() + "/csv";
  run_ok({"recipes/key_drilldown.lua", "openai/gpt-4.5-preview-2025-02-27", "--csv", dir},
         {"Keys behind openai/gpt-4.5-preview-2025-02-27: October 2026", "* batch-pipeline:", "research-notebook",
          "By user"});
  CHECK(exists(dir + "/keys.csv"));
  CHECK(exists(dir + "/users.csv"));
  CHECK(has(ot::read_file(dir + "/keys.csv"), "batch-pipeline"));
}

TEST_CASE("recipes: key_drilldown without a model is a usage error") {
  check_usage_error({"recipes/key_drilldown.lua"}, "missing argument MODEL");
}

TEST_CASE("recipes: key_drilldown follows a plain slug to its permaslug, and names models for an unknown one") {
  run_ok({"recipes/key_drilldown.lua", "openai/gpt-4.5-preview"}, {"Keys behind openai/gpt-4.5-preview-2025-02-27"});
  run_ok({"recipes/key_drilldown.lua", "acme/no-such-model"},
         {"No traffic on acme/no-such-model in this window.",
          "Models with the most spend in this window: openai/gpt-4.5-preview-2025-02-27"});
}

TEST_CASE("recipes: components splits spend and names the web-search-heavy app") {
  std::string json = ot::temp_dir() + "/components.json";
  run_ok({"recipes/components.lua", "--json", json},
         {"Spend components: October 2026", "upstream inference", "remainder", "! Acme Research:"});
  CHECK(has(ot::read_file(json), "\"components_weekly\""));
}

TEST_CASE("recipes: prompt_heaviness finds the caching and reasoning problems") {
  std::string md = ot::temp_dir() + "/ph.md";
  run_ok({"recipes/prompt_heaviness.lua", "--markdown", md},
         {"! caching would pay off on anthropic/claude-sonnet-4.5",
          "caching is already near its ceiling on google/gemini-2.5-flash", "! deepseek/deepseek-r1"});
  CHECK(has(ot::read_file(md), "## prompt_heaviness"));
}

TEST_CASE("recipes: week_over_week finds the growth and the repointed key") {
  run_ok({"recipes/week_over_week.lua"}, {"Biggest movers", "Level change: support-bot-prod",
                                          "moved from openai/gpt-4.1", "on 2026-10-20", "Growth: sales-copilot"});
}

TEST_CASE("recipes: a recipe with a bad threshold is a usage error") {
  check_usage_error({"recipes/top_models.lua", "--threshold", "nope=3"}, "unknown threshold 'nope'");
}

TEST_CASE("cost review: demo report, outputs, request count, verification script") {
  std::string dir = ot::temp_dir();
  // --samples 0: the review's own requests (the request samples are the next test case)
  auto r = demo({"--verbose", "recipes/cost_review.lua", "--samples", "0", "--markdown", dir + "/review.md", "--html",
                 dir + "/review.html", "--json", dir + "/review.json", "--verify-script", dir + "/verify.lua"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(has(r.out, "RECOMMENDATIONS"));
  CHECK(has(r.out, "Move batch-pipeline's traffic from openai/gpt-4.5-preview"));
  CHECK(has(r.out, "support-bot-prod moved from"));
  CHECK(has(r.out, "already saving"));
  CHECK(has(r.out, "local checks = {}"));
  CHECK(r.out.find("\x1b[") == std::string::npos);  // NO_COLOR, not a terminal
  int requests = logged_requests(r.err);
  CHECK(requests >= 6);
  CHECK(requests <= 15);
  CHECK(has(r.err, "cost_review: "));
  CHECK(has(r.err, "3 phases"));
  for (auto f : {"/review.md", "/review.html", "/review.json", "/verify.lua"}) CHECK(exists(dir + f));
  CHECK(has(ot::read_file(dir + "/review.html"), "<svg"));
  CHECK(has(ot::read_file(dir + "/review.md"), "Move batch-pipeline"));

  run_ok({"tests/lua/check_review.lua", dir + "/review.json"}, {"check_review: ok (demo:"});
  run_ok({dir + "/verify.lua"}, {"fixes confirmed", "open batch-pipeline's spend on openai/gpt-4.5-preview"});
}

// Requests logged by --verbose to one endpoint path ("/api/v1/generation").
int logged_requests_to(const std::string& err, const std::string& path) {
  std::istringstream in(err);
  std::string line;
  int n = 0;
  while (std::getline(in, line))
    if (line.rfind("orscript: ", 0) == 0 && has(line, " " + path + "?") && has(line, "(attempt")) ++n;
  return n;
}

TEST_CASE("cost review: --samples N samples the requests behind a finding, 0 turns it off, bad N is refused") {
  auto r = demo({"--verbose", "recipes/cost_review.lua", "--samples", "3"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(has(r.out, "Requests behind it: 3 sampled of "));
  CHECK(logged_requests_to(r.err, "/api/v1/generation") == 6);  // 3 for each of the two findings
  CHECK(has(r.err, "review_samples: "));
  auto off = demo({"--verbose", "recipes/cost_review.lua", "--samples", "0"});
  REQUIRE(off.exit_code == 0);
  CHECK(!has(off.out, "Requests behind it"));
  CHECK(logged_requests_to(off.err, "/api/v1/generation") == 0);
  CHECK(!has(off.err, "review_samples: "));
  for (const char* bad : {"-1", "2.5", "lots", "51"}) {
    auto b = demo({"recipes/cost_review.lua", "--samples", bad});
    INFO(bad << ": " << b.err);
    CHECK(b.exit_code == 2);
    CHECK(has(b.err, "--samples expects"));
    CHECK(!has(b.err, "traceback"));
    auto v = demo({"--verbose", "recipes/cost_review.lua", "--samples", bad});
    CHECK(v.exit_code == 2);
    CHECK(logged_requests(v.err) == 0);  // refused before any request
  }
}

TEST_CASE("cost review: the lean scenario agrees with its ground truth") {
  std::string dir = ot::temp_dir();
  auto r = demo({"recipes/cost_review.lua", "--json", dir + "/lean.json", "--verify-script", dir + "/verify.lua"},
                "lean");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(has(r.out, "Cache the prompts sent to anthropic/claude-sonnet-4"));

  run_ok({"tests/lua/check_review.lua", dir + "/lean.json"}, {"check_review: ok (lean:"}, "lean");
  run_ok({dir + "/verify.lua"}, {"fixes confirmed"}, "lean");
}

TEST_CASE("cost review: with thresholds no account can cross, it says nothing needs changing") {
  std::string dir = ot::temp_dir();
  auto r = demo({"recipes/cost_review.lua", "--threshold", "min_monthly_usd=1e12", "--verify-script",
                 dir + "/verify.lua"},
                "lean");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(has(r.out, "No changes recommended."));
  run_ok({dir + "/verify.lua"}, {"Nothing to verify"}, "lean");
}

TEST_CASE("cost review: a window without traffic says so and succeeds") {
  auto r = demo({"recipes/cost_review.lua", "--month", "2030-01"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "No traffic in this window"));
  CHECK(!has(r.err, "traceback"));
}

TEST_CASE("cost review: an output path in a missing folder is refused before any query") {
  for (const char* opt : {"--html", "--markdown", "--json", "--verify-script"}) {
    auto r = demo({"recipes/cost_review.lua", opt, "/nonexistent-orscript-dir/out.file"});
    INFO(opt << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(has(r.err, "/nonexistent-orscript-dir does not exist"));
    CHECK(!has(r.err, "traceback"));
    CHECK(!has(r.err, ".lua:"));  // no source position
    auto v = demo({"--verbose", "recipes/cost_review.lua", opt, "/nonexistent-orscript-dir/out.file"});
    CHECK(v.exit_code == 2);
    CHECK(logged_requests(v.err) == 0);  // refused before any query
  }
}
