#!/usr/bin/env bash
# Sealed sync's benchmarks (docs/performance.md, "Sync"): bundle seal/open throughput against bare
# secretstream (bench_bundle), the device bundling 10,000 changed records (bench_sync), HQ importing
# 100,000 records and uploads per second to the HTTPS receiver (bench_hq).
#
#   bash bench/sync.sh BUILD_DIR        (`make bench` runs it after run.sh and records_ui.sh)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:?usage: bash bench/sync.sh BUILD_DIR}"
if ! grep -q '^IK_BUILD_BENCH:BOOL=ON$' "$build/CMakeCache.txt" 2>/dev/null; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIK_BUILD_BENCH=ON >/dev/null
fi
cmake --build "$build" -j"$(nproc)" --target bench_bundle bench_sync bench_hq
results="$build/bench-results"
mkdir -p "$results"
export TMPDIR="${IK_BENCH_TMPDIR:-$build/bench-tmp}"
mkdir -p "$TMPDIR"
if awk -v n="$(nproc)" '{ exit !($1 > n / 2) }' /proc/loadavg; then
  echo "sync.sh: warning: load average $(cut -d' ' -f1 /proc/loadavg) on $(nproc) CPUs; figures will be noisy" >&2
fi
for b in bench_bundle bench_sync bench_hq; do
  echo "== $b"
  "$build/bin/$b" --benchmark_repetitions="${IK_BENCH_REPS:-5}" --benchmark_report_aggregates_only=true \
    --benchmark_out="$results/$b.json" --benchmark_out_format=json
done
