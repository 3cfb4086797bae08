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

``--scale`` measures the street-level feed at national volume instead
(:func:`run_scale`): generating the synthetic national set (``--months`` months, ~520,000
rows a month) into a scratch folder, landing one more month of ~520,000 rows from CSV
(target at most 5 s), the DuckDB floor queries over the landed Parquet
(:mod:`ncpm.street_level.floor`), and, when the street-level dbt models are in the project,
their full build and an incremental build after the new month (targets 90 s / 4 GB and
15 s; the full build within 2.5x of its floor: the ratios are printed). The same steps
on the committed sample give the test-scale figures.

    ncpm bench [--repeat N]
    ncpm bench --scale [--months 120] [--scratch DIR] [--reuse]
"""

from __future__ import annotations

import os
import shutil
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


def measure(
    cmd: list[str], env: dict[str, str], check: bool = True
) -> tuple[float, float, str, float]:
    """Run cmd; return (wall seconds, peak RSS in MiB, stdout, CPU seconds user + system).

    A failing command ends the benchmark, unless ``check`` is false: then its output ends
    with a line ``exit code N``.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    out = proc.stdout.read().decode() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0 and not check:
        return (
            wall,
            usage.ru_maxrss / 1024,
            f"{out}\nexit code {proc.returncode}",
            (usage.ru_utime + usage.ru_stime),
        )
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


# --------------------------------------------------------------------------- street level

STREET = "street_level_crime"
LAND_TARGET_SECONDS = 5.0
# The floors: the street-level aggregations as hand SQL over the landed Parquet, run by DuckDB
# alone (ncpm.street_level.floor): query name and the label printed. The full build's ratio is
# printed against the last two (the counts alone are a part of either).
STREET_FLOORS = (
    ("counts", "floor: LSOA x type x month counts"),
    ("rolling", "floor: + rolling 12 months (range window)"),
    ("all", "floor: every aggregation of the models, one query"),
)
RATIO_FLOORS = {label for query, label in STREET_FLOORS if query != "counts"}
LAND_FLOOR = "floor: the same month, CSV to Parquet in one COPY"
INCREMENTAL_FLOOR = "floor: every aggregation, over the months it reads"


END = "2022-12"  # the last month of the generated national set


def national_set(base: Path, months: int, reuse: bool, step, rows: list) -> Path:
    """The national street-level set of ``months`` months to END under ``base``/raw.

    Generated by ``step`` (timed, a row of ``rows``), or, with ``reuse``, the set a previous
    run generated in the same folder for the same months, put back as generated (not timed).
    """
    raw = base / "raw"
    marker = base / "generated.txt"  # written once the set is complete: months and end
    generated = f"{months} months to {END}"
    label = f"generate national set ({months} months)"
    if reuse and marker.is_file() and marker.read_text().strip() == generated:
        _reset_generated(base, END)
        total = _landed_rows(raw)
        print(f"reusing the national set in {raw} ({generated}, {total:,} rows)")
        rows.append((label, 0.0, 0.0, 0.0, f"{total:,} rows (reused, not timed)"))
        return raw
    if base.exists():
        shutil.rmtree(base)  # the benchmark's own scratch folder from a previous run
    raw.mkdir(parents=True)
    step(
        label,
        [str(BIN / "ncpm"), "synth", "--feed", STREET, "--", "--scale", "national", "--months",
         str(months), "--end", END, "--out", str(raw)],
    )  # fmt: skip
    rows[-1] = (*rows[-1][:4], f"{_landed_rows(raw):,} rows")
    marker.write_text(generated + "\n")
    return raw


def _street_models() -> bool:
    """Whether the street-level dbt models are in the project (their staging model)."""
    return any((ROOT / "models").rglob("stg_street_level_crime__*.sql"))


