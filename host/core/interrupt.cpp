#include "host/core/interrupt.hpp"

#include <atomic>
#include <csignal>

namespace orscript {
namespace {
std::atomic<bool> g_interrupted{false};
std::atomic<void (*)()> g_callback{nullptr};

extern "C" void on_sigint(int) {
  if (g_interrupted.exchange(true)) {
    // A second Ctrl-C before the first was handled (e.g. a JIT-compiled loop, which
    // ignores Lua hooks): die of SIGINT now, as an unresponsive program should.
    std::signal(SIGINT, SIG_DFL);
    std::raise(SIGINT);
    return;
  }
  if (auto cb = g_callback.load()) cb();
}
}  // namespace

void install_interrupt_handler() {
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocking read returns EINTR
  sigaction(SIGINT, &sa, nullptr);
}
bool interrupt_requested() { return g_interrupted.load(std::memory_order_relaxed); }
void request_interrupt() { g_interrupted.store(true); }
void set_interrupt_callback(void (*callback)()) { g_callback.store(callback); }
void clear_interrupt() {
  g_interrupted.store(false);
  struct sigaction old {};
  sigaction(SIGINT, nullptr, &old);
  if (old.sa_handler == SIG_DFL) install_interrupt_handler();
}

}  // namespace orscript
