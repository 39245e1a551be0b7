// bench_client: 20 independent analytics queries against the simulator with 100 ms of
// injected server latency. They run concurrently on the client's one io_context, so the
// wall time should stay under 2.5 x 100 ms. Prints one line per round and a summary.
//
// Round 0 is "cold": the simulator computes each of the 20 different queries for the first
// time (~140 ms of its own CPU on 2 cores, shared with the client), so it measures the
// simulator as much as the client; it is reported but not counted. The timed rounds hit
// the simulator's result cache, so what remains is the 100 ms latency plus the client's
// cost of running 20 requests at once. Simulator rate limits are off (4 x 20 > 64/min);
// the client's own limiter stays on (each round is a fresh client, 20 < 64).
//
//   build-net/bench/bench_client [rounds]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <boost/json.hpp>

#include "host/core/error.hpp"
#include "host/net/api_client.hpp"
#include "sim/simulator.hpp"

using namespace orscript;
namespace json = boost::json;

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  const int queries = 20;
  try {
    sim::Options so;
    so.faults = {"analytics/query:latency=100ms"};
    so.rate_limits = false;
    auto server = sim::Server::start(so);
    std::vector<double> walls;
    for (int round = 0; round <= rounds; ++round) {
      net::ClientOptions o;
      o.base_url = server->base_url();
      o.api_key = Secret(server->management_key());
      net::ApiClient client(o);  // fresh client: cold connections every round
      const char* metrics[] = {"total_usage", "request_count", "tokens_total", "cache_hit_rate"};
      const char* dims[] = {"model", "api_key_id", "app", "workspace", "user"};
      auto t0 = std::chrono::steady_clock::now();
      std::vector<net::ApiClient::Ticket> tickets;
      for (int i = 0; i < queries; ++i)
        tickets.push_back(client.analytics_query(
            {{"metrics", json::array{metrics[i % 4]}}, {"dimensions", json::array{dims[i % 5]}}}));
      auto results = client.wait_all(tickets);
      double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      if (round > 0) walls.push_back(ms);
      auto s = client.stats();
      std::printf("round %d%s: %d queries in %.1f ms wall (%zu connections, %zu requests, %zu retries)\n", round, round == 0 ? " (cold simulator, not counted)" : "",
                  queries, ms, s.connections_opened, s.requests_sent, s.retries);
    }
    std::sort(walls.begin(), walls.end());
    std::printf("client: %d concurrent analytics queries, 100 ms injected latency: best %.1f ms, median %.1f ms, "
                "worst %.1f ms (target < 250 ms)\n",
                queries, walls.front(), walls[walls.size() / 2], walls.back());
    return walls[walls.size() / 2] < 250 ? 0 : 1;
  } catch (const Error& e) {
    std::fprintf(stderr, "bench_client: %s\n", e.describe().c_str());
    return 1;
  }
}
