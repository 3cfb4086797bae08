#!/usr/bin/env python3
"""Benchmark the warehouse build and print wall seconds and peak memory.

Measures, each in its own child process (peak memory = that process's maximum
resident set size, from wait4):

1. `dbt parse` from scratch (no partial parsing);
2. a full `dbt build` (seeds, models, data and unit tests) into an EMPTY
   warehouse file;
3. the floor: DuckDB alone reading every landed raw file (count of rows).

The target for (2) is at most 30 s on a 2-core machine. This script only
reports; nothing in the test suite asserts a time. It also reports each step's
CPU seconds (user + system, all threads) and the machine's load average: on a
shared machine wall time moves with the load, CPU time much less.

    .venv/bin/python scripts/bench.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
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


def measure(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """Run cmd; return (wall seconds, peak RSS in MiB, CPU seconds, stdout)."""
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
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each step (best is reported)"
    )
    args = parser.parse_args(argv)
    raw_dir = os.environ.get("NCPM_RAW_DIR", str(ROOT / "seeds" / "raw"))
    sizes = sum(p.stat().st_size for p in Path(raw_dir).glob("*/*.csv"))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load}")
    print(f"raw files: {sizes / 2**20:.1f} MiB under {raw_dir}")
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
            for i in range(args.repeat):
                db = Path(tmp) / f"bench-{i}.duckdb"
                db.unlink(missing_ok=True)
                env["NCPM_DUCKDB_PATH"] = str(db)
                print(f"... {label} (run {i + 1}/{args.repeat})", flush=True)
                wall, rss, cpu, out = measure(cmd, env)
                if best is None or wall < best[0]:
                    best = (wall, rss, out, cpu)
            note = ""
            if kind == "build":
                done = [line for line in best[2].splitlines() if "Done. PASS=" in line]
                note = done[-1].split("Done. ")[-1] if done else ""
            elif "python" in cmd[0]:
                note = f"{int(best[2].strip().splitlines()[-1]):,} rows"
            rows.append((label, best[0], best[1], best[3], note))
    print()
    print(f"{'step':<38} {'wall s':>8} {'cpu s':>7} {'peak MiB':>9}  note")
    for label, wall, rss, cpu, note in rows:
        print(f"{label:<38} {wall:>8.1f} {cpu:>7.1f} {rss:>9.0f}  {note}")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nload average at the end: {load} ({os.cpu_count()} cores)")
    build = rows[1][1]
    verdict = "within" if build <= TARGET_SECONDS else "OVER"
    print(f"full build {build:.1f} s: {verdict} the {TARGET_SECONDS:.0f} s target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
