// Black-box tests of what a new user trips on in the first hour (issue 11): --dry-run
// results, errors for user mistakes (one line, the user's position, no library path
// or traceback), warnings when partial data is written, an empty month, and output
// that fits an 80-column terminal (COLUMNS=80). The REPL's own cases (history recall,
// completion, .schema search) are in test_repl.cpp.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace ot = orscript::test;
using ot::RunOptions;
using ot::RunResult;

namespace {

const char* kNow = "2026-11-18T12:00:00Z";

RunOptions options() { return ot::clean_options(); }

RunResult demo(std::vector<std::string> args, RunOptions o = options()) {
  args.insert(args.begin(), {"--demo", "--now", kNow});
  return ot::orscript(args, o);
}

bool has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

// The lines of `text` wider than `width` terminal columns (UTF-8 code points).
std::vector<std::string> too_wide(const std::string& text, std::size_t width) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    std::size_t cols = 0;
    for (unsigned char c : line) cols += (c & 0xC0) != 0x80;
    if (cols > width) out.push_back(line);
    start = end + 1;
  }
  return out;
}

}  // namespace

TEST_CASE("first hour: --dry-run returns an empty table with the query's columns") {
  auto o = options();
  o.env["ORSCRIPT_CACHE_DIR"] = ot::temp_dir();  // nothing cached: nothing is fetched either
  auto r = ot::orscript({"--dry-run", "-e",
                         "t = orscript.query{metrics = {'total_usage'}, by = {'model'}}:run()\n"
                         "print(#t, t.meta.dry_run, table.concat(t.columns, ','))\n"
                         "print(t)\n"
                         "print(t:sum('total_usage'))"},
                        o);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "0\ttrue\tmodel,total_usage\n"));
  CHECK(has(r.out, "(dry run: not sent)\n"));
  CHECK(has(r.out, "\n0\n"));
  CHECK(has(r.err, "dry-run: POST "));
}

TEST_CASE("first hour: a bad recipe argument is one line without a library position, exit 2") {
  auto r = demo({"recipes/top_models.lua", "--month", "2026/10"});
  CHECK(r.exit_code == 2);
  CHECK(has(r.err, "orscript: --month expects YYYY-MM (e.g. 2026-10), got '2026/10'\n"));
  CHECK_FALSE(has(r.err, "init.lua"));
  CHECK_FALSE(has(r.err, "stack traceback"));
}

TEST_CASE("first hour: with --verbose a bad recipe argument is still one line, and misuse keeps its traceback") {
  auto r = demo({"--verbose", "recipes/cost_review.lua", "--threshold", "key_share=2"});
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(has(r.err, "orscript: threshold key_share expects a number from 0 to 1, got '2'\n"));
  CHECK_FALSE(has(r.err, "stack traceback"));
  // A usage error at a position (library misuse in a script) keeps the traceback --verbose asks for.
  auto m = demo({"--verbose", "-e", "local function f() orscript.query{limit = 0} end f()"});
  INFO(m.err);
  CHECK(m.exit_code == 2);
  CHECK(has(m.err, "stack traceback"));
}

TEST_CASE("first hour: REPL errors name the user's line, not the library, and drop builtin frames") {
  auto o = options();
  o.stdin_text = "orscript.activity()\nerror('boom')\n";
  auto r = ot::orscript({"-i"}, o);  // no key
  INFO(r.err);
  CHECK(has(r.err, "orscript: stdin:1: no API key: set OPENROUTER_API_KEY"));
  CHECK(has(r.err, "orscript: stdin:1: boom\n"));
  CHECK_FALSE(has(r.err, "scripts/orscript/"));
  CHECK_FALSE(has(r.err, "[builtin#"));
  CHECK_FALSE(has(r.err, "stack traceback"));
  CHECK(r.exit_code == 1);  // the last chunk's error (a script error)
}

TEST_CASE("first hour: writing a truncated result warns, and a user's limit is 'top N of more'") {
  std::string dir = ot::temp_dir();
  auto r = demo({"-e",
                 "t = orscript.query{metrics = {'total_usage'}, by = {'model'}, limit = 3,\n"
                 "                   range = orscript.time.last_month()}:run()\n"
                 "t:write('" + dir + "/top.csv')\n"
                 "print(t)"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(has(r.err, "warning: " + dir + "/top.csv: top 3 of more (limit = 3)"));
  CHECK(has(r.out, "top 3 of more (limit = 3)"));
  CHECK_FALSE(has(r.out, "the API stopped at its row limit"));
  // .mode csv in the REPL: the CSV cannot carry the note, stderr does.
  auto o = options();
  o.stdin_text = ".mode csv\norscript.query{metrics = {'total_usage'}, by = {'model'}, limit = 3}:run()\n";
  auto c = demo({"-i"}, o);
  CHECK(has(c.out, "model,total_usage\r\n"));
  CHECK(has(c.err, "warning: top 3 of more (limit = 3)"));
}

TEST_CASE("first hour: the cost review of a month without traffic runs") {
  auto r = demo({"recipes/cost_review.lua", "--month", "2030-01"});
  INFO(r.err);
  CHECK_FALSE(has(r.err, "unknown column"));
  CHECK_FALSE(has(r.err, "stack traceback"));
  CHECK(r.exit_code == 0);
}

TEST_CASE("first hour: at COLUMNS=80 the review, .help, .schema and orscript.activity() fit") {
  auto o = options();
  o.env["COLUMNS"] = "80";
  auto review = demo({"recipes/cost_review.lua"}, o);
  REQUIRE(review.exit_code == 0);
  CHECK(has(review.out, "SPEND BY MODEL"));
  for (auto& line : too_wide(review.out, 80)) CHECK_MESSAGE(false, "review line wider than 80: " << line);

  o.stdin_text = ".help\n.schema\n.schema cost\norscript.activity()\n";
  auto repl = demo({"-i"}, o);
  INFO(repl.err);
  REQUIRE(repl.exit_code == 0);
  CHECK(has(repl.out, ".schema"));
  CHECK(has(repl.out, "Metrics ("));
  CHECK(has(repl.out, "prompt_tokens"));  // the activity table kept its number columns
  for (auto& line : too_wide(repl.out, 80)) CHECK_MESSAGE(false, "REPL line wider than 80: " << line);

  // The same at 100 columns is laid out wider (the width is read, not fixed at 80).
  o.env["COLUMNS"] = "100";
  auto wide = demo({"-i"}, o);
  CHECK_FALSE(too_wide(wide.out, 80).empty());
}
