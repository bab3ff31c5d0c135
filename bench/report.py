#!/usr/bin/env python3
"""Turns the JSON files bench/run.sh writes into the tables of docs/performance.md.

    python3 bench/report.py BUILD_DIR/bench-results

Standard library only. The SQL figures come in rounds (sql-<engine>-p<page>-r<round>.json); the
SQLCipher / SQLite ratio is computed per round from two runs made one after the other, and the
table shows the median ratio with the lowest and highest round in brackets, so the noise of the
machine is visible instead of averaged away.
"""
import json
import math
import pathlib
import re
import statistics
import sys

UNIT_TO_US = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}
MODES = ("sqlcipher", "sqlcipher_nohmac", "sqlcipher_nokey", "sqlite")
PAGES = (1024, 4096, 8192, 16384)
WORKLOADS = (
    # name, what one operation is, fsync-bound?
    ("insert/txn:1", "row (1 row per transaction)", True),
    ("insert/txn:10", "row (10 rows per transaction)", True),
    ("insert/txn:100", "row (100 rows per transaction)", False),
    ("insert/txn:1000", "row (1000 rows per transaction)", False),
    ("point_select/cache_kib:2000", "select by primary key, 2 MiB cache (default)", False),
    ("range_scan_50/cache_kib:2000", "index range scan of 50 rows, 2 MiB cache (default)", False),
    ("point_select/cache_kib:32768", "select by primary key, 32 MiB cache", False),
    ("range_scan_50/cache_kib:32768", "index range scan of 50 rows, 32 MiB cache", False),
)
# The workloads that measure the CPU cost of the engines rather than the disk: the batched
# inserts (by CPU time, which leaves out the fsync wait) and the selects at the default cache.
# Thread CPU time throughout: it is what the engine costs, and on a shared 2-core machine it is
# far less disturbed by other processes than wall time (the per-workload tables show both).
CPU_BOUND = (
    ("insert/txn:100", "cpu"),
    ("insert/txn:1000", "cpu"),
    ("point_select/cache_kib:2000", "cpu"),
    ("range_scan_50/cache_kib:2000", "cpu"),
)


def load(path):
    with open(path) as f:
        return json.load(f)


def base_name(name):
    """The benchmark name without the suffixes Google Benchmark adds."""
    parts = [p for p in name.split("/") if not re.match(r"^(iterations:\d+|repeats:\d+|real_time|manual_time)$", p)]
    return "/".join(parts)


def runs(data):
    for b in data.get("benchmarks", []):
        if b.get("run_type", "iteration") != "iteration":
            continue
        if b.get("error_occurred"):
            print(f"> error in {b['name']}: {b.get('error_message')}", file=sys.stderr)
            continue
        scale = UNIT_TO_US[b.get("time_unit", "ns")]
        yield base_name(b["name"]), b["real_time"] * scale, b["cpu_time"] * scale, b


def split_sql_name(name):
    """'insert/txn:1/sqlcipher/page:4096' -> ('insert/txn:1', 'sqlcipher', 4096)."""
    parts = name.split("/")
    mode = next(p for p in parts if p in MODES)
    page = int(next(p for p in parts if p.startswith("page:"))[5:])
    workload = "/".join(p for p in parts if p != mode and not p.startswith("page:"))
    return workload, mode, page


def fmt_us(us):
    if us >= 10_000:
        return f"{us / 1000:.1f} ms"
    if us >= 100:
        return f"{us:.0f} µs"
    return f"{us:.2f} µs"


def fmt_ratio(values):
    if not values:
        return "–"
    med = statistics.median(values)
    if len(values) == 1:
        return f"{med:.2f}"
    return f"{med:.2f} [{min(values):.2f}–{max(values):.2f}]"


def geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