def _next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def run_scale(
    months: int = 120, scratch: Path | None = None, sample: bool = True, reuse: bool = False
) -> int:
    """Measure the street-level feed at national scale (and on the committed sample).

    With ``reuse``, a national set this benchmark generated before in the same scratch
    folder (same months) is kept: the months a previous run landed after it are removed
    (folders, landing log rows, archived copies) and generation is not timed again.
    """
    base = Path(scratch or os.environ.get("TMPDIR", "/tmp")) / "ncpm-bench-scale"
    ncpm = str(BIN / "ncpm")
    python = str(BIN / "python")
    env = os.environ.copy()
    env.update({"DBT_PROFILES_DIR": str(ROOT), "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"})
    rows: list[tuple[str, float, float, float, str]] = []

    def step(label: str, cmd: list[str], note: str = "", **extra: str) -> str:
        print(f"... {label}", flush=True)
        dbt = "dbt" in Path(cmd[0]).name
        wall, rss, out, cpu = measure(cmd, {**env, **extra}, check=not dbt)
        if dbt:  # a dbt build's figures are reported even when one of its tests fails
            done = [line for line in out.splitlines() if "Done. PASS=" in line]
            note = done[-1].split("Done. ")[-1] if done else out.strip().splitlines()[-1]
        rows.append((label, wall, cpu, rss, note))
        return out

    end = END
    raw = national_set(base, months, reuse, step, rows)
    new_month = _next_month(end)
    files = base / "new-month"
    subprocess.run(
        [ncpm, "synth", "--feed", STREET, "--", "--scale", "national", "--months", "1",
         "--end", new_month, "--csv", "--out", str(files)],
        check=True, capture_output=True, env=env,
    )  # fmt: skip
    floor = [python, "-m", "ncpm.street_level.floor"]
    step(LAND_FLOOR, [*floor, str(raw), "land", "--csv", str(files)])
    rows[-1] = (*rows[-1][:4], "one COPY of the CSV files to Parquet, no checks")
    out = step(
        f"land one month from CSV ({new_month})",
        [ncpm, "land", STREET, str(files), "--raw-dir", str(raw)],
    )
    landed = next((line for line in out.splitlines() if line.startswith("Landed")), "")
    rows[-1] = (*rows[-1][:4], landed.split(": ", 1)[-1].split(", ")[0] if landed else "")
    for query, label in STREET_FLOORS:
        out = step(label, [*floor, str(raw), query])
        rows[-1] = (*rows[-1][:4], out.strip().splitlines()[-1])
    if _street_models():
        _dbt_steps(step, raw, base, env)
    else:
        print("(the street-level dbt models are not in this project: no dbt figures)")
    scale_rows = rows[:]
    rows.clear()
    if sample:
        print("... test scale: the committed sample", flush=True)
        for query, label in STREET_FLOORS:
            out = step(label, [*floor, str(settings.get().raw_dir), query])
            rows[-1] = (*rows[-1][:4], out.strip().splitlines()[-1])
    _print_table(f"national scale, scratch folder {base}", scale_rows)
    if rows:
        _print_table(f"test scale, {settings.get().raw_dir}", rows)
    _print_ratios(scale_rows)
    land = next(r for r in scale_rows if r[0].startswith("land one month"))
    verdict = "within" if land[1] <= LAND_TARGET_SECONDS else "OVER"
    print(f"\nlanding one month {land[1]:.1f} s: {verdict} the {LAND_TARGET_SECONDS:.0f} s target")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


def _dbt_steps(step, raw: Path, base: Path, env: dict[str, str]) -> None:
    """The hook for the street-level dbt models: full build and incremental build.

    The other feeds' committed samples are linked beside the national street set; the rest of
    the project is built first (not timed), then the street-level models from empty and again
    after landing one more month.
    """
    for feed in settings.get().raw_dir.iterdir():
        if feed.is_dir() and feed.name != STREET and not (raw / feed.name).exists():
            (raw / feed.name).symlink_to(feed.resolve(), target_is_directory=True)
    dbt = [str(BIN / "dbt"), "--no-use-colors"]
    target = ["--target-path", str(base / "target"), "--log-path", str(base / "logs")]
    extra = {"NCPM_RAW_DIR": str(raw), "NCPM_DUCKDB_PATH": str(base / "bench.duckdb")}
    select = ["--select", f"source:{STREET}+"]
    print("... dbt build of every other model (not timed)", flush=True)
    subprocess.run(
        [*dbt, "build", "--exclude", f"source:{STREET}+", *target],
        cwd=ROOT, env={**env, **extra}, check=False, capture_output=True,
    )  # fmt: skip
    print(f"(the dbt steps run `dbt build {' '.join(select)}`: the street-level models, their "
          "tests and the marts built on them, not the whole project)")  # fmt: skip
    step(
        f"dbt build {' '.join(select)} --full-refresh",
        [*dbt, "build", *select, "--full-refresh", *target],
        **extra,
    )
    _print_slowest(base / "target" / "run_results.json")
    month = _next_month(_next_month(END))
    files = base / "incremental-month"
    subprocess.run(
        [str(BIN / "ncpm"), "synth", "--feed", STREET, "--", "--scale", "national", "--months",
         "1", "--end", month, "--csv", "--out", str(files)],
        check=True, capture_output=True, env=env,
    )  # fmt: skip
    subprocess.run(
        [str(BIN / "ncpm"), "land", STREET, str(files), "--raw-dir", str(raw)],
        check=True, capture_output=True, env=env,
    )  # fmt: skip
    step(
        INCREMENTAL_FLOOR,
        [str(BIN / "python"), "-m", "ncpm.street_level.floor", str(raw), "all", "--since", month],
        note=f"{month}, the 11 months before it and the baseline year, from the landed rows",
    )
    step(
        f"dbt build {' '.join(select)} (incremental, {month} landed)",
        [*dbt, "build", *select, *target],
        **extra,
    )
    _print_slowest(base / "target" / "run_results.json")


