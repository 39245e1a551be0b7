#!/usr/bin/env bash
# Runs each libFuzzer target (tests/fuzz/) for a set time from the seed corpus in
# tests/fuzz/corpus/<name>/. Needs clang; without it, says so and exits 0 (skipped).
#
#   bench/fuzz.sh                 every target, 60 s each
#   SECONDS_EACH=300 bench/fuzz.sh table scenario
#   BUILD_DIR=build-fuzz JOBS=2   (defaults)
#
# New inputs go to a scratch copy of the corpus (the repo's seeds stay as they are);
# a crash leaves its input in $BUILD_DIR/fuzz-artifacts/ and makes the script exit 1.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build-fuzz}
SECONDS_EACH=${SECONDS_EACH:-60}
JOBS=${JOBS:-2}
TARGETS=("$@")
((${#TARGETS[@]})) || TARGETS=(table iso_time scenario faults base_url)

CLANGXX=$(command -v clang++ || true)
if [ -z "$CLANGXX" ]; then
  echo "fuzz: clang++ is not installed; skipped (apt-get install clang)" >&2
  exit 0
fi
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  CXX="$CLANGXX" cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DORSCRIPT_FUZZ=ON \
    -DORSCRIPT_TESTS=OFF -DORSCRIPT_BENCH=OFF >&2
fi
cmake --build "$BUILD_DIR" -j "$JOBS" --target $(printf 'fuzz_%s ' "${TARGETS[@]}") >&2

ARTIFACTS="$BUILD_DIR/fuzz-artifacts"
mkdir -p "$ARTIFACTS"
failed=0
for t in "${TARGETS[@]}"; do
  work="$BUILD_DIR/fuzz-corpus/$t"
  mkdir -p "$work"
  cp -n tests/fuzz/corpus/"$t"/* "$work"/ 2>/dev/null || true
  log="$BUILD_DIR/fuzz-$t.log"
  echo "fuzz: $t for ${SECONDS_EACH}s" >&2
  if "$BUILD_DIR/tests/fuzz/fuzz_$t" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=10 \
       -max_len=65536 -artifact_prefix="$ARTIFACTS/$t-" -print_final_stats=1 "$work" >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo "?")
    echo "fuzz: $t ok: $runs runs, coverage $cov edges, corpus $(ls "$work" | wc -l) inputs" >&2
  else
    echo "fuzz: $t FOUND A CRASH (see $log and $ARTIFACTS/$t-*)" >&2
    grep -m5 -E 'ERROR|runtime error|SUMMARY' "$log" >&2 || true
    failed=1
  fi
done
exit $failed
