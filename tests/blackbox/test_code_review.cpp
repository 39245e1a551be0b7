// Black-box tests of the cost review's --code option (recipes/review_code.lua): a bad path is
// one line and exit 2 before any query; a tree with nothing to name leaves every output
// byte-identical to a run without --code; the fixture tree's places reach the terminal.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace ot = orscript::test;

namespace {

ot::RunResult review(std::vector<std::string> args) {
  std::vector<std::string> argv{"--demo", "--now", "2026-11-18T12:00:00Z", "recipes/cost_review.lua"};
  argv.insert(argv.end(), args.begin(), args.end());
  return ot::orscript(argv, ot::clean_options());
}

bool has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

int lines(const std::string& text) {
  int n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

}  // namespace

TEST_CASE("cost review --code: a missing folder, a file or no value is one usage line, exit 2") {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--code", "/nonexistent-orscript-code"}, {"--code", "README.md"}, {"--code"}, {"--code="}}) {
    auto r = review(args);
    INFO(args.back() << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(has(r.err, "--code"));
    CHECK(r.out.empty());
    CHECK(!has(r.err, "traceback"));
    CHECK(lines(r.err) == 2);  // the demo banner and the one error line
  }
}

TEST_CASE("cost review --code: a tree with nothing to name changes no output byte") {
  std::string dir = ot::temp_dir();
  std::string empty = ot::temp_dir();
  ot::write_file(empty + "/main.py", "print('hello')\n");
  review({});  // fills the catalogue cache, so both runs below send the same requests
  auto plain = review({"--markdown", dir + "/a.md", "--json", dir + "/a.json", "--verify-script", dir + "/a.lua",
                       "--html", dir + "/a.html"});
  auto coded = review({"--markdown", dir + "/b.md", "--json", dir + "/b.json", "--verify-script", dir + "/b.lua",
                       "--html", dir + "/b.html", "--code", empty});
  REQUIRE(plain.exit_code == 0);
  REQUIRE(coded.exit_code == 0);
  CHECK(plain.out == coded.out);
  CHECK(!has(plain.out, "Where"));
  for (const char* ext : {"md", "json", "lua", "html"}) {
    INFO(ext);
    // generated_at is the fixed --now, so the files compare whole.
    bool same = ot::read_file(dir + "/a." + ext) == ot::read_file(dir + "/b." + ext);
    CHECK(same);
  }
}

TEST_CASE("cost review --code: the fixture tree's places are printed under each recommendation") {
  auto r = review({"--code", ot::source_dir() + "/tests/code/tree"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(has(r.out, "Where   services/batch/run.py:9 model = \"openai/gpt-4.5-preview\""));
  CHECK(has(r.out, "services/batch/config.yaml:5 model: openai/gpt-4.5-preview-2025-02-27"));
  CHECK(has(r.out, "Where   services/research/agent.go:12 req.Header.Set(\"X-Title\", \"Acme Research\")"));
  for (const char* decoy : {"node_modules", "vendor/", "dist/"}) CHECK(!has(r.out, decoy));
  // Two --code folders: places are prefixed with their folder.
  auto two = review({"--code", ot::source_dir() + "/tests/code/tree/services", "--code=" + ot::source_dir() + "/tests/code/tree/deploy"});
  REQUIRE(two.exit_code == 0);
  CHECK(has(two.out, "/tests/code/tree/services/batch/run.py:9"));
  CHECK(has(two.out, "/tests/code/tree/deploy/batch.yaml:13"));
}