def main():
    results = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "build/bench-results")
    out = []
    p = out.append

    machine = results / "machine.txt"
    if machine.exists():
        p("## Machine\n")
        p("```")
        p(machine.read_text().rstrip())
        p("```\n")

    # 1. Unlock.
    unlock = results / "unlock.json"
    if unlock.exists():
        p("## Unlock (bench_unlock)\n")
        p("| benchmark | ms per operation (wall) | CPU ms | Argon2id ops | memory MiB | tune() ms |")
        p("|---|---:|---:|---:|---:|---:|")
        for name, real, cpu, b in runs(load(unlock)):
            tune = f"{b['tune_ms']:.0f}" if "tune_ms" in b else "–"
            p(f"| {name} | {real / 1000:.0f} | {cpu / 1000:.0f} | {b.get('argon2_ops', 0):.0f} | "
              f"{b.get('argon2_MiB', 0):.0f} | {tune} |")
        p("")

    # 2. Open.
    storage = results / "storage.json"
    if storage.exists():
        p("## storage::Database::open on an existing database (bench_storage)\n")
        p("| cipher_page_size | open + verify, mean µs | close, mean ms |")
        p("|---:|---:|---:|")
        for name, real, _cpu, b in runs(load(storage)):
            page = name.split("page:")[-1]
            default = " (current default)" if b.get("default_page") else ""
            p(f"| {page}{default} | {real:.0f} | {b.get('close_ms', float('nan')):.2f} |")
        p("")

    # 3. SQL: times[(workload, mode, page)][round] = (real µs/op, cpu µs/op, bytes_per_row)
    times = {}
    for f in sorted(results.glob("sql-*.json")):
        m = re.match(r"sql-(\w+)-p(\d+)-r(\d+)\.json$", f.name)
        if not m:
            continue
        rnd = int(m.group(3))
        for name, real, cpu, b in runs(load(f)):
            workload, mode, page = split_sql_name(name)
            per = b.get("rows_per_txn", 1.0)
            times.setdefault((workload, mode, page), {})[rnd] = (real / per, cpu / per, b.get("bytes_per_row"))
    if not times:
        print("\n".join(out))
        return

    def median_of(workload, mode, page, kind):
        rs = times.get((workload, mode, page), {})
        idx = 0 if kind == "real" else 1
        vals = [v[idx] for v in rs.values()]
        return statistics.median(vals) if vals else None

    def ratios(workload, num, den, page, kind):
        a, b = times.get((workload, num, page), {}), times.get((workload, den, page), {})
        idx = 0 if kind == "real" else 1
        return [a[r][idx] / b[r][idx] for r in sorted(set(a) & set(b)) if b[r][idx] > 0]

    rounds = max(len(v) for v in times.values())
    p("## SQL workloads: SQLCipher 3.4.1 against SQLite (bench_sql_sqlcipher, bench_sql_sqlite)\n")
    p(f"Medians of {rounds} round(s); ratios as median [lowest–highest round]. Times are per row for")
    p("inserts, per query for selects (a range scan returns 50 rows). 'wall' includes waiting for")
    p("fsync; 'CPU' is the thread's CPU time and leaves the wait out.\n")
    for workload, what, fsync_bound in WORKLOADS:
        if not any(k[0] == workload for k in times):
            continue
        p(f"### {workload}: one {what}\n")
        p("| page | SQLite 3.40 | SQLCipher | SQLCipher / SQLite, wall | same, CPU | "
          "SQLCipher no key (3.15 core) | SQLCipher / no key, CPU | no HMAC / SQLite, CPU |")
        p("|---:|---:|---:|---:|---:|---:|---:|---:|")
        for page in PAGES:
            s = median_of(workload, "sqlite", page, "real")
            c = median_of(workload, "sqlcipher", page, "real")
            k = median_of(workload, "sqlcipher_nokey", page, "real")
            if s is None or c is None:
                continue
            p(f"| {page} | {fmt_us(s)} | {fmt_us(c)} | "
              f"{fmt_ratio(ratios(workload, 'sqlcipher', 'sqlite', page, 'real'))} | "
              f"{fmt_ratio(ratios(workload, 'sqlcipher', 'sqlite', page, 'cpu'))} | "
              f"{fmt_us(k) if k is not None else '–'} | "
              f"{fmt_ratio(ratios(workload, 'sqlcipher', 'sqlcipher_nokey', page, 'cpu'))} | "
              f"{fmt_ratio(ratios(workload, 'sqlcipher_nohmac', 'sqlite', page, 'cpu'))} |")
        p("")

    # Space: bytes per record in the 20,000-record database.
    p("### File size of the 20,000-record database (bytes per record)\n")
    p("| page | SQLite | SQLCipher | SQLCipher no HMAC |")
    p("|---:|---:|---:|---:|")
    for page in PAGES:
        def bpr(mode):
            rs = times.get(("point_select/cache_kib:2000", mode, page), {})
            vals = [v[2] for v in rs.values() if v[2]]
            return f"{statistics.median(vals):.0f}" if vals else "–"
        p(f"| {page} | {bpr('sqlite')} | {bpr('sqlcipher')} | {bpr('sqlcipher_nohmac')} |")
    p("")

    # Tuning summary: which page size.
    p("## Tuning summary: SQLCipher with HMAC, by cipher_page_size\n")
    p("CPU-bound set: inserts of 100 and 1000 rows per transaction and the two selects at the")
    p("default cache, all by thread CPU time; cells are ratio (SQLCipher time per operation).")
    p("'vs best page' compares SQLCipher with itself: the geometric mean of its time relative to")
    p("the fastest page size for each workload.\n")
    head = "| page | " + " | ".join(f"{w} ({k})" for w, k in CPU_BOUND)
    p(head + " | geo-mean SQLCipher / SQLite | SQLCipher vs best page | fsync-bound insert/txn:1 (wall) |")
    p("|---:|" + "---:|" * (len(CPU_BOUND) + 3))
    best = {w: min(v for v in (median_of(w, "sqlcipher", pg, k) for pg in PAGES) if v is not None)
            for w, k in CPU_BOUND if any(median_of(w, "sqlcipher", pg, k) for pg in PAGES)}
    scores = {}
    for page in PAGES:
        cells, rs, rel = [], [], []
        for w, k in CPU_BOUND:
            r = ratios(w, "sqlcipher", "sqlite", page, k)
            c = median_of(w, "sqlcipher", page, k)
            cells.append(f"{statistics.median(r):.2f} ({fmt_us(c)})" if r else "–")
            if r:
                rs.append(statistics.median(r))
            if c and w in best:
                rel.append(c / best[w])
        scores[page] = geomean(rel)
        fs = ratios("insert/txn:1", "sqlcipher", "sqlite", page, "real")
        p(f"| {page} | " + " | ".join(cells) + f" | {geomean(rs):.2f} | {geomean(rel):.2f} | {fmt_ratio(fs)} |")
    p("")
    finite = {k: v for k, v in scores.items() if not math.isnan(v)}
    if finite:
        pick = min(finite, key=finite.get)
        p(f"Fastest SQLCipher page size on the CPU-bound set: **{pick}** "
          f"(geometric mean {finite[pick]:.2f} × the best page size per workload).")
    print("\n".join(out))


if __name__ == "__main__":
    main()
