#!/usr/bin/env bash
# Installs the Debian 12 packages orscript needs (only those missing), then configures
# and builds into ./build. Safe to run again: a second run installs nothing and only
# rebuilds what changed.
#
#   tools/setup.sh            install + build
#   tools/setup.sh --tests    also install what only the tests need (headless Chromium,
#                             to check that the HTML report renders; zsh, man-db and
#                             dpkg-dev for the Debian package test; Node.js and npm, and
#                             the pinned official TypeScript SDK into tests/sdk/node_modules
#                             for the SDK conformance test), and build the tree a second
#                             time with clang into build-clang (warnings are errors there;
#                             benchmarks left out)
#   BUILD_DIR=out tools/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

TESTS=0
# luajit: the bare interpreter that bench_startup measures orscript's start-up against.
# (The static archives linked into orscript come with the -dev packages: libedit-dev pulls
# libbsd-dev, libmd-dev and libncurses-dev; see CMakeLists.txt, ORSCRIPT_FAST_START.)
PACKAGES=(cmake g++ make pkg-config libboost1.81-dev libboost-json1.81-dev libluajit-5.1-dev
          libssl-dev doctest-dev libedit-dev zlib1g-dev ccache luajit)
for arg in "$@"; do
  case "$arg" in
    # zsh, man-db, dpkg-dev: the package test (zsh -n, man -l, dpkg-shlibdeps); nodejs/npm: the SDK
    # test (Debian's npm, unless an npm came with the installed nodejs, as NodeSource's does)
    --tests) TESTS=1; PACKAGES+=(chromium zsh man-db dpkg-dev clang nodejs); command -v npm >/dev/null || PACKAGES+=(npm) ;;
    *) echo "setup: unknown argument '$arg' (use --tests or nothing)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  if [ "$(id -u)" -eq 0 ]; then SUDO=(); elif command -v sudo >/dev/null; then SUDO=(sudo); else
    echo "setup: cannot install packages (not root and no sudo). Install them yourself:" >&2
    echo "  apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  if ! { "${SUDO[@]}" apt-get update -qq &&
         DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >&2; then
    echo "setup: apt-get could not install: ${missing[*]}" >&2
    echo "setup: these are Debian 12 (bookworm) packages; check your apt sources and network." >&2
    exit 1
  fi
fi

# The SDK conformance test's npm packages, exactly as pinned in tests/sdk/package-lock.json
# (never global; install scripts are not run).
if ((TESTS)) && [ ! -d tests/sdk/node_modules/@openrouter/sdk ]; then
  echo "setup: installing the pinned @openrouter/sdk into tests/sdk/node_modules" >&2
  npm ci --prefix tests/sdk --no-audit --no-fund --ignore-scripts >&2
fi

BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
fi
cmake --build "$BUILD_DIR" -j "$JOBS" >&2

# The clang build: the test command runs the suite there too, so both compilers are proven
# warning-free and green. ccache makes a second run cheap.
if ((TESTS)); then
  CLANG_BUILD_DIR=${CLANG_BUILD_DIR:-build-clang}
  if [ ! -f "$CLANG_BUILD_DIR/CMakeCache.txt" ]; then
    CXX=clang++ cmake -S . -B "$CLANG_BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DORSCRIPT_WERROR=ON -DORSCRIPT_BENCH=OFF >&2
  fi
  cmake --build "$CLANG_BUILD_DIR" -j "$JOBS" >&2
fi
