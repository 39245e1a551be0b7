// bench_code_scan: orscript.code.find's scanner (host/core/code_scan) on a generated tree of
// source files, cold and warm, in a git work tree and walked. See bench/README.md ("Code scan").
//
//   bench_code_scan [files] [runs]      (default 20000 files, 5 warm runs)
//
// The tree is written to a fresh temporary folder: `files` source files in eight languages
// (about 2.5 KB each, 40 lines), spread over 400 folders, one in 50 naming a flagged model or
// key, plus 2,000 files under node_modules/ and vendor/ (skipped) and a .gitignore. 20
// needles (8 models and slugs, 4 keys and 4 of their variable names, 4 app names and origins).
// Cold: every file's pages evicted first (sync, then posix_fadvise DONTNEED); the kernel's
// directory and inode caches stay warm (dropping those needs root). Warm: the median of `runs`.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "host/core/code_scan.hpp"

namespace fs = std::filesystem;
namespace code = orscript::code;
using Clock = std::chrono::steady_clock;

namespace {

const char* kExt[] = {"py", "ts", "go", "java", "rb", "yaml", "json", "tf"};

std::string body(int i, bool flagged) {
  std::string s;
  s.reserve(2600);
  for (int l = 0; l < 40; ++l) {
    if (flagged && l == 20) {
      s += (i % 2) ? "model = \"openai/gpt-4.5-preview\"\n" : "key_name = \"batch-pipeline\"\n";
      continue;
    }
    if (l % 9 == 0) s += "# a comment about anthropic/claude-sonnet-4 and its cost, not a model line\n";
    else
      s += "value_" + std::to_string(l) + " = compute(\"service-" + std::to_string(i % 97) +
           "\", options, retries=3, timeout=30)  # line\n";
  }
  return s;
}

void evict(const fs::path& root) {
  ::sync();
  for (auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    int fd = ::open(e.path().c_str(), O_RDONLY);
    if (fd >= 0) {
      posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
      ::close(fd);
    }
  }
}

// Wall ms of one scan; adds the process CPU ms (all threads, user + system) to *cpu.
double ms_of(const code::ScanOptions& o, code::ScanResult* out = nullptr, double* cpu = nullptr) {
  auto t0 = Clock::now();
  std::clock_t c0 = std::clock();
  auto r = code::scan(o);
  double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  if (cpu) *cpu += 1000.0 * static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  if (out) *out = std::move(r);
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  int files = argc > 1 ? std::atoi(argv[1]) : 20000;
  int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  std::string tmpl = (fs::temp_directory_path() / "orscript-bench-code-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) return 1;
  fs::path root = tmpl;
  std::uintmax_t bytes = 0;
  for (int i = 0; i < files; ++i) {
    fs::path dir = root / ("svc" + std::to_string(i % 40)) / ("mod" + std::to_string(i % 10));
    fs::create_directories(dir);
    std::string text = body(i, i % 50 == 0);
    bytes += text.size();
    std::ofstream(dir / ("f" + std::to_string(i) + "." + kExt[i % 8])) << text;
  }
  for (int i = 0; i < 2000; ++i) {
    fs::path dir = root / (i % 2 ? "node_modules" : "vendor") / ("pkg" + std::to_string(i % 50));
    fs::create_directories(dir);
    std::ofstream(dir / ("index" + std::to_string(i) + ".js")) << body(i, true);
  }
  std::ofstream(root / ".gitignore") << "*.log\n";
  bool git = std::system(("git init -q '" + root.string() + "' 2>/dev/null").c_str()) == 0;

  code::ScanOptions o;
  o.dirs = {root.string()};
  for (const char* m : {"openai/gpt-4.5-preview-2025-02-27", "openai/gpt-4.5-preview", "anthropic/claude-sonnet-4.5",
                        "deepseek/deepseek-r1-0528", "google/gemini-2.5-flash", "openai/gpt-4.1",
                        "openai/gpt-4.1-2025-04-14", "meta-llama/llama-3.3-70b-instruct"})
    o.needles.push_back({m, "model"});
  for (const char* k : {"batch-pipeline", "sales-copilot", "support-bot-prod", "coding-agent", "BATCH_PIPELINE_KEY",
                        "SALES_COPILOT_KEY", "OPENROUTER_BATCH_PIPELINE_KEY", "OPENROUTER_SALES_COPILOT_KEY"})
    o.needles.push_back({k, "key"});
  for (const char* a : {"Acme Research", "Docs Portal", "https://docs.acme.example", "https://research.acme.example"})
    o.needles.push_back({a, "app"});

  std::printf("tree: %d source files (%.1f MB) + 2000 in node_modules/vendor, %zu needles, git %s\n", files,
              static_cast<double>(bytes) / 1e6, o.needles.size(), git ? "yes" : "no");
  for (bool use_git : {true, false}) {
    if (use_git && !git) continue;
    o.use_git = use_git;
    evict(root);
    code::ScanResult r;
    double cold_cpu = 0, warm_cpu = 0;
    double cold = ms_of(o, &r, &cold_cpu);
    std::vector<double> warm;
    for (int k = 0; k < runs; ++k) warm.push_back(ms_of(o, nullptr, &warm_cpu));
    std::sort(warm.begin(), warm.end());
    std::printf("%-5s cold %7.1f ms (cpu %.0f)   warm median %7.1f ms (min %.1f, max %.1f; cpu mean %.0f ms)   "
                "%zu files read, %zu matches\n",
                use_git ? "git" : "walk", cold, cold_cpu, warm[warm.size() / 2], warm.front(), warm.back(),
                warm_cpu / runs, r.files, r.matches.size());
  }
  fs::remove_all(root);
  return 0;
}
