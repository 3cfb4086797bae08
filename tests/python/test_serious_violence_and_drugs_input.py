"""Bad input in the serious violence and drugs feeds stops the build with a message
naming the file, the value and the rule; an unlisted gap fails, a listed one warns; the
wide seizures tables (synthetic fixtures, and the genuine ones through NCPM_REALDATA_DIR)
give the same staging output as the long shape.

Each case works on private copies of the committed sample raw files and builds only what
it needs with dbt against a private warehouse file.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest
from dbt_sandbox import copy_feed, run_dbt

from ncpm import land as land_mod

FIXTURES = Path(__file__).parent / "fixtures"
WIDE_FIXTURE = FIXTURES / "drug_seizures_wide_2018-19__synthetic.csv"
QUANTITIES_FIXTURE = FIXTURES / "drug_quantities_wide_2018-19__synthetic.csv"


# Inputs only: seeds and the staging model, without their data tests (the model's own
# row checks are what these cases are about).
ONLY_MODELS = ["--exclude", "test_type:data", "test_type:unit"]


def read_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        return list(csv.reader(f))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def corrupt(path: Path, data_row: int, column: str, value: str) -> None:
    """Set one cell of data row `data_row` (1 = first row after the header)."""
    rows = read_rows(path)
    rows[data_row][rows[0].index(column)] = value
    write_rows(path, rows)


@pytest.mark.parametrize(
    ("feed", "model", "data_row", "column", "bad_value", "rule"),
    [
        (
            "drug_seizures",
            "stg_drug_seizures__seizures",
            40,
            "drug_type",
            "Crack cocaine (rocks)",
            "unknown drug type",
        ),
        (
            "drug_seizures",
            "stg_drug_seizures__seizures",
            41,
            "drug_class",
            "D",
            "drug class not accepted",
        ),
        (
            "hospital_admissions",
            "stg_hospital_admissions__admissions",
            7,
            "month",
            "2099-04",
            "month outside the window",
        ),
        (
            "hospital_admissions",
            "stg_hospital_admissions__admissions",
            8,
            "admissions",
            "-3",
            "negative admission count",
        ),
        (
            "hospital_admissions",
            "stg_hospital_admissions__admissions",
            9,
            "age_band",
            "under 25",
            "age band not accepted",
        ),
        (
            "homicide_index",
            "stg_homicide_index__victims",
            100,
            "is_drug_related",
            "maybe",
            "flag not Y/N",
        ),
        (
            "homicide_index",
            "stg_homicide_index__victims",
            101,
            "victim_age_band",
            "16-25",
            "victim age band not accepted",
        ),
        (
            "weapon_returns",
            "stg_weapon_returns__offences",
            500,
            "offences",
            "-1",
            "negative count",
        ),
        (
            "weapon_returns",
            "stg_weapon_returns__offences",
            501,
            "force_name",
            "Greater Manchster",
            "unknown force name",
        ),
        (
            "drug_treatment_referrals",
            "stg_drug_treatment_referrals__referrals",
            12,
            "referrals",
            "12a",
            "non-numeric count",
        ),
        (
            "county_lines",
            "stg_county_lines__lines_closed",
            3,
            "lines_closed",
            "-5",
            "negative count",
        ),
    ],
)
def test_bad_value_fails_naming_file_row_value_and_rule(
    tmp_path, feed, model, data_row, column, bad_value, rule
):
    raw_dir = tmp_path / "raw"
    path = copy_feed(feed, raw_dir)
    if feed == "drug_seizures":
        copy_feed("drug_seizures_wide", raw_dir)
    corrupt(path, data_row, column, bad_value)

    result = run_dbt(["build", "--select", f"+{model}", *ONLY_MODELS], tmp_path, raw_dir)

    assert result.returncode != 0
    assert f"[{feed}] " in result.output
    assert f"{path.name} data row {data_row}: {rule}" in result.output, result.output[-3000:]
    # the value shown is the bad cell (with its drug type for a class: "Ketamine / D")
    shown = re.search(r'\(value: "([^"]*)"\)', result.output)
    assert shown and shown.group(1).endswith(bad_value), result.output[-3000:]


def test_hand_placed_wide_table_with_a_renamed_column_fails_naming_header_and_file(tmp_path):
    """A wide file put in the folder by hand (not through make land) is checked by dbt too."""
    raw_dir = tmp_path / "raw"
    copy_feed("drug_seizures", raw_dir)
    copy_feed("drug_seizures_wide", raw_dir)
    rows = read_rows(WIDE_FIXTURE)
    rows[0][rows[0].index("Cocaine")] = "Cocaine powder"
    wide = raw_dir / "drug_seizures_wide" / "drug_seizures_wide_2018-19.csv"
    write_rows(wide, rows)

    result = run_dbt(
        ["build", "--select", "+stg_drug_seizures__seizures", *ONLY_MODELS], tmp_path, raw_dir
    )

    assert result.returncode != 0
    assert (
        f"[drug_seizures_wide] {wide} header row, column 3: unknown column header" in result.output
    ), result.output[-3000:]
    assert "ref_drug_seizure_columns.csv" in result.output
    assert '(value: "Cocaine powder")' in result.output


def test_unlisted_gap_fails_naming_force_and_quarter(tmp_path):
    raw_dir = tmp_path / "raw"
    path = copy_feed("weapon_returns", raw_dir)
    rows = read_rows(path)
    # Kent sends no knife return for 2021/22 quarter 2 (ends 2021-09-30): not a listed gap.
    kept = [
        row
        for row in rows
        if not (row[0] == "2021/22" and row[1] == "2" and row[2] == "Kent" and row[3] != "firearm")
    ]
    assert len(kept) == len(rows) - 7
    write_rows(path, kept)

    result = run_dbt(
        [
            "build",
            "--select",
            "+stg_weapon_returns__offences",
            "ref_areas",
            "int_calendar_quarters",
            "ref_known_data_gaps",
        ],
        tmp_path,
        raw_dir,
    )

    assert result.returncode != 0
    assert "complete_quarter_coverage" in result.output
    expected = (
        "[weapon_returns] no rows for area E23000032 (knife or sharp instrument) "
        "in the quarter ending 2021-09-30"
    )
    assert expected in result.explained, result.explained
    # The listed Greater Manchester gap is not reported as a failure.
    assert "E23000005" not in result.explained


def long_rows_by_year(path: Path, year: str) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return [row for row in csv.DictReader(f) if row["financial_year"] == year]


def write_wide_from_long(rows: list[dict[str, str]], path: Path) -> list[str]:
    """Write the long rows of one year as a published-looking wide table (BOM, CRLF,
    padded headers, a line break in one header), independently of the project code."""
    forces = list(dict.fromkeys(row["force_name"] for row in rows))
    drugs = list(dict.fromkeys(row["drug_type"] for row in rows))
    header_for = {drug: f" {drug} " for drug in drugs}
    header_for["Herbal cannabis"] = "Herbal\nCannabis"
    cells = {(row["force_name"], row["drug_type"]): row["seizures"] for row in rows}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Police force", *(header_for[d] for d in drugs)])
    for force in forces:
        writer.writerow([force, *(cells[(force, d)] for d in drugs)])
    path.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"))
    return drugs


STAGED = (
    "select area_code, drug_type, coalesce(drug_class, '') as drug_class, row_kind, "
    "seizure_count, source_shape from staging.stg_drug_seizures__seizures "
    "where financial_year = '2019/20'"
)


def test_wide_table_gives_the_same_staging_rows_as_the_long_shape(tmp_path):
    """The 2019/20 long rows, written as a wide table and landed with make land's script
    for that year, give the same staging rows (seizure counts, drug types, classes)."""
    raw_dir = tmp_path / "raw"
    long_file = copy_feed("drug_seizures", raw_dir)
    copy_feed("drug_seizures_wide", raw_dir)
    long_build = tmp_path / "long"
    long_build.mkdir()
    result = run_dbt(
        ["build", "--select", "+stg_drug_seizures__seizures", *ONLY_MODELS], long_build, raw_dir
    )
    assert result.returncode == 0, result.output[-3000:]
    with duckdb.connect(str(long_build / "ncpm.duckdb"), read_only=True) as con:
        from_long = con.execute(STAGED).fetchall()

    wide = tmp_path / "Seizures19-20.csv"
    write_wide_from_long(long_rows_by_year(long_file, "2019/20"), wide)
    landed = land_mod.land("drug_seizures", wide, raw_dir, year="2019/20")
    assert landed.landed.name == "drug_seizures_wide_2019-20.csv"
    assert any("replaces those rows" in warning for warning in landed.warnings)
    wide_build = tmp_path / "wide"
    wide_build.mkdir()
    result = run_dbt(
        ["build", "--select", "+stg_drug_seizures__seizures", *ONLY_MODELS], wide_build, raw_dir
    )
    assert result.returncode == 0, result.output[-3000:]
    with duckdb.connect(str(wide_build / "ncpm.duckdb"), read_only=True) as con:
        from_wide = con.execute(STAGED).fetchall()

    assert len(from_long) == 45 * 25  # 43 PFAs, BTP and Border Force x 25 rows
    assert {row[5] for row in from_long} == {"long"}
    assert {row[5] for row in from_wide} == {"wide"}
    assert sorted(row[:5] for row in from_wide) == sorted(row[:5] for row in from_long)


def test_totals_outside_their_bounds_warn_naming_force_year_and_class(tmp_path):
    raw_dir = tmp_path / "raw"
    copy_feed("drug_seizures", raw_dir)
    copy_feed("drug_seizures_wide", raw_dir)
    rows = read_rows(WIDE_FIXTURE)
    header = rows[0]
    durham = next(row for row in rows if row[0] == "Durham")
    class_a = header[header.index("Cocaine") : header.index("Total Class A")]
    above = sum(int(durham[header.index(drug)]) for drug in class_a) + 1
    durham[header.index("Total Class A")] = str(above)
    edited = tmp_path / "edited.csv"
    write_rows(edited, rows)
    land_mod.land("drug_seizures", edited, raw_dir, year="2018/19")

    result = run_dbt(
        [
            "build",
            "--select",
            "+stg_drug_seizures__seizures",
            "warn_drug_seizure_totals_outside_bounds",
            "--exclude",
            "test_type:unit",
        ],
        tmp_path,
        raw_dir,
    )

    assert result.returncode == 0, result.output[-3000:]
    assert "WARN 1 warn_drug_seizure_totals_outside_bounds" in result.output
    assert (
        f"WARNING [drug_seizures] 2018/19 Durham (E23000008) Total Class A: {above} "
        "is outside its bounds" in result.output
    ), result.output[-3000:]


def national_totals(path: Path) -> dict[str, int]:
    """Column totals of a genuine wide seizures table, summed over its rows (every force,
    British Transport Police and Border Force), read with the standard library."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    header = [" ".join(cell.split()) for cell in rows[0]]
    totals: dict[str, int] = defaultdict(int)
    for row in rows[1:]:
        for name, cell in zip(header[1:], row[1:], strict=True):
            if cell.strip():
                totals[name] += int(cell)
    return totals


