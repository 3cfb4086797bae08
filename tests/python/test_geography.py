"""Tests for `ncpm reference geography` (ncpm.geography): the geography reference seeds.

Unit tests derive the seeds from small hand-written ONS-shaped files (CSV with byte-order
marks, a workbook written with openpyxl) in tmp_path; the expected seeds are written out
by hand. When NCPM_REALDATA_DIR points at the genuine files, the committed seeds are
re-derived into a temporary folder and compared byte for byte.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from ncpm import geography

ROOT = Path(__file__).resolve().parents[2]
NCPM = str(Path(sys.executable).parent / "ncpm")
BOM = "\ufeff"

LOOKUP = (
    BOM + "LAD23CD,LAD23NM,CSP23CD,CSP23NM,PFA23CD,PFA23NM,ObjectId\r\n"
    "W06000014,Vale of Glamorgan,W14000014,Vale of Glamorgan,W15000003,South Wales,4\r\n"
    "E06000060,Buckinghamshire,E22000318,Wycombe,E23000029,Thames Valley,3\r\n"
    '"E06000023","Bristol, City of",E22000002,Bristol,E23000036,Avon and Somerset,1\r\n'
    "E06000060,Buckinghamshire,E22000303,Aylesbury Vale,E23000029,Thames Valley,2\r\n"
)
LSOA_HEADER = BOM + "FID,lsoa11cd,lsoa11nm,IMDRank,IMDDecil,Shape__Area,Shape__Length\r\n"
LSOAS = (
    LSOA_HEADER + "1,W01001000,The Vale of Glamorgan 001A,0,0,1.5,2.5\r\n"
    "2,E01017500,Aylesbury Vale 001A,30000,10,1.5,2.5\r\n"
    "3,E01014485,Bristol 023A,1200,1,1.5,2.5\r\n"
)
NAMES = (
    "district_name,lad_code,csp_code,is_hand_mapped,note\n"
    "Aylesbury Vale,E06000060,E22000303,true,Merged into Buckinghamshire in 2020.\n"
    "Bristol,E06000023,E22000002,true,ONS writes Bristol and City of.\n"
    '"Bristol, City of",E06000023,E22000002,false,\n'
    "Buckinghamshire,E06000060,,false,Several partnerships.\n"
    "The Vale of Glamorgan,W06000014,W14000014,true,ONS writes Vale of Glamorgan.\n"
    "Vale of Glamorgan,W06000014,W14000014,false,\n"
)
POPULATION_ROWS = [
    ["K04000001", "ENGLAND AND WALES", "Country", 60238038, 59660524],
    ["E06000023", "Bristol, City of", "Unitary Authority", 479024, 472465],
    ["E10000002", "Buckinghamshire (county, before 2020)", "County", 1, 2],
    ["E06000060", "Buckinghamshire", "Unitary Authority", 558013, 553078],
    ["W06000014", "Vale of Glamorgan", "Unitary Authority", 132962, 131938],
]

EXPECTED_DISTRICTS = (
    "lad_code,lad_name,csp_code,csp_name,pfa_code,pfa_name\n"
    'E06000023,"Bristol, City of",E22000002,Bristol,E23000036,Avon and Somerset\n'
    "E06000060,Buckinghamshire,E22000303,Aylesbury Vale,E23000029,Thames Valley\n"
    "E06000060,Buckinghamshire,E22000318,Wycombe,E23000029,Thames Valley\n"
    "W06000014,Vale of Glamorgan,W14000014,Vale of Glamorgan,W15000003,South Wales\n"
)
EXPECTED_LSOAS = (
    "lsoa_code,lsoa_name,lsoa_vintage,district_name,imd_decile\n"
    "E01014485,Bristol 023A,2011,Bristol,1\n"
    "E01017500,Aylesbury Vale 001A,2011,Aylesbury Vale,10\n"
    "W01001000,The Vale of Glamorgan 001A,2011,The Vale of Glamorgan,\n"
)
EXPECTED_POPULATION = (
    "lad_code,population_year,population\n"
    "E06000023,2021,472465\n"
    "E06000023,2022,479024\n"
    "E06000060,2021,553078\n"
    "E06000060,2022,558013\n"
    "W06000014,2021,131938\n"
    "W06000014,2022,132962\n"
)


def _workbook(path: Path, rows: list[list[object]], sheet: str = "MYE4") -> None:
    """An ONS-shaped workbook: a cover sheet, then the table under seven note lines."""
    book = Workbook()
    book.active.title = "Cover"
    book.active.append(["Population estimates for England and Wales: cover"])
    table = book.create_sheet(sheet)
    table.append([f"{sheet}: Population estimates: Summary for England and Wales"])
    for note in range(6):
        table.append([f"Note line {note + 2}"])
    table.append(["Code", "Name", "Geography", "Mid-2022", "Mid-2021"])
    for row in rows:
        table.append(row)
    book.save(path)


@pytest.fixture
def source(tmp_path: Path) -> Path:
    folder = tmp_path / "geography"
    folder.mkdir()
    (folder / geography.LOOKUP_FILE).write_bytes(LOOKUP.encode("utf-8"))
    (folder / geography.LSOA_FILE).write_bytes(LSOAS.encode("utf-8"))
    _workbook(folder / geography.POPULATION_FILE, POPULATION_ROWS)
    return folder


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / geography.NAMES_SEED).write_text(NAMES, encoding="utf-8")
    return folder


def _written(seeds: Path, name: str) -> str:
    return (seeds / name).read_bytes().decode("utf-8")


def test_derives_the_seeds_from_ons_shaped_files(source: Path, seeds: Path) -> None:
    assert geography.run(source, seeds_dir=seeds) == 0
    assert _written(seeds, geography.DISTRICTS_SEED) == EXPECTED_DISTRICTS
    assert _written(seeds, geography.LSOAS_SEED) == EXPECTED_LSOAS
    assert _written(seeds, geography.POPULATION_SEED) == EXPECTED_POPULATION
    # The hand-checked seed is read, never rewritten.
    assert _written(seeds, geography.NAMES_SEED) == NAMES


def test_check_names_each_seed_that_differs(source: Path, seeds: Path, capsys) -> None:
    assert geography.run(source, seeds_dir=seeds) == 0
    assert geography.run(source, check=True, seeds_dir=seeds) == 0
    stale = seeds / geography.LSOAS_SEED
    stale.write_text(EXPECTED_LSOAS.replace("Bristol,1", "Bristol,2"), encoding="utf-8")
    (seeds / geography.POPULATION_SEED).unlink()
    capsys.readouterr()
    assert geography.run(source, check=True, seeds_dir=seeds) == 1
    err = capsys.readouterr().err
    assert "seeds/reference/ref_lsoas.csv" in err
    assert "seeds/reference/ref_district_population.csv" in err
    assert "ref_districts.csv" not in err
    # --check writes nothing.
    assert "Bristol,2" in stale.read_text(encoding="utf-8")


def test_district_name_without_a_mapping_is_refused(source: Path, seeds: Path) -> None:
    lsoas = LSOAS + "4,E01024000,Shepway 001A,5000,2,1.5,2.5\r\n"
    (source / geography.LSOA_FILE).write_text(lsoas, encoding="utf-8")
    with pytest.raises(geography.GeographyError) as caught:
        geography.derive(source, seeds)
    message = str(caught.value)
    assert "'Shepway'" in message
    assert geography.LSOA_FILE in message
    assert "data row 4" in message
    assert "add a row to seeds/reference/ref_lsoa_district_names.csv" in message
    assert not (seeds / geography.LSOAS_SEED).exists()


def test_hand_checked_name_with_unknown_code_is_refused(source: Path, seeds: Path) -> None:
    names = NAMES.replace("Aylesbury Vale,E06000060,E22000303", "Aylesbury Vale,E07000004,")
    (seeds / geography.NAMES_SEED).write_text(names, encoding="utf-8")
    with pytest.raises(geography.GeographyError, match=r"'Aylesbury Vale'.*E07000004"):
        geography.derive(source, seeds)


def test_partnership_of_another_district_is_refused(source: Path, seeds: Path) -> None:
    names = NAMES.replace(
        "Aylesbury Vale,E06000060,E22000303", "Aylesbury Vale,E06000060,E22000002"
    )
    (seeds / geography.NAMES_SEED).write_text(names, encoding="utf-8")
    with pytest.raises(geography.GeographyError, match=r"E22000002 is not a partnership"):
        geography.derive(source, seeds)


def test_unmapped_name_must_be_the_ons_name(source: Path, seeds: Path) -> None:
    names = NAMES.replace("Bristol,E06000023,E22000002,true", "Bristol,E06000023,E22000002,false")
    (seeds / geography.NAMES_SEED).write_text(names, encoding="utf-8")
    with pytest.raises(geography.GeographyError, match=r"'Bristol, City of'"):
        geography.derive(source, seeds)


def test_lsoa_name_without_its_suffix_is_refused(source: Path, seeds: Path) -> None:
    lsoas = LSOA_HEADER + "1,E01014485,Bristol,1200,1,1.5,2.5\r\n"
    (source / geography.LSOA_FILE).write_text(lsoas, encoding="utf-8")
    with pytest.raises(geography.GeographyError, match=r"data row 1: LSOA name 'Bristol'"):
        geography.derive(source, seeds)


def test_welsh_lsoa_with_an_english_decile_is_refused(source: Path, seeds: Path) -> None:
    lsoas = LSOA_HEADER + "1,W01001000,The Vale of Glamorgan 001A,0,5,1.5,2.5\r\n"
    (source / geography.LSOA_FILE).write_text(lsoas, encoding="utf-8")
    with pytest.raises(geography.GeographyError, match=r"Welsh LSOA W01001000 has IMD decile"):
        geography.derive(source, seeds)


def test_workbook_without_a_district_is_refused(source: Path, seeds: Path) -> None:
    _workbook(source / geography.POPULATION_FILE, POPULATION_ROWS[:-1])
    with pytest.raises(geography.GeographyError, match=r"no row for the LAD23 district.*W06000014"):
        geography.derive(source, seeds)


def test_workbook_without_the_mye4_sheet_is_refused(source: Path, seeds: Path) -> None:
    _workbook(source / geography.POPULATION_FILE, POPULATION_ROWS, sheet="MYE5")
    with pytest.raises(geography.GeographyError, match=r"'MYE4' not in"):
        geography.derive(source, seeds)


def test_missing_file_names_it(source: Path, seeds: Path) -> None:
    (source / geography.LOOKUP_FILE).unlink()
    with pytest.raises(
        geography.GeographyError, match=r"LAD23_CSP23_PFA23_lookup_ONS.csv is missing"
    ):
        geography.derive(source, seeds)


def test_command_without_a_folder_says_so(tmp_path: Path) -> None:
    done = subprocess.run(
        [NCPM, "reference", "geography", "--from", str(tmp_path / "absent"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "is not a folder" in done.stderr


@pytest.mark.skipif(
    not os.environ.get(geography.REALDATA_ENV),
    reason="NCPM_REALDATA_DIR is not set: the genuine ONS geography files are not committed "
    "(make sets it from ../shared/realdata when that folder sits beside the clone)",
)
def test_committed_seeds_are_what_the_ons_files_give(tmp_path: Path) -> None:
    real = Path(os.environ[geography.REALDATA_ENV]) / "geography"
    committed = ROOT / "seeds" / "reference"
    shutil.copy(committed / geography.NAMES_SEED, tmp_path / geography.NAMES_SEED)
    assert geography.run(real, seeds_dir=tmp_path) == 0
    for name in geography.DERIVED_SEEDS:
        assert (tmp_path / name).read_bytes() == (committed / name).read_bytes(), (
            f"seeds/reference/{name} differs from {real}: run make reference and commit it"
        )
    # Figures stated by the published files' own documentation (realdata README, ONS).
    lines = {name: _written(tmp_path, name).splitlines() for name in geography.DERIVED_SEEDS}
    assert len(lines[geography.LSOAS_SEED]) - 1 == 34_753
    assert sum(line.startswith("W01") for line in lines[geography.LSOAS_SEED]) == 1_909
    assert len(lines[geography.DISTRICTS_SEED]) - 1 == 332
    assert len(lines[geography.POPULATION_SEED]) - 1 == 318 * 12
    # The command itself agrees (the exit code the lead's CI relies on).
    done = subprocess.run(
        [NCPM, "reference", "geography", "--from", str(real), "--check"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
