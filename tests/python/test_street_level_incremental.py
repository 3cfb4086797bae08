"""The street-level models built month by month (incremental) equal a full refresh.

Sample scale, hand-written police.uk files: two England and Wales forces (one with a gap
month), British Transport Police, 15 months. The first 13 months are landed with `ncpm
land`'s module and built (with the reference seeds, in one dbt call). Then, each followed by
an incremental dbt call:
1. a revised copy of a baseline-year month (2018-09), built with `dbt build`: its rows must
   replace the old ones, the 11 rolling years after it move, the grain test of the landed
   rows checks that month only, and the LSOA mart rebuilds every month (every row carries
   the baseline);
2. the 14th month, which renames an LSOA: the LSOA mart rebuilds every month (its rows
   carry the name);
3. the 15th month: every incremental model, the LSOA mart too, reads only that month;
4. a revised copy of a month after the baseline year (2019-07): the LSOA mart rebuilds that
   month and the ones after it only.
Finally `--full-refresh` rebuilds every table from scratch, and every street-level model must
hold the same rows both ways (EXCEPT ALL in both directions); a last `dbt test` checks the
grain of every landed row.

Speed: every dbt call costs seconds of start-up (loading the parsed project), so the test
makes seven, and only on the street-level models and their parents (SELECT); the reference
seeds are loaded by the first build, not by a `dbt seed` of the whole project.
"""

from __future__ import annotations

import csv
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from dbt_sandbox import ROOT, run_dbt

from ncpm.street_level.land import land

HEADER = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
]
FORCES = {
    "city-of-london": (
        "City of London Police",
        [("E01000001", "City of London 001A"), ("E01000002", "City of London 001B")],
    ),
    "dyfed-powys": ("Dyfed-Powys Police", [("W01000001", "Carmarthenshire 001A")]),
    "btp": ("British Transport Police", [("E01000001", "City of London 001A")]),
}
TYPES = [
    "Burglary",
    "Robbery",
    "Vehicle crime",
    "Theft from the person",
    "Shoplifting",
    "Anti-social behaviour",
]
MONTHS = [
    f"{y}-{m:02d}" for y, m in [(2018, m) for m in range(7, 13)] + [(2019, m) for m in range(1, 10)]
]
GAP = ("dyfed-powys", "2019-02")
RENAMED = ("2019-08", "E01000002", "City of London 001Z")  # a month naming an LSOA anew
MODELS = [
    "intermediate.int_street_level_crime__force_month_types",
    "intermediate.int_street_level_crime__lsoa_month",
    "intermediate.int_street_level_crime__area_month",
    "intermediate.int_street_level_crime__area_rolling",
    "marts.fct_local_crime",
    "marts.fct_local_crime_lsoa",
]
pytestmark = pytest.mark.slow  # seven dbt runs (about a minute)

SELECT = [
    "--select",
    "+fct_local_crime",
    "+fct_local_crime_lsoa",
    "+int_street_level_crime__force_month_types",
]


def write_month(folder: Path, month: str, extra: int = 0) -> Path:
    """One street file per force for `month` (none for the gap), deterministic rows."""
    out = folder / month
    out.mkdir(parents=True)
    seed = int(month.replace("-", ""))
    for force, (name, lsoas) in FORCES.items():
        if (force, month) == GAP:
            continue
        with (out / f"{month}-{force}-street.csv").open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(HEADER)
            for i in range(5 + seed % 7 + extra):
                crime_type = TYPES[(seed + i) % len(TYPES)]
                code, lsoa = lsoas[i % len(lsoas)]
                if (month, code) == RENAMED[:2]:
                    lsoa = RENAMED[2]
                located = i % 4 != 3
                writer.writerow(
                    [
                        "" if crime_type == "Anti-social behaviour" else f"{force}-{month}-{i}",
                        month,
                        name,
                        name,
                        "-0.09" if located else "",
                        "51.51" if located else "",
                        "On or near Street" if located else "No Location",
                        code if located else "",
                        lsoa if located else "",
                        crime_type,
                        "",
                        "",
                    ]
                )
    return out


def model_log(work: Path, model: str) -> list[str]:
    """What the incremental `model` logged in the last dbt call (its lines of dbt.log)."""
    text = (work / "logs" / "dbt.log").read_text(encoding="utf-8")
    last_call = text.rsplit("Running with dbt=", 1)[-1]
    return [
        line.split(f"{model}: ", 1)[1].strip()
        for line in last_call.splitlines()
        if f" {model}: " in line
    ]


def rebuilt_months(work: Path, model: str = "int_street_level_crime__lsoa_month") -> list[str]:
    """The months landed since `model` was last built, as the last dbt call logged them."""
    marker = "months landed since its last build (month index): "
    lines = [line.split(marker, 1)[1] for line in model_log(work, model) if marker in line]
    assert lines, f"{model} logged the months landed since its last build"
    return [f"{int(i) // 12:04d}-{int(i) % 12 + 1:02d}" for i in lines[-1].split(", ")]


def rebuilt_whole(work: Path) -> str:
    """Why the last dbt call rebuilt every month of fct_local_crime_lsoa ('' if it did not)."""
    lines = model_log(work, "fct_local_crime_lsoa")
    return next((line for line in lines if line.endswith("every month rebuilt")), "")


