#!/usr/bin/env bash
# Runs every benchmark and prints the figures that docs/performance.md quotes.
#
#   bash bench/run.sh BUILD_DIR          (`make bench` runs it with BUILD_DIR=build)
#
# Results: BUILD_DIR/bench-results/ — one Google Benchmark JSON file per run, console.log (the
# human-readable output), machine.txt, and summary.md (the tables, from bench/report.py).
#
# Environment:
#   IK_BENCH_REPS    rounds of the SQL workloads (default 3; the report takes the median)
#   IK_BENCH_TMPDIR  where the benchmark databases go (default BUILD_DIR/bench-tmp). It must be on
#                    a real disk: on a tmpfs fsync is free and the commit figures mean nothing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:?usage: bash bench/run.sh BUILD_DIR}"
reps="${IK_BENCH_REPS:-3}"
targets=(bench_unlock bench_storage bench_sql_sqlite bench_sql_sqlcipher)

# Build the benchmarks. A build directory configured with IK_BUILD_BENCH=OFF has no bench
# targets, so switch it on; sanitizer builds are refused, their timings would be meaningless.
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIK_BUILD_BENCH=ON
elif ! grep -q '^IK_BUILD_BENCH:BOOL=ON$' "$build/CMakeCache.txt"; then
  echo "run.sh: $build was configured without benchmarks; reconfiguring with -DIK_BUILD_BENCH=ON"
  cmake -S "$root" -B "$build" -DIK_BUILD_BENCH=ON >/dev/null
fi
if grep -q '^IK_SANITIZE:BOOL=ON$' "$build/CMakeCache.txt"; then
  echo "run.sh: $build is a sanitizer build; benchmark it with a normal build directory" >&2
  exit 1
fi
build_type="$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt")"
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"

bin="$build/bin"
results="$build/bench-results"
mkdir -p "$results"
rm -f "$results"/*.json "$results"/console.log "$results"/summary.md
export TMPDIR="${IK_BENCH_TMPDIR:-$build/bench-tmp}"
mkdir -p "$TMPDIR"
TMPDIR="$(cd "$TMPDIR" && pwd)"

{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "nproc: $(nproc)"
  echo "cpu: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n1)"
  echo "memory: $(free -m | awk '/^Mem:/ {print $2 " MiB"}')"
  echo "kernel: $(uname -r)"
  echo "build: $build_type"
  echo "db dir: $TMPDIR ($(stat -f -c %T "$TMPDIR"), $(df -P "$TMPDIR" | awk 'NR==2 {print $1}'))"
  echo "libsqlcipher0: $(dpkg-query -W -f='${Version}' libsqlcipher0 2>/dev/null || echo '?')"
  echo "libsqlite3-0: $(dpkg-query -W -f='${Version}' libsqlite3-0 2>/dev/null || echo '?')"
  echo "libsodium23: $(dpkg-query -W -f='${Version}' libsodium23 2>/dev/null || echo '?')"
  echo "sql rounds: $reps"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$results/machine.txt"
cat "$results/machine.txt"
# Other work on the machine shows up in every figure; say so rather than publish it silently.
if awk -v n="$(nproc)" '{ exit !($1 > n / 2) }' /proc/loadavg; then
  echo "run.sh: warning: load average $(cut -d' ' -f1 /proc/loadavg) on $(nproc) CPUs; figures will be noisy" >&2
fi
if [[ "$(stat -f -c %T "$TMPDIR")" == tmpfs ]]; then
  echo "run.sh: warning: $TMPDIR is a tmpfs; the fsync-bound figures will not mean anything" >&2
fi

run() {  # run NAME BINARY [ARGS...]: console output to console.log, JSON to NAME.json
  local name="$1" binary="$2"
  shift 2
  printf '  %-28s' "$name"
  local t0=$SECONDS
  echo "=== $name" >>"$results/console.log"
  "$bin/$binary" --benchmark_out="$results/$name.json" --benchmark_out_format=json "$@" \
    >>"$results/console.log" 2>&1
  echo " $((SECONDS - t0)) s"
}

start=$SECONDS
echo "running (console output in $results/console.log):"
run unlock bench_unlock
run storage bench_storage
# The two SQL engines alternate page size by page size and round by round, so that a slow
# moment of the machine (another build, the disk) lands on both sides instead of on one.
for rep in $(seq 1 "$reps"); do
  for page in 1024 4096 8192 16384; do
    run "sql-sqlite-p$page-r$rep" bench_sql_sqlite --benchmark_filter="/page:$page/"
    run "sql-sqlcipher-p$page-r$rep" bench_sql_sqlcipher --benchmark_filter="/page:$page/"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$results/machine.txt"
echo "benchmarks took $((SECONDS - start)) s"
echo

python3 "$root/bench/report.py" "$results" | tee "$results/summary.md"
