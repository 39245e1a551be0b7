// platform.hpp: the few operating-system calls that differ between Linux, macOS and the BSDs.
//
// Owns: hardening the process that holds a key (no core file, no debugger attach) and
// finding the running executable's own path. Everything else in orscript is portable
// C++/POSIX; a new OS-specific call belongs here, behind the same #ifdef ladder.
#pragma once

#include <filesystem>

namespace orscript::platform {

// Best effort: no core dump and no ptrace attach by other processes of the user
// (Linux PR_SET_DUMPABLE, macOS PT_DENY_ATTACH, FreeBSD PROC_TRACE_CTL; RLIMIT_CORE 0 everywhere).
void deny_core_dumps_and_tracing();

// The absolute path of the running executable, symlinks resolved; empty if unknown.
std::filesystem::path executable_path();

// pipe(2) with both ends close-on-exec (and non-blocking if asked): pipe2 where it
// exists, pipe + fcntl on macOS. Returns 0, or -1 with errno set.
int cloexec_pipe(int fds[2], bool nonblocking);

}  // namespace orscript::platform
