// Black-box tests of the recipes (recipes/*.lua) run as scripts by the real binary
// against the simulator: each recipe's report carries its key lines; the cost review
// on the second shipped scenario ("lean") agrees with that scenario's ground truth
// (tests/lua/check_review.lua reads the review's --json output); the review writes
// --markdown, --html, --json and --verify-script files; the verification script runs;
// the review sends at most 15 requests (counted from --verbose stderr).
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <sstream>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace ot = orscript::test;
using ot::RunOptions;
using ot::RunResult;

namespace {

const char* kNow = "2026-11-18T12:00:00Z";

RunOptions options() {
  static std::string cache = ot::temp_dir();
  RunOptions o;
  o.env.emplace("NO_COLOR", "1");
  o.env.emplace("ORSCRIPT_CACHE_DIR", cache);
  o.unset_env = {"OPENROUTER_API_KEY", "OPENROUTER_BASE_URL"};
  o.limit = std::chrono::seconds{120};
  return o;
}

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

}  // namespace

TEST_CASE("recipes: top_models prints the blended rate and flags the expensive model") {
  auto r = demo({"recipes/top_models.lua"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "Top models: October 2026 (2026-10-01 .. 2026-11-01)"));
  CHECK(has(r.out, "blended rate $"));
  CHECK(has(r.out, "Flagged: effective rate at least 5× the blended"));
  CHECK(has(r.out, "! openai/gpt-4.5-preview"));
  CHECK(has(r.out, "Highest-volume model at or below the blended rate:"));
}

TEST_CASE("recipes: key_drilldown names the keys behind a model and writes CSV") {
  std::string dir = ot::temp_dir() + "/csv";
  auto r = demo({"recipes/key_drilldown.lua", "openai/gpt-4.5-preview-2025-02-27", "--csv", dir});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "Keys behind openai/gpt-4.5-preview-2025-02-27: October 2026"));
  CHECK(has(r.out, "* batch-pipeline:"));
  CHECK(has(r.out, "research-notebook"));
  CHECK(has(r.out, "By user"));
  CHECK(exists(dir + "/keys.csv"));
  CHECK(exists(dir + "/users.csv"));
  CHECK(has(ot::read_file(dir + "/keys.csv"), "batch-pipeline"));
}

TEST_CASE("recipes: key_drilldown without a model is a usage error") {
  auto r = demo({"recipes/key_drilldown.lua"});
  CHECK(r.exit_code == 2);
  CHECK(has(r.err, "missing argument MODEL"));
}

TEST_CASE("recipes: key_drilldown follows a plain slug to its permaslug, and names models for an unknown one") {
  auto r = demo({"recipes/key_drilldown.lua", "openai/gpt-4.5-preview"});
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "Keys behind openai/gpt-4.5-preview-2025-02-27"));
  auto none = demo({"recipes/key_drilldown.lua", "acme/no-such-model"});
  CHECK(none.exit_code == 0);
  CHECK(has(none.out, "No traffic on acme/no-such-model in this window."));
  CHECK(has(none.out, "Models with the most spend in this window: openai/gpt-4.5-preview-2025-02-27"));
}

TEST_CASE("recipes: components splits spend and names the web-search-heavy app") {
  std::string json = ot::temp_dir() + "/components.json";
  auto r = demo({"recipes/components.lua", "--json", json});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "Spend components: October 2026"));
  CHECK(has(r.out, "upstream inference"));
  CHECK(has(r.out, "remainder"));
  CHECK(has(r.out, "! Acme Research:"));
  CHECK(has(ot::read_file(json), "\"components_weekly\""));
}

TEST_CASE("recipes: prompt_heaviness finds the caching and reasoning problems") {
  std::string md = ot::temp_dir() + "/ph.md";
  auto r = demo({"recipes/prompt_heaviness.lua", "--markdown", md});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "! caching would pay off on anthropic/claude-sonnet-4.5"));
  CHECK(has(r.out, "caching is already near its ceiling on google/gemini-2.5-flash"));
  CHECK(has(r.out, "! deepseek/deepseek-r1"));
  CHECK(has(ot::read_file(md), "## prompt_heaviness"));
}

TEST_CASE("recipes: week_over_week finds the growth and the repointed key") {
  auto r = demo({"recipes/week_over_week.lua"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "Biggest movers"));
  CHECK(has(r.out, "Level change: support-bot-prod"));
  CHECK(has(r.out, "moved from openai/gpt-4.1"));
  CHECK(has(r.out, "on 2026-10-20"));
  CHECK(has(r.out, "Growth: sales-copilot"));
}

TEST_CASE("recipes: a recipe with a bad threshold is a usage error") {
  auto r = demo({"recipes/top_models.lua", "--threshold", "nope=3"});
  CHECK(r.exit_code == 2);
  CHECK(has(r.err, "unknown threshold 'nope'"));
}

TEST_CASE("cost review: demo report, outputs, request count, verification script") {
  std::string dir = ot::temp_dir();
  auto r = demo({"--verbose", "recipes/cost_review.lua", "--markdown", dir + "/review.md", "--html",
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

  auto check = demo({"tests/lua/check_review.lua", dir + "/review.json"});
  INFO(check.err);
  CHECK(check.exit_code == 0);
  CHECK(has(check.out, "check_review: ok (demo:"));

  auto verify = demo({dir + "/verify.lua"});
  INFO(verify.err);
  CHECK(verify.exit_code == 0);
  CHECK(has(verify.out, "fixes confirmed"));
  CHECK(has(verify.out, "open batch-pipeline's spend on openai/gpt-4.5-preview"));
}

TEST_CASE("cost review: the lean scenario agrees with its ground truth") {
  std::string dir = ot::temp_dir();
  auto r = demo({"recipes/cost_review.lua", "--json", dir + "/lean.json", "--verify-script", dir + "/verify.lua"},
                "lean");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(has(r.out, "Cache the prompts sent to anthropic/claude-sonnet-4"));

  auto check = demo({"tests/lua/check_review.lua", dir + "/lean.json"}, "lean");
  INFO(check.err);
  CHECK(check.exit_code == 0);
  CHECK(has(check.out, "check_review: ok (lean:"));

  auto verify = demo({dir + "/verify.lua"}, "lean");
  INFO(verify.err);
  CHECK(verify.exit_code == 0);
  CHECK(has(verify.out, "fixes confirmed"));
}

TEST_CASE("cost review: with thresholds no account can cross, it says nothing needs changing") {
  std::string dir = ot::temp_dir();
  auto r = demo({"recipes/cost_review.lua", "--threshold", "min_monthly_usd=1e12", "--verify-script",
                 dir + "/verify.lua"},
                "lean");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(has(r.out, "No changes recommended."));
  auto verify = demo({dir + "/verify.lua"}, "lean");
  CHECK(verify.exit_code == 0);
  CHECK(has(verify.out, "Nothing to verify"));
}
