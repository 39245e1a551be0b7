#!/bin/sh
# bench/planted_sweep.sh: the cost review on 100 planted-problem accounts (seeds 101-200
# by default, disjoint from the CI seeds), scored against the generator's truth.
#   bench/planted_sweep.sh [SEEDS] [BUILD_DIR]     e.g. bench/planted_sweep.sh 101-300
# Prints per-kind recall, precision and sizing error, the misses and unplanted
# recommendations, and the wall time; exits 1 unless recall and precision >= 98 % and every
# impact is within 5 %. Numbers go into bench/README.md ("Planted-problem sweep").
set -eu
cd "$(dirname "$0")/.."
SEEDS=${1:-101-200}
BUILD=${2:-build}
WORK=${TMPDIR:-/tmp}/planted-sweep
mkdir -p "$WORK"
start=$(date +%s)
status=0
NO_COLOR=1 "$BUILD/orscript" tests/planted/score.lua --seeds "$SEEDS" --orscript "$BUILD/orscript" \
  --work "$WORK" --assert --quiet || status=$?
echo "wall time: $(( $(date +%s) - start )) s for seeds $SEEDS (files in $WORK)"
exit $status
