// Start-up time: median wall time of `orscript -e ''` over many runs.
// Usage: bench_startup [runs]   (default 200)
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

extern char** environ;

int main(int argc, char** argv) {
  int runs = argc > 1 ? std::atoi(argv[1]) : 200;
  const char* bin = ORSCRIPT_BIN;
  std::vector<double> ms;
  for (int i = 0; i < runs + 5; ++i) {
    char* args[] = {const_cast<char*>(bin), const_cast<char*>("-e"), const_cast<char*>(""), nullptr};
    auto t0 = std::chrono::steady_clock::now();
    pid_t pid;
    if (posix_spawn(&pid, bin, nullptr, nullptr, args, environ) != 0) {
      std::perror("posix_spawn");
      return 1;
    }
    int st;
    waitpid(pid, &st, 0);
    auto t1 = std::chrono::steady_clock::now();
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
      std::fprintf(stderr, "orscript -e '' failed\n");
      return 1;
    }
    if (i >= 5) ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());  // 5 warm-up runs
  }
  std::sort(ms.begin(), ms.end());
  std::printf("orscript -e '': runs %d, median %.2f ms, p10 %.2f ms, p90 %.2f ms\n", runs, ms[ms.size() / 2],
              ms[ms.size() / 10], ms[ms.size() * 9 / 10]);
  return 0;
}
