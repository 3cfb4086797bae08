"""Prove the project runs unchanged on Apache Spark, and agrees with DuckDB.

Builds the whole project (seeds, models, data and unit tests) on Spark in-process
(dbt-spark `session` method, pyspark, profile target `spark_session`) in a
scratch copy of the project, after `dbt run-operation stage_raw_feeds` has put
the raw feeds over the landing files, then compares every measure's row count
and sums of value, rate and % change in marts.rpt_all_measures with a DuckDB
build of the same files. The scratch copy also holds a small sample revision
history (three publication revision logs in Parquet, written as `make publish`
writes them, plus one in publications/.staging/ that must not be read), so
marts.rpt_revisions is compared too. Prints timings and the comparison; exits
non-zero on a failed build or any difference.

Needs a Java 17+ runtime on PATH; without one it says so and exits 0 (skipped),
unless --require-java. Run through `make spark-check` (creates .venv-spark from
requirements-spark.lock), which calls:

    ncpm spark-check [--spark-python .venv-spark/bin/python]
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ncpm import settings

ROOT = settings.root()
# Build outputs and environments at the top of the project are not copied (a models/
# sub-folder may share a name, e.g. models/intermediate/publications/, and is copied).
TOP_LEVEL_SKIP = {
    "target",
    "logs",
    "warehouse",
    "site",
    "publications",
    ".git",
    "metastore_db",
    "spark-warehouse",
    "test-artifacts",
    ".pytest_cache",
    ".ruff_cache",
}


def ignore(folder: str, names: list[str]) -> set[str]:
    skip = {n for n in names if n.startswith(".venv") or n == "__pycache__"}
    if Path(folder).resolve() == ROOT:
        skip |= {n for n in names if n in TOP_LEVEL_SKIP}
    return skip


SUMMARY_SQL = (
    "select metric_id, count(*) as row_count, round(sum(value), 3) as value_sum, "
    "round(sum(rate_per_1000), 6) as rate_sum, round(sum(pct_change_from_baseline), 3) as pct_sum "
    "from {relation} group by metric_id order by metric_id"
)
REVISIONS_SQL = (
    "select publication_id, count(*) as row_count, round(sum(value), 3) as value_sum, "
    "round(sum(revision_from_first), 3) as revision_sum, "
    "round(sum(revision_from_previous), 3) as previous_sum "
    "from {relation} group by publication_id order by publication_id"
)

# A small revision history for the scratch copy's publications/ folder, in the shape
# `ncpm publish` writes (DuckDB Parquet): three figures in three publications,
# 2026-06 revised (its first revision kept aside as publish does), plus work in
# progress under .staging/ that must not be read. Rows: (folder, publication id,
# period end, revision, published at, [(metric, area, period end, breakdown, value,
# ci_lower, ci_upper), ...]).
FIGURES = [
    ("M1.1", "K04000001", "2025-12-31", "all"),
    ("M5.1", "K04000001", "2025-12-31", "all"),
    ("M6.2", "K04000001", "2025-12-31", "all"),
]
SAMPLE_PUBLICATIONS = [
    (
        "2026-03",
        "2026-03-r1",
        "2026-03-31",
        1,
        "2026-04-23 09:30:00",
        [(500.0, None, None), (1000.5, 900.0, 1101.0), (None, None, None)],
    ),
    (
        "2026-06.revision-1",
        "2026-06-r1",
        "2026-06-30",
        1,
        "2026-07-23 09:30:00",
        [(510.0, None, None), (1000.5, 900.0, 1101.0), (45.0, 40.0, 50.0)],
    ),
    (
        "2026-06",
        "2026-06-r2",
        "2026-06-30",
        2,
        "2026-07-30 09:30:00",
        [(512.0, None, None), (990.25, 890.0, 1090.5), (45.0, 40.0, 50.0)],
    ),
    (
        ".staging/2026-09-1234",
        "2026-09-r1",
        "2026-09-30",
        1,
        "2026-10-23 09:30:00",
        [(9999.0, None, None), (1.0, None, None), (1.0, None, None)],
    ),
]

REVISION_LOG_CODE = """
import json, pathlib, sys
import duckdb
folder, publications = sys.argv[1], json.loads(sys.argv[2])
con = duckdb.connect()
for sub, publication_id, period, revision, published_at, figures in publications:
    pathlib.Path(folder, sub).mkdir(parents=True, exist_ok=True)
    con.execute(
        "create or replace temp table figures (metric_id varchar, area_code varchar, "
        "period_end_date date, breakdown varchar, value double, ci_lower double, ci_upper double)"
    )
    con.executemany("insert into figures values (?, ?, ?, ?, ?, ?, ?)", figures)
    con.execute(
        f"copy (select '{publication_id}' as publication_id, "
        f"date '{period}' as publication_period_end_date, "
        f"{revision} as publication_revision, timestamp '{published_at}' as published_at, "
        "'sample' as fact_model, * from figures) "
        f"to '{folder}/{sub}/revision_log.parquet' (format parquet)"
    )
