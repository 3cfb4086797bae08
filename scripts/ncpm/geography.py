"""Derive the geography reference seeds from the ONS files they come from.

``ncpm reference geography [--from DIR] [--check]`` reads three published files (Open
Government Licence v3.0, ONS) from DIR, by default ``$NCPM_REALDATA_DIR/geography``:

* ``LAD23_CSP23_PFA23_lookup_ONS.csv``: local authority district (LAD23) -> community safety
  partnership (CSP23) -> police force area (PFA23), December 2023. A district merged in
  2019-2023 keeps the partnerships of its former districts, so a few districts have several
  rows (332 rows, 318 districts);
* ``lsoa11_names_imd2019.csv``: every 2011 LSOA of England and Wales with its name
  (``<2011 district name> NNNX``) and the English IMD 2019 decile (0 for Welsh LSOAs);
* ``LAD23_mid_year_population_2011_to_2022.xlsx``: ONS mid-year estimates, sheet ``MYE4``
  (seven lines of notes above the header ``Code, Name, Geography, Mid-2022, ..., Mid-2011``),
  read with the workbook reader of ``ncpm land``.

and writes, in ``seeds/reference/`` (UTF-8 without BOM, ``\\n`` line ends, minimal quoting,
rows sorted by their key, only the columns the warehouse uses):

* ``ref_districts.csv``: lad_code, lad_name, csp_code, csp_name, pfa_code, pfa_name;
* ``ref_lsoas.csv``: lsoa_code, lsoa_name, lsoa_vintage (2011), district_name (the name less
  its `` NNNX`` suffix), imd_decile (1-10; empty for Welsh LSOAs);
* ``ref_district_population.csv``: lad_code, population_year, population (every LAD23
  district of the lookup, every mid-year of the sheet).

The hand-checked seed ``ref_lsoa_district_names.csv`` (district_name -> lad_code, csp_code,
is_hand_mapped, note) is never written: it is validated against the lookup (every code
exists, a partnership belongs to its district, an unmapped name equals the ONS name, every
LAD23 name is there) and every district name of the LSOA file must have a row in it.

``--check`` derives the seeds in memory and compares them with the committed ones; any seed
that differs is named (exit 1). Bad input (a missing file or column, an LSOA name without
its ``NNNX`` suffix, a district name with no row in the hand-checked seed) stops with an
error naming the file, the row and the value, and what to do; nothing is written.
"""

from __future__ import annotations

import csv
import io
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ncpm import settings

REALDATA_ENV = "NCPM_REALDATA_DIR"
SEEDS_DIR = settings.root() / "seeds" / "reference"

LOOKUP_FILE = "LAD23_CSP23_PFA23_lookup_ONS.csv"
LSOA_FILE = "lsoa11_names_imd2019.csv"
POPULATION_FILE = "LAD23_mid_year_population_2011_to_2022.xlsx"
POPULATION_SHEET = "MYE4"

DISTRICTS_SEED = "ref_districts.csv"
LSOAS_SEED = "ref_lsoas.csv"
POPULATION_SEED = "ref_district_population.csv"
NAMES_SEED = "ref_lsoa_district_names.csv"
DERIVED_SEEDS = (DISTRICTS_SEED, LSOAS_SEED, POPULATION_SEED)

DISTRICTS_HEADER = ["lad_code", "lad_name", "csp_code", "csp_name", "pfa_code", "pfa_name"]
LSOAS_HEADER = ["lsoa_code", "lsoa_name", "lsoa_vintage", "district_name", "imd_decile"]
POPULATION_HEADER = ["lad_code", "population_year", "population"]
NAMES_HEADER = ["district_name", "lad_code", "csp_code", "is_hand_mapped", "note"]

LOOKUP_COLUMNS = {
    "LAD23CD": "lad_code",
    "LAD23NM": "lad_name",
    "CSP23CD": "csp_code",
    "CSP23NM": "csp_name",
    "PFA23CD": "pfa_code",
    "PFA23NM": "pfa_name",
}
LSOA_COLUMNS = ("lsoa11cd", "lsoa11nm", "IMDDecil")
LSOA_VINTAGE = "2011"

LAD_CODE = re.compile(r"[EW]0[6789]\d{6}")
CSP_CODE = re.compile(r"(E22|W14)\d{6}")
PFA_CODE = re.compile(r"(E23|W15)\d{6}")
LSOA_CODE = re.compile(r"[EW]01\d{6}")
# An LSOA's name is its district's name, a space, three digits and a capital letter.
LSOA_NAME = re.compile(r"(?P<district>.+) (?P<suffix>\d{3}[A-Z])")
YEAR_HEADER = re.compile(r"Mid-(?P<year>\d{4})")
POPULATION_LEAD = ["Code", "Name", "Geography"]

