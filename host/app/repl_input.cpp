// repl_input.cpp: reading lines. On a terminal through libedit's readline interface,
// with a key reader of our own so that Ctrl-C at the prompt drops the line and gives a
// fresh prompt instead of ending the REPL; otherwise plain lines from stdin.
//
// How Ctrl-C at the prompt works: libedit's own signal handling is off
// (rl_catch_signals = 0), so orscript's SIGINT handler (host/core/interrupt) stays
// installed. It sets the interrupt flag and writes to the interrupt pipe, which the key
// reader polls beside the terminal, so a Ctrl-C is seen even when it lands just before
// the reader blocks. The reader notes the interruption and hands libedit a newline so
// that readline() returns; read_line then drops the line.
#if defined(ORSCRIPT_SANITIZE)
#include <sanitizer/lsan_interface.h>
#endif
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <editline/readline.h>

#include "bindings/runtime.hpp"
#include "host/app/repl_session.hpp"
#include "host/core/interrupt.hpp"

namespace orscript::repl {
namespace {

bool g_prompt_interrupted = false;

// libedit's key reader: one byte, or a newline when Ctrl-C was pressed.
int interruptible_getc(std::FILE* in) {
  while (true) {
    if (interrupt_requested()) {
      g_prompt_interrupted = true;
      clear_interrupt();
      // Show that the key was taken; libedit then moves to a fresh line.
      (void)!write(STDOUT_FILENO, "^C", 2);
      return '\n';
    }
    // Wait for a key or a Ctrl-C: polling the interrupt pipe too closes the window
    // between the flag check above and a blocking read.
    pollfd fds[2] = {{fileno(in), POLLIN, 0}, {interrupt_wakeup_fd(), POLLIN, 0}};
    if (poll(fds, fds[1].fd >= 0 ? 2 : 1, -1) < 0) {
      if (errno == EINTR) continue;
      return EOF;
    }
    if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;  // the pipe: see the flag
    unsigned char c;
    ssize_t r = read(fileno(in), &c, 1);
    if (r == 1) return c;
    if (r == 0) return EOF;
    if (errno != EINTR) return EOF;
  }
}

// libedit prints the prompt before it switches the terminal to raw mode, so a key
// typed in between meets the canonical line discipline (a Ctrl-D there turns into a NUL
// and is lost). Switching right before the prompt closes that window; the settings to
// restore were already taken by readline().
int raw_before_prompt() {
  rl_prep_terminal(1);
  return 0;
}

}  // namespace

void init_input(Session& s) {
  if (!s.tty) return;
  rl_readline_name = "orscript";  // for "orscript:" lines in ~/.editrc
  rl_catch_signals = 0;
  rl_getc_function = interruptible_getc;
  rl_pre_input_hook = raw_before_prompt;
  install_completion(s);
#if defined(ORSCRIPT_SANITIZE)
  // libedit's rl_initialize loses 4 small allocations (388 bytes) that no libedit call
  // frees; made with LeakSanitizer looking away, so a sanitizer run of the suite stays
  // clean. History entries are freed by ~History.
  __lsan_disable();
  rl_initialize();
  __lsan_enable();
#else
  rl_initialize();
#endif
  using_history();
  stifle_history(1000);
}

ReadStatus read_line(Session& s, const std::string& prompt, std::string& out) {
  out.clear();
  // Lines queued by .read come first.
  s.line_from_file = !s.pending.empty();
  if (s.line_from_file) {
    out = std::move(s.pending.front());
    s.pending.pop_front();
    if (s.pending.empty()) s.read_nesting = 0;
    return ReadStatus::line;
  }
  if (!s.tty) {
    char* buf = nullptr;
    std::size_t cap = 0;
    errno = 0;
    ssize_t n = getline(&buf, &cap, stdin);
    if (n < 0) {
      std::free(buf);
      if (errno == EINTR && interrupt_requested()) {
        std::clearerr(stdin);
        s.rt.reset_interrupt();
        return ReadStatus::interrupted;
      }
      return ReadStatus::eof;
    }
    out.assign(buf, static_cast<std::size_t>(n));
    std::free(buf);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return ReadStatus::line;
  }
  std::fflush(stdout);
  std::fflush(stderr);
  g_prompt_interrupted = false;
  char* line = readline(prompt.c_str());
  // The SIGINT handler also arms the Lua hook that stops running code; nothing ran,
  // so disarm it before the next chunk.
  if (g_prompt_interrupted) {
    g_prompt_interrupted = false;
    std::free(line);
    s.rt.reset_interrupt();
    return ReadStatus::interrupted;
  }
  if (!line) return ReadStatus::eof;
  out = line;
  std::free(line);
  return ReadStatus::line;
}

}  // namespace orscript::repl
