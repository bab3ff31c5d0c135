#!/usr/bin/env bash
# Records and kiosk UI benchmarks (issues 3 and 4), with a summary table against the targets.
#
#   bash bench/records_ui.sh [BUILD_DIR]          (default: build)
#
# 1. bench_records: the shared dataset of 100,000 intakes and 200,000 calls (generated once into
#    BUILD_DIR/bench-data/records-100k, a few minutes, reused afterwards), then saving an intake,
#    name searches and pages of the case list.                       -> bench-results/records.json
# 2. bench_ui: CPU time per frame of the busiest screens, headless, on the same dataset.
#                                                                    -> bench-results/ui.json
# 3. intake-kiosk under Xvfb (Mesa llvmpipe): frames drawn while idle after start-up, cold start
#    to the lock screen (first frame, median of IK_BENCH_STARTS runs) and peak RSS, on a small
#    device made with intakectl and on the 100k dataset.           -> bench-results/kiosk.txt
# Then the summary (bench-results/records-ui-summary.md), query plans (records-plans.txt), the
# machine (records-ui-machine.txt) and the benchmarks' own output (records-ui-console.log).
#
# Environment:
#   IK_BENCH_TMPDIR  where the working copies go (default BUILD_DIR/bench-tmp); a real disk, not a
#                    tmpfs: saving an intake waits for fsync.
#   IK_BENCH_DATA    where the shared dataset is cached (default BUILD_DIR/bench-data)
#   IK_BENCH_STARTS  cold starts to time (default 5)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-build}"
starts="${IK_BENCH_STARTS:-5}"
targets=(bench_records bench_ui intake-kiosk intakectl hq-intake)

if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIK_BUILD_BENCH=ON
elif ! grep -q '^IK_BUILD_BENCH:BOOL=ON$' "$build/CMakeCache.txt"; then
  echo "records_ui.sh: $build was configured without benchmarks; reconfiguring with -DIK_BUILD_BENCH=ON"
  cmake -S "$root" -B "$build" -DIK_BUILD_BENCH=ON >/dev/null
fi
if grep -q '^IK_SANITIZE:BOOL=ON$' "$build/CMakeCache.txt"; then
  echo "records_ui.sh: $build is a sanitizer build; benchmark it with a normal build directory" >&2
  exit 1
fi
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"

build="$(cd "$build" && pwd)"
bin="$build/bin"
results="$build/bench-results"
mkdir -p "$results"
# Only this script's files: bench/run.sh keeps its own results in the same directory.
rm -f "$results"/records.json "$results"/ui.json "$results"/kiosk.txt "$results"/records-plans.txt \
  "$results"/records-ui-console.log "$results"/records-ui-machine.txt "$results"/records-ui-summary.md
export TMPDIR="${IK_BENCH_TMPDIR:-$build/bench-tmp}"
export IK_BENCH_DATA="${IK_BENCH_DATA:-$build/bench-data}"
mkdir -p "$TMPDIR" "$IK_BENCH_DATA"
TMPDIR="$(cd "$TMPDIR" && pwd)"
IK_BENCH_DATA="$(cd "$IK_BENCH_DATA" && pwd)"
dataset="$IK_BENCH_DATA/records-100k"

{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "nproc: $(nproc)"
  echo "cpu: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n1)"
  echo "memory: $(free -m | awk '/^Mem:/ {print $2 " MiB"}')"
  echo "kernel: $(uname -r)"
  echo "build: $build ($(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt" | sed 's/^$/RelWithDebInfo (project default)/'))"
  echo "work dir: $TMPDIR ($(stat -f -c %T "$TMPDIR"), $(df -P "$TMPDIR" | awk 'NR==2 {print $1}'))"
  echo "dataset: $dataset ($( [[ -f "$dataset/generation.txt" ]] && echo cached || echo 'to be generated'))"
  echo "libsqlcipher0: $(dpkg-query -W -f='${Version}' libsqlcipher0 2>/dev/null || echo '?')"
  echo "imgui: $(pkg-config --modversion imgui 2>/dev/null || echo '?')"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$results/records-ui-machine.txt"