FIX_NAMES = (
    f"add a row to seeds/reference/{NAMES_SEED} mapping the name to its LAD23 code "
    f"(from {LOOKUP_FILE}), with is_hand_mapped true and a note saying why"
)


class GeographyError(Exception):
    """The source files cannot give the seeds: the message names file, row, value, remedy."""


Rows = list[list[str]]


@dataclass
class Derived:
    """The derived seeds (file name -> header and rows) and the checks' findings."""

    seeds: dict[str, Rows] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def default_source_dir() -> Path | None:
    """``$NCPM_REALDATA_DIR/geography``; unset, ``../shared/realdata/geography`` beside the
    clone (as the Makefile sets it) when that folder exists; else None."""
    base = os.environ.get(REALDATA_ENV)
    if base:
        return Path(base) / "geography"
    beside = settings.root().parent / "shared" / "realdata" / "geography"
    return beside if beside.is_dir() else None


# --------------------------------------------------------------------------- reading


def read_csv_dicts(path: Path, columns: Iterable[str]) -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV (byte-order mark or not) as dicts; the columns must be there."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError as exc:
        raise GeographyError(
            f"{path} is missing. Put the ONS file there, or pass the folder with --from."
        ) from exc
    except UnicodeDecodeError as exc:
        raise GeographyError(f"{path} is not UTF-8 text ({exc}); save it as UTF-8 CSV.") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in columns if name not in header]
    if missing:
        raise GeographyError(
            f"{path} lacks the column(s) {', '.join(missing)} (its header: {', '.join(header)})."
        )
    return [{key.strip(): (value or "").strip() for key, value in row.items()} for row in reader]


def read_lookup(path: Path) -> list[dict[str, str]]:
    """The ONS LAD23 -> CSP23 -> PFA23 lookup, renamed to the seed's columns, checked."""
    rows = []
    for number, raw in enumerate(read_csv_dicts(path, LOOKUP_COLUMNS), start=1):
        row = {seed: raw[ons] for ons, seed in LOOKUP_COLUMNS.items()}
        for column, pattern in (
            ("lad_code", LAD_CODE),
            ("csp_code", CSP_CODE),
            ("pfa_code", PFA_CODE),
        ):
            if not pattern.fullmatch(row[column]):
                raise GeographyError(
                    f"{path}, data row {number}: {column} {row[column]!r} is not a GSS code "
                    f"of that kind ({pattern.pattern}). Use the ONS lookup as published."
                )
        rows.append(row)
    if not rows:
        raise GeographyError(f"{path} holds no data row.")
    return rows


def read_names(path: Path) -> list[dict[str, str]]:
    """The hand-checked district-name seed."""
    return read_csv_dicts(path, NAMES_HEADER)


# --------------------------------------------------------------------------- deriving


def derive_districts(lookup: list[dict[str, str]], path: Path) -> Rows:
    """ref_districts: one row per (district, partnership), sorted by both codes."""
    rows = sorted({tuple(row[c] for c in DISTRICTS_HEADER) for row in lookup})
    seen: dict[str, tuple[str, str]] = {}
    for lad_code, lad_name, _csp, _csp_name, pfa_code, _pfa_name in rows:
        if lad_code in seen and seen[lad_code] != (lad_name, pfa_code):
            raise GeographyError(
                f"{path}: district {lad_code} has two names or two force areas "
                f"({seen[lad_code]} and {(lad_name, pfa_code)}); a district lies in one force."
            )
        seen[lad_code] = (lad_name, pfa_code)
    keys = [(row[0], row[2]) for row in rows]
    if len(set(keys)) != len(keys):
        raise GeographyError(f"{path}: a (district, partnership) pair appears with two names.")
    return [DISTRICTS_HEADER, *[list(row) for row in rows]]


