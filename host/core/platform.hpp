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

}  // namespace orscript::platform
