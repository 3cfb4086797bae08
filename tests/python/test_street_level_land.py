"""`ncpm land street_level_crime` (ncpm.street_level.land) and the synthetic generator.

Every landing goes into a raw dir under tmp_path; the committed sample is never touched.
The files landed are written by the generator (small runs) or by hand here; the genuine
City of London files are landed when NCPM_REALDATA_DIR is set.
"""

from __future__ import annotations

import csv
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ncpm import settings
from ncpm import street_level as sl
from ncpm.land_errors import BadInputError
from ncpm.street_level import land as street

NCPM = str(Path(sys.executable).parent / "ncpm")
ROW = [
    "",
    "2019-06",
    "City of London Police",
    "City of London Police",
    "-0.097",
    "51.514",
    "On or near Supermarket",
    "E01000001",
    "City of London 001A",
    "Anti-social behaviour",
    "",
    "",
]


def street_file(folder: Path, month: str, force: str, rows: list[list[str]]) -> Path:
    path = folder / f"{month}-{force}-street.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\r\n")  # police.uk writes CRLF
        writer.writerow(sl.HEADER)
        writer.writerows(rows)
    return path


def synth(*args: str) -> None:
    subprocess.run(
        [NCPM, "synth", "--feed", "street_level_crime", "--", *args],
        check=True,
        capture_output=True,
        timeout=600,
    )


def landed(raw: Path, what: str = "*") -> list[tuple]:
    glob = raw / sl.FEED / "month=*" / f"{what}.parquet"
    return duckdb.sql(
        f"select month, force_id, count(*) from read_parquet('{glob}', hive_partitioning = true) "
        "group by all order by all"
    ).fetchall()


def log_rows(raw: Path) -> list[dict[str, str]]:
    with (raw / sl.FEED / sl.LOG_NAME).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """Three months of two forces (City of London, Greater Manchester before its gap) as
    police.uk files, plus the same months as two overlapping monthly archives."""
    out = tmp_path_factory.mktemp("street")
    common = ["--months", "3", "--end", "2019-06", "--forces", "city-of-london", "cumbria"]
    synth(*common, "--csv", "--out", str(out / "files"))
    synth(*common, "--zip", "--out", str(out / "zips"))
    return out


