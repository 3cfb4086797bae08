"""Benchmark the warehouse build and print wall seconds and peak memory.

Measures, each in its own child process (peak memory = that process's maximum
resident set size, from wait4):

Wall seconds and CPU seconds (user + system) are printed: on a busy machine
the wall time grows with the load, the CPU time much less.

1. `dbt parse` from scratch (no partial parsing);
2. a full `dbt build` (seeds, models, data and unit tests) into an EMPTY
   warehouse file;
3. the floor: DuckDB alone reading every landed raw file (count of rows).

The target for (2) is at most 30 s on a 2-core machine. This script only
reports; nothing in the test suite asserts a time.

    ncpm bench [--repeat N]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ncpm import settings

ROOT = settings.root()
BIN = Path(sys.executable).parent
TARGET_SECONDS = 30.0

FLOOR = """
import duckdb, glob, os, sys
raw = sys.argv[1]
con = duckdb.connect()
total = 0
for feed in sorted(os.listdir(raw)):
    files = glob.glob(os.path.join(raw, feed, '*.csv'))
    if files:
        total += con.execute(
            f"select count(*) from read_csv({files!r}, header=true, all_varchar=true)"
        ).fetchone()[0]
print(total)
"""


def measure(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str, float]:
    """Run cmd; return (wall seconds, peak RSS in MiB, stdout, CPU seconds user + system)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    out = proc.stdout.read().decode() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        print(out[-3000:])
        raise SystemExit(f"benchmark step failed ({proc.returncode}): {' '.join(cmd)}")
    return wall, usage.ru_maxrss / 1024, out, usage.ru_utime + usage.ru_stime


def run(repeat: int = 1) -> int:
    """Measure each step ``repeat`` times and print the best; the exit code."""
    raw_dir = str(settings.get().raw_dir)
    sizes = sum(p.stat().st_size for p in Path(raw_dir).glob("*/*.csv"))
    print(f"machine: {os.cpu_count()} cores; raw files: {sizes / 2**20:.1f} MiB under {raw_dir}")
    rows = []
    with tempfile.TemporaryDirectory(prefix="ncpm-bench-") as tmp:
        env = os.environ.copy()
        env.update(
            {
                "DBT_PROFILES_DIR": str(ROOT),
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
                "NCPM_RAW_DIR": raw_dir,
            }
        )
        dbt = [str(BIN / "dbt"), "--no-use-colors"]
        target = ["--target-path", f"{tmp}/target", "--log-path", f"{tmp}/logs"]
        steps = [
            ("dbt parse (no partial parse)", [*dbt, "parse", "--no-partial-parse", *target], None),
            ("dbt build, empty warehouse", [*dbt, "build", *target], "build"),
            (
                "DuckDB reads the raw files (floor)",
                [str(BIN / "python"), "-c", FLOOR, raw_dir],
                None,
            ),
        ]
        for label, cmd, kind in steps:
            best = None
            for i in range(repeat):
                db = Path(tmp) / f"bench-{i}.duckdb"
                db.unlink(missing_ok=True)
                env["NCPM_DUCKDB_PATH"] = str(db)
                print(f"... {label} (run {i + 1}/{repeat})", flush=True)
                wall, rss, out, cpu = measure(cmd, env)
                if best is None or wall < best[0]:
                    best = (wall, rss, out, cpu)
            note = ""
            if kind == "build":
                done = [line for line in best[2].splitlines() if "Done. PASS=" in line]
                note = done[-1].split("Done. ")[-1] if done else ""
            elif "python" in cmd[0]:
                note = f"{int(best[2].strip().splitlines()[-1]):,} rows"
            rows.append((label, best[0], best[1], note, best[3]))
    print()
    load = os.getloadavg()[0]
    print(f"{'step':<38} {'wall s':>8} {'cpu s':>7} {'peak MiB':>9}  note")
    for label, wall, rss, note, cpu in rows:
        print(f"{label:<38} {wall:>8.1f} {cpu:>7.1f} {rss:>9.0f}  {note}")
    print(
        f"\nload average at the end: {load:.1f} on {os.cpu_count()} cores (other processes "
        "slow the wall time; CPU seconds are less sensitive to them)"
    )
    build = rows[1][1]
    verdict = "within" if build <= TARGET_SECONDS else "OVER"
    print(f"\nfull build {build:.1f} s: {verdict} the {TARGET_SECONDS:.0f} s target")
    return 0
