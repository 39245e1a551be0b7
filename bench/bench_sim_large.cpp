// bench_sim_large.cpp: how fast and how lean the simulator generates a large account.
//
// Builds a synthetic scenario in code (K keys, M models, R requests a day spread over
// two streams per key, some BYOK, cache, web search, file and fetch traffic, a few
// change points) and times `generate` at the Lua tests' clock (2026-11-18T12:00:00Z):
// wall time (median of runs), CPU time, peak resident memory of this process (the first
// generation is done before anything else, so the peak is the generator's), events held.
// Usage: bench_sim_large [keys] [models] [requests_per_day] [runs]
//   defaults 300 50 50000 5; the earlier case is `bench_sim_large 150 40 44500`.
// `bench_sim_large --digest SCENARIO` prints a digest of every value the store serves
// (each summable column, dimension and time of every event and rollup row) for a shipped
// scenario or a file at seed 1: a layout change must leave it unchanged.
#include "sim/generator.hpp"

#include <sys/resource.h>
#include <ctime>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
namespace sim = orscript::sim;

sim::Scenario make_scenario(int keys, int models, double requests_per_day) {
  sim::Scenario sc;
  sc.name = "bench-large";
  sc.org_name = "Bench Org";
  sc.countries = {{"US", 4}, {"GB", 1}, {"DE", 1}, {"IN", 1}};
  sc.finish_reasons = {{"stop", 0.9}, {"tool_calls", 0.06}, {"length", 0.03}, {"error", 0.01}};
  sc.workspaces = {{"3c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f", "Default", true},
                   {"4c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f", "Research", false}};
  for (int a = 0; a < 8; ++a) sc.apps.push_back({1000 + a, "App " + std::to_string(a), "https://app" + std::to_string(a) + ".example"});
  for (int k = 0; k < keys; ++k) {
    sim::Key key;
    key.id = k + 1;
    key.name = "key-" + std::to_string(k + 1);
    key.hash = std::string(64, "0123456789abcdef"[k % 16]);
    key.label = "sk-or-v1-abc...xyz";
    key.workspace = k % 2;
    key.created = "2025-01-01";
    sc.keys.push_back(key);
  }
  for (int m = 0; m < models; ++m) {
    sim::Model mdl;
    mdl.slug = mdl.permaslug = "vendor" + std::to_string(m % 7) + "/model-" + std::to_string(m);
    const double p = 0.1 * (1 + m % 10) * (m % 9 == 0 ? 20 : 1);
    mdl.prices = {p, 4 * p, p / 10, p * 1.25, 4 * p};
    mdl.native_web_search = m % 11 == 3;
    mdl.providers = {{"Provider" + std::to_string(m % 5), 3, 700, 80}, {"Provider" + std::to_string((m + 2) % 5), 1, 900, 60}};
    sc.models.push_back(mdl);
  }
  const int streams = 2 * keys;
  for (int i = 0; i < streams; ++i) {
    sim::Stream st;
    st.key = i / 2;
    st.model = (i * 7) % models;
    st.app = i % 3 == 0 ? (i / 3) % 8 : -1;
    st.requests_per_day = requests_per_day / streams * (0.5 + (i % 5) * 0.25);
    st.hourly.fill(1.0);
    for (int h = 13; h <= 22; ++h) st.hourly[h] = 3.0;
    st.prompt_tokens = {2000.0 + 500 * (i % 13), 0.6};
    st.completion_tokens = {400.0 + 50 * (i % 7), 0.6};
    st.reasoning_share = i % 17 == 0 ? 0.4 : 0;
    st.cache_hit_rate = i % 4 == 0 ? 0.3 : 0;
    st.cache_write_share = i % 8 == 0 ? 0.2 : 0;
    st.web_search_rate = i % 10 == 0 ? 0.2 : 0;
    st.file_rate = i % 23 == 0 ? 0.1 : 0;
    st.web_fetch_rate = i % 19 == 0 ? 0.1 : 0;
    st.byok_share = i % 9 == 0 ? 0.5 : 0;
    st.external_users = i % 6 == 0 ? 50 : 0;
    if (i % 37 == 0) st.changes.push_back({20.0, std::nullopt, (i * 3) % models, 1.0});
    sc.streams.push_back(st);
  }
  return sc;
}

double cpu_ms() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

std::uint64_t digest(const sim::Store& s) {
  std::uint64_t h = 1469598103934665603ULL;
  auto add = [&](double v) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    if (v == 0) bits = 0;  // -0.0 and 0.0 sum alike
    h = (h ^ bits) * 1099511628211ULL;
  };
  for (std::size_t i = 0; i < s.events.size(); ++i) {
    add(static_cast<double>(s.events.time_ms[i]));
    for (int c = 0; c < static_cast<int>(sim::Col::kCount); ++c) add(s.event_value(static_cast<sim::Col>(c), i));
    for (int d = 0; d < static_cast<int>(sim::Dim::kCount); ++d) add(s.event_dim(static_cast<sim::Dim>(d), i));
  }
  for (std::size_t i = 0; i < s.rollups.size(); ++i) {
    add(static_cast<double>(s.rollups.hour_ms[i]));
    for (int c = 0; c < static_cast<int>(sim::Col::kCount); ++c) add(s.rollup_value(static_cast<sim::Col>(c), i));
    for (int d = 0; d < static_cast<int>(sim::Dim::kCount); ++d) add(s.rollup_dim(static_cast<sim::Dim>(d), i));
  }
  return h;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--digest") {
    auto store = sim::generate(sim::load_scenario(argv[2]), 1, 1795003200000LL);
    std::printf("%s: %zu events, %zu rollup rows, digest %016llx\n", argv[2], store->events.size(), store->rollups.size(),
                static_cast<unsigned long long>(digest(*store)));
    return 0;
  }
  const int keys = argc > 1 ? std::atoi(argv[1]) : 300;
  const int models = argc > 2 ? std::atoi(argv[2]) : 50;
  const double rpd = argc > 3 ? std::atof(argv[3]) : 50000;
  const int runs = argc > 4 ? std::max(1, std::atoi(argv[4])) : 5;
  if (keys < 1 || models < 1 || rpd <= 0) {
    std::fprintf(stderr, "usage: bench_sim_large [keys] [models] [requests_per_day] [runs]\n");
    return 64;
  }
  const auto scenario = make_scenario(keys, models, rpd);
  std::vector<double> wall, cpu;
  std::size_t events = 0, rollups = 0;
  long peak_kb = 0;
  for (int r = 0; r < runs; ++r) {
    const auto t0 = Clock::now();
    const double c0 = cpu_ms();
    auto store = sim::generate(scenario, 1, 1795003200000LL);
    cpu.push_back(cpu_ms() - c0);
    wall.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    events = store->events.size();
    rollups = store->rollups.size();
    if (r == 0) {
      rusage u;
      getrusage(RUSAGE_SELF, &u);
      peak_kb = u.ru_maxrss;
    }
  }
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  std::printf("%d keys, %d models, %.0f requests/day, %zu streams\n", keys, models, rpd, scenario.streams.size());
  std::printf("events held: %zu, rollup rows: %zu\n", events, rollups);
  std::printf("generate: %.0f ms wall (median of %d, best %.0f), %.0f ms CPU (median)\n", wall[wall.size() / 2], runs,
              wall.front(), cpu[cpu.size() / 2]);
  std::printf("peak resident memory after the first generation: %.0f MB\n", peak_kb / 1024.0);
  return 0;
}
