"""Prove the project runs unchanged on Apache Spark, and agrees with DuckDB row for row.

By default on a Spark standalone cluster (:mod:`ncpm.spark.cluster`: a master, two workers,
each its own JVM, and the Thrift server), started by this check in its scratch folder on
free ports and stopped at the end, also on failure. In a scratch copy of the project (with
a small sample revision history: three publication revision logs in Parquet as `make
publish` writes them, plus one under publications/.staging/ that must not be read):

1. DuckDB publishes the quarter PERIOD (``ncpm publish``: dbt build, export,
   Great Expectations, bulletin, atomic publish, revision record, BI copy);
2. Spark publishes the same quarter as its revision, through the cluster's Thrift endpoint
   (``ncpm publish --revise --target spark``: stage_raw_feeds, dbt build of seeds, every
   model, data test and unit test, the marts read back through Thrift, then the same steps);
3. DuckDB refreshes marts.rpt_revisions, so both engines have read the same revision logs;
4. every marts table is compared row for row (:mod:`ncpm.compare`: EXCEPT ALL both ways,
   doubles to 1e-9 relative), naming the first differing rows of a table that differs;
5. the two publications' data files are compared the same way, and their manifests apart
   from provenance (publication id, revision, times, commit, invocation, digests, tests).

``--in-process`` builds with dbt-spark's ``session`` method instead (one JVM inside dbt, no
ports needed) and compares the marts of a plain ``dbt build`` (no publication).

Needs a Java 17+ runtime; without one it says so and exits 0 (skipped), unless
--require-java. Prints timings; exits non-zero on a failed step or any difference. Run
through `make spark-check` (creates .venv-spark from requirements-spark.lock):

    ncpm spark-check [--spark-python .venv-spark/bin/python] [--in-process] [--keep]
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from ncpm import compare, settings
from ncpm.serve.cluster import process_alive
from ncpm.spark import cluster as spark_cluster
from ncpm.spark import marts as spark_marts
from ncpm.street_level import copy_landing_log_for_spark

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


PERIOD = "2025-12"  # the quarter both engines publish: DuckDB revision 1, Spark revision 2

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


STEP_STOP_SECONDS = 10.0  # how long an interrupted step has to stop before it is killed


def run_step(cmd: list[str], cwd: Path, env: dict[str, str], label: str, log: Path) -> float:
    """Run one step, its output into ``log``; on failure print its errors and stop.

    The step runs in a process group of its own. When this check is interrupted (Ctrl-C,
    or any exception while it waits), the whole group is stopped, not only the step's own
    process: a step such as ``ncpm publish`` runs dbt as its child, and a dbt left behind
    kept trying to reach the Thrift server the check had just stopped.
    """
    print(f"... {label}", flush=True)
    start = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            proc.wait()
        except BaseException:
            stop_process_group(proc)
            raise
    took = time.perf_counter() - start
    if proc.returncode != 0:
        text = log.read_text(errors="replace")
        lines = [ln for ln in text.splitlines() if "ERROR" in ln or "Error" in ln or "FAIL" in ln]
        print("\n".join(lines[-40:]) or text[-5000:])
        raise SystemExit(f"spark-check: {label} failed (exit {proc.returncode}); its log: {log}")
    return took


def stop_process_group(proc: subprocess.Popen, grace: float | None = None) -> None:
    """Stop ``proc`` and every process of its group, before the cluster goes down.

    SIGINT first, as Ctrl-C would (dbt cancels its queries and the step's own clean-up
    runs), then SIGTERM and SIGKILL to whatever is left, ``grace`` s apart (default
    STEP_STOP_SECONDS).
    """
    grace = STEP_STOP_SECONDS if grace is None else grace
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return  # the group is gone
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            proc.poll()  # reap the leader: it is ours
            if not live_group_members(proc.pid):
                return
            time.sleep(0.1)


def live_group_members(pgid: int) -> list[int]:
    """The processes of group ``pgid`` still running (Linux /proc; zombies do not count)."""
    members = []
    for entry in Path("/proc").glob("[0-9]*"):
        pid = int(entry.name)
        try:
            if os.getpgid(pid) == pgid and process_alive(pid):
                members.append(pid)
        except ProcessLookupError:
            continue  # the process ended while we looked
    return members


def report(differences: list[compare.TableDifference], a: str, b: str) -> bool:
    """Print one line per table (and the first differing rows); True when all agree."""
    for d in differences:
        state = (
            "same"
            if d.same
            else f"DIFFER: {d.only_in_a} row(s) only on {a}, {d.only_in_b} only on {b}"
        )
        print(f"  {d.table:<44} {d.rows:>7} rows  {state}")
        for row in d.sample:
            print(f"      only on {a}: {row}")
        for row in d.sample_b:
            print(f"      only on {b}: {row}")
    return bool(differences) and all(d.same for d in differences)


def publication_id(folder: Path) -> str:
    return json.loads((folder / "manifest.json").read_text())["publication"]["publication_id"]


def files_as_marts(folder: Path, target: Path, compared: tuple[str, ...]) -> Path:
    """The Parquet data files of a publication as tables of schema marts of a DuckDB file.

    rpt_revisions as of a publication holds the revisions it makes itself, and the Spark
    publication (revision 2) also holds those of DuckDB's (revision 1), published before it.
    The rows of both ``compared`` publications are left out on each side; marts.rpt_revisions,
    compared above after both engines read the same logs, holds them.
    """
    import duckdb

    con = duckdb.connect(str(target))
    try:
        con.execute("create schema marts")
        for path in sorted((folder / "data").glob("*.parquet")):
            keep = (
                " where publication_id not in (" + ", ".join("?" for _ in compared) + ")"
                if path.stem == "rpt_revisions"
                else ""
            )
            con.execute(
                f"create table marts.{path.stem} as select * from read_parquet(?){keep}",
                [str(path), *(compared if keep else ())],
            )
        log = folder / "revision_log.parquet"
        con.execute(
            "create table marts.revision_log as select * exclude (publication_id, "
            "publication_revision, published_at) from read_parquet(?)",
            [str(log)],
        )
    finally:
        con.close()
    return target


PROVENANCE = {"publication", "git", "dbt", "tests"}


def manifest_without_provenance(folder: Path) -> dict:
    """manifest.json less its provenance (ids, times, commit, digests, the engine's test counts)."""
    manifest = json.loads((folder / "manifest.json").read_text())
    kept = {k: v for k, v in manifest.items() if k not in PROVENANCE}  # raw files: by digest
    kept["files"] = sorted(
        # rpt_revisions: its rows differ by the publication's own revisions (files_as_marts)
        (f["path"], None if "rpt_revisions" in f["path"] else f["rows"])
        for f in manifest["files"]
        if f["path"].startswith("data/")
    )
    kept["raw_files"] = sorted((f["feed"], f["file"], f["sha256"]) for f in manifest["raw_files"])
    return kept


def spark_python_venv(spark_python: Path) -> Path:
    return Path(spark_python).absolute().parent.parent


@contextlib.contextmanager
def sigterm_as_exit():
    """Within it, a SIGTERM (a CI timeout, `kill`) ends the check as Ctrl-C does.

    The step in progress and its children are stopped, then the cluster (the ``finally``
    blocks run): the steps run in process groups of their own, so a signal to the check's
    group no longer reaches them. Only in the main thread, where Python handles signals.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminated(signum, frame):
        raise SystemExit("spark-check: terminated (SIGTERM): the step and the cluster stopped")

    previous = signal.signal(signal.SIGTERM, terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run(
    spark_python: Path, require_java: bool = False, keep: bool = False, in_process: bool = False
) -> int:
    """Build on Spark with ``spark_python``'s dbt-spark, compare with DuckDB; the exit code."""
    with sigterm_as_exit():
        return _run(spark_python, require_java, keep, in_process)


def _run(spark_python: Path, require_java: bool, keep: bool, in_process: bool) -> int:
    try:
        spark_cluster.java_binary()
    except spark_cluster.SparkRefused as error:
        if require_java:
            raise SystemExit(f"spark-check: {error}") from None
        print(f"spark-check SKIPPED: {error}")
        return 0
    spark_python = Path(spark_python).absolute()
    if not spark_python.exists():
        raise SystemExit(
            f"spark-check: no Spark environment at {spark_python}: run `make spark-check`, "
            "which creates .venv-spark from requirements-spark.lock"
        )
    scratch = Path(tempfile.mkdtemp(prefix="ncpm-spark-"))
    project = scratch / "project"
    shutil.copytree(ROOT, project, ignore=ignore)
    logs = scratch / "logs"
    logs.mkdir()
    duck_path = scratch / "duckdb" / "ncpm.duckdb"
    duck_path.parent.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NCPM_", "DBT_", "SPARK_"))}
    env.update(
        {
            "NCPM_PROJECT_DIR": str(project),
            "DBT_PROFILES_DIR": str(project),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "DBT_USE_COLORS": "False",
            "NCPM_RAW_DIR": str(project / "seeds" / "raw"),
            "NCPM_PUBLICATIONS_DIR": str(project / "publications"),
            "NCPM_PG_DIR": str(scratch / "no-serving-database"),
            "NCPM_SPARK_VENV": str(spark_python_venv(spark_python)),
            "PYSPARK_PYTHON": str(spark_python),
        }
    )
    duck_env = {
        **env,
        "NCPM_TARGET": "duckdb",
        "NCPM_DUCKDB_PATH": str(duck_path),
        "DBT_TARGET_PATH": str(scratch / "duck-target"),
        "NCPM_PUBLISHED_DUCKDB_PATH": str(scratch / "bi-duckdb" / "ncpm.duckdb"),
    }
    spark_dir = scratch / "spark"
    spark_marts_path = spark_dir / "spark_marts.duckdb"
    machine = spark_cluster.Cluster(
        base=spark_dir,
        venv=spark_python_venv(spark_python),
        thrift_port=spark_cluster.free_port(),
        master_port=spark_cluster.free_port(),
        master_ui_port=spark_cluster.free_port(),
        worker_memory=settings.get().spark_worker_memory,
    )
    spark_env = {
        **env,
        "NCPM_TARGET": "spark_session" if in_process else "spark",
        "NCPM_SPARK_HOST": spark_cluster.HOST,
        "NCPM_SPARK_PORT": str(machine.thrift_port),
        "NCPM_SPARK_DIR": str(spark_dir),
        "NCPM_DUCKDB_PATH": str(scratch / "unused.duckdb"),
        "DBT_TARGET_PATH": str(scratch / "spark-target"),
        "NCPM_PUBLISHED_DUCKDB_PATH": str(scratch / "bi-spark" / "ncpm.duckdb"),
    }
    ncpm = str(Path(sys.executable).parent / "ncpm")
    dbt_duck = str(Path(sys.executable).parent / "dbt")
    dbt_spark = str(spark_python.parent / "dbt")
    period_vars = json.dumps({"publication_period": "2025-12-31"})
    timings: dict[str, float] = {}
    started = time.perf_counter()
    ok = False
    try:
        write_sample_revision_logs(sys.executable, project / "publications")
        if in_process:
            spark_dir.mkdir()
            copy_landing_log_for_spark(project / "seeds" / "raw")
            timings["Spark stage_raw_feeds"] = run_step(
                [dbt_spark, "run-operation", "stage_raw_feeds"], project, spark_env,
                "Spark in-process: dbt run-operation stage_raw_feeds", logs / "spark-stage.log",
            )  # fmt: skip
            timings["Spark build"] = run_step(
                [dbt_spark, "build"], project, spark_env,
                "Spark in-process: dbt build (seeds, models, data and unit tests)",
                logs / "spark-build.log",
            )  # fmt: skip
            took = time.perf_counter()
            spark_marts.export_marts(
                spark_python, "", 0, spark_marts_path, session=(project, spark_env)
            )
            timings["Spark marts read"] = time.perf_counter() - took
            timings["DuckDB build"] = run_step(
                [dbt_duck, "build"], project, duck_env, "DuckDB: dbt build of the same files",
                logs / "duckdb-build.log",
            )  # fmt: skip
        else:
            print(
                f"... Spark cluster up: master, {spark_cluster.WORKERS} workers, Thrift server "
                f"on 127.0.0.1:{machine.thrift_port} (logs {machine.run})",
                flush=True,
            )
            took = time.perf_counter()
            try:
                machine.start(say=lambda _: None)
            except spark_cluster.SparkError as error:
                raise SystemExit(f"spark-check: the cluster did not start: {error}") from None
            timings["cluster up"] = time.perf_counter() - took
            timings["DuckDB publish"] = run_step(
                [ncpm, "publish", "--period", PERIOD], project, duck_env,
                f"DuckDB: ncpm publish --period {PERIOD}", logs / "duckdb-publish.log",
            )  # fmt: skip
            timings["Spark publish"] = run_step(
                [ncpm, "publish", "--period", PERIOD, "--revise", "--target", "spark"],
                project, spark_env,
                f"Spark cluster: ncpm publish --period {PERIOD} --revise --target spark "
                "(stage_raw_feeds, dbt build, marts through Thrift, the same steps)",
                logs / "spark-publish.log",
            )  # fmt: skip
            timings["DuckDB record"] = run_step(
                [dbt_duck, "build", "--select", "stg_publications__revision_log+", "--vars",
                 period_vars], project, duck_env,
                "DuckDB: marts.rpt_revisions from the same revision logs",
                logs / "duckdb-record.log",
            )  # fmt: skip
        took = time.perf_counter()
        print()
        print("Every marts table, Spark (through its SQL endpoint) against DuckDB, row for row:")
        marts_same = report(compare.compare_marts(spark_marts_path, duck_path), "Spark", "DuckDB")
        revisions = revision_publications(spark_marts_path)
        if len(revisions) < 2:
            marts_same = False
            print(f"  marts.rpt_revisions: expected revised publications, found {revisions}")
        files_same = True
        if not in_process:
            publications = project / "publications"
            spark_pub, duck_pub = publications / PERIOD, publications / f"{PERIOD}.revision-1"
            compared = (publication_id(spark_pub), publication_id(duck_pub))
            print()
            print(f"The publication {PERIOD} from each engine ({spark_pub.name} from Spark, "
                  f"{duck_pub.name} from DuckDB), data files row for row:")  # fmt: skip
            files_same = report(
                compare.compare_marts(
                    files_as_marts(spark_pub, scratch / "spark-files.duckdb", compared),
                    files_as_marts(duck_pub, scratch / "duckdb-files.duckdb", compared),
                ),
                "Spark",
                "DuckDB",
            )
            spark_manifest = manifest_without_provenance(spark_pub)
            duck_manifest = manifest_without_provenance(duck_pub)
            for key in sorted(set(spark_manifest) | set(duck_manifest)):
                if spark_manifest.get(key) != duck_manifest.get(key):
                    files_same = False
                    print(f"  manifest.json {key}: DIFFER")
                    print(f"      Spark:  {json.dumps(spark_manifest.get(key), default=str)[:300]}")
                    print(f"      DuckDB: {json.dumps(duck_manifest.get(key), default=str)[:300]}")
            if files_same:
                print(
                    "  manifest.json the same apart from provenance: "
                    + ", ".join(sorted(PROVENANCE))
                )
        timings["compare"] = time.perf_counter() - took
        ok = marts_same and files_same
    except BaseException:
        keep = True
        raise
    finally:
        if not in_process:
            took = time.perf_counter()
            stopped = machine.stop()
            timings["cluster down"] = time.perf_counter() - took
            left = machine.strays()
            if left:
                print(f"spark-check: processes of the cluster still alive: {left}")
                ok = False
            elif stopped:
                print(f"... cluster stopped ({len(stopped)} processes)")
        timings["total (wall)"] = time.perf_counter() - started
        print()
        for label, seconds in timings.items():
            print(f"{label:<22} {seconds:7.1f} s")
        if keep:
            print(f"scratch copy kept for inspection: {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    mode = "in-process" if in_process else "a standalone cluster through its Thrift server"
    if not ok:
        print(f"spark-check FAILED: Spark ({mode}) and DuckDB disagree (see above)")
        return 1
    print(f"spark-check passed: every marts table identical on Spark ({mode}) and DuckDB"
          + ("" if in_process else f", and so is the publication {PERIOD}"))  # fmt: skip
    return 0


def revision_publications(path: Path) -> list[str]:
    """The publications of marts.rpt_revisions (the sample history must show up there)."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            "select distinct publication_id from marts.rpt_revisions order by 1"
        ).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]
