"""Tests for `ncpm land` (ncpm.land): landing a published CSV or .ods file as a raw feed's file.

Every test uses a raw dir under tmp_path; the real seeds/raw is never touched.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from ncpm import land as land_mod

ROOT = Path(__file__).resolve().parents[2]
NCPM = str(Path(sys.executable).parent / "ncpm")

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
ROW_A = ["2017/18", "1", "Avon and Somerset", "Arson", "Criminal damage", "Arson", "56", " 18 "]
ROW_B = ["2017/18", "2", "Dyfed-Powys", "Homicide", "Homicide", "Homicide", "1/4.1/4.10/4.2", "-1"]
TS_DIR = re.compile(r"^\d{8}T\d{6}Z$")


def _csv_bytes(header: list[str], rows: list[list[str]], bom: bool = False) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")


@pytest.fixture
def raw_dir(tmp_path: Path) -> Path:
    """A raw dir with two feeds; police_recorded_crime holds one current file."""
    raw = tmp_path / "raw"
    (raw / FEED).mkdir(parents=True)
    (raw / "county_lines").mkdir()
    (raw / FEED / "prc_old.csv").write_bytes(_csv_bytes(HEADER, [ROW_A]))
    return raw


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _csvs(feed_dir: Path) -> list[str]:
    return sorted(p.name for p in feed_dir.glob("*.csv"))


def test_lands_csv_and_archives_previous(raw_dir: Path, tmp_path: Path) -> None:
    old_bytes = (raw_dir / FEED / "prc_old.csv").read_bytes()
    # BOM and padded header cells still match the current header
    padded = [f" {col} " for col in HEADER]
    new = tmp_path / "incoming" / "prc_new.csv"
    new.parent.mkdir()
    new.write_bytes(_csv_bytes(padded, [ROW_A, ROW_B, ["", "", "", "", "", "", "", ""]], bom=True))

    result = land_mod.land(FEED, new, raw_dir)

    feed_dir = raw_dir / FEED
    assert _csvs(feed_dir) == ["prc_new.csv"]
    assert (feed_dir / "prc_new.csv").read_bytes() == new.read_bytes()  # byte for byte
    assert new.exists()  # the source is copied, not moved
    assert result.rows == 2  # the blank record is not counted
    assert result.landed == feed_dir / "prc_new.csv"
    archives = list((feed_dir / "archive").iterdir())
    assert len(archives) == 1 and TS_DIR.match(archives[0].name)
    assert (archives[0] / "prc_old.csv").read_bytes() == old_bytes
    assert result.archived == [archives[0] / "prc_old.csv"]
    assert not [p for p in feed_dir.iterdir() if p.name.endswith(".tmp")]
    assert "run: make build" in result.summary()


def test_relanding_same_name_archives_the_old_copy(raw_dir: Path, tmp_path: Path) -> None:
    new = tmp_path / "prc_old.csv"
    new.write_bytes(_csv_bytes(HEADER, [ROW_A, ROW_B]))

    result = land_mod.land(FEED, new, raw_dir)

    assert _csvs(raw_dir / FEED) == ["prc_old.csv"]
    assert result.rows == 2
    assert (result.archive_dir / "prc_old.csv").read_bytes() == _csv_bytes(HEADER, [ROW_A])


def test_refuses_csv_with_different_header(raw_dir: Path, tmp_path: Path) -> None:
    before = _snapshot(raw_dir)
    bad_header = [*HEADER[:6], "Offence Ref", HEADER[7]]  # "Offence Code" renamed
    new = tmp_path / "renamed.csv"
    new.write_bytes(_csv_bytes(bad_header, [ROW_A]))

    with pytest.raises(land_mod.BadInputError) as caught:
        land_mod.land(FEED, new, raw_dir)

    message = str(caught.value)
    assert caught.value.exit_code == 1
    assert "renamed.csv lacks column 'Offence Code'" in message
    assert "has column 'Offence Ref', which its source does not declare" in message
    assert "_police_recorded_crime__sources.yml" in message  # the rule names its one place
    assert _snapshot(raw_dir) == before  # nothing moved, nothing written


def test_refuses_csv_without_data(raw_dir: Path, tmp_path: Path) -> None:
    before = _snapshot(raw_dir)
    new = tmp_path / "empty.csv"
    new.write_bytes(_csv_bytes(HEADER, []))

    with pytest.raises(land_mod.BadInputError, match=r"empty\.csv holds a header and no data row"):
        land_mod.land(FEED, new, raw_dir)
    assert _snapshot(raw_dir) == before


def test_refuses_unknown_feed(
    raw_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = tmp_path / "x.csv"
    new.write_bytes(_csv_bytes(HEADER, [ROW_A]))
    before = _snapshot(raw_dir)

    with pytest.raises(land_mod.UsageError) as caught:
        land_mod.land("no_such_feed", new, raw_dir)
    assert caught.value.exit_code == 2
    assert "county_lines" in str(caught.value) and FEED in str(caught.value)

    proc = _run("no_such_feed", str(new), "--raw-dir", str(raw_dir))
    assert proc.returncode == 2
    assert "Valid feeds: county_lines, police_recorded_crime" in proc.stderr
    assert _snapshot(raw_dir) == before


def _write_workbook(path: Path) -> None:
    """Two sheets with the police recorded crime header; 2017-18 has two title rows."""
    blank = [None] * len(HEADER)
    sheet_1718 = [
        ["Police recorded crime by force area, 2017/18", *blank[1:]],
        ["Source: Home Office (synthetic test data)", *blank[1:]],
        HEADER,
        ["2017/18", 1, "Avon and Somerset", "Arson", "Criminal damage", "Arson", 56, " 66776 "],
        ["2017/18", 1, "Cifas", "Fraud", "Fraud", "Fraud: Cifas", "CIFAS", 12.0],
        blank,
        ["2017/18", 2, "UK Finance", "Fraud", "Fraud", "Fraud: UK Finance", "UKF", 2.5],
    ]
    sheet_1819 = [
        HEADER,
        ["2018/19", 1, "Dyfed-Powys", "Homicide", "Homicide", "Homicide", "1/4.1/4.10/4.2", -1],
        ["2018/19", 1, "London, City of", "Arson", "Criminal damage", "Arson", "56", "-00 "],
    ]
    with pd.ExcelWriter(path, engine="odf") as writer:
        for name, rows in (("2017-18", sheet_1718), ("2018-19", sheet_1819)):
            pd.DataFrame(rows, dtype=object).to_excel(
                writer, sheet_name=name, index=False, header=False
            )


EXPECTED_ODS_ROWS = [
    ["2017/18", "1", "Avon and Somerset", "Arson", "Criminal damage", "Arson", "56", " 66776 "],
    ["2017/18", "1", "Cifas", "Fraud", "Fraud", "Fraud: Cifas", "CIFAS", "12"],
    ["2017/18", "2", "UK Finance", "Fraud", "Fraud", "Fraud: UK Finance", "UKF", "2.5"],
    ["2018/19", "1", "Dyfed-Powys", "Homicide", "Homicide", "Homicide", "1/4.1/4.10/4.2", "-1"],
    ["2018/19", "1", "London, City of", "Arson", "Criminal damage", "Arson", "56", "-00 "],
]


def test_lands_ods_workbook(raw_dir: Path, tmp_path: Path) -> None:
    workbook = tmp_path / "prc-pfa-tables.ods"
    _write_workbook(workbook)

    result = land_mod.land(FEED, workbook, raw_dir)

    feed_dir = raw_dir / FEED
    assert _csvs(feed_dir) == ["prc-pfa-tables.csv"]
    assert result.sheets == ["2017-18", "2018-19"]
    assert result.rows == len(EXPECTED_ODS_ROWS)
    data = (feed_dir / "prc-pfa-tables.csv").read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert rows == [HEADER, *EXPECTED_ODS_ROWS]
    assert (result.archive_dir / "prc_old.csv").exists()


def test_lands_selected_ods_sheet_into_empty_feed(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / FEED).mkdir(parents=True)
    workbook = tmp_path / "prc.ods"
    _write_workbook(workbook)

    result = land_mod.land(FEED, workbook, raw, sheets=["2018-19"])

    # no current file: the header is the first row with no empty cells
    assert result.archived == [] and result.archive_dir is None
    rows = list(csv.reader((raw / FEED / "prc.csv").open(encoding="utf-8", newline="")))
    assert rows == [HEADER, *EXPECTED_ODS_ROWS[3:]]

    with pytest.raises(land_mod.UsageError, match="2019-20"):
        land_mod.land(FEED, workbook, raw, sheets=["2019-20"])


def test_refuses_ods_sheet_with_other_header(raw_dir: Path, tmp_path: Path) -> None:
    before = _snapshot(raw_dir)
    workbook = tmp_path / "other.ods"
    pd.DataFrame([["a", "b"], ["1", "2"]]).to_excel(
        workbook, engine="odf", sheet_name="Notes", index=False, header=False
    )

    with pytest.raises(land_mod.BadInputError) as caught:
        land_mod.land(FEED, workbook, raw_dir)
    assert "'Notes'" in str(caught.value) and "'Force Name'" in str(caught.value)
    assert _snapshot(raw_dir) == before


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [NCPM, "land", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def test_help_runs() -> None:
    proc = _run("--help")
    assert proc.returncode == 0
    assert "FEED" in proc.stdout and "--sheet" in proc.stdout and "NCPM_RAW_DIR" in proc.stdout


def test_cli_lands_with_raw_dir_from_env(raw_dir: Path, tmp_path: Path) -> None:
    new = tmp_path / "prc_new.csv"
    new.write_bytes(_csv_bytes(HEADER, [ROW_A, ROW_B]))

    proc = _run(FEED, str(new), env={"NCPM_RAW_DIR": str(raw_dir)})

    assert proc.returncode == 0, proc.stderr
    assert "2 data rows" in proc.stdout and "prc_old.csv" in proc.stdout
    assert "run: make build" in proc.stdout
    assert _csvs(raw_dir / FEED) == ["prc_new.csv"]

    missing = _run(FEED, str(tmp_path / "nope.csv"), "--raw-dir", str(raw_dir))
    assert missing.returncode == 2 and "does not exist" in missing.stderr


# --------------------------------------------------------------------------- wide seizures

FIXTURES = Path(__file__).parent / "fixtures"
WIDE = FIXTURES / "drug_seizures_wide_2018-19__synthetic.csv"
QUANTITIES = FIXTURES / "drug_quantities_wide_2018-19__synthetic.csv"
LONG_HEADER = [
    "financial_year",
    "force_name",
    "drug_type",
    "drug_class",
    "seizures",
    "quantity",
    "quantity_unit",
]


@pytest.fixture
def seizures_raw(tmp_path: Path) -> Path:
    """A raw dir with the long seizures feed (a 2018/19 row) and the wide folder."""
    raw = tmp_path / "raw"
    (raw / "drug_seizures").mkdir(parents=True)
    (raw / "drug_seizures_wide").mkdir()
    (raw / "drug_seizures" / "long.csv").write_bytes(
        _csv_bytes(LONG_HEADER, [["2018/19", "Durham", "All drugs", "", "10", "", ""]])
    )
    (raw / "drug_seizures_wide" / "drug_seizures_wide_2017-18.csv").write_bytes(b"x\n")
    return raw


def _published_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        return list(csv.reader(f))


def test_lands_wide_seizures_table_for_its_year(seizures_raw: Path) -> None:
    assert WIDE.read_bytes().startswith(b"\xef\xbb\xbf") and b"\r\n" in WIDE.read_bytes()

    result = land_mod.land("drug_seizures", WIDE, seizures_raw, year="2018/19")

    wide_dir = seizures_raw / "drug_seizures_wide"
    landed = wide_dir / "drug_seizures_wide_2018-19.csv"
    assert result.landed == landed and result.rows == 8
    data = landed.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data  # the reader's dialect
    assert _published_rows(landed) == _published_rows(WIDE)  # every cell as published
    assert "Mephedrone\n(non-injection)" in _published_rows(landed)[0]
    assert any("long.csv (long shape) also holds 2018/19" in w for w in result.warnings)
    # other years and the long file are untouched
    assert (wide_dir / "drug_seizures_wide_2017-18.csv").read_bytes() == b"x\n"
    assert _csvs(seizures_raw / "drug_seizures") == ["long.csv"]

    again = land_mod.land("drug_seizures", WIDE, seizures_raw, year="2018/19")
    assert again.archived == [again.archive_dir / "drug_seizures_wide_2018-19.csv"]
    assert TS_DIR.match(again.archive_dir.name)
    assert _csvs(wide_dir) == ["drug_seizures_wide_2017-18.csv", "drug_seizures_wide_2018-19.csv"]


def test_refuses_wide_table_with_unknown_header(seizures_raw: Path, tmp_path: Path) -> None:
    rows = _published_rows(WIDE)
    rows[0][rows[0].index("Ketamine")] = "Ketamin"
    renamed = tmp_path / "renamed.csv"
    renamed.write_bytes(_csv_bytes(rows[0], rows[1:]))
    before = _snapshot(seizures_raw)

    with pytest.raises(land_mod.BadInputError) as caught:
        land_mod.land("drug_seizures", renamed, seizures_raw, year="2018/19")

    message = str(caught.value)
    assert "renamed.csv" in message and "'Ketamin' (column 15)" in message
    assert "ref_drug_seizure_columns.csv" in message and "2018/19" in message
    assert _snapshot(seizures_raw) == before


def test_refuses_the_quantities_table(seizures_raw: Path) -> None:
    before = _snapshot(seizures_raw)
    with pytest.raises(land_mod.BadInputError, match="QUANTITIES table"):
        land_mod.land("drug_seizures", QUANTITIES, seizures_raw, year="2018/19")
    assert _snapshot(seizures_raw) == before


def test_wide_landing_usage_errors(seizures_raw: Path, raw_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(land_mod.UsageError, match="YYYY/YY"):
        land_mod.land("drug_seizures", WIDE, seizures_raw, year="2018-19")
    with pytest.raises(land_mod.UsageError, match="--feed drug_seizures --year"):
        land_mod.land("drug_seizures_wide", WIDE, seizures_raw)
    new = tmp_path / "prc.csv"
    new.write_bytes(_csv_bytes(HEADER, [ROW_A]))
    with pytest.raises(land_mod.UsageError, match="not to 'police_recorded_crime'"):
        land_mod.land(FEED, new, raw_dir, year="2018/19")
    long_file = tmp_path / "long.csv"
    long_file.write_bytes(_csv_bytes(LONG_HEADER, [["2018/19", "Kent", "Crack", "A", "1", "", ""]]))
    with pytest.raises(land_mod.BadInputError, match="LONG shape"):
        land_mod.land("drug_seizures", long_file, seizures_raw, year="2018/19")
