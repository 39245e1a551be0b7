#include "host/core/platform.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/prctl.h>
#elif defined(__APPLE__)
#include <mach-o/dyld.h>
#include <sys/ptrace.h>
#include <cstdint>
#include <vector>
#elif defined(__FreeBSD__) || defined(__DragonFly__) || defined(__NetBSD__)
#include <sys/sysctl.h>
#if defined(__FreeBSD__)
#include <sys/procctl.h>
#endif
#endif

namespace orscript::platform {

void deny_core_dumps_and_tracing() {
  struct rlimit none {};
  setrlimit(RLIMIT_CORE, &none);
#if defined(__linux__)
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#elif defined(__APPLE__)
  ptrace(PT_DENY_ATTACH, 0, nullptr, 0);
#elif defined(__FreeBSD__)
  int mode = PROC_TRACE_CTL_DISABLE;
  procctl(P_PID, 0, PROC_TRACE_CTL, &mode);
#endif
}

std::filesystem::path executable_path() {
  std::error_code ec;
  std::filesystem::path exe;
#if defined(__linux__)
  exe = std::filesystem::read_symlink("/proc/self/exe", ec);
#elif defined(__APPLE__)
  std::uint32_t size = 0;
  _NSGetExecutablePath(nullptr, &size);  // asks for the buffer size
  std::vector<char> buf(size + 1, '\0');
  if (_NSGetExecutablePath(buf.data(), &size) == 0) exe = buf.data();
#elif defined(__FreeBSD__) || defined(__DragonFly__) || defined(__NetBSD__)
#if defined(__NetBSD__)
  int mib[4] = {CTL_KERN, KERN_PROC_ARGS, -1, KERN_PROC_PATHNAME};
#else
  int mib[4] = {CTL_KERN, KERN_PROC, KERN_PROC_PATHNAME, -1};
#endif
  char buf[4096];
  std::size_t len = sizeof buf;
  if (sysctl(mib, 4, buf, &len, nullptr, 0) == 0) exe = buf;
#endif
  if (ec || exe.empty()) return {};
  auto real = std::filesystem::canonical(exe, ec);  // macOS returns the path as invoked
  return ec ? exe : real;
}

int cloexec_pipe(int fds[2], bool nonblocking) {
#if defined(__APPLE__)
  if (pipe(fds) != 0) return -1;
  for (int i = 0; i < 2; ++i) {
    if (fcntl(fds[i], F_SETFD, FD_CLOEXEC) != 0 ||
        (nonblocking && fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK) != 0)) {
      close(fds[0]);
      close(fds[1]);
      return -1;
    }
  }
  return 0;
#else
  return pipe2(fds, O_CLOEXEC | (nonblocking ? O_NONBLOCK : 0));
#endif
}

}  // namespace orscript::platform