cat "$results/records-ui-machine.txt"
if awk -v n="$(nproc)" '{ exit !($1 > n / 2) }' /proc/loadavg; then
  echo "records_ui.sh: warning: load average $(cut -d' ' -f1 /proc/loadavg) on $(nproc) CPUs; figures will be noisy" >&2
fi
if [[ "$(stat -f -c %T "$TMPDIR")" == tmpfs ]]; then
  echo "records_ui.sh: warning: $TMPDIR is a tmpfs; the save-intake figures will not mean anything" >&2
fi

log="$results/records-ui-console.log"
run() {  # run NAME BINARY [ARGS...]
  local name="$1" binary="$2"
  shift 2
  printf '  %-16s' "$name"
  local t0=$SECONDS
  echo "=== $name" >>"$log"
  if ! "$bin/$binary" --benchmark_out="$results/$name.json" --benchmark_out_format=json "$@" >>"$log" 2>&1; then
    echo " FAILED (see $log)"
    return 1
  fi
  echo " $((SECONDS - t0)) s"
}

start=$SECONDS
echo
echo "running (benchmark output in $log):"
[[ -f "$dataset/generation.txt" ]] || echo "  (no dataset yet: bench_records generates it first, a few minutes)"
status=0
run records bench_records || status=1
run ui bench_ui || status=1
"$bin/bench_records" --explain >"$results/records-plans.txt" 2>>"$log" || status=1

# --- the real kiosk under Xvfb -----------------------------------------------------------------
work="$(mktemp -d "$TMPDIR/ik-records-ui-XXXXXX")"
trap 'rm -rf "$work"' EXIT
printf 'bench-admin-passphrase\n' >"$work/admin.pass"
chmod 600 "$work/admin.pass"
small="$work/device"
{
  "$bin/hq-intake" init --hq-dir "$work/hq"
  "$bin/intakectl" init --data-dir "$small" --admin "Bench Admin" --passphrase-file "$work/admin.pass" \
    --hq-recovery-pub "$work/hq/recovery.pub" --hq-seal-pub "$work/hq/seal.pub" --hq-sign-pub "$work/hq/sign.pub" \
    --kdf-ms 0 --kdf-mem-mib 8
  "$bin/intakectl" beds configure --data-dir "$small" --user "Bench Admin" --passphrase-file "$work/admin.pass"
  "$bin/intakectl" demo-data --data-dir "$small" --user "Bench Admin" --passphrase-file "$work/admin.pass" \
    --intakes 120 --calls 300
} >>"$log" 2>&1

kiosk() {  # kiosk DEVICE ARGS... : the kiosk's one-line report
  { xvfb-run -a -s "-screen 0 1280x800x24" "$bin/intake-kiosk" --windowed --data-dir "$1" "${@:2}" 2>>"$log" || true; } |
    grep '^frames ' || echo "frames ? (start-up ?, after start-up ?) in ? s; first frame ? ms after start; peak RSS ? KiB"
}
field() {  # field LINE WHAT
  case "$2" in
    idle) sed -n 's/.*after start-up \([0-9?]*\)).*/\1/p' <<<"$1" ;;
    first) sed -n 's/.*first frame \([0-9?.]*\) ms.*/\1/p' <<<"$1" ;;
    rss) sed -n 's/.*peak RSS \([0-9?-]*\) KiB.*/\1/p' <<<"$1" ;;
  esac
}
median() { tr ' ' '\n' | grep -E '^[0-9.]+$' | sort -n | awk '{a[NR]=$1} END {if (NR) print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2); else print "?"}'; }

echo "  kiosk (Xvfb)    10 s idle + $starts cold starts, on each of two devices"
for dev in small 100k; do
  dir="$small"
  [[ "$dev" == 100k ]] && dir="$dataset/device"
  line="$(kiosk "$dir" --exit-after 10 --print-frames)"
  echo "$dev idle: $line" >>"$log"
  {
    echo "$dev.idle_line=$line"
    echo "$dev.idle_frames=$(field "$line" idle)"
    echo "$dev.idle_peak_rss_kib=$(field "$line" rss)"
  } >>"$results/kiosk.txt"
  firsts="" rsss=""
  for _ in $(seq 1 "$starts"); do
    line="$(kiosk "$dir" --exit-when-ready)"
    echo "$dev cold: $line" >>"$log"
    firsts+="$(field "$line" first) "
    rsss+="$(field "$line" rss) "
  done
  {
    echo "$dev.cold_first_frame_ms=$firsts"
    echo "$dev.cold_first_frame_ms_median=$(median <<<"$firsts")"
    echo "$dev.cold_peak_rss_kib_median=$(median <<<"$rsss")"
  } >>"$results/kiosk.txt"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$results/records-ui-machine.txt"