def _print_slowest(run_results: Path, count: int = 8) -> None:
    """The slowest nodes of the dbt run just measured (from its run_results.json)."""
    import json

    if not run_results.is_file():
        return
    results = json.loads(run_results.read_text())["results"]
    slowest = sorted(results, key=lambda r: r["execution_time"], reverse=True)[:count]
    print("    slowest nodes: " + "; ".join(
        f"{r['unique_id'].split('.')[2]} {r['execution_time']:.1f} s" for r in slowest
    ))  # fmt: skip


def _reset_generated(base: Path, end: str) -> None:
    """Put a reused scratch folder back as generated: drop what a previous run added.

    The months after ``end`` (landed by the benchmark), their landing log rows, the copies
    their re-landing archived, the benchmark's warehouse and the new-month files.
    """
    folder = base / "raw" / STREET
    for month in folder.glob("month=*"):
        if month.name.removeprefix("month=") > end:
            shutil.rmtree(month)
    shutil.rmtree(folder / "_archive", ignore_errors=True)
    log = folder / "_landing_log.csv"
    keep_landing_log_months(log, log, lambda month: month <= end)
    for leftover in ("new-month", "incremental-month", "bench.duckdb", "bench.duckdb.wal"):
        path = base / leftover
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


def keep_landing_log_months(source: Path, target: Path, keep) -> None:
    """Write the landing log ``source`` to ``target`` (may be the same file) with only the
    rows whose month (``YYYY-MM``) ``keep`` accepts."""
    import csv

    with source.open(newline="", encoding="utf-8") as f:
        lines = list(csv.reader(f))
    month_at = lines[0].index("month")
    with target.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(
            [lines[0], *(line for line in lines[1:] if keep(line[month_at]))]
        )


def _landed_rows(raw: Path) -> int:
    import duckdb

    glob = raw / STREET / "month=*" / "*.parquet"
    return duckdb.sql(f"select count(*) from read_parquet('{glob}')").fetchone()[0]


def _print_ratios(rows: list[tuple[str, float, float, float, str]]) -> None:
    """Each step's wall time over its floors' (the full build: at most 2.5x, the issue asks)."""
    walls = {label: wall for label, wall, *_ in rows}

    def ratios(title: str, step: str | None, floors: set[str]) -> None:
        if step is None:
            return
        print(f"\n{title}")
        for label in (label for label in walls if label in floors):
            if walls[label] > 0:
                print(f"  {walls[step] / walls[label]:4.1f}x  {label} ({walls[label]:.1f} s)")

    def find(test) -> str | None:
        return next((label for label in walls if test(label)), None)

    ratios(
        "full build / floor (wall time; the issue asks for at most 2.5x):",
        find(lambda label: label.endswith("--full-refresh")),
        RATIO_FLOORS,
    )
    ratios(
        "incremental build / floor (wall time):",
        find(lambda label: "(incremental," in label),
        {INCREMENTAL_FLOOR},
    )
    ratios(
        "landing / floor (wall time):",
        find(lambda label: label.startswith("land one month")),
        {LAND_FLOOR},
    )


def _print_table(title: str, rows: list[tuple[str, float, float, float, str]]) -> None:
    print(f"\n{title}")
    print(f"{'step':<64} {'wall s':>8} {'cpu s':>7} {'peak MiB':>9}  note")
    for label, wall, cpu, rss, note in rows:
        print(f"{label:<64} {wall:>8.1f} {cpu:>7.1f} {rss:>9.0f}  {note}")