"""


def write_sample_revision_logs(duck_python: str, folder: Path) -> None:
    """The sample revision history, written by DuckDB as `make publish` writes it."""
    publications = [
        [sub, pid, period, revision, at, [[*f, *v] for f, v in zip(FIGURES, values, strict=True)]]
        for sub, pid, period, revision, at, values in SAMPLE_PUBLICATIONS
    ]
    subprocess.run(
        [duck_python, "-c", REVISION_LOG_CODE, str(folder), json.dumps(publications)],
        check=True,
    )


def run_step(cmd: list[str], cwd: Path, env: dict[str, str], label: str) -> float:
    print(f"... {label}", flush=True)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        lines = [
            ln for ln in proc.stdout.splitlines() if "ERROR" in ln or "Error" in ln or "FAIL" in ln
        ]
        print("\n".join(lines[-40:]) or proc.stdout[-4000:] + proc.stderr[-2000:])
        raise SystemExit(
            f"spark-check: {label} failed (exit {proc.returncode}); full log in {cwd}/logs"
        )
    return took


SUMMARY_CODE = """
import json, sys
queries, engine, location = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
if engine == "spark":
    from pyspark.sql import SparkSession
    spark = SparkSession.builder.enableHiveSupport().getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    results = [[list(r) for r in spark.sql(query).collect()] for query in queries]
else:
    import duckdb
    con = duckdb.connect(location, read_only=True)
    results = [[list(r) for r in con.execute(query).fetchall()] for query in queries]
