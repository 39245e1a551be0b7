// process.hpp: run the real orscript binary (or any program) for black-box tests.
//
// Owns: spawning a child with arguments, environment, stdin text and a working
// directory, collecting stdout, stderr and the exit status, with a hard time limit so a
// hung child fails the test instead of hanging CTest. Also a pseudo-terminal session
// for driving the REPL.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace orscript::test {

struct RunResult {
  int exit_code = -1;     // the exit status, or 128+signal
  std::string out, err;
  bool timed_out = false;
};

struct RunOptions {
  std::string stdin_text;
  bool close_stdin = true;                       // stdin is a pipe fed stdin_text
  std::map<std::string, std::string> env;        // added/overridden variables
  std::vector<std::string> unset_env;            // removed variables
  std::string cwd;                               // default: the source tree
  std::chrono::seconds limit{60};
};

// Runs `argv` (argv[0] is looked up as a path, not on PATH). Never throws on a
// failing child; throws std::runtime_error if it cannot be started.
RunResult run(const std::vector<std::string>& argv, const RunOptions& opts = {});

// Runs the orscript under test with `args`.
RunResult orscript(const std::vector<std::string>& args, const RunOptions& opts = {});

std::string source_dir();
std::string binary_path();
// A fresh private temporary directory, removed at process exit.
std::string temp_dir();
// Options for a run of the binary as a test wants it: no colour, one cache directory private
// to this test process, nothing from the user's environment that changes output (key, base
// URL, init file, pager, COLUMNS), and a 120 s limit.
RunOptions clean_options();
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& text);

// A child on a pseudo-terminal, for the REPL tests.
class Pty {
 public:
  Pty(const std::vector<std::string>& argv, const RunOptions& opts = {});
  ~Pty();
  void send(const std::string& bytes);
  // Reads until `needle` appears in the output since the last expect (returns the text
  // read up to and including it) or the limit passes (throws std::runtime_error with
  // what was read).
  std::string expect(const std::string& needle, std::chrono::seconds limit = std::chrono::seconds{20});
  // Waits for exit; returns the exit code (or 128+signal).
  int wait(std::chrono::seconds limit = std::chrono::seconds{20});
  const std::string& transcript() const { return all_; }

 private:
  int fd_ = -1;
  int pid_ = -1;
  std::string pending_, all_;
};

}  // namespace orscript::test
