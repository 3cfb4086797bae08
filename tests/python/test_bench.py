"""`ncpm bench`: its options, and the pieces of the Spark load figure that are not timing.

The benchmark itself only reports figures and is never run by the suite (it builds tens of
millions of rows); these tests check the folder it builds for 12 of 24 generated months and
the process accounting it reads from /proc.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ncpm import settings, street_level
from ncpm.spark import load

NCPM = str(Path(sys.executable).parent / "ncpm")
LOG_HEADER = "month,force_id,source_file,row_count,landed_at,superseded_landed_at\n"


def test_spark_target_needs_scale_and_one_months_value_without_it():
    spark = subprocess.run(
        [NCPM, "bench", "--target", "spark"], capture_output=True, text=True, check=False
    )
    assert spark.returncode == 2 and "add --scale" in spark.stderr
    two = subprocess.run(
        [NCPM, "bench", "--scale", "--months", "12", "--months", "24"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert two.returncode == 2 and "one --months value without --target spark" in two.stderr


def test_last_months_links_the_newest_months_and_cuts_the_landing_log(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    feed = raw / "street_level_crime"
    log_rows = []
    for month in ("2022-10", "2022-11", "2022-12"):
        (feed / f"month={month}").mkdir(parents=True)
        (feed / f"month={month}" / "kent.parquet").write_bytes(month.encode())
        log_rows.append(f"{month},kent,{month}/{month}-kent-street.csv,1,2023-01-31T00:00:00Z,\n")
    (feed / street_level.LOG_NAME).write_text(LOG_HEADER + "".join(log_rows))
    other = tmp_path / "sample-raw"  # the other feeds' committed samples, copied beside
    (other / "homicide_index").mkdir(parents=True)
    (other / "homicide_index" / "homicide_index.csv").write_text("a\n1\n")
    (other / "_spark_visible").mkdir()  # a working copy of ncpm's, never a feed
    (other / "_spark_visible" / "stale.csv").write_text("old\n")
    monkeypatch.setenv("NCPM_RAW_DIR", str(other))
    settings.get.cache_clear()
    try:
        folder = load.last_months(raw, tmp_path / "raw-2-months", 2)
    finally:
        settings.get.cache_clear()
    landed = sorted(p.name for p in (folder / "street_level_crime").glob("month=*"))
    assert landed == ["month=2022-11", "month=2022-12"]
    kept = folder / "street_level_crime" / "month=2022-12" / "kent.parquet"
    assert os.path.samefile(kept, feed / "month=2022-12" / "kent.parquet")  # a link, no copy
    log = (folder / "street_level_crime" / street_level.LOG_NAME).read_text()
    assert log == LOG_HEADER + "".join(log_rows[1:])
    visible = folder / street_level.SPARK_VISIBLE_DIR / "street_level_crime" / "landing_log.csv"
    assert visible.read_text() == log
    assert (folder / "homicide_index" / "homicide_index.csv").read_text() == "a\n1\n"
    assert not (folder / street_level.SPARK_VISIBLE_DIR / "stale.csv").exists()


def test_process_usage_reads_cpu_and_memory_of_a_live_process_only():
    child = subprocess.Popen(
        [sys.executable, "-c", "x = bytearray(64 * 2**20); sum(range(3 * 10**7)); input()"],
        stdin=subprocess.PIPE,
    )
    try:
        usage = None
        for _ in range(100):  # until the child has allocated and counted (at most 10 s)
            usage = load.process_usage(child.pid)
            if usage and usage[0] > 0.2 and usage[1] > 64:
                break
            subprocess.run(["sleep", "0.1"], check=True)
        assert usage is not None
        cpu, rss = usage
        assert cpu > 0.2 and rss > 64  # seconds of CPU, MiB resident (the 64 MiB array)
    finally:
        child.communicate(b"\n", timeout=30)
    assert load.process_usage(child.pid) is None
