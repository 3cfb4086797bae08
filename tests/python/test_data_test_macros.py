"""Our generic data tests find the rows that break their rule, on the adapter's own path.

`expression_is_true` on a DuckDB table finds failing rows by rowid before fetching them
whole (macros/tests/expression_is_true.sql): one row broken in a built table must fail the
test and be the one row stored in the audit schema; an untouched rule must still pass.

`unique_combination_of_columns` with `hashed_columns` groups the landed file name by its hash
first (macros/tests/unique_combination_of_columns.sql): a file landed twice must fail the
grain test of the landed rows and store exactly the duplicated keys a plain GROUP BY finds.
"""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest
from dbt_sandbox import RAW, run_dbt

ROLLING = "intermediate.int_street_level_crime__area_rolling"


@pytest.mark.slow
def test_expression_is_true_on_a_table_stores_exactly_the_broken_row(built_sample, tmp_path):
    workdir = tmp_path / "work"
    workdir.mkdir()
    shutil.copyfile(built_sample, workdir / "ncpm.duckdb")
    con = duckdb.connect(str(workdir / "ncpm.duckdb"))
    schema, table = ROLLING.split(".")
    kind = con.execute(
        "select table_type from information_schema.tables "
        "where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()[0]
    assert kind == "BASE TABLE"  # the rowid path is the one exercised
    area, month = con.execute(
        f"select area_code, month_start_date from {ROLLING} "
        "where all_crime_rolling_12_months > 0 order by area_code, month_start_date limit 1"
    ).fetchone()
    # all crime no longer the sum of its categories, in one row only
    con.execute(
        f"update {ROLLING} set all_crime_rolling_12_months = all_crime_rolling_12_months + 1 "
        "where area_code = ? and month_start_date = ? and breakdown = 'all'",
        [area, month],
    )
    con.close()

    broken = run_dbt(
        ["test", "--select", "street_level_rolling_asb_never_counted_as_crime"], workdir
    )
    assert broken.returncode != 0, broken.output[-3000:]
    assert "street_level_rolling_asb_never_counted_as_crime" in broken.output
    untouched = run_dbt(["test", "--select", "street_level_rolling_gaps_never_zero"], workdir)
    assert untouched.returncode == 0, untouched.output[-3000:]

    con = duckdb.connect(str(workdir / "ncpm.duckdb"), read_only=True)
    stored = con.execute(
        "select area_code, month_start_date, breakdown "
        "from audit.street_level_rolling_asb_never_counted_as_crime"
    ).fetchall()
    con.close()
    assert stored == [(area, month, "all")]


@pytest.mark.slow
def test_hashed_grain_test_stores_exactly_the_duplicated_keys(built_sample, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    month = sorted((raw / "street_level_crime").glob("month=*"))[3]
    original = sorted(month.glob("*.parquet"))[0]
    shutil.copyfile(original, month / "landed-twice.parquet")  # every row of one file twice
    workdir = tmp_path / "work"
    workdir.mkdir()
    shutil.copyfile(built_sample, workdir / "ncpm.duckdb")
    rows = f"read_parquet('{raw}/street_level_crime/month=*/*.parquet')"
    expected = duckdb.sql(
        f"select source_file, source_row, count(*) from {rows} "
        "group by all having count(*) > 1 order by all"
    ).fetchall()
    assert len(expected) == duckdb.sql(f"select count(*) from '{original}'").fetchone()[0]

    # build: the staging view is made again over this raw folder, then tested
    result = run_dbt(["build", "--select", "stg_street_level_crime__crimes"], workdir, raw)
    assert result.returncode != 0, result.output[-3000:]
    results = json.loads((workdir / "target" / "run_results.json").read_text())["results"]
    (relation,) = (  # where dbt stored the failing rows (it shortens the test's long name)
        r["relation_name"]
        for r in results
        if r["unique_id"].startswith(
            "test.ncpm.unique_combination_of_columns_stg_street_level_crime__crimes_"
        )
        and r["status"] == "fail"
    )
    con = duckdb.connect(str(workdir / "ncpm.duckdb"), read_only=True)
    stored = con.execute(
        f"select source_file, source_row_number, duplicate_count from {relation} order by all"
    ).fetchall()
    con.close()
    assert stored == expected