def check_names(
    names: list[dict[str, str]], lookup: list[dict[str, str]], names_path: Path
) -> dict[str, dict[str, str]]:
    """Validate the hand-checked seed against the lookup; return it keyed by district name."""
    lads = {row["lad_code"]: row["lad_name"] for row in lookup}
    csps: dict[str, set[str]] = {}
    for row in lookup:
        csps.setdefault(row["lad_code"], set()).add(row["csp_code"])
    problems = []
    by_name: dict[str, dict[str, str]] = {}
    for number, row in enumerate(names, start=1):
        name, lad, csp = row["district_name"], row["lad_code"], row["csp_code"]
        where = f"row {number} ({name!r})"
        if name in by_name:
            problems.append(f"{where}: the name appears twice")
        by_name[name] = row
        if lad not in lads:
            problems.append(f"{where}: lad_code {lad!r} is not a LAD23 code of {LOOKUP_FILE}")
            continue
        if row["is_hand_mapped"] not in {"true", "false"}:
            problems.append(f"{where}: is_hand_mapped must be true or false")
        if row["is_hand_mapped"] == "false" and name != lads[lad]:
            problems.append(
                f"{where}: not hand mapped, so it must be the ONS name of {lad} ({lads[lad]!r})"
            )
        if row["is_hand_mapped"] == "true" and not row["note"]:
            problems.append(f"{where}: a hand-mapped name needs a note saying why")
        if csp and csp not in csps[lad]:
            problems.append(
                f"{where}: csp_code {csp} is not a partnership of {lad} in {LOOKUP_FILE} "
                f"(its partnerships: {', '.join(sorted(csps[lad]))})"
            )
        if not csp and len(csps[lad]) == 1:
            problems.append(f"{where}: csp_code is empty but {lad} has one partnership")
    missing = sorted(set(lads.values()) - set(by_name))
    if missing:
        problems.append(f"LAD23 names without a row: {', '.join(missing)}")
    if [row["district_name"] for row in names] != sorted(by_name):
        problems.append("rows are not sorted by district_name")
    if problems:
        raise GeographyError(
            f"{names_path} does not agree with {LOOKUP_FILE}: " + "; ".join(problems) + ". "
            "Correct the hand-checked seed (it is never overwritten)."
        )
    return by_name


def derive_lsoas(lsoas: list[dict[str, str]], names: dict[str, dict[str, str]], path: Path) -> Rows:
    """ref_lsoas: every 2011 LSOA, its district name and IMD decile, sorted by code."""
    rows = []
    unmapped: dict[str, int] = {}
    seen: set[str] = set()
    for number, row in enumerate(lsoas, start=1):
        code, name, decile = row["lsoa11cd"], row["lsoa11nm"], row["IMDDecil"]
        where = f"{path}, data row {number}"
        if not LSOA_CODE.fullmatch(code):
            raise GeographyError(f"{where}: {code!r} is not an LSOA code (E01/W01 and 6 digits).")
        if code in seen:
            raise GeographyError(f"{where}: LSOA {code} appears twice.")
        seen.add(code)
        match = LSOA_NAME.fullmatch(name)
        if not match:
            raise GeographyError(
                f"{where}: LSOA name {name!r} of {code} is not '<district name> NNNX' "
                "(three digits and a capital letter), so its district cannot be read."
            )
        district = match["district"]
        if district not in names:
            unmapped.setdefault(district, number)
        rows.append([code, name, LSOA_VINTAGE, district, imd_decile(code, decile, where)])
    if unmapped:
        listed = ", ".join(f"{name!r} (first at data row {row})" for name, row in unmapped.items())
        raise GeographyError(
            f"{path}: district name(s) with no row in seeds/reference/{NAMES_SEED}: "
            f"{listed}. To fix it, {FIX_NAMES}."
        )
    return [LSOAS_HEADER, *sorted(rows)]


def imd_decile(code: str, value: str, where: str) -> str:
    """1-10 for an English LSOA; empty for a Welsh one (the file writes 0)."""
    if code.startswith("W"):
        if value not in {"0", ""}:
            raise GeographyError(f"{where}: Welsh LSOA {code} has IMD decile {value!r}, not 0.")
        return ""
    if value not in {str(n) for n in range(1, 11)}:
        raise GeographyError(
            f"{where}: English LSOA {code} has IMD decile {value!r}; a decile is 1 to 10."
        )
    return value