def grain_test_sql(work: Path) -> str:
    """The SQL the last dbt call compiled for the grain test of the landed rows."""
    nodes = json.loads((work / "target" / "manifest.json").read_text(encoding="utf-8"))["nodes"]
    (sql,) = (
        node["compiled_code"]
        for uid, node in nodes.items()
        if uid.startswith("test.ncpm.unique_combination_of_columns_stg_street_level_crime__crimes_")
    )
    return sql


def tables(path: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {m: con.execute(f"select * from {m}").fetchall() for m in MODELS}
    finally:
        con.close()


def differences(left: Path, right: Path) -> dict[str, tuple[int, int]]:
    con = duckdb.connect()
    con.execute(f"attach '{left}' as l (read_only)")
    con.execute(f"attach '{right}' as r (read_only)")
    found = {}
    for m in MODELS:
        a = con.execute(
            f"select count(*) from (select * from l.{m} except all select * from r.{m})"
        ).fetchone()[0]
        b = con.execute(
            f"select count(*) from (select * from r.{m} except all select * from l.{m})"
        ).fetchone()[0]
        if a or b:
            found[m] = (a, b)
    con.close()
    return found


FIRST_BUILD = 13  # months landed before the first build; the rest one by one


def land_and_build(month_files: Path, raw: Path, work: Path, when: datetime, command: str) -> None:
    land(month_files, raw, now=when, show_progress=False)
    args = [command, *SELECT] + (
        ["--exclude", "resource_type:unit_test"] if command == "build" else []
    )
    result = run_dbt(args, work, raw)
    assert result.returncode == 0, f"{month_files.name}: {result.output[-3000:]}{result.explained}"


@pytest.mark.timeout(600)
def test_incremental_builds_equal_full_refresh(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(ROOT / "seeds" / "raw", raw)
    shutil.rmtree(raw / "street_level_crime", ignore_errors=True)
    work = tmp_path / "work"
    work.mkdir()
    files = tmp_path / "published"
    when = datetime(2024, 1, 1, tzinfo=UTC)

    # The first months in one landing and one build (the selected models' seeds, then the
    # models).
    for n, month in enumerate(MONTHS[:FIRST_BUILD]):
        land(write_month(files, month), raw, now=when + timedelta(minutes=n), show_progress=False)
    args = ["build", *SELECT, "--resource-type", "seed", "--resource-type", "model"]
    result = run_dbt(args, work, raw)
    assert result.returncode == 0, f"{result.output[-3000:]}{result.explained}"
    warehouse = work / "ncpm.duckdb"
    before = tables(warehouse)

    # 1. A revised copy of a baseline-year month, more rows per force, landed later. A build
    # this time: the grain test of the landed rows runs before the month models and checks
    # only the month they are about to read.
    revised = tmp_path / "revised"
    land_and_build(
        write_month(revised, "2018-09", extra=3), raw, work, when + timedelta(days=1), "build"
    )
    assert rebuilt_months(work) == ["2018-09"]
    assert "month_label in ('2018-09')" in grain_test_sql(work)
    assert rebuilt_whole(work).startswith("a month of the baseline year changed (2018-09)")
    after = tables(warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    sept = con.execute(
        "select sum(row_count) from intermediate.int_street_level_crime__force_month_types "
        "where month_start_date = date '2018-09-01'"
    ).fetchone()[0]
    con.close()
    # 3 forces x (5 + 201809 % 7 + 3) rows = 3 x 12: the revised rows replaced the old ones
    assert sept == 3 * (5 + 201809 % 7 + 3)
    for model in (
        "intermediate.int_street_level_crime__area_rolling",
        "marts.fct_local_crime_lsoa",
    ):
        assert before[model] != after[model], f"{model}: the revision moved no figure"

    # 2.-3. The last months one by one: the first names an LSOA anew, the second changes
    # nothing but its own month.
    for n, month in enumerate(MONTHS[FIRST_BUILD:], start=2):
        land_and_build(write_month(files, month), raw, work, when + timedelta(days=n), "run")
        assert rebuilt_months(work) == [month], "an incremental run reads only its month"
        assert rebuilt_months(work, "fct_local_crime_lsoa") == [month]
        if month == RENAMED[0]:
            assert rebuilt_whole(work) == (
                "the geography or label of 1 LSOA(s) changed: every month rebuilt"
            )
        else:
            assert rebuilt_whole(work) == "", "the LSOA mart rebuilt only the new month"
    assert len(MONTHS) - FIRST_BUILD >= 2, "at least two months are built incrementally"

    # 4. A revised month after the baseline year: the LSOA mart from that month on only.
    land_and_build(
        write_month(revised, "2019-07", extra=2), raw, work, when + timedelta(days=9), "run"
    )
    assert rebuilt_months(work, "fct_local_crime_lsoa") == ["2019-07"]
    assert rebuilt_whole(work) == ""

    incremental = tmp_path / "incremental.duckdb"
    shutil.copy2(warehouse, incremental)
    result = run_dbt(["run", "--full-refresh", *SELECT], work, raw)
    assert result.returncode == 0, result.explained
    assert differences(incremental, warehouse) == {}
    assert all(tables(warehouse)[m] for m in MODELS), "every model holds rows"

    # Outside an incremental build (here `dbt test`) the grain test checks every row.
    result = run_dbt(["test", "--select", "stg_street_level_crime__crimes"], work, raw)
    assert result.returncode == 0, result.explained
    sql = grain_test_sql(work)
    assert "(1 = 1)" in sql and "month_label in" not in sql