def test_lands_a_folder_row_for_row_with_source_file_and_row(generated, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    result = street.land(generated / "files", raw, show_progress=False)
    files = sorted((generated / "files").rglob("*-street.csv"))
    assert len(files) == 6 and len(result.landed) == 6
    for path in files:
        month, force = path.name[:7], path.name[8:-11]
        expected = duckdb.sql(
            f"select count(*) from read_csv('{path}', header = true, all_varchar = true)"
        ).fetchone()[0]
        got = duckdb.sql(
            f"select count(*), min(source_row), max(source_row), any_value(source_file) "
            f"from '{sl.partition(raw / sl.FEED, month, force)}'"
        ).fetchone()
        assert got == (expected, 1, expected, f"{month}/{path.name}")
    # blanks are NULL, `No Location` kept, ASB rows have no Crime ID
    first = duckdb.sql(
        f"select count(*) filter (where crime_id is null and crime_type = 'Anti-social behaviour'),"
        f" count(*) filter (where crime_id is null), count(*) filter (where location = "
        f"'No Location' and longitude is null and lsoa_code is null) from "
        f"read_parquet('{raw / sl.FEED}/month=*/*.parquet')"
    ).fetchone()
    assert first[0] == first[1] > 0 and first[2] > 0
    assert [r["month"] for r in log_rows(raw)] == sorted(r["month"] for r in log_rows(raw))
    assert all(r["superseded_landed_at"] == "" for r in log_rows(raw))


def test_landed_columns_are_the_contract(generated, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    street.land(generated / "files", raw, show_progress=False)
    one = next((raw / sl.FEED).glob("month=*/*.parquet"))
    columns = duckdb.sql(
        f"describe select * from read_parquet('{one}', hive_partitioning = false)"
    ).fetchall()
    assert {c[0]: c[1] for c in columns} == sl.LANDED_COLUMNS


def test_overlapping_archives_newest_copy_wins_and_is_reported(generated, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    zips = sorted((generated / "zips").glob("*.zip"))
    assert [z.name for z in zips] == ["2019-04.zip", "2019-05.zip", "2019-06.zip"]
    result = street.land(generated / "zips", raw, show_progress=False)
    # 2019-04 is in all three archives, 2019-05 in two: 3 + 1 older copies per force
    assert len(result.superseded_in_input) == 2 * 3
    assert {(old.month, new.label.split("!")[0]) for old, new in result.superseded_in_input} == {
        ("2019-04", "2019-06.zip"),
        ("2019-05", "2019-06.zip"),
    }
    sources = duckdb.sql(
        f"select distinct source_file from read_parquet('{raw / sl.FEED}/month=*/*.parquet')"
    ).fetchall()
    assert all(s[0].startswith("2019-06.zip!") for s in sources)
    assert "Superseded in this input: 2019-04 city-of-london from 2019-04.zip!" in result.summary()
    # the newest archive is the same publication as the folder of files
    other = tmp_path / "raw2"
    other.mkdir()
    street.land(generated / "files", other, show_progress=False)
    assert landed(raw) == landed(other)


def test_re_landing_archives_the_old_partition_and_never_deletes(generated, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    street.land(generated / "zips" / "2019-05.zip", raw, show_progress=False)
    before = tree(raw / sl.FEED)
    result = street.land(generated / "zips" / "2019-06.zip", raw, show_progress=False)
    assert sorted((m, f) for m, f, _, _ in result.replaced) == [
        (m, f) for m in ("2019-04", "2019-05") for f in ("city-of-london", "cumbria")
    ]
    archived = {
        str(p.relative_to(result.archive_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in result.archive_dir.rglob("*.parquet")
    }
    assert archived == {k: v for k, v in before.items() if k.startswith("month=")}
    assert result.archive_dir.parent.name == "_archive"
    log = log_rows(raw)
    assert len(log) == 4 + 6
    relanded = [r for r in log[4:] if r["superseded_landed_at"]]
    assert sorted((r["month"], r["force_id"]) for r in relanded) == sorted(
        (m, f) for m, f, _, _ in result.replaced
    )
    assert all(r["superseded_landed_at"] == log[0]["landed_at"] for r in relanded)
    assert "Superseded 4 landed force-month(s)" in result.summary()
    # the landed glob does not see the archive
    assert len(landed(raw)) == 6


def test_refused_file_changes_nothing_landed(generated, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    street.land(generated / "files", raw, show_progress=False)
    before = tree(raw)
    incoming = tmp_path / "incoming"
    street_file(incoming, "2019-07", "city-of-london", [ROW])  # good, but its partner is bad
    street_file(incoming, "2019-07", "cumbria", [[*ROW[:7], "E0100001x", *ROW[8:]]])
    with pytest.raises(BadInputError, match="data row 1: Month differs"):
        street.land(incoming, raw, show_progress=False)
    assert tree(raw) == before
    assert not [p for p in (raw / sl.FEED).iterdir() if p.name.startswith("_staging")]


def test_malformed_gmp_month_in_an_archive_is_refused(tmp_path):
    out = tmp_path / "zips"
    synth(
        *["--months", "1", "--end", "2022-03", "--forces", "greater-manchester"],
        "--zip",
        "--out",
        str(out),
    )
    raw = tmp_path / "raw"
    raw.mkdir()
    with pytest.raises(BadInputError) as error:
        street.land(out / "2022-03.zip", raw, show_progress=False)
    message = str(error.value)
    assert "2022-03.zip!2022-03/2022-03-greater-manchester-street.csv" in message
    assert "the header drifted (missing columns: 'Context')" in message
    assert not (raw / sl.FEED).exists() or not list((raw / sl.FEED).rglob("*.parquet"))


def test_cli_lands_and_names_the_superseded_months(generated, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    proc = subprocess.run(
        [NCPM, "land", sl.FEED, str(generated / "zips"), "--raw-dir", str(raw)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Landed 6 street file(s)" in proc.stdout
    assert "Superseded in this input: 2019-05 cumbria from 2019-05.zip!" in proc.stdout


def test_synth_same_arguments_same_bytes(tmp_path):
    args = ["--months", "2", "--end", "2022-02", "--forces", "city-of-london", "btp"]
    for run in ("a", "b"):
        synth(*args, "--out", str(tmp_path / run))
    a, b = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert a == b and any(k.endswith(".parquet") for k in a)
    # 2022 months carry some 2021 LSOA codes, all still codes
    codes = duckdb.sql(
        f"select count(*) filter (where lsoa_code >= 'E01035000'), "
        f"count(*) filter (where not regexp_full_match(lsoa_code, '{sl.LSOA_CODE}')) "
        f"from read_parquet('{tmp_path / 'a' / sl.FEED}/month=*/*.parquet')"
    ).fetchone()
    assert codes[0] > 0 and codes[1] == 0


def test_national_direct_write_equals_landing_the_files(tmp_path):
    """At national scale the generator writes the landed layout itself: the same rows as
    writing the files and landing them."""
    args = ["--months", "1", "--end", "2013-04", "--forces", "city-of-london", "northern-ireland"]
    synth(*args, "--scale", "national", "--out", str(tmp_path / "direct"))
    synth(*args, "--scale", "national", "--csv", "--out", str(tmp_path / "files"))
    (tmp_path / "raw").mkdir()
    street.land(tmp_path / "files", tmp_path / "raw", show_progress=False)
    query = "select * from read_parquet('{}/month=*/*.parquet', hive_partitioning = true)"
    a = duckdb.sql(query.format(tmp_path / "direct" / sl.FEED))
    b = duckdb.sql(query.format(tmp_path / "raw" / sl.FEED))
    assert a.except_(b).fetchall() == [] and b.except_(a).fetchall() == []
    # before the May 2013 split: the old categories, no theft from the person
    types = {t for (t,) in duckdb.sql("select distinct crime_type from a").fetchall()}
    assert "Violent crime" in types and "Theft from the person" not in types


REALDATA = settings.get().realdata_dir


@pytest.mark.skipif(
    REALDATA is None or not (REALDATA / "street_level").is_dir(),
    reason="NCPM_REALDATA_DIR is not set or holds no street_level folder (genuine police.uk files)",
)
def test_genuine_city_of_london_files_land_and_reconcile(tmp_path):
    folder = REALDATA / "street_level"
    raw = tmp_path / "raw"
    raw.mkdir()
    result = street.land(folder, raw, show_progress=False)
    files = sorted(folder.glob("*-street.csv"))
    assert len(result.landed) == len(files) == 12
    for path in files:
        with path.open(newline="", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))[1:]
        month = path.name[:7]
        parquet = sl.partition(raw / sl.FEED, month, "city-of-london")
        got = duckdb.sql(
            f"select count(*), count(*) filter (where crime_id is null), count(*) filter (where "
            f"location = 'No Location') from '{parquet}'"
        ).fetchone()
        assert got == (
            len(rows),
            sum(1 for r in rows if r[0] == ""),
            sum(1 for r in rows if r[6] == "No Location"),
        )
    assert sum(int(r["row_count"]) for r in log_rows(raw)) == 9154


def test_land_command_refuses_year_and_sheet_for_the_street_feed(tmp_path):
    proc = subprocess.run(
        [NCPM, "land", sl.FEED, str(tmp_path), "--year", "2018/19", "--raw-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ},
    )
    assert proc.returncode == 2 and "--year and --sheet do not apply" in proc.stderr


def test_two_copies_of_a_force_month_in_one_folder_are_refused(tmp_path):
    folder = tmp_path / "in"
    street_file(folder / "a", "2019-06", "city-of-london", [ROW])
    street_file(folder / "b", "2019-06", "city-of-london", [ROW])
    raw = tmp_path / "raw"
    raw.mkdir()
    with pytest.raises(BadInputError, match="one file per force and month"):
        street.land(folder, raw, show_progress=False)
