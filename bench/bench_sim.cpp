// bench_sim: simulator start-up and query latency (numbers go to bench/README.md, "Simulator").
//
// Measures, on the demo scenario with the Lua tests' fixed clock:
//   1. start-up (scenario load + generation + HTTP server), median of N runs;
//   2. a 31-day generation-level query (provider dimension, daily granularity), median,
//      both inside the engine (metadata.query_time_ms) and as an HTTP round trip;
//   3. the same with the generation_id dimension (limit 10000);
//   4. 20 concurrent requests with 100 ms injected latency: total wall time.
// Usage: bench_sim [runs]
#include "sim/generator.hpp"
#include "sim/query_engine.hpp"
#include "sim/simulator.hpp"
#include "tests/unit/sim/raw_http.hpp"

#include <ctime>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

double thread_cpu_ms() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

orscript::sim::Options demo_options() {
  orscript::sim::Options o;
  o.now_ms = 1795003200000LL;  // 2026-11-18T12:00:00Z
  o.rate_limits = false;
  return o;
}

struct Timing {
  double engine_ms, round_trip_ms;
  std::size_t rows;
};

// Runs `body` `runs` times with a distinct limit each time (so the result cache never answers).
Timing measure_query(orscript::sim::Server& s, const std::string& body_prefix, int runs, int base_limit) {
  std::vector<double> engine, trip;
  std::size_t rows = 0;
  rawhttp::Conn c(s.port());
  for (int i = 0; i < runs; ++i) {
    const std::string body = body_prefix + ",\"limit\":" + std::to_string(base_limit - i) + "}";
    const auto t0 = Clock::now();
    auto r = c.request("POST", "/api/v1/analytics/query", rawhttp::bearer(s.management_key()), body);
    trip.push_back(ms_since(t0));
    if (r.status != 200) {
      std::fprintf(stderr, "query failed: %d %s\n", r.status, r.body.c_str());
      std::exit(1);
    }
    auto v = boost::json::parse(r.body);
    engine.push_back(v.at("data").at("metadata").at("query_time_ms").to_number<double>());
    rows = v.at("data").at("data").as_array().size();
  }
  return {median(engine), median(trip), rows};
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 7;

  std::vector<double> startups;
  std::size_t events = 0;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = Clock::now();
    auto s = orscript::sim::Server::start(demo_options());
    startups.push_back(ms_since(t0));
    events = s->generation_events();
  }
  std::printf("demo start-up (generation + server), median of %d: %.1f ms\n", runs, median(startups));
  std::printf("generation events held: %zu\n", events);

  auto s = orscript::sim::Server::start(demo_options());
  const std::string range = R"("time_range":{"start":"2026-10-18T00:00:00Z","end":"2026-11-18T00:00:00Z"})";
  auto provider = measure_query(*s, R"({"metrics":["total_usage","request_count","p90_latency","avg_throughput"],"dimensions":["provider"],"granularity":"day",)" + range, runs * 2, 10000);
  std::printf("31-day provider x day query (%zu rows): engine %.1f ms, HTTP round trip %.1f ms (median)\n",
              provider.rows, provider.engine_ms, provider.round_trip_ms);
  auto gen = measure_query(*s, R"({"metrics":["total_usage","tokens_total"],"dimensions":["generation_id"],"granularity":"day",)" + range, runs * 2, 10000);
  std::printf("31-day generation_id x day query (%zu rows, truncated): engine %.1f ms, HTTP round trip %.1f ms (median)\n",
              gen.rows, gen.engine_ms, gen.round_trip_ms);
  auto mv = measure_query(*s, R"({"metrics":["total_usage","tokens_total","cache_hit_rate"],"dimensions":["model"],"time_range":{"start":"2025-11-18T12:00:00Z","end":"2026-11-18T12:00:00Z"})", runs * 2, 10000);
  std::printf("365-day model query (%zu rows): engine %.1f ms, HTTP round trip %.1f ms (median)\n", mv.rows, mv.engine_ms,
              mv.round_trip_ms);

  // The engine alone, in this thread: CPU time is robust against other load on the machine.
  {
    auto store = orscript::sim::generate(orscript::sim::load_scenario("demo"), 1, 1795003200000LL);
    const char* bodies[] = {
        R"({"metrics":["total_usage","request_count","p90_latency","avg_throughput"],"dimensions":["provider"],"granularity":"day","time_range":{"start":"2026-10-18T00:00:00Z","end":"2026-11-18T00:00:00Z"}})",
        R"({"metrics":["total_usage","tokens_total"],"dimensions":["generation_id"],"granularity":"day","limit":10000,"time_range":{"start":"2026-10-18T00:00:00Z","end":"2026-11-18T00:00:00Z"}})"};
    const char* names[] = {"provider x day", "generation_id x day"};
    for (int q = 0; q < 2; ++q) {
      const auto body = boost::json::parse(bodies[q]);
      std::vector<double> cpu;
      for (int i = 0; i < runs * 2; ++i) {
        const double c0 = thread_cpu_ms();
        auto out = orscript::sim::query(*store, body);
        cpu.push_back(thread_cpu_ms() - c0);
      }
      std::printf("engine only, 31-day %s: %.1f ms CPU (median)\n", names[q], median(cpu));
    }
    std::vector<double> gen_cpu;
    for (int i = 0; i < runs; ++i) {
      timespec t0, t1;
      clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
      auto st = orscript::sim::generate(orscript::sim::load_scenario("demo"), 1, 1795003200000LL);
      clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
      gen_cpu.push_back((t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
    }
    std::printf("demo generation: %.1f ms CPU over both threads (median)\n", median(gen_cpu));
  }

  auto o = demo_options();
  o.faults = {"analytics/query:latency=100ms"};
  auto slow = orscript::sim::Server::start(o);
  const auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int i = 0; i < 20; ++i)
    threads.emplace_back([&, i] {
      rawhttp::Conn c(slow->port());
      c.request("POST", "/api/v1/analytics/query", rawhttp::bearer(slow->management_key()),
                R"({"metrics":["request_count"],"limit":)" + std::to_string(i + 1) + "}");
    });
  for (auto& t : threads) t.join();
  std::printf("20 concurrent requests with 100 ms injected latency: %.1f ms wall\n", ms_since(t0));
  return 0;
}
