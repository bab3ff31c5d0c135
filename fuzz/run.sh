#!/usr/bin/env bash
# Builds the libFuzzer targets (every fuzz/<name>_fuzz.cpp) with clang in BUILD_DIR and runs each
# for FUZZ_SECONDS (default 30) on a COPY of its seed corpus fuzz/corpus/<name>/: new inputs the
# fuzzer finds stay in a temp dir and never land in the git tree. Fails if any target crashes,
# trips a sanitizer, times out or runs out of memory; the crashing input and the log are kept
# (their path is printed).
#
#   bash fuzz/run.sh [BUILD_DIR]        (default build-fuzz, relative to the repository root)
#   FUZZ_SECONDS=300 bash fuzz/run.sh   longer runs;  FUZZ_CXX=clang++-17 to pick the compiler
#
# Needs clang >= 16 and its libFuzzer runtime (Debian 12: clang-16 libclang-rt-16-dev); see
# fuzz/CMakeLists.txt for why clang 14 cannot build this project.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-build-fuzz}
[[ $build = /* ]] || build=$root/$build
seconds=${FUZZ_SECONDS:-30}

find_cxx() {
  if [[ -n ${FUZZ_CXX:-} ]]; then echo "$FUZZ_CXX"; return; fi
  local v
  for v in 19 18 17 16; do
    if command -v "clang++-$v" >/dev/null; then echo "clang++-$v"; return; fi
  done
  if command -v clang++ >/dev/null; then
    v=$(clang++ -dumpversion | cut -d. -f1)
    if (( v >= 16 )); then echo clang++; return; fi
  fi
  echo "fuzz/run.sh: needs clang >= 16 (Debian: apt-get install clang-16 libclang-rt-16-dev)" >&2
  exit 1
}

if [[ ! -f $build/CMakeCache.txt ]]; then
  cxx=$(find_cxx)
  cc=${cxx/clang++/clang}
  cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIK_FUZZ=ON -DIK_BUILD_BENCH=OFF >/dev/null
fi

targets=()
for src in "$root"/fuzz/*_fuzz.cpp; do
  targets+=("$(basename "$src" .cpp)")
done
# Only the fuzz targets (and the libraries they link): never the UI or the whole project.
cmake --build "$build" --target "${targets[@]}" -j"${FUZZ_JOBS:-2}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

failed=()
for t in "${targets[@]}"; do
  work=$(mktemp -d "${TMPDIR:-/tmp}/ik-fuzz-$t.XXXXXX")
  mkdir -p "$work/corpus" "$work/artifacts"
  if [[ -d $root/fuzz/corpus/$t ]]; then cp -R "$root/fuzz/corpus/$t/." "$work/corpus/"; fi
  seeds=$(find "$work/corpus" -type f | wc -l)
  echo "== $t: ${seconds}s on a copy of $seeds seeds"
  rc=0
  "$build/bin/$t" "$work/corpus" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 \
    -artifact_prefix="$work/artifacts/" -print_final_stats=1 >"$work/log" 2>&1 || rc=$?
  if (( rc == 0 )); then
    runs=$(grep -m1 -oE 'stat::number_of_executed_units: *[0-9]+' "$work/log" | grep -oE '[0-9]+$' || echo "?")
    cov=$(grep -oE 'cov: [0-9]+' "$work/log" | tail -1 || true)
    echo "   ok: $runs runs, $cov, corpus $seeds -> $(find "$work/corpus" -type f | wc -l) inputs (discarded)"
    rm -rf "$work"
  else
    echo "   FAILED (exit $rc): log and crashing input kept in $work"
    tail -n 40 "$work/log" | sed 's/^/   | /'
    failed+=("$t")
  fi
done

if (( ${#failed[@]} )); then
  echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]}"
  exit 1
fi
echo "fuzz: ${#targets[@]} target(s) ran ${seconds}s each with no finding"
