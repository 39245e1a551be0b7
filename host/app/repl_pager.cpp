// repl_pager.cpp: results taller than the terminal go through a pager (.pager CMD,
// else $PAGER; none when neither is set), as psql and duckdb do. Only when stdin and
// stdout are terminals; a pager that cannot start falls back to writing directly.
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bindings/runtime.hpp"
#include "host/app/repl_session.hpp"
#include "host/core/interrupt.hpp"

namespace orscript::repl {
namespace {

int terminal_rows() {
  winsize ws{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 2) return ws.ws_row;
  return 0;
}

std::string pager_command(const Session& s) {
  if (!s.pager_command.empty()) return s.pager_command;
  if (const char* p = std::getenv("PAGER"); p && *p) return p;
  return "";
}

void write_direct(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

}  // namespace

void write_paged(Session& s, const std::string& text) {
  int rows = (s.pager && s.tty && isatty(STDOUT_FILENO)) ? terminal_rows() : 0;
  auto lines = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  if (rows == 0 || lines < rows - 1) return write_direct(text);
  std::fflush(stdout);
  std::string cmd = pager_command(s);
  if (cmd.empty()) return write_direct(text);
  std::FILE* p = ::popen(cmd.c_str(), "w");
  if (!p) return write_direct(text);
  // Quitting the pager early closes the pipe: that must not kill the REPL.
  struct sigaction ignore {}, old {};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, &old);
  std::fwrite(text.data(), 1, text.size(), p);
  int status = ::pclose(p);
  sigaction(SIGPIPE, &old, nullptr);
  // Ctrl-C inside the pager reached us too; it must not cancel the next command.
  if (interrupt_requested()) s.rt.reset_interrupt();
  if (status == -1 || (WIFEXITED(status) && WEXITSTATUS(status) == 127)) {
    std::fprintf(stderr, "orscript: pager '%s' did not run; .pager off turns paging off\n", cmd.c_str());
    write_direct(text);
  }
}

}  // namespace orscript::repl
