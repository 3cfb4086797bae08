"""`ncpm compare-marts`: row-for-row comparison of two warehouses' marts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb

from ncpm import compare

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
