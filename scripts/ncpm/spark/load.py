"""`ncpm bench --scale --target spark`: the street-level build on the project's cluster.

The load figure of the standalone cluster (``ncpm.spark.cluster``: a master, two one-core
workers and the Thrift server, each its own JVM) beside DuckDB, for the same work: the
street-level models, their tests and the marts built on them (`dbt build --select
source:street_level_crime+ --full-refresh`), from the same landed Parquet.

One national synthetic set of the largest month count is generated (``ncpm synth``, as
``ncpm bench --scale`` does); each smaller count reads its last months, hard-linked into a
folder of its own with the landing log cut to them, so 12 and 24 months are the same rows
where they overlap and the growth is the data's, not the generator's.

For each month count, each engine: wall seconds of the dbt command; CPU seconds of the dbt
process (the client) and, on Spark, of every cluster process (master, workers, Thrift
server and executors: utime + stime from /proc, before and after); peak memory of the dbt
process (DuckDB works inside it) and, on Spark, the peak of the cluster processes' summed
resident memory, sampled every half second. The cluster's start is timed once. The rest of
the project (seeds, reference models) is built on each engine first, not timed.

This only reports; nothing in the test suite asserts a time.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

from ncpm import bench, settings, street_level
from ncpm.spark import cluster as spark_cluster

MONTHS = (12, 24)
SAMPLE_SECONDS = 0.5
TICKS = os.sysconf("SC_CLK_TCK")
PAGE_MIB = os.sysconf("SC_PAGE_SIZE") / 2**20


def process_usage(pid: int) -> tuple[float, float] | None:
    """(CPU seconds user + system, resident MiB) of a live process; None once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        statm = Path(f"/proc/{pid}/statm").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    cpu = (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14 and 15)
    return cpu, int(statm.split()[1]) * PAGE_MIB


class ClusterMeter:
    """CPU seconds and peak summed RSS of a cluster's processes over a stretch of work."""

    def __init__(self, machine: spark_cluster.Cluster) -> None:
        self.machine = machine
        self.start_cpu: dict[int, float] = {}
        self.last_cpu: dict[int, float] = {}
        self.peak_mib = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _read(self) -> float:
        total = 0.0
        for pid in self.machine.strays():
            usage = process_usage(pid)
            if usage is not None:
                self.last_cpu[pid] = usage[0]
                total += usage[1]
        self.peak_mib = max(self.peak_mib, total)
        return total

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self._read()

    def __enter__(self) -> ClusterMeter:
        self._read()
        self.start_cpu = dict(self.last_cpu)
        self.peak_mib = 0.0
        self._read()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._read()

    @property
    def cpu_seconds(self) -> float:
        """CPU used since entering (a process that started meanwhile counts from zero)."""
        return sum(cpu - self.start_cpu.get(pid, 0.0) for pid, cpu in self.last_cpu.items())


def last_months(raw: Path, folder: Path, months: int) -> Path:
    """A raw folder holding the last ``months`` landed months of ``raw`` and the other feeds.

    The street-level files are hard links (no copy) and its landing log keeps the rows of
    those months only, so the models see a feed that starts there; the other feeds' sample
    files (small) are copied.
    """
    if folder.exists():
        shutil.rmtree(folder)
    feed = raw / bench.STREET
    kept = sorted(p.name for p in feed.glob("month=*"))[-months:]
    for name in kept:
        shutil.copytree(feed / name, folder / bench.STREET / name, copy_function=os.link)
    first = kept[0].removeprefix("month=")
    bench.keep_landing_log_months(
        feed / street_level.LOG_NAME,
        folder / bench.STREET / street_level.LOG_NAME,
        lambda month: month >= first,
    )
    for other in settings.get().raw_dir.iterdir():
        if other.is_dir() and other.name != bench.STREET and not other.name.startswith("_"):
            shutil.copytree(other.resolve(), folder / other.name, copy_function=shutil.copy2)
    street_level.copy_landing_log_for_spark(folder)
    return folder


