"""Our generic data tests find the rows that break their rule, on the adapter's own path.

`expression_is_true` on a DuckDB table finds failing rows by rowid before fetching them
whole (macros/tests/expression_is_true.sql): one row broken in a built table must fail the
test and be the one row stored in the audit schema; an untouched rule must still pass.
"""

from __future__ import annotations

import shutil

import duckdb
import pytest
from dbt_sandbox import run_dbt

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