def derive_population(path: Path, lad_codes: set[str]) -> Rows:
    """ref_district_population: every LAD23 district x mid-year of sheet MYE4."""
    from ncpm.land import LandError, read_ods_file

    if not path.exists():
        raise GeographyError(
            f"{path} is missing. Put the ONS workbook there, or pass the folder with --from."
        )
    try:
        header, data, _ = read_ods_file(path, None, [POPULATION_SHEET])
    except LandError as exc:
        raise GeographyError(f"{path}: {exc}") from exc
    years = [YEAR_HEADER.fullmatch(cell.strip()) for cell in header[3:]]
    if [cell.strip() for cell in header[:3]] != POPULATION_LEAD or not all(years) or not years:
        raise GeographyError(
            f"sheet {POPULATION_SHEET} of {path}: header {header} is not "
            "'Code, Name, Geography, Mid-YYYY, ...'. Use the ONS workbook as published."
        )
    rows = []
    found = set()
    for number, cells in enumerate(data, start=1):
        code = cells[0].strip()
        if code not in lad_codes:
            continue  # countries, regions, counties
        found.add(code)
        for match, value in zip(years, cells[3:], strict=True):
            text = value.strip()
            if not text.isdigit() or int(text) <= 0:
                raise GeographyError(
                    f"sheet {POPULATION_SHEET} of {path}, data row {number} ({code}), "
                    f"{match.group(0)}: population {value!r} is not a positive whole number."
                )
            rows.append([code, match["year"], text])
    missing = sorted(lad_codes - found)
    if missing:
        raise GeographyError(
            f"sheet {POPULATION_SHEET} of {path} has no row for the LAD23 district(s) "
            f"{', '.join(missing)} of {LOOKUP_FILE}: use the workbook on April 2023 boundaries."
        )
    keys = [(row[0], row[1]) for row in rows]
    if len(set(keys)) != len(keys):
        raise GeographyError(f"sheet {POPULATION_SHEET} of {path}: a district appears twice.")
    return [POPULATION_HEADER, *sorted(rows)]


def derive(source_dir: Path, seeds_dir: Path = SEEDS_DIR) -> Derived:
    """Derive the three seeds from ``source_dir``, validating the hand-checked one."""
    lookup_path = source_dir / LOOKUP_FILE
    lookup = read_lookup(lookup_path)
    names_path = seeds_dir / NAMES_SEED
    names = check_names(read_names(names_path), lookup, names_path)
    lsoa_path = source_dir / LSOA_FILE
    derived = Derived()
    derived.seeds[DISTRICTS_SEED] = derive_districts(lookup, lookup_path)
    derived.seeds[LSOAS_SEED] = derive_lsoas(
        read_csv_dicts(lsoa_path, LSOA_COLUMNS), names, lsoa_path
    )
    derived.seeds[POPULATION_SEED] = derive_population(
        source_dir / POPULATION_FILE, {row["lad_code"] for row in lookup}
    )
    derived.counts = {name: len(rows) - 1 for name, rows in derived.seeds.items()}
    derived.counts[NAMES_SEED] = len(names)
    return derived


# --------------------------------------------------------------------------- writing


def csv_text(rows: Rows) -> str:
    """The seed file's exact text: minimal quoting, ``\\n`` line ends, no BOM."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def write(derived: Derived, seeds_dir: Path = SEEDS_DIR) -> list[Path]:
    """Write the derived seeds (never the hand-checked one); return the files written."""
    written = []
    for name, rows in derived.seeds.items():
        path = seeds_dir / name
        path.write_text(csv_text(rows), encoding="utf-8", newline="")
        written.append(path)
    return written


def differing(derived: Derived, seeds_dir: Path = SEEDS_DIR) -> list[str]:
    """Names of the committed seeds whose text differs from the derived one (or missing)."""
    out = []
    for name, rows in derived.seeds.items():
        path = seeds_dir / name
        if not path.exists() or path.read_text(encoding="utf-8") != csv_text(rows):
            out.append(name)
    return out


def run(source_dir: Path | None, check: bool = False, seeds_dir: Path = SEEDS_DIR) -> int:
    """Derive the seeds from ``source_dir`` and write them, or with ``check`` name the
    committed seeds that differ. Exit code: 0 done / up to date, 1 differs or bad input,
    2 no source folder."""
    if source_dir is None:
        print(
            f"error: no source folder: pass --from DIR or set {REALDATA_ENV} "
            "(the folder holding geography/ with the ONS files).",
            file=sys.stderr,
        )
        return 2
    if not source_dir.is_dir():
        print(f"error: {source_dir} is not a folder.", file=sys.stderr)
        return 2
    try:
        derived = derive(source_dir, seeds_dir)
    except GeographyError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    counts = ", ".join(f"{name} {rows} rows" for name, rows in derived.counts.items())
    if check:
        stale = differing(derived, seeds_dir)
        for name in stale:
            print(f"differs from {source_dir}: seeds/reference/{name}", file=sys.stderr)
        if stale:
            print("Run: ncpm reference geography (or make reference) and commit the seeds.")
            return 1
        print(f"Geography seeds agree with {source_dir} ({counts}).")
        return 0
    for path in write(derived, seeds_dir):
        print(f"wrote {path}")
    print(f"Checked {NAMES_SEED} against {LOOKUP_FILE} ({counts}).")
    return 0