print("SUMMARY " + json.dumps(results, default=float))
"""


def summary(python: str, engine: str, location: str, project: Path, env: dict[str, str]) -> list:
    """Per-metric sums of marts.rpt_all_measures and per-publication sums of
    marts.rpt_revisions on one engine (schemas are unprefixed on every engine)."""
    queries = [
        SUMMARY_SQL.format(relation="marts.rpt_all_measures"),
        REVISIONS_SQL.format(relation="marts.rpt_revisions"),
    ]
    proc = subprocess.run(
        [python, "-c", SUMMARY_CODE, json.dumps(queries), engine, location],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("SUMMARY "):
            return json.loads(line[len("SUMMARY ") :])
    raise SystemExit(f"spark-check: could not read the {engine} summary:\n{proc.stderr[-3000:]}")


def agree(a: list, b: list) -> bool:
    """Same metric and row count, and sums equal to 1e-3 (nulls equal nulls)."""
    if a[:2] != b[:2]:
        return False
    for x, y in zip(a[2:], b[2:], strict=True):
        if (x is None) != (y is None) or (x is not None and abs(float(x) - float(y)) > 1e-3):
            return False
    return True


def run(spark_python: Path, require_java: bool = False, keep: bool = False) -> int:
    """Build on Spark with ``spark_python``'s dbt-spark, compare with DuckDB; the exit code."""
    if shutil.which("java") is None:
        message = (
            "no Java runtime on PATH (install one, e.g. apt-get install -y default-jre-headless)"
        )
        if require_java:
            raise SystemExit(f"spark-check: {message}")
        print(f"spark-check SKIPPED: {message}")
        return 0

    scratch = Path(tempfile.mkdtemp(prefix="ncpm-spark-"))
    project = scratch / "project"
    shutil.copytree(ROOT, project, ignore=ignore)
    spark_python = str(Path(spark_python).absolute())
    if not Path(spark_python).exists():
        raise SystemExit(
            f"spark-check: no Spark environment at {spark_python}: run `make spark-check`, "
            "which creates .venv-spark from requirements-spark.lock"
        )
    env = os.environ.copy()
    env.update(
        {
            "DBT_PROFILES_DIR": str(project),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "DBT_USE_COLORS": "False",
            "NCPM_RAW_DIR": str(project / "seeds" / "raw"),
            "NCPM_DUCKDB_PATH": str(scratch / "duckdb" / "ncpm.duckdb"),
            "NCPM_PUBLICATIONS_DIR": str(project / "publications"),
            "PYSPARK_PYTHON": spark_python,
        }
    )
    spark_env = {**env, "NCPM_TARGET": "spark_session"}
    dbt_spark = str(Path(spark_python).parent / "dbt")
    duck_python = sys.executable
    dbt_duck = str(Path(duck_python).parent / "dbt")
    timings = {}
    started = time.perf_counter()
    try:
        write_sample_revision_logs(duck_python, project / "publications")
        timings["stage_raw_feeds"] = run_step(
            [dbt_spark, "run-operation", "stage_raw_feeds"],
            project,
            spark_env,
            "Spark: dbt run-operation stage_raw_feeds",
        )
        timings["spark build"] = run_step(
            [dbt_spark, "build"],
            project,
            spark_env,
            "Spark: dbt build (seeds, models, data and unit tests)",
        )
        spark_measures, spark_revisions = summary(spark_python, "spark", "", project, spark_env)
        (scratch / "duckdb").mkdir()
        timings["duckdb build"] = run_step(
            [dbt_duck, "build", "--target-path", str(scratch / "duck-target")],
            project,
            env,
            "DuckDB: dbt build of the same files",
        )
        duck_measures, duck_revisions = summary(
            duck_python, "duckdb", env["NCPM_DUCKDB_PATH"], project, env
        )
    except BaseException:
        print(f"scratch copy kept for inspection: {scratch}")
        raise
    if keep:
        print(f"scratch copy kept in {scratch}")
    else:
        shutil.rmtree(scratch, ignore_errors=True)

    print()
    print(
        f"{'metric':<8} {'rows':>6} {'sum(value)':>16} {'sum(rate)':>14} {'sum(% change)':>16}"
        "  engines"
    )
    same = len(spark_measures) == len(duck_measures)
    for s_row, d_row in zip(spark_measures, duck_measures, strict=False):
        ok = agree(s_row, d_row)
        same &= ok
        print(
            f"{s_row[0]:<8} {s_row[1]:>6} {s_row[2]!s:>16} {s_row[3]!s:>14} {s_row[4]!s:>16}  "
            + ("agree" if ok else f"DIFFER: duckdb {d_row}")
        )
    print()
    print(
        f"{'revisions of':<14} {'rows':>6} {'sum(value)':>12} {'sum(from first)':>16}"
        f" {'sum(from previous)':>19}  engines"
    )
    revisions_same = len(spark_revisions) == len(duck_revisions) == 2
    for s_row, d_row in zip(spark_revisions, duck_revisions, strict=False):
        ok = agree(s_row, d_row)
        revisions_same &= ok
        print(
            f"{s_row[0]:<14} {s_row[1]:>6} {s_row[2]!s:>12} {s_row[3]!s:>16} {s_row[4]!s:>19}  "
            + ("agree" if ok else f"DIFFER: duckdb {d_row}")
        )
    if not revisions_same:
        print(
            "revisions: expected 2 revised publications (2026-06-r1, 2026-06-r2) of the sample"
            f" history on both engines; Spark {len(spark_revisions)}, DuckDB {len(duck_revisions)}"
        )
    print()
    timings["total (wall)"] = time.perf_counter() - started
    for label, took in timings.items():
        print(f"{label:<18} {took:7.1f} s")
    if not (same and revisions_same):
        print("spark-check FAILED: Spark and DuckDB disagree (see above)")
        return 1
    print(
        f"spark-check passed: {len(spark_measures)} metrics and the revision history,"
        " identical on Spark and DuckDB"
    )
    return 0
