// build_info.hpp: what the binary was built from.
//
// Owns: the git revision, stamped at build time into one tiny generated unit
// (cmake/revision.cmake), so a new commit relinks orscript without recompiling the rest.
// The version number itself is ORSCRIPT_VERSION (orscript_build_config.hpp).
#pragma once

namespace orscript {

// "1a2b3c4d5e6f" or "1a2b3c4d5e6f-dirty" from `git describe --always --dirty`; the
// ORSCRIPT_REVISION CMake variable when set (builds from a tarball); else "unknown".
const char* build_revision();

}  // namespace orscript