@pytest.mark.slow  # builds the warehouse up to fct_drugs_supply
@pytest.mark.skipif(
    not os.environ.get("NCPM_REALDATA_DIR"),
    reason="NCPM_REALDATA_DIR is not set: the genuine published seizure tables are not "
    "committed (.ci/run sets it when ../shared/realdata exists)",
)
def test_real_2017_18_wide_table_lands_builds_and_flags_missing_forces(tmp_path):
    real = Path(os.environ["NCPM_REALDATA_DIR"]) / "drug_seizures"
    seizures, quantities = real / "Seizures17-18.csv", real / "Quantities17-18.csv"
    assert seizures.exists() and quantities.exists(), f"{real} lacks the seizure tables"
    raw_dir = tmp_path / "raw"
    for feed in [
        "drug_seizures",
        "drug_seizures_wide",
        "homicide_index",
        "hospital_admissions",
        "weapon_returns",
        "drug_treatment_referrals",
        "county_lines",
    ]:
        copy_feed(feed, raw_dir)

    landed = land_mod.land("drug_seizures", seizures, raw_dir, year="2017/18")
    assert landed.rows == 41
    # The genuine quantities table is refused: no measure uses it and it states no units.
    with pytest.raises(land_mod.BadInputError, match="QUANTITIES table"):
        land_mod.land("drug_seizures", quantities, raw_dir, year="2017/18")

    result = run_dbt(["build", "--select", "+fct_drugs_supply"], tmp_path, raw_dir)
    assert result.returncode == 0, result.output[-4000:] + result.explained
    # England only: the four Welsh forces are accepted gaps, and the build says so.
    for code in ["W15000001", "W15000002", "W15000003", "W15000004"]:
        assert f"accepted data gap: {code} M3.3" in result.output

    expected = national_totals(seizures)
    with duckdb.connect(str(tmp_path / "ncpm.duckdb"), read_only=True) as con:
        staged = con.execute(
            "select count(*), count(distinct area_code) from staging.stg_drug_seizures__seizures "
            "where financial_year = '2017/18' and source_shape = 'wide'"
        ).fetchone()
        national = dict(
            (breakdown, (value, incomplete, note))
            for breakdown, value, incomplete, note in con.execute(
                "select breakdown, value, is_incomplete, quality_note from marts.fct_drugs_supply "
                "where metric_id = 'M3.3' and area_code = 'K04000001' "
                "and period_end_date = '2018-03-31'"
            ).fetchall()
        )
        wales = con.execute(
            "select value, is_data_gap from marts.fct_drugs_supply where metric_id = 'M3.3' "
            "and area_code = 'W92000004' and period_end_date = '2018-03-31' and breakdown = 'all'"
        ).fetchone()
    assert staged == (41 * 24, 41)  # 39 English forces, BTP, Border Force x 24 columns
    assert national["all"][0] == expected["All drugs"]
    for cls in "ABC":
        assert national[f"Class {cls}"][0] == expected[f"Total Class {cls}"]
    for _value, incomplete, note in national.values():
        assert incomplete and "Excludes W15000001, W15000002, W15000003, W15000004" in note
    assert wales == (None, True)
