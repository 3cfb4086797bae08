"""`ncpm compare-marts`: row-for-row comparison of two warehouses' marts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb

from ncpm import compare, spark_check

NCPM = str(Path(sys.executable).parent / "ncpm")


def warehouse(path: Path, rows: list[tuple], extra_table: bool = False) -> Path:
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute("create table marts.fct_x (metric_id varchar, value double)")
    con.executemany("insert into marts.fct_x values (?, ?)", rows)
    if extra_table:
        con.execute("create table marts.dim_y as select 1 as id")
    con.close()
    return path


def test_last_bit_differences_are_equal_and_real_ones_are_not(tmp_path):
    a = warehouse(tmp_path / "a.duckdb", [("M1", 0.1 + 0.2), ("M2", 5.0)])
    b = warehouse(tmp_path / "b.duckdb", [("M1", 0.3), ("M2", 5.0)])
    c = warehouse(tmp_path / "c.duckdb", [("M1", 0.3), ("M2", 5.0), ("M2", 5.0)])
    (same,) = compare.compare_marts(a, b)
    assert same.same and same.raw_only_in_a == 1  # 0.30000000000000004 vs 0.3
    (dup,) = compare.compare_marts(c, b)  # EXCEPT ALL: a duplicated row is a difference
    assert (dup.only_in_a, dup.only_in_b) == (1, 0) and dup.sample == [("M2", 5.0)]


def test_cli_exit_code_and_missing_tables(tmp_path):
    a = warehouse(tmp_path / "a.duckdb", [("M1", 1.0)])
    b = warehouse(tmp_path / "b.duckdb", [("M1", 1.0)], extra_table=True)
    result = subprocess.run([NCPM, "compare-marts", str(a), str(b)], capture_output=True, text=True)
    assert result.returncode == 1, result.stdout
    assert "dim_y" in result.stdout and "DIFFERENT" in result.stdout
    same = subprocess.run([NCPM, "compare-marts", str(a), str(a)], capture_output=True, text=True)
    assert same.returncode == 0 and "IDENTICAL" in same.stdout


def test_doubles_within_1e_9_pair_across_a_rounding_boundary_and_farther_ones_do_not(tmp_path):
    # 0.123456789499999.. and 0.1234567895000..01 round to different 9-digit numbers, yet are
    # 2e-16 apart; 2e-9 relative apart is a difference.
    a = warehouse(tmp_path / "a.duckdb", [("M1", 0.12345678949999999), ("M2", 1.0)])
    b = warehouse(tmp_path / "b.duckdb", [("M1", 0.12345678950000001), ("M2", 1.000000002)])
    (d,) = compare.compare_marts(a, b)
    assert (d.only_in_a, d.only_in_b) == (1, 1)
    assert d.sample == [("M2", 1.0)] and d.sample_b == [("M2", 1.000000002)]


def publication(folder: Path, own_id: str, revision_rows: list[tuple[str, float]]) -> Path:
    """A publication folder as spark-check reads it: manifest, data files, revision log."""
    (folder / "data").mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({"publication": {"publication_id": own_id}}))
    con = duckdb.connect()
    con.execute("create table r (publication_id varchar, value double)")
    con.executemany("insert into r values (?, ?)", revision_rows)
    con.execute(f"copy r to '{folder / 'data' / 'rpt_revisions.parquet'}' (format parquet)")
    con.execute(
        f"copy (select 'x' as publication_id, 1 as publication_revision, now() as published_at, "
        f"1.0 as value) to '{folder / 'revision_log.parquet'}' (format parquet)"
    )
    con.close()
    return folder


def test_spark_check_leaves_out_the_rows_of_both_compared_publications(tmp_path):
    # Revision 2 (Spark) holds the rows revision 1 (DuckDB) made before it; revision 1 cannot.
    spark = publication(
        tmp_path / "2025-12", "2025-12-r2", [("2026-06-r2", 1.0), ("2025-12-r1", 2.0)]
    )
    duck = publication(tmp_path / "2025-12.revision-1", "2025-12-r1", [("2026-06-r2", 1.0)])
    compared = (spark_check.publication_id(spark), spark_check.publication_id(duck))
    assert compared == ("2025-12-r2", "2025-12-r1")
    a = spark_check.files_as_marts(spark, tmp_path / "a.duckdb", compared)
    b = spark_check.files_as_marts(duck, tmp_path / "b.duckdb", compared)
    tables = {d.table: d for d in compare.compare_marts(a, b)}
    assert tables["rpt_revisions"].same and tables["rpt_revisions"].rows == 1
    # an earlier publication's rows still count: one that differs is a difference
    other = publication(tmp_path / "other", "2025-12-r1", [("2026-06-r2", 9.0)])
    c = spark_check.files_as_marts(other, tmp_path / "c.duckdb", compared)
    assert not {d.table: d for d in compare.compare_marts(a, c)}["rpt_revisions"].same
