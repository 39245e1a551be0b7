#!/usr/bin/env bash
# Builds the Debian package orscript_<version>_<arch>.deb with CPack: the binary, the Lua
# library, recipes, scenarios, LuaLS annotations, docs, orscript(1) and the bash and zsh
# completions, under /usr, with Depends computed by dpkg-shlibdeps. Prints the path.
#
#   tools/package.sh [OUT_DIR]        default OUT_DIR: the build folder
#   sudo apt install ./build/orscript_*.deb
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
tools/setup.sh
for tool in dpkg-shlibdeps dpkg-deb; do
  command -v "$tool" >/dev/null || { echo "package: $tool is missing; apt-get install dpkg-dev" >&2; exit 1; }
done
out=$(realpath "${1:-$BUILD_DIR}")
mkdir -p "$out"
cpack --config "$BUILD_DIR/CPackConfig.cmake" -G DEB -B "$out" >&2
version=$("$BUILD_DIR/orscript" -v | awk '{print $2}')
echo "$out/orscript_${version}_$(dpkg --print-architecture).deb"
