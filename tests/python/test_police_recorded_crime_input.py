"""Bad police recorded crime input stops the build with a message naming the
file, the value and the rule; an unclassified offence only warns.

Each case corrupts a private copy of the committed sample raw file and builds
the staging layer (and what the case needs) with dbt against a private
warehouse file.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from dbt_sandbox import copy_feed, run_dbt

FEED = "police_recorded_crime"
HEADER = [
    "Financial Year",
    "Financial Quarter",
    "Force Name",
    "Offence Description",
    "Offence Group",
    "Offence Subgroup",
    "Offence Code",
    "Number of Offences",
]


def rewrite(path: Path, change) -> None:
    """Apply change(row_index, row) -> row | None to every data row of a CSV file."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(rows[0])
    for i, row in enumerate(rows[1:], start=1):
        new = change(i, row)
        if new is not None:
            writer.writerow(new)
    path.write_text(out.getvalue(), encoding="utf-8")


def corrupt_row(path: Path, data_row: int, column: str, value: str) -> None:
    index = HEADER.index(column)

    def change(i, row):
        if i == data_row:
            row[index] = value
        return row

    rewrite(path, change)


@pytest.fixture
def raw_copy(tmp_path):
    raw_dir = tmp_path / "raw"
    return raw_dir, copy_feed(FEED, raw_dir)


def build_staging(tmp_path: Path, raw_dir: Path):
    # the staging view with its tests (which also need the areas seed, the calendar and
    # the list of accepted gaps)
    selection = [
        "+stg_police_recorded_crime__offences",
        "ref_areas",
        "int_calendar_quarters",
        "ref_known_data_gaps",  # the coverage test accepts the gaps listed there
    ]
    return run_dbt(["build", "--select", *selection], tmp_path, raw_dir)


@pytest.mark.parametrize(
    ("column", "bad_value", "rule"),
    [
        ("Force Name", "Kentt Constabularyy", "unknown force name"),
        ("Number of Offences", " 12a ", "non-numeric count"),
        ("Number of Offences", "", "non-numeric count"),
        ("Financial Quarter", "5", "financial quarter outside 1-4"),
        ("Financial Year", "2017-18", "malformed financial year"),
        ("Financial Year", "2017/19", "malformed financial year"),
    ],
)
def test_bad_value_fails_naming_file_row_value_and_rule(
    tmp_path, raw_copy, column, bad_value, rule
):
    raw_dir, path = raw_copy
    corrupt_row(path, 1234, column, bad_value)
    result = build_staging(tmp_path, raw_dir)
    assert result.returncode != 0
    message = f"{path.name} data row 1234: {rule}"
    assert message in result.output, result.output[-3000:]
    assert f'(value: "{bad_value.strip() or "<blank>"}' in result.output or (
        f'(value: "{bad_value}' in result.output
    ), result.output[-3000:]


def test_force_missing_a_quarter_fails_naming_force_and_quarter(tmp_path, raw_copy):
    raw_dir, path = raw_copy
    # Kent (E23000032) sends no return for 2019/20 quarter 2 (ends 2019-09-30).
    rewrite(
        path,
        lambda i, row: None if row[2] == "Kent" and row[0] == "2019/20" and row[1] == "2" else row,
    )
    result = build_staging(tmp_path, raw_dir)
    assert result.returncode != 0
    assert "complete_quarter_coverage" in result.output
    assert "no rows for area E23000032 in the quarter ending 2019-09-30" in result.explained, (
        result.explained
    )


def test_unclassified_subgroup_and_code_warn_but_build(tmp_path, raw_copy):
    raw_dir, path = raw_copy

    def change(i, row):
        if row[5] == "Bicycle theft":
            row[5] = "Cycle theft (new)"
            row[6] = "44Z"
        return row

    rewrite(path, change)
    result = run_dbt(
        [
            "build",
            "--select",
            "+int_police_recorded_crime__classified",
            "warn_unclassified_police_recorded_crime",
        ],
        tmp_path,
        raw_dir,
    )
    assert result.returncode == 0, result.output[-3000:]
    warning = "WARNING [police_recorded_crime] unclassified offence subgroup"
    assert f"{warning} 'Theft offences / Cycle theft (new)'" in result.output
    # 44 forces (43 PFAs + BTP) x 37 quarters of the sample
    assert "44Z): 1628 rows" in result.output


def test_negative_adjustments_and_published_quirks_are_summed(tmp_path, raw_copy):
    """Padding, -00, floats, thousands separators and negatives all parse, and
    a force-quarter's homicide is the sum of its (repeated) collapsed-code rows."""
    raw_dir, path = raw_copy
    quirks = {" 7 ": 7, "-00 ": 0, " 9.0 ": 9, " 1,234 ": 1234, "-2 ": -2}
    wanted = iter(quirks)
    rows_changed = []

    def change(i, row):
        if (
            row[2] == "Dorset"
            and row[0] == "2018/19"
            and row[1] == "3"
            and row[6] == "1/4.1/4.10/4.2"
        ):
            value = next(wanted, None)
            if value is not None:
                row[7] = value
                rows_changed.append(value)
        return row

    rewrite(path, change)
    assert len(rows_changed) == 4  # four collapsed homicide rows per force and quarter
    expected = sum(quirks[v] for v in rows_changed)
    result = run_dbt(
        ["build", "--select", "+int_police_recorded_crime__area_quarter"], tmp_path, raw_dir
    )
    assert result.returncode == 0, result.output[-3000:]
    import duckdb

    con = duckdb.connect(str(tmp_path / "ncpm.duckdb"), read_only=True)
    value = con.execute(
        "select quarter_value from intermediate.int_police_recorded_crime__area_quarter "
        "where metric_id = 'M1.1' and area_code = 'E23000039' and quarter_end_date = '2018-12-31'"
    ).fetchone()[0]
    assert float(value) == expected
