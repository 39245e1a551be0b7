// local_sim.hpp: a simulator inside the test process, for black-box tests that run the real
// binary against it as against a real account.
//
// Owns: starting the simulator at the suite's fixed "now" (2026-11-18T12:00:00Z) and running
// orscript with --base-url, the management key in the environment and a cache private to
// this simulator. Several processes then share one account (a change made by one is read by
// the next) and the test can count what reached the server. Header-only: only black-box
// tests, which link the simulator, include it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sim/simulator.hpp"
#include "tests/support/process.hpp"

namespace orscript::test {

struct LocalSim {
  std::unique_ptr<orscript::sim::Server> server;
  std::string cache = temp_dir();

  explicit LocalSim(bool rate_limits = true) {
    orscript::sim::Options o;
    o.now_ms = 1795003200000;  // 2026-11-18T12:00:00Z
    o.rate_limits = rate_limits;
    server = orscript::sim::Server::start(o);
  }
  // clean_options() with the management key and this simulator's cache.
  RunOptions options() const {
    RunOptions o = clean_options();
    o.env["OPENROUTER_API_KEY"] = server->management_key();
    o.env["ORSCRIPT_CACHE_DIR"] = cache;
    return o;
  }
  // orscript --base-url URL --now 2026-11-18T12:00:00Z <extra...>
  RunResult run(const std::vector<std::string>& extra) const {
    std::vector<std::string> args{"--base-url", server->base_url(), "--now", "2026-11-18T12:00:00Z"};
    for (auto& a : extra) args.push_back(a);
    return orscript(args, options());
  }
};

}  // namespace orscript::test