def _untimed(cmd: list[str], env: dict[str, str]) -> None:
    """A preparing step: its output only when it fails, then the benchmark stops."""
    done = subprocess.run(
        cmd, cwd=settings.get().root, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        print(done.stdout[-4000:], done.stderr[-2000:])
        command = f"{Path(cmd[0]).name} {' '.join(cmd[1:])}"
        raise SystemExit(
            f"ncpm bench --target spark: `{command}` failed (exit {done.returncode}); "
            "its output is above"
        )


def run(months: tuple[int, ...] = MONTHS, scratch: Path | None = None, reuse: bool = False) -> int:
    """Generate (or reuse) the national set, build on DuckDB and on the cluster; print figures."""
    s = settings.get()
    spark_venv = (s.spark_venv or s.root / ".venv-spark").absolute()
    try:
        spark_cluster.java_binary()
    except spark_cluster.SparkRefused as error:
        raise SystemExit(f"ncpm bench --target spark: {error}") from None
    if not (spark_venv / "bin" / "dbt").exists():
        raise SystemExit(
            f"ncpm bench --target spark: no Spark environment at {spark_venv}: run "
            "`make spark-venv` (it installs requirements-spark.lock)"
        )
    months = tuple(sorted(set(months)))
    base = Path(scratch or os.environ.get("TMPDIR", "/tmp")) / "ncpm-bench-spark"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NCPM_", "DBT_", "SPARK_"))}
    env.update(
        {
            "DBT_PROFILES_DIR": str(s.root),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "DBT_USE_COLORS": "False",
            # no publication history: the revision models read an empty folder
            "NCPM_PUBLICATIONS_DIR": str(base / "publications"),
        }
    )
    generated: list[tuple[str, float, float, float, str]] = []

    def generate(label: str, cmd: list[str]) -> None:
        print(f"... {label}", flush=True)
        wall, rss, _, cpu = bench.measure(cmd, env)
        generated.append((label, wall, cpu, rss, ""))

    raw = bench.national_set(base, max(months), reuse, generate, generated)
    (base / "publications").mkdir(exist_ok=True)
    select = ["--select", f"source:{bench.STREET}+"]
    # Every model and seed the street-level build or its tests read, built without tests.
    parents = [
        "--select", f"@source:{bench.STREET}", "--exclude", f"source:{bench.STREET}+",
        "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test",
    ]  # fmt: skip
    rows: list[tuple[str, int, float, float, float, float, float, str]] = []

    def dbt_step(engine: str, n: int, dbt: str, extra: dict, meter=None) -> None:
        label = f"{engine}: dbt build {' '.join(select)} --full-refresh"
        print(f"... {label} ({n} months)", flush=True)
        cmd = [dbt, "build", *select, "--full-refresh"]
        if meter is None:
            wall, rss, out, cpu = bench.measure(cmd, {**env, **extra}, check=False)
            cluster_cpu = cluster_mib = 0.0
        else:
            with meter as m:
                wall, rss, out, cpu = bench.measure(cmd, {**env, **extra}, check=False)
            cluster_cpu, cluster_mib = m.cpu_seconds, m.peak_mib
        done = [line for line in out.splitlines() if "Done. PASS=" in line]
        note = done[-1].split("Done. ")[-1] if done else out.strip().splitlines()[-1]
        rows.append((engine, n, wall, cpu, cluster_cpu, rss, cluster_mib, note))
        bench._print_slowest(Path(extra["DBT_TARGET_PATH"]) / "run_results.json")

    folders = {n: last_months(raw, base / f"raw-{n}-months", n) for n in months}
    counts = {n: bench._landed_rows(folders[n]) for n in months}

    duck_dbt = str(bench.BIN / "dbt")
    for n in months:
        extra = {
            "NCPM_RAW_DIR": str(folders[n]),
            "NCPM_DUCKDB_PATH": str(base / f"duckdb-{n}.duckdb"),
            "DBT_TARGET_PATH": str(base / "duck-target"),
        }
        Path(extra["NCPM_DUCKDB_PATH"]).unlink(missing_ok=True)
        print(f"... DuckDB: the rest of the project for {n} months (not timed)", flush=True)
        _untimed([duck_dbt, "build", *parents], {**env, **extra})
        dbt_step("DuckDB", n, duck_dbt, extra)

    spark_dir = base / "spark"
    if spark_dir.exists():
        shutil.rmtree(spark_dir)
    machine = spark_cluster.Cluster(
        base=spark_dir,
        venv=spark_venv,
        thrift_port=spark_cluster.free_port(),
        master_port=spark_cluster.free_port(),
        master_ui_port=spark_cluster.free_port(),
        worker_memory=s.spark_worker_memory,
    )
    spark_dbt = str(spark_venv / "bin" / "dbt")
    up = 0.0
    try:
        print(f"... Spark cluster up (logs {machine.run})", flush=True)
        took = time.perf_counter()
        machine.start(say=lambda _: None)
        up = time.perf_counter() - took
        for i, n in enumerate(months):
            extra = {
                "NCPM_TARGET": "spark",
                "NCPM_SPARK_HOST": spark_cluster.HOST,
                "NCPM_SPARK_PORT": str(machine.thrift_port),
                "NCPM_SPARK_DIR": str(spark_dir),
                "NCPM_SPARK_VENV": str(spark_venv),
                "NCPM_RAW_DIR": str(folders[n]),
                "DBT_TARGET_PATH": str(base / "spark-target"),
            }
            print(f"... Spark: stage_raw_feeds over {n} months (not timed)", flush=True)
            _untimed([spark_dbt, "run-operation", "stage_raw_feeds"], {**env, **extra})
            if i == 0:
                print("... Spark: the rest of the project (not timed)", flush=True)
                _untimed([spark_dbt, "build", *parents], {**env, **extra})
            dbt_step("Spark", n, spark_dbt, extra, meter=ClusterMeter(machine))
    finally:
        stopped = machine.stop()
        print(f"... cluster stopped ({len(stopped)} processes)", flush=True)

    print(f"\nscratch folder {base}; cluster up in {up:.1f} s (not in the figures below)")
    for label, wall, cpu, rss, note in generated:
        print(f"{label}: {wall:.1f} s wall, {cpu:.1f} s CPU, {rss:.0f} MiB peak; {note}")
    print(
        f"\n{'engine':<7} {'months':>6} {'rows':>11} {'wall s':>8} {'cpu s dbt':>10} "
        f"{'cpu s cluster':>14} {'MiB dbt':>8} {'MiB cluster':>12}  dbt says"
    )
    for engine, n, wall, cpu, ccpu, rss, cmib, note in rows:
        print(
            f"{engine:<7} {n:>6} {counts[n]:>11,} {wall:>8.1f} {cpu:>10.1f} {ccpu:>14.1f} "
            f"{rss:>8.0f} {cmib:>12.0f}  {note}"
        )
    for engine in ("DuckDB", "Spark"):
        walls = [(n, wall) for e, n, wall, *_ in rows if e == engine]
        if len(walls) > 1:
            (n0, w0), (n1, w1) = walls[0], walls[-1]
            print(f"{engine}: {n1} months take {w1 / w0:.2f}x the wall time of {n0}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    failed = [r for r in rows if "ERROR=0" not in r[7]]
    return 1 if failed else 0