echo "benchmarks took $((SECONDS - start)) s"
echo

# --- summary -------------------------------------------------------------------------------------
python3 - "$results" "$starts" <<'PY' | tee "$results/records-ui-summary.md"
import json, os, sys

results, starts = sys.argv[1], sys.argv[2]

def load(name):
    """Benchmarks by name, without Google Benchmark's /iterations:N/manual_time suffixes."""
    path = os.path.join(results, name)
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return {b["name"].split("/iterations:")[0]: b for b in json.load(f).get("benchmarks", [])}

records, ui = load("records.json"), load("ui.json")
kiosk = {}
if os.path.exists(os.path.join(results, "kiosk.txt")):
    for line in open(os.path.join(results, "kiosk.txt")):
        k, _, v = line.rstrip("\n").partition("=")
        kiosk[k] = v

def ms(v):
    return "?" if v is None else (f"{v:.2f}" if v < 10 else f"{v:.1f}")

def verdict(p50, p99, target):
    if p99 < target:
        return "PASS"
    if p50 < target:
        return "PASS p50, **MISS p99**"
    return "**MISS**"

def bench_row(rows, src, name, what, target, p50key, p99key, notes):
    b = src.get(name)
    tgt = f"< {target} ms" if target else "-"
    if b is None or b.get("error_occurred"):
        msg = (b or {}).get("error_message", "not run")
        rows.append((what, tgt, "?", "?", f"ERROR: {msg}", ""))
        return
    p50, p99 = b.get(p50key), b.get(p99key)
    v = verdict(p50, p99, target) if target else "(no target)"
    rows.append((what, tgt, ms(p50), ms(p99), v, notes(b)))

def table(title, head, body):
    print(f"### {title}\n")
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" for _ in head) + "|")
    for r in body:
        print("| " + " | ".join(str(c) for c in r) + " |")
    print()

print("## Records and kiosk UI benchmarks (bench/records_ui.sh)\n")
machine = os.path.join(results, "records-ui-machine.txt")
if os.path.exists(machine):
    print("```\n" + open(machine).read().rstrip() + "\n```\n")

g = records.get("records/demo_data_generate")
if g and not g.get("error_occurred"):
    src = "this run" if g.get("fresh") else f"cached dataset, {g.get('label', '')}"
    table("Demo data: core::generate_demo_data", ["what", "figure"], [
        ("100,000 intakes + 200,000 calls", f"{g['total_s']:.1f} s ({src})"),
        ("intakes (with closing old cases and filling the beds)",
         f"{g['intakes_s']:.1f} s = **{g['intakes_per_s']:.0f} intakes/s**" if g.get("intakes_s") else "-"),
        ("calls", f"{g['calls_s']:.1f} s = {g['calls_per_s']:.0f} calls/s" if g.get("calls_s") else "-"),
        ("both together", f"{g['intakes_per_s_overall']:.0f} intakes/s"),
        ("the database", f"{g['db_mib']:.0f} MiB; {g['cases_in_db']:.0f} cases, {g['calls_in_db']:.0f} calls"),
    ])
elif g:
    print(f"demo data: ERROR {g.get('error_message')}\n")

rows = []
def list_notes(b):
    return (f"{b.get('total', 0):.0f}{'+' if b.get('total_capped') else ''} counted, {b.get('rows', 0):.0f} rows; "
            f"max {ms(b.get('max_ms'))}, first call {ms(b.get('first_ms'))}")
for name, q in [("mammad", "mammad"), ("Numun", "Nümun"), ("Primero", "Примеро")]:
    bench_row(rows, records, f"records/search/{name}", f'name search "{q}" (page of 50 + count)', 20,
              "p50_ms", "p99_ms", list_notes)
