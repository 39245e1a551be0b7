// Black-box tests of the exit codes the other black-box files do not reach (4 api,
// 5 rate limited, 7 data, 70 internal), each from the real binary with its one-line
// message; and requests counted on the simulator's side: --dry-run and a query that
// fails its checks inside orscript.all send nothing, while the same script without them
// does send (so the counter is shown to count).
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "sim/simulator.hpp"
#include "tests/support/local_sim.hpp"
#include "tests/support/process.hpp"

namespace ot = orscript::test;

namespace {

const std::string kNow = "2026-11-18T12:00:00Z";

std::string script(const std::string& name, const std::string& text) {
  static std::string dir = ot::temp_dir();
  std::string path = dir + "/" + name;
  ot::write_file(path, text);
  return path;
}

bool has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

// orscript --demo --now NOW <args...>, with a private schema cache.
ot::RunResult demo(const std::vector<std::string>& extra) {
  std::vector<std::string> args{"--demo", "--now", kNow};
  for (auto& a : extra) args.push_back(a);
  ot::RunOptions o;
  o.env["ORSCRIPT_CACHE_DIR"] = ot::temp_dir();
  return ot::orscript(args, o);
}

// A simulator in this process, so the test can count what reached it.
using CountingSim = ot::LocalSim;

const char* kQueryScript =
    "local t = orscript.query{metrics = {'total_usage'}, by = {'model'}, range = orscript.time.last_month()}:run()\n"
    "print(t == nil and 'no result' or t.meta.dry_run and 'dry run' or ('rows ' .. #t))\n";

}  // namespace

TEST_CASE("exit 4: an API error (404, not retried) names the status and request") {
  auto r = demo({"--fault", "analytics/query:status=404", "-e", "orscript.query{metrics = {'total_usage'}}:run()"});
  CHECK(r.exit_code == 4);
  CHECK(has(r.err, "HTTP 404"));
  CHECK(has(r.err, "POST /api/v1/analytics/query"));
  CHECK(r.out == "");
}

TEST_CASE("exit 4: a 500 that outlasts the retries") {
  auto r = demo({"--fault", "analytics/query:status=500", "-e", "orscript.query{metrics = {'total_usage'}}:run()"});
  CHECK(r.exit_code == 4);
  CHECK(has(r.err, "HTTP 500"));
  CHECK(has(r.err, "attempts"));
}

TEST_CASE("exit 5: 429 after every retry is 'rate limited'") {
  // Every answer is 429 with Retry-After: 1, so the client waits 1 s per retry, 5 retries.
  auto r = demo({"--fault", "key:status=429", "-e", "orscript.key()"});
  CHECK(r.exit_code == 5);
  CHECK(has(r.err, "HTTP 429"));
  CHECK(has(r.err, "GET /api/v1/key"));
}

TEST_CASE("exit 7: a sum over a truncated result is a data error naming the fix") {
  auto path = script("partial.lua",
                     "local t = orscript.query{metrics = {'total_usage'}, by = {'model'},\n"
                     "                         range = orscript.time.last_month(), limit = 2}:run()\n"
                     "print(#t, t.meta.truncated)\n"
                     "print(t:sum('total_usage'))\n");
  auto r = demo({path});
  CHECK(r.exit_code == 7);
  CHECK(r.out == "2\ttrue\n");
  CHECK(has(r.err, "partial.lua:4: result is truncated (row limit 2): the sum would be partial"));
  CHECK(has(r.err, "pass {partial=true}"));
}

TEST_CASE("exit 70: a C++ exception escaping a binding is an internal error with a traceback") {
  ot::RunOptions o;
  o.env.emplace("ORSCRIPT_TEST_HOOKS", "1");
  auto path = script("internal.lua", "local core = require 'orscript.core'\ncore._test_internal_error()\n");
  auto r = ot::orscript({path}, o);
  CHECK(r.exit_code == 70);
  CHECK(has(r.err, "internal error: deliberate internal error"));
  CHECK(has(r.err, "stack traceback:"));
  // Without the variable the hook does not exist: an ordinary script error, exit 1.
  auto plain = ot::orscript({path});
  CHECK(plain.exit_code == 1);
  CHECK(has(plain.err, "_test_internal_error"));
}

TEST_CASE("requests counted by the simulator: a plain run sends, --dry-run sends nothing") {
  CountingSim sim;
  auto path = script("q.lua", kQueryScript);
  auto real = sim.run({path});
  REQUIRE(real.exit_code == 0);
  CHECK(has(real.out, "rows "));
  const auto after_real = sim.server->requests_received();
  CHECK(after_real >= 1);  // the counter counts

  CountingSim dry;  // a fresh simulator and an empty cache
  auto r = dry.run({"--dry-run", path});
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "dry run"));  // a dry run returns an empty table marked dry_run
  CHECK(has(r.err + r.out, "analytics/query"));  // what would have been sent is shown
  CHECK(dry.server->requests_received() == 0);
}

TEST_CASE("requests counted by the simulator: a failed check in orscript.all sends nothing") {
  CountingSim sim;
  auto path = script("all.lua",
                     "local good = orscript.query{metrics = {'total_usage'}, range = orscript.time.last_month()}\n"
                     "local bad = orscript.query{metrics = {'total_usag'}}\n"
                     "local ok, err = pcall(orscript.all, {good, good, bad})\n"
                     "print(ok, err.kind)\n"
                     "print(#orscript.all{good, good})\n");
  auto r = sim.run({path});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "false\tusage\n2\n");
  // Only the second orscript.all sent (its two queries, plus the catalogue if checked
  // against it): compare with the same two queries alone.
  CountingSim alone;
  auto path2 = script("all2.lua",
                      "local good = orscript.query{metrics = {'total_usage'}, range = orscript.time.last_month()}\n"
                      "print(#orscript.all{good, good})\n");
  REQUIRE(alone.run({path2}).exit_code == 0);
  CHECK(sim.server->requests_received() == alone.server->requests_received());
}
