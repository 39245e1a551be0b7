// repl.cpp: the loop. Reads a chunk (continuing while it is incomplete), runs dot
// commands, has the bridge compile it (expression first, statement second: PUC Lua's
// lua.c) and run it, prints the results and keeps going after errors and Ctrl-C.
#include "host/app/repl.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "bindings/host_context.hpp"
#include "bindings/runtime.hpp"
#include "host/app/repl_session.hpp"
#include "host/core/interrupt.hpp"
#include "orscript_build_config.hpp"

namespace orscript {
namespace repl {

Session::Session(Runtime& r, bool t) : rt(r), bridge(r), tty(t) {}

Session::~Session() {
  if (out != stdout) std::fclose(out);
}

bool Session::set_output(const std::string& path, bool once) {
  std::FILE* f = stdout;
  if (!path.empty()) {
    f = std::fopen(path.c_str(), "w");
    if (!f) {
      std::fprintf(stderr, "cannot open '%s' for writing: %s\n", path.c_str(), std::strerror(errno));
      return false;
    }
  }
  if (out != stdout) std::fclose(out);
  out = f;
  out_path = path;
  out_once = once && !path.empty();
  return true;
}

void Session::end_command() {
  if (out != stdout) std::fflush(out);
  if (out_once) set_output("", false);
}

std::string_view mode_name(Mode m) {
  switch (m) {
    case Mode::table: return "table";
    case Mode::csv: return "csv";
    case Mode::json: return "json";
    case Mode::markdown: return "markdown";
    case Mode::box: return "box";
    case Mode::line: return "line";
  }
  return "table";
}

}  // namespace repl

namespace {

using repl::ReadStatus;
using repl::Session;

bool blank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

bool starts_with_local(const std::string& s) {
  auto i = s.find_first_not_of(" \t");
  if (i == std::string::npos || s.compare(i, 5, "local") != 0) return false;
  char next = i + 5 < s.size() ? s[i + 5] : ' ';
  return next == ' ' || next == '\t' || next == '\n';
}

enum class Loaded { ok, error, abandoned };

// Compiles the chunk that starts with `first`, reading continuation lines while it is
// incomplete. On `ok` the bridge holds the chunk; on `error` its syntax error.
// `source` receives the text as typed (for the history).
Loaded load_chunk(Session& s, const std::string& first, const std::string& prompt2, std::string& source) {
  source = first;
  // "=expr" is "return expr" (lua 5.1's form); it never needs the expression attempt.
  bool forced = !first.empty() && first[0] == '=';
  std::string code = forced ? first.substr(1) : first;
  while (true) {
    auto compiled = s.bridge.compile(code, forced);
    if (compiled == ReplBridge::Compiled::ok) return Loaded::ok;
    if (compiled == ReplBridge::Compiled::error) return Loaded::error;
    std::string more;
    ReadStatus r = repl::read_line(s, prompt2, more);
    if (r == ReadStatus::eof) return Loaded::error;  // report the incomplete chunk
    if (r == ReadStatus::interrupted) return Loaded::abandoned;
    source += "\n" + more;
    code += "\n" + more;
  }
}

// ORSCRIPT_INIT, else $XDG_CONFIG_HOME/orscript/init.lua, else ~/.config/orscript/init.lua.
// `required` is true when the user named the file (a missing one is then reported).
std::string init_file(bool& required) {
  required = false;
  if (const char* env = std::getenv("ORSCRIPT_INIT")) {
    required = *env != 0;
    return env;
  }
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x == '/') return std::string(x) + "/orscript/init.lua";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.config/orscript/init.lua";
  return "";
}

// Runs the start-up file under the protected path; errors are reported, not fatal.
void run_init_file(Session& s) {
  bool required = false;
  std::string path = init_file(required);
  if (path.empty()) return;
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    if (required) std::fprintf(stderr, "orscript: start-up file %s: %s\n", path.c_str(), std::strerror(errno));
    return;
  }
  s.bridge.run_file(path, "orscript: error in start-up file " + path + ":");
}

// Runs the chunk the bridge holds and prints what it returns. Returns the exit code
// of its error, or 0.
int evaluate(Session& s) {
  auto started = std::chrono::steady_clock::now();
  ReplBridge::Outcome outcome = s.bridge.run(repl::print_options(s));
  if (outcome.text) repl::print_text(s, std::move(*outcome.text));
  if (s.timer) {
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::fprintf(stderr, "Run Time: %.3f s\n", secs);
  }
  s.end_command();
  return outcome.code;
}

}  // namespace

int run_repl(Runtime& rt) {
  set_interrupt_notice(nullptr);  // at the prompt Ctrl-C just cancels; no "again to kill" notice
  Session s(rt, isatty(0) != 0);
  HostContext& ctx = rt.context();
  const std::string label = ctx.account_label();
  const std::string prompt1 = "orscript[" + label + "]> ";
  const std::string prompt2 = std::string(prompt1.size() - 3, ' ') + ">> ";

  // libedit first: rl_initialize() starts an empty history, so entries loaded before it
  // would be on disk but never recalled.
  repl::init_input(s);
  if (s.tty) {
    std::string path = repl::history_path();
    if (!path.empty()) {
      s.history = std::make_unique<repl::History>(path, ctx.client_options.api_key);
      s.history->load();
    }
  }
  if (s.tty) {
    std::string where = ctx.demo ? "the demo (" + ctx.demo_description + ", simulated data)" : label;
    std::fprintf(stderr,
                 "orscript %s on %s\n"
                 "Expressions print themselves; .help lists the commands; Ctrl-C cancels; Ctrl-D exits.\n",
                 ORSCRIPT_VERSION, where.c_str());
  }
  run_init_file(s);

  int last_code = 0;
  std::string line;
  while (!s.quit) {
    ReadStatus r = repl::read_line(s, prompt1, line);
    if (r == ReadStatus::eof) break;
    if (r == ReadStatus::interrupted || blank(line)) continue;

    const bool from_file = s.line_from_file;
    if (repl::is_command(line)) {
      if (s.history && !from_file) s.history->add(line);
      repl::run_command(s, line);
      continue;
    }

    std::string source;
    Loaded loaded = load_chunk(s, line, prompt2, source);
    if (loaded == Loaded::abandoned) continue;
    if (s.history && !from_file && !s.history->add(source) && !s.warned_secret) {
      s.warned_secret = true;
      std::fprintf(stderr, "note: that line holds an API key; it is kept out of the history.\n");
    }
    if (starts_with_local(source) && !s.warned_local) {
      s.warned_local = true;
      std::fprintf(stderr,
                   "note: each line is its own chunk, so a `local` is gone after it; "
                   "drop `local` to keep the value for later lines.\n");
    }
    if (loaded == Loaded::error) {
      last_code = s.bridge.report_compile_error();
      continue;
    }
    last_code = evaluate(s);
  }
  if (s.tty && !s.quit) std::fputc('\n', stderr);
  std::fflush(stdout);
  return s.tty ? 0 : last_code;
}

}  // namespace orscript
