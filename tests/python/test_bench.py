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

from dbt_sandbox import RAW

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


def test_the_full_floor_computes_what_the_street_level_models_compute(built_sample):
    """The `all` floor of `ncpm bench --scale` against the sample warehouse the models built
    from the same landed files: the same LSOA months and category counts, force-type rows and
    LSOAs routed. (A floor that computed less would flatter the build's ratio to it.)"""
    import duckdb

    from ncpm.street_level import floor

    parts = floor.run(RAW, "all")
    con = duckdb.connect(str(built_sample), read_only=True)
    categories = [
        name.removesuffix("_month_value")
        for (name,) in con.execute(
            "select column_name from duckdb_columns() where schema_name = 'marts' and "
            "table_name = 'fct_local_crime_lsoa' and ends_with(column_name, '_month_value')"
        ).fetchall()
    ]
    assert len(categories) == 7, categories
    lsoa = con.execute(
        "select count(*), "
        + ", ".join(f"sum({category}_month_value)" for category in categories)
        + " from marts.fct_local_crime_lsoa"
    ).fetchone()
    assert (parts["lsoa"]["row_count"], *(parts["lsoa"][c] for c in categories)) == lsoa
    types = con.execute(
        "select count(*), sum(row_count), sum(located_count), sum(first_source_row_number) "
        "from intermediate.int_street_level_crime__force_month_types"
    ).fetchone()
    force_types = parts["force types"]
    assert tuple(force_types[c] for c in ("row_count", "n", "located", "first_row")) == types
    routed = con.execute(
        "select count(*), count(lad_code), count(pfa_code) "
        "from intermediate.int_street_level_crime__lsoa_geography"
    ).fetchone()
    geography = parts["geography"]
    assert tuple(geography[c] for c in ("row_count", "lad_code", "pfa_code")) == routed
    assert lsoa[0] > 0 and types[0] > 0 and routed[0] > 0


def test_the_landing_floor_writes_every_row_and_the_incremental_floor_reads_fewer(tmp_path):
    """`land --csv` copies every data row of the published files (then deletes its copy);
    `all --since` reads the months an incremental build reads, not the whole feed."""
    from ncpm.street_level import floor

    files = tmp_path / "files"
    subprocess.run(
        [NCPM, "synth", "--feed", street_level.FEED, "--", "--months", "1", "--end", "2019-06",
         "--csv", "--out", str(files)],
        check=True, capture_output=True,
    )  # fmt: skip
    lines = sum(len(f.read_text().splitlines()) - 1 for f in files.rglob("*-street.csv"))
    raw = tmp_path / "raw"
    raw.mkdir()
    assert floor.run(raw, "land", csv=files) == {"landed": {"row_count": lines}}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["files", "raw"]  # its copy is gone

    # The sample's 24 months are 2018-07..2020-06. After landing 2020-12 an incremental build
    # reads 2020-01..2020-12 and the baseline year 2018-07..2019-06: not 2019-07..2019-12.
    # After landing 2020-06 it reads 2019-07..2020-06 and the baseline year: all 24.
    sample = RAW
    months = sorted(p.name for p in (sample / street_level.FEED).glob("month=*"))
    assert (months[0], months[-1]) == ("month=2018-07", "month=2020-06")
    whole = floor.run(sample, "all")
    since = floor.run(sample, "all", since="2020-12")
    for part in ("lsoa", "force types"):
        assert 0 < since[part]["row_count"] < whole[part]["row_count"], part
    assert since["lsoa baseline"] == whole["lsoa baseline"]
    assert floor.run(sample, "all", since="2020-06") == whole
    bad = subprocess.run(
        [sys.executable, "-m", "ncpm.street_level.floor", str(sample), "all", "--since", "2020-13"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert bad.returncode == 2 and "'2020-13' is not a month written YYYY-MM" in bad.stderr
