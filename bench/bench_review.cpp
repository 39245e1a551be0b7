// Cost review under latency: runs `orscript --demo --fault '*:latency=100ms' --verbose
// recipes/cost_review.lua` and reports its wall time against 4 round trips (400 ms)
// and the number of requests it sent (the --verbose request lines on stderr).
//
// The review's own time is what it reports on stderr under --verbose (from before the
// catalogue fetch to the finished report data, measured inside the script); the
// process wall time adds start-up and generating the simulated data. The acceptance
// bar: under 4 × latency, at most 15 requests. That is the review with --samples 0; the
// same runs with --samples 5 (the default) show what the requests behind the findings
// cost on top (issue 14): requests, the samples' own time (the `review_samples: ... ms`
// line) and the process wall time, with and without.
//
// Usage: bench_review [runs] [latency_ms]   (defaults 5 and 100)
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

struct Run {
  double wall_ms = 0;
  std::string err;
  int status = -1;
};

// Runs orscript with `args` (a shell-quoted string) from the source tree with `env`
// prefixed; captures stderr (stdout discarded) and the wall time.
Run run(const std::string& env, const std::string& args) {
  std::string cmd = std::string("cd '") + ORSCRIPT_SRC + "' && " + env + " '" + ORSCRIPT_BIN + "' " + args +
                    " 2>&1 >/dev/null";
  Run r;
  auto t0 = std::chrono::steady_clock::now();
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.err.append(buf, n);
  r.status = ::pclose(p);
  r.wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

int count_requests(const std::string& err) {
  int n = 0;
  size_t pos = 0;
  while ((pos = err.find("orscript: ", pos)) != std::string::npos) {
    size_t end = err.find('\n', pos);
    std::string line = err.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (line.find(" -> ") != std::string::npos && line.find("(attempt") != std::string::npos) ++n;
    pos = end == std::string::npos ? err.size() : end;
  }
  return n;
}

// "cost_review: 11 requests, 3 phases (6 + 2 queries after the catalogue), 312 ms"
double reported_ms(const std::string& err, int* phases) {
  size_t pos = err.find("cost_review: ");
  if (pos == std::string::npos) return -1;
  std::string line = err.substr(pos, err.find('\n', pos) - pos);
  size_t ph = line.find(" phases");
  if (phases && ph != std::string::npos) {
    size_t start = line.rfind(' ', ph - 1);
    *phases = std::atoi(line.c_str() + start + 1);
  }
  size_t ms = line.rfind(" ms");
  size_t comma = line.rfind(", ", ms);
  return std::atof(line.c_str() + comma + 2);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// "review_samples: 16 requests for 2 findings (10 generations fetched, 0 failed), 295 ms"
double samples_ms(const std::string& err) {
  size_t pos = err.find("review_samples: ");
  if (pos == std::string::npos) return 0;
  std::string line = err.substr(pos, err.find('\n', pos) - pos);
  size_t ms = line.rfind(" ms");
  size_t comma = line.rfind(", ", ms);
  return std::atof(line.c_str() + comma + 2);
}

struct Series {
  std::vector<double> wall, own, samples;
  int requests = -1, phases = -1;
};

// `runs` reviews with `env` (plus NO_COLOR and a private cache directory whose cached
// catalogue is removed before each run, so the catalogue is fetched every time).
bool measure(Series& out, const std::string& extra_env, const std::string& flags, int runs,
             const std::string& script_args = "") {
  const std::string cache = "/tmp/orscript-bench-review-" + std::to_string(::getpid());
  std::system(("mkdir -p '" + cache + "'").c_str());
  const std::string env = "NO_COLOR=1 ORSCRIPT_CACHE_DIR='" + cache + "' " + extra_env;
  for (int i = 0; i < runs; ++i) {
    std::system(("rm -f '" + cache + "'/meta-*.json").c_str());
    Run r = run(env, flags + " recipes/cost_review.lua" + script_args);
    if (r.status != 0) {
      std::fprintf(stderr, "cost review failed (status %d):\n%s\n", r.status, r.err.c_str());
      return false;
    }
    out.wall.push_back(r.wall_ms);
    out.own.push_back(reported_ms(r.err, &out.phases));
    out.samples.push_back(samples_ms(r.err));
    out.requests = count_requests(r.err);
  }
  std::system(("rm -rf '" + cache + "'").c_str());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = argc > 1 ? std::atoi(argv[1]) : 5;
  int latency = argc > 2 ? std::atoi(argv[2]) : 100;
  const std::string flags =
      "--demo --now 2026-11-18T12:00:00Z --fault '*:latency=" + std::to_string(latency) + "ms' --verbose";
  const double budget = 4.0 * latency;
  Series plain, sampled;
  if (!measure(plain, "", flags, runs, " --samples 0")) return 1;
  if (!measure(sampled, "", flags, runs, " --samples 5")) return 1;
  std::printf("cost review, %d ms injected latency on every endpoint, %d runs (medians):\n", latency, runs);
  std::printf("  requests sent:             %d (limit 15), in %d sequential phases\n", plain.requests,
              plain.phases);
  std::printf("  review time (in-script):   %.0f ms  vs 4 round trips = %.0f ms  -> %s\n", median(plain.own),
              budget, median(plain.own) < budget ? "under" : "OVER");
  std::printf("  process wall time:         %.0f ms (includes start-up and generating the simulated data)\n",
              median(plain.wall));
  std::printf("with --samples 5 (the default; above is --samples 0):\n");
  std::printf("  requests sent:             %d (+%d)\n", sampled.requests, sampled.requests - plain.requests);
  std::printf("  review time (in-script):   %.0f ms, then the samples %.0f ms\n", median(sampled.own),
              median(sampled.samples));
  std::printf("  process wall time:         %.0f ms (+%.0f ms)\n", median(sampled.wall),
              median(sampled.wall) - median(plain.wall));
  return median(plain.own) < budget && plain.requests <= 15 ? 0 : 2;
}