for status, offset, limit in [("all", 0, 50), ("all", 50000, 50), ("active", 0, 50), ("active", 20000, 50),
                              ("closed", 0, 50), ("closed", 50000, 50), ("all", 0, 200), ("all", 9800, 200),
                              ("active", 0, 200), ("active", 9800, 200), ("closed", 0, 200), ("closed", 9800, 200)]:
    what = f"page of {limit}, {'unfiltered' if status == 'all' else 'status=' + status}, offset {offset:,}"
    if limit == 200:
        what += " (kiosk fetch)"
    bench_row(rows, records, f"records/page/{status}/offset:{offset}/limit:{limit}", what,
              20 if limit == 50 else None, "p50_ms", "p99_ms", list_notes)
bench_row(rows, records, "records/save_intake", "save an intake (register_intake: 1 transaction, WAL, synchronous=FULL)",
          None, "p50_ms", "p99_ms",
          lambda b: f"mean {ms(b.get('real_time'))}, max {ms(b.get('max_ms'))}; {b.get('iterations')} saves")
table("Records: 100,000 intakes + 200,000 calls, as coordinator Leyla (ms; PASS = p99 under the target)",
      ["measure", "target", "p50", "p99", "result", "notes"], rows)

rows = []
def frame_notes(b):
    return (f"max {ms(b.get('cpu_max_ms'))} CPU / {ms(b.get('wall_max_ms'))} wall; "
            f"{100 * b.get('over_2ms', 0):.2f}% over 2 ms, {b.get('over_16ms', 0):.0f} over 16.7 ms; "
            f"{b.get('vtx', 0):.0f} vertices; {b.get('label', '')}")
for name, what in [("ui/lock_frame", "lock screen (baseline)"),
                   ("ui/cases_frame", "case list (100k cases), still"),
                   ("ui/cases_scroll", "case list, dragged from the top"),
                   ("ui/cases_scroll_closed", "case list, status=closed, dragged from the top"),
                   ("ui/cases_scroll_end", "case list, dragged back from its end (deepest fetches)"),
                   ("ui/cases_scroll_end_closed", "case list, status=closed, dragged back from its end"),
                   ("ui/cases_search_frame", 'case list of a search ("Nümun"), keyboard open'),
                   ("ui/intake_review_frame", "intake review step, still"),
                   ("ui/intake_review_scroll", "intake review step, dragged")]:
    bench_row(rows, ui, name, what, 2, "cpu_p50_ms", "cpu_p99_ms", frame_notes)
bench_row(rows, ui, "ui/cases_search_run", "the frame in which a typed search runs (core query inside the frame)",
          2, "cpu_p50_ms", "cpu_p99_ms",
          lambda b: f"wall p50 {ms(b.get('wall_p50_ms'))}, max {ms(b.get('wall_max_ms'))}; {b.get('label', '')}")
table("Kiosk UI headless: CPU time per frame, ms (input + NewFrame + KioskApp::frame + Render; PASS = p99 under the target)",
      ["screen", "target", "p50", "p99", "result", "notes"], rows)

rows = []
for dev, what in [("small", "intakectl device, 120 intakes"), ("100k", "the 100k dataset")]:
    idle = kiosk.get(f"{dev}.idle_frames", "?")
    rows.append((f"frames drawn in 10 s idle after start-up, lock screen ({what})", "0", idle,
                 "PASS" if idle == "0" else ("?" if idle in ("", "?") else "**MISS**")))
    rows.append((f"cold start: process start to first frame on the lock screen, median of {starts} ({what})", "-",
                 f"{kiosk.get(f'{dev}.cold_first_frame_ms_median', '?')} ms "
                 f"(runs: {kiosk.get(f'{dev}.cold_first_frame_ms', '').strip()})", "(no target)"))
    rows.append((f"peak RSS: cold start / after 10 s idle ({what})", "-",
                 f"{kiosk.get(f'{dev}.cold_peak_rss_kib_median', '?')} / {kiosk.get(f'{dev}.idle_peak_rss_kib', '?')} KiB",
                 "(no target)"))
table("The kiosk under Xvfb + Mesa llvmpipe (intake-kiosk --windowed, 1280x800)",
      ["measure", "target", "figure", "result"], rows)
print("Query plans and the cost of each list query, with alternatives: records-plans.txt")
PY
exit $status
