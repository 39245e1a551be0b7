#include "host/core/interrupt.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>

#include "host/core/platform.hpp"

namespace orscript {
namespace {
std::atomic<bool> g_interrupted{false};
std::atomic<void (*)()> g_callback{nullptr};
std::atomic<const char*> g_notice{nullptr};
int g_wakeup[2] = {-1, -1};  // self-pipe: the handler writes, pollers read

extern "C" void on_sigint(int) {
  if (g_interrupted.exchange(true)) {
    // A second Ctrl-C before the first was handled (e.g. a JIT-compiled loop, which
    // ignores Lua hooks): die of SIGINT now, as an unresponsive program should.
    std::signal(SIGINT, SIG_DFL);
    std::raise(SIGINT);
    return;
  }
  if (g_wakeup[1] >= 0) {
    ssize_t ignored = write(g_wakeup[1], "!", 1);  // non-blocking: a full pipe is fine
    (void)ignored;
  }
  if (const char* notice = g_notice.load()) {
    ssize_t ignored = write(2, notice, std::strlen(notice));
    (void)ignored;
  }
  if (auto cb = g_callback.load()) cb();
}
}  // namespace

void install_interrupt_handler() {
  if (g_wakeup[0] < 0 && platform::cloexec_pipe(g_wakeup, true) != 0) g_wakeup[0] = g_wakeup[1] = -1;
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocking read returns EINTR
  sigaction(SIGINT, &sa, nullptr);
}
bool interrupt_requested() { return g_interrupted.load(std::memory_order_relaxed); }
void request_interrupt() { g_interrupted.store(true); }
void set_interrupt_callback(void (*callback)()) { g_callback.store(callback); }
void set_interrupt_notice(const char* text) { g_notice.store(text); }
int interrupt_wakeup_fd() { return g_wakeup[0]; }
void clear_interrupt() {
  if (g_wakeup[0] >= 0) {
    char buf[64];
    while (read(g_wakeup[0], buf, sizeof buf) > 0) {
    }
  }
  g_interrupted.store(false);
  struct sigaction old {};
  sigaction(SIGINT, nullptr, &old);
  if (old.sa_handler == SIG_DFL) install_interrupt_handler();
}

}  // namespace orscript
