// Start-up time: median wall time of `orscript -e ''` against bare `luajit -e ''`, measured
// side by side (runs interleaved, so both see the same machine load), and their ratio.
// Usage: bench_startup [runs] [orscript]   (default 200 runs and the build's binary;
//        LUAJIT=/path/to/luajit, else luajit on PATH)
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

extern char** environ;

namespace {

// Wall time of one `bin -e ''` in milliseconds, or a negative number if it failed.
double run_once(const char* bin) {
  char* args[] = {const_cast<char*>(bin), const_cast<char*>("-e"), const_cast<char*>(""), nullptr};
  auto t0 = std::chrono::steady_clock::now();
  pid_t pid;
  if (posix_spawn(&pid, bin, nullptr, nullptr, args, environ) != 0) return -1;
  int st;
  waitpid(pid, &st, 0);
  auto t1 = std::chrono::steady_clock::now();
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) return -1;
  return std::chrono::duration<double, std::milli>(t1 - t0).count();
}

// The luajit interpreter: $LUAJIT, else the first luajit on PATH; empty if none.
std::string find_luajit() {
  if (const char* env = std::getenv("LUAJIT"); env && *env) return env;
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "/usr/bin";
  for (size_t start = 0; start <= p.size();) {
    size_t end = p.find(':', start);
    if (end == std::string::npos) end = p.size();
    std::string candidate = p.substr(start, end - start) + "/luajit";
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

struct Stats {
  double median, p10, p90;
};

Stats stats(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[ms.size() / 10], ms[ms.size() * 9 / 10]};
}

}  // namespace

int main(int argc, char** argv) {
  int runs = argc > 1 ? std::atoi(argv[1]) : 200;
  if (runs < 10) runs = 10;
  const char* bin = argc > 2 ? argv[2] : ORSCRIPT_BIN;
  const std::string luajit = find_luajit();
  if (luajit.empty()) std::fprintf(stderr, "bench_startup: no luajit on PATH (apt-get install luajit); orscript only\n");
  std::vector<double> ours, bare;
  for (int i = 0; i < runs + 5; ++i) {  // 5 warm-up rounds, not counted
    double a = run_once(bin);
    if (a < 0) {
      std::fprintf(stderr, "bench_startup: %s -e '' failed\n", bin);
      return 1;
    }
    double b = luajit.empty() ? 0 : run_once(luajit.c_str());
    if (b < 0) {
      std::fprintf(stderr, "bench_startup: %s -e '' failed\n", luajit.c_str());
      return 1;
    }
    if (i >= 5) {
      ours.push_back(a);
      bare.push_back(b);
    }
  }
  Stats o = stats(ours);
  std::printf("orscript -e '': runs %d, median %.2f ms, p10 %.2f ms, p90 %.2f ms\n", runs, o.median, o.p10, o.p90);
  if (!luajit.empty()) {
    Stats l = stats(bare);
    std::printf("luajit -e '':   runs %d, median %.2f ms, p10 %.2f ms, p90 %.2f ms\n", runs, l.median, l.p10, l.p90);
    std::printf("ratio (median): %.2f x\n", o.median / l.median);
  }
  return 0;
}
