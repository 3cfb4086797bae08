"""Land a published file as a raw feed's current file in seeds/raw/<feed>/.

Each raw feed is a folder ``<raw dir>/<feed>/``; dbt reads every ``*.csv`` directly inside
it (not in sub-folders) as the feed's raw table, all columns as text with their original
headers. Published tables are cumulative and revised each release, so a new release
REPLACES the feed's current file(s); the old ones are archived, never deleted.

Accepted files:

* ``.csv``: validated, then copied byte for byte under its own file name (a ``.CSV``
  suffix is written as ``.csv`` so that dbt's ``*.csv`` pattern sees it).
* ``.ods`` (OpenDocument workbook, e.g. the Home Office police recorded crime table with
  one sheet per financial year): every sheet (or only the ``--sheet`` ones) is read with
  ``pandas.read_excel(engine="odf", dtype=str)``. On each sheet the header row is the first
  row whose non-empty cells, stripped of surrounding spaces, equal the header of the feed's
  current file (title and notes rows above it are skipped; empty columns are ignored). If
  the feed has no current file, the first sheet's header is its first row with no empty
  cells and the other sheets must carry the same header. The data rows of all sheets are
  concatenated under that header, fully empty rows are dropped, and the result is written
  as ``<ods stem>.csv`` (UTF-8 without BOM, ``\\n`` line endings, minimal quoting, no
  index). Only the header's columns are kept. The header line written is the current
  file's header, verbatim, so that dbt sees exactly the same column names.

How ``.ods`` cells become text (no ``NA`` guessing: ``NA``, ``N/A``, ``-`` stay as text):

* text cells: exactly as typed, surrounding spaces included (``" 66776 "``, ``-00 ``,
  ``9.0``, ``1,234`` are kept as they are; staging cleans them);
* numeric cells: the stored value. An integral value is written without a decimal part
  (``12``, not ``12.0``); any other value as Python's shortest round-trip form (``0.5``).
  Number formatting (thousands separators, fixed decimals) is display-only and not applied;
* date cells as ``YYYY-MM-DD HH:MM:SS``; boolean cells as ``True``/``False``; error cells
  (``#N/A``) as ``#N/A``; empty cells as an empty string.

Validation happens before anything is replaced: the new header must equal the current
file's header (compared cell by cell after stripping a UTF-8 BOM and surrounding spaces),
and the file must hold at least one non-empty data row.

Replacement: the new CSV is written into the feed folder under a temporary name that does
not end in ``.csv``, then every existing ``*.csv`` of the feed folder is moved into
``<feed folder>/archive/<UTC timestamp YYYYMMDDTHHMMSSZ>/``, then the temporary file is
renamed to its final name.

Wide seizures tables (``--year YYYY/YY``, feed ``drug_seizures`` only): the Home Office
publishes drug seizures as one WIDE table a year (one row per force, one column per drug
type with class totals and ``All drugs``; the set of columns changes between years). Such
a file is checked (every header cell, white space and line breaks collapsed, must be listed
for that year in ``seeds/reference/ref_drug_seizure_columns.csv``; one force column; the
table's own totals present, so the QUANTITIES table is refused) and written, cells exactly
as published, as ``<raw dir>/drug_seizures_wide/drug_seizures_wide_YYYY-YY.csv`` in UTF-8
without BOM and with LF line ends (the fixed dialect the headerless wide source reads). A
previous file of that year is archived; other years stay. In staging the year replaces the
same year of the long file(s).

Street-level crime (``street_level_crime``) is landed otherwise: police.uk files, folders and
archive zips become month-partitioned Parquet (``ncpm.street_level.land``).

Exit codes: 0 landed; 1 bad input file (wrong header, no data, unreadable, unsupported
type); 2 usage error (unknown feed, missing file or raw dir, unknown sheet).

Example:
    ncpm land police_recorded_crime ~/Downloads/prc-pfa-mar2013-onwards-tables.ods \\
        --sheet 2017-18 --sheet 2018-19
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ncpm import contracts, settings, street_level

# the landing errors, kept importable from here
from ncpm.land_errors import (  # noqa: F401
    EXIT_BAD_INPUT,
    EXIT_OK,
    EXIT_USAGE,
    BadInputError,
    LandError,
    UsageError,
)
from ncpm.periods import PeriodError, parse_fy_label

ROOT = settings.root()
DEFAULT_RAW_DIR = ROOT / "seeds" / "raw"
RAW_DIR_ENV = "NCPM_RAW_DIR"
ARCHIVE_DIR_NAME = "archive"
NEXT_STEP = "run: make build"
BOM = "\ufeff"

# Feeds whose published tables can also be landed one financial year at a time in their
# WIDE shape (--year): feed -> folder of the wide files.
WIDE_FEEDS = {"drug_seizures": "drug_seizures_wide"}
WIDE_COLUMN_MAP = ROOT / "seeds" / "reference" / "ref_drug_seizure_columns.csv"
WIDE_MAX_COLUMNS = 47  # the wide source reads 48 columns; the last must stay empty
LONG_SEIZURES_HEADER = [
    "financial_year",
    "force_name",
    "drug_type",
    "drug_class",
    "seizures",
    "quantity",
    "quantity_unit",
]


@dataclass
class LandResult:
    """What a successful landing did."""

    feed: str
    source: Path
    landed: Path
    rows: int
    header: list[str]
    archive_dir: Path | None = None
    archived: list[Path] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """A human-readable report of the landing, ending with the next step."""
        lines = [f"Landed {self.source} as {self.landed} ({self.rows} data rows)."]
        if self.sheets:
            lines.append(f"  sheets read: {', '.join(self.sheets)}")
        if self.archived:
            lines.append(f"Archived {len(self.archived)} previous file(s) to {self.archive_dir}:")
            lines.extend(f"  {path.name}" for path in self.archived)
        else:
            lines.append("Nothing archived: the feed had no current file.")
        lines.extend(f"Warning: {warning}" for warning in self.warnings)
        lines.append(f"Next step: {NEXT_STEP}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- helpers


def default_raw_dir() -> Path:
    """The raw dir: $NCPM_RAW_DIR when set, else <repo>/seeds/raw."""
    return settings.get().raw_dir


def list_feeds(raw_dir: Path) -> list[str]:
    """Feed names: the non-hidden folders directly under the raw dir."""
    return sorted(
        path.name
        for path in raw_dir.iterdir()
        if path.is_dir() and not path.name.startswith((".", "_"))
    )


def current_files(feed_dir: Path) -> list[Path]:
    """The feed's current raw files: every ``*.csv`` directly in the feed folder."""
    return sorted(path for path in feed_dir.glob("*.csv") if path.is_file())


def normalise_header(cells: list[str]) -> list[str]:
    """Header cells as compared: UTF-8 BOM and surrounding spaces stripped."""
    return [cell.replace(BOM, "").strip() for cell in cells]


def _decode(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: (text, encoding). UTF-8 (with or without BOM), else Windows-1252
    as some tables are published; BadInputError when it is neither."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BadInputError(
            f"line {line} holds bytes that are neither UTF-8 nor Windows-1252 text "
            f"(byte {data[exc.start]:#04x}); save the table as UTF-8 CSV and land it again"
        ) from exc


def _is_blank(cells: list[str]) -> bool:
    return all(not cell.strip() for cell in cells)


def read_csv_file(path: Path) -> tuple[list[str], int]:
    """Return (raw header cells with BOM removed, number of non-empty data rows)."""
    header, rows, _ = read_csv_text(path)
    return header, rows


def read_csv_text(path: Path) -> tuple[list[str], int, str]:
    """(header cells with BOM removed, non-empty data rows, encoding the file was in)."""
    try:
        text, encoding = _decode(path.read_bytes())
    except OSError as exc:
        raise BadInputError(f"cannot read {path}: {exc}") from exc
    except BadInputError as exc:
        raise BadInputError(f"{path}: {exc}. Nothing was landed.") from exc
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        rows = sum(1 for row in reader if not _is_blank(row))
    except csv.Error as exc:
        raise BadInputError(f"{path} is not a readable CSV file: {exc}") from exc
    if header is None or _is_blank(header):
        raise BadInputError(f"{path} is empty or its first line is blank: it has no header row.")
    header[0] = header[0].replace(BOM, "")
    return header, rows, encoding


def header_problem(new: list[str], expected: list[str]) -> str | None:
    """Describe how ``new`` differs from ``expected`` (after normalising), or None if equal."""
    new_n, expected_n = normalise_header(new), normalise_header(expected)
    if new_n == expected_n:
        return None
    missing = [col for col in expected_n if col not in new_n]
    unexpected = [col for col in new_n if col not in expected_n]
    parts = []
    if missing:
        parts.append(f"missing columns: {', '.join(repr(c) for c in missing)}")
    if unexpected:
        parts.append(f"unexpected columns: {', '.join(repr(c) for c in unexpected)}")
    if not parts:
        parts.append(
            "same columns in a different order or repeated: "
            f"got [{', '.join(new_n)}], expected [{', '.join(expected_n)}]"
        )
    return "; ".join(parts)


def _cell_text(value: object) -> str:
    """Text of one cell read with dtype=str (see the module docstring)."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):  # pandas reads error cells (#N/A) as missing
            return "#N/A"
        return str(int(value)) if value.is_integer() else repr(value)
    if str(value) in {"nan", "<NA>", "NaT"}:
        return "#N/A"
    return str(value)


# --------------------------------------------------------------------------- .ods


def _find_header(rows: list[list[str]], expected: list[str] | None) -> tuple[int, list[int]] | None:
    """Find the header row: (row index, column positions of the header cells), or None.

    With ``expected``, the first row whose non-empty cells (stripped) equal it; without,
    the first row with no empty cells among the sheet's non-empty columns.
    """
    if expected is not None:
        want = normalise_header(expected)
        for index, row in enumerate(rows):
            positions = [pos for pos, cell in enumerate(row) if cell.strip()]
            if normalise_header([row[pos] for pos in positions]) == want:
                return index, positions
        return None
    width = max((len(row) for row in rows), default=0)
    used = [pos for pos in range(width) if any(pos < len(r) and r[pos].strip() for r in rows)]
    for index, row in enumerate(rows):
        if used and all(pos < len(row) and row[pos].strip() for pos in used):
            return index, used
    return None


def _closest_header(rows: list[list[str]]) -> list[str] | None:
    """The first row with the most non-empty cells in the first rows: a header guess."""
    best: list[str] | None = None
    for row in rows[:50]:
        cells = [cell for cell in row if cell.strip()]
        if best is None or len(cells) > len(best):
            best = cells
    return best


# Workbook engines by suffix: odfpy for OpenDocument, openpyxl for Excel (the ONS
# population workbook read by ``ncpm reference geography``).
WORKBOOK_ENGINES = {".ods": ("odf", "OpenDocument"), ".xlsx": ("openpyxl", "Excel (.xlsx)")}


def read_ods_file(
    path: Path, expected: list[str] | None, sheets: list[str] | None
) -> tuple[list[str], list[list[str]], list[str]]:
    """Read an .ods (or .xlsx) workbook: (header cells, data rows, sheet names read)."""
    import pandas as pd

    engine, kind = WORKBOOK_ENGINES.get(path.suffix.lower(), WORKBOOK_ENGINES[".ods"])
    try:
        workbook = pd.ExcelFile(path, engine=engine)  # parsed once, read below
        names = list(workbook.sheet_names)
    except Exception as exc:  # the engines raise assorted errors on other input
        raise BadInputError(f"{path} is not a readable {kind} spreadsheet: {exc}") from exc
    if sheets:
        unknown = [name for name in sheets if name not in names]
        if unknown:
            raise UsageError(
                f"sheet(s) {', '.join(repr(n) for n in unknown)} not in {path}. "
                f"Sheets in the workbook: {', '.join(repr(n) for n in names)}."
            )
        names = [name for name in names if name in set(sheets)]
    if not names:
        raise BadInputError(f"{path} has no sheets.")
    try:
        frames = pd.read_excel(
            workbook,
            sheet_name=names,
            engine=engine,
            dtype=str,
            header=None,
            keep_default_na=False,
            na_filter=False,
        )
    except Exception as exc:
        raise BadInputError(f"cannot read the sheets of {path}: {exc}") from exc

    header: list[str] | None = list(expected) if expected is not None else None
    data: list[list[str]] = []
    for name in names:
        rows = [[_cell_text(v) for v in row] for row in frames[name].itertuples(index=False)]
        found = _find_header(rows, header)
        if found is None:
            guess = _closest_header(rows)
            if header is not None and guess:
                detail = header_problem(guess, header)
                raise BadInputError(
                    f"sheet {name!r} of {path} has no row matching the feed's header "
                    f"({detail}). Fix the sheet, or choose the data sheets with --sheet."
                )
            raise BadInputError(
                f"sheet {name!r} of {path} has no header row (no row without empty cells). "
                "Choose the data sheets with --sheet."
            )
        index, positions = found
        if header is None:
            header = [rows[index][pos] for pos in positions]
        for row in rows[index + 1 :]:
            cells = [row[pos] if pos < len(row) else "" for pos in positions]
            if not _is_blank(cells):
                data.append(cells)
    assert header is not None
    return header, data, names


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


# --------------------------------------------------------------------------- landing


def _archive_dir(feed_dir: Path, now: datetime) -> Path:
    base = feed_dir / ARCHIVE_DIR_NAME / now.strftime("%Y%m%dT%H%M%SZ")
    candidate, n = base, 1
    while candidate.exists():  # two landings in one second: never merge or overwrite
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


def land(
    feed: str,
    file: str | Path,
    raw_dir: str | Path | None = None,
    sheets: list[str] | None = None,
    year: str | None = None,
) -> LandResult:
    """Validate ``file`` and make it the only current raw file of ``feed``.

    With ``year`` (drug_seizures only), land a published WIDE seizures table as the file of
    that financial year instead (see land_wide_year).

    Raises UsageError (exit 2) or BadInputError (exit 1); nothing in the feed folder is
    changed when an error is raised.
    """
    raw = Path(raw_dir) if raw_dir is not None else default_raw_dir()
    source = Path(file).expanduser()
    if not raw.is_dir():
        raise UsageError(
            f"raw dir {raw} does not exist. Pass --raw-dir or set {RAW_DIR_ENV} to the folder "
            "holding one sub-folder per feed."
        )
    if feed == street_level.FEED:  # one Parquet file per force and month (ncpm.street_level)
        if year is not None or sheets:
            raise UsageError(f"--year and --sheet do not apply to {feed}.")
        from ncpm.street_level import land as street_land

        return street_land.land(source, raw)
    if feed in WIDE_FEEDS.values():
        raise UsageError(
            f"{feed} is written by the landing script only: land a wide seizures table with "
            "--feed drug_seizures --year YYYY/YY."
        )
    if year is not None:
        if sheets:
            raise UsageError("--sheet does not apply with --year (a wide table is one CSV file).")
        return land_wide_year(feed, source, raw, year)
    feeds = list_feeds(raw)
    if feed not in feeds:
        raise UsageError(
            f"unknown feed {feed!r} (no folder {raw / feed}). Valid feeds: "
            f"{', '.join(feeds) if feeds else '(none: the raw dir has no feed folders)'}."
        )
    if not source.is_file():
        raise UsageError(f"file {source} does not exist or is not a file. Check the --file path.")

    feed_dir = raw / feed
    suffix = source.suffix.lower()
    if suffix not in {".csv", ".ods"}:
        raise BadInputError(
            f"{source} is neither a .csv nor an .ods file. Export the table as CSV or "
            "OpenDocument (.ods) and land that."
        )
    if sheets and suffix != ".ods":
        raise UsageError("--sheet only applies to .ods workbooks; remove it for a CSV file.")

    # The feed's current files (the input itself excluded, if it was dropped in the folder).
    existing = current_files(feed_dir)
    others = [path for path in existing if path.resolve() != source.resolve()]
    expected: list[str] | None = None
    warnings: list[str] = []
    if others:
        expected = read_csv_file(others[0])[0]
        for path in others[1:]:
            if header_problem(read_csv_file(path)[0], expected):
                warnings.append(
                    f"current files disagree on the header; compared with {others[0].name}, "
                    f"not {path.name}."
                )

    read_sheets: list[str] = []
    encoding = "utf-8"
    if suffix == ".csv":
        header, rows, encoding = read_csv_text(source)
        final_name = source.stem + ".csv"
    else:
        header, data, read_sheets = read_ods_file(source, expected, sheets)
        rows = len(data)
        final_name = source.stem + ".csv"

    contract = contracts.contracts().get(feed)
    if contract is not None:
        problems = contract.problems(source, header, rows)
        if problems:
            raise BadInputError(
                "the file breaks the source contract, so nothing was landed:\n  - "
                + "\n  - ".join(problems)
            )
    if expected is not None:
        problem = header_problem(header, expected)
        if problem:
            raise BadInputError(
                f"header of {source} does not match the current {feed} file "
                f"{others[0].name}: {problem}. Nothing was landed. Land the right table, or, "
                "if the published layout really changed, update the staging model first."
            )
        header = expected  # written verbatim for .ods, so dbt sees identical column names
    if rows == 0:
        raise BadInputError(f"{source} has a header but no data rows. Nothing was landed.")

    # 1. the new file under a temporary name that dbt's *.csv pattern does not match
    tmp = feed_dir / f".{final_name}.landing-{os.getpid()}.tmp"
    try:
        if suffix == ".csv" and encoding == "utf-8":
            shutil.copyfile(source, tmp)
        elif suffix == ".csv":
            # Published as Windows-1252: landed as UTF-8, the encoding the build reads.
            text, _ = _decode(source.read_bytes())
            tmp.write_text(text, encoding="utf-8", newline="")
            warnings.append(f"{source.name} was Windows-1252 text; landed as UTF-8.")
        else:
            _write_csv(tmp, header, data)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise BadInputError(f"cannot write {tmp}: {exc}. Nothing was landed.") from exc

    # 2. archive every current *.csv; 3. rename the new file into place
    archive_dir = _archive_dir(feed_dir, datetime.now(UTC)) if existing else None
    moved: list[tuple[Path, Path]] = []
    final = feed_dir / final_name
    try:
        if archive_dir is not None:
            archive_dir.mkdir(parents=True)
            for path in existing:
                target = archive_dir / path.name
                path.rename(target)
                moved.append((path, target))
        if final.exists():
            raise OSError(f"{final} still exists after archiving")
        tmp.rename(final)
    except OSError as exc:
        for original, target in reversed(moved):  # best-effort roll back
            if not original.exists():
                target.rename(original)
        tmp.unlink(missing_ok=True)
        raise BadInputError(f"landing failed and was rolled back: {exc}") from exc

    return LandResult(
        feed=feed,
        source=source,
        landed=final,
        rows=rows,
        header=list(header),
        archive_dir=archive_dir,
        archived=[target for _, target in moved],
        sheets=read_sheets,
        warnings=warnings,
    )


# --------------------------------------------------------------------------- wide tables


def header_key(cell: str) -> str:
    """A header cell as matched: BOM removed, runs of white space (line breaks included)
    collapsed to one space, trimmed, lower case (as the staging model's normalise_name)."""
    return re.sub(r"\s+", " ", cell.replace(BOM, ""), flags=re.ASCII).strip().lower()


def financial_year_start(year: str) -> int:
    """2018 for ``2018/19``; UsageError unless YYYY/YY with consecutive years."""
    try:
        return parse_fy_label(year)
    except PeriodError as error:
        raise UsageError(
            f"--year {year!r} is not a financial year written YYYY/YY (e.g. 2018/19)."
        ) from error


def wide_column_map(year_start: int, path: Path = WIDE_COLUMN_MAP) -> dict[str, tuple[str, str]]:
    """Header key -> (column role, drug type) valid for the financial year starting then."""
    mapping: dict[str, tuple[str, str]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            first = int(row["first_financial_year"] or 0)
            last = int(row["last_financial_year"] or 9999)
            if first <= year_start <= last:
                mapping[header_key(row["column_header"])] = (row["column_role"], row["drug_type"])
    return mapping


def read_rows(path: Path) -> list[list[str]]:
    """Every row of a CSV file (UTF-8 with or without BOM, or Windows-1252), blank rows dropped."""
    try:
        text, _ = _decode(path.read_bytes())
    except OSError as exc:
        raise BadInputError(f"cannot read {path}: {exc}") from exc
    except BadInputError as exc:
        raise BadInputError(f"{path}: {exc}. Nothing was landed.") from exc
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise BadInputError(f"{path} is not a readable CSV file: {exc}") from exc
    return [row for row in rows if not _is_blank(row)]


def wide_layout_problem(header: list[str], roles: list[tuple[str, str]], label: str) -> str | None:
    """How the columns of a wide seizures table are repeated or out of place, or None.

    ``roles`` are each column's (role, drug type) from ref_drug_seizure_columns. A drug type
    (or the force column) named twice is refused, as is a drug column outside its class's
    block: in the published layout every drug of class X comes before `Total Class X` and
    after the previous class total, so a shifted or mislabelled column shows up here.
    """
    seen: dict[tuple[str, str], int] = {}
    for position, role in enumerate(roles, start=1):
        if role in seen:
            first = seen[role]
            return (
                f"columns {first} ({header[first - 1]!r}) and {position} "
                f"({header[position - 1]!r}) are both {role[1] or 'the force column'}; rule: "
                f"each drug type appears once in the {label} table (a repeated header is a "
                "duplicated or shifted column). Correct the header."
            )
        seen[role] = position
    classes = _drug_classes(label)
    for position, (role, drug) in enumerate(roles, start=1):
        cls = classes.get(drug)
        if role != "seizures" or cls is None or drug.startswith("Total "):
            continue
        closing = next(
            (
                (later, roles[later - 1][1])
                for later in range(position + 1, len(roles) + 1)
                if roles[later - 1][1].startswith("Total Class")
            ),
            None,
        )
        if closing is None or closing[1] != f"Total Class {cls}":
            where = (
                f"before {closing[1]!r} (column {closing[0]})"
                if closing
                else "after every class total"
            )
            return (
                f"column {position} ({header[position - 1]!r}) is a Class {cls} drug but sits "
                f"{where}; rule: each drug's column lies in its class's block, before "
                f"'Total Class {cls}'. A column is misplaced or mislabelled: correct the header."
            )
    return None


def _drug_classes(label: str) -> dict[str, str]:
    """Drug type -> class (A, B, C) for the year, from ref_drug_seizure_columns.csv."""
    year_start = int(label[:4])
    classes = {}
    with WIDE_COLUMN_MAP.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            first = int(row["first_financial_year"] or 0)
            last = int(row["last_financial_year"] or 9999)
            if first <= year_start <= last and row["drug_class"]:
                classes[row["drug_type"]] = row["drug_class"]
    return classes


def land_wide_year(feed: str, source: Path, raw: Path, year: str) -> LandResult:
    """Land a published WIDE table (one row per force, one column per drug type) as the
    file of one financial year: ``<raw>/<wide folder>/<wide folder>_YYYY-YY.csv``.

    Every header cell must map, for that year, to a drug type through
    seeds/reference/ref_drug_seizure_columns.csv (after collapsing white space and line
    breaks); the table needs one force column and its own totals (a table without `All
    drugs` or `Total Class` columns is the QUANTITIES table, which is not landed). Cells
    are written exactly as published, in UTF-8 without BOM with LF line ends (the fixed
    dialect the wide source reads). A previous file of the same year is archived; other
    years are untouched. The year replaces that year of the long file(s) in staging.
    """
    if feed not in WIDE_FEEDS:
        raise UsageError(
            f"--year applies only to feeds published as yearly wide tables "
            f"({', '.join(sorted(WIDE_FEEDS))}), not to {feed!r}."
        )
    year_start = financial_year_start(year)
    label = f"{year_start}/{(year_start + 1) % 100:02d}"
    if not source.is_file():
        raise UsageError(f"file {source} does not exist or is not a file. Check the --file path.")
    if source.suffix.lower() != ".csv":
        raise BadInputError(
            f"{source} is not a .csv file: save the published seizures table of {label} as CSV "
            "and land that."
        )
    if not (raw / feed).is_dir():
        raise UsageError(f"unknown feed {feed!r} (no folder {raw / feed}).")

    rows = read_rows(source)
    if not rows:
        raise BadInputError(f"{source} is empty. Nothing was landed.")
    header = rows[0]
    header[0] = header[0].replace(BOM, "")
    keys = [header_key(cell) for cell in header]
    if keys[: len(LONG_SEIZURES_HEADER)] == LONG_SEIZURES_HEADER:
        raise BadInputError(
            f"{source} is in the LONG shape (it has a financial_year column): land it without "
            "--year, as the feed's long file. Nothing was landed."
        )
    while keys and not keys[-1]:  # trailing empty header cells (a spreadsheet's export)
        keys.pop()
    if len(keys) > WIDE_MAX_COLUMNS:
        raise BadInputError(
            f"{source} has {len(keys)} columns; the wide reader holds {WIDE_MAX_COLUMNS}. "
            "Widen the reader (macro wide_reader_columns and the drug_seizures_wide source) "
            "first. Nothing was landed."
        )
    blank = [str(position) for position, key in enumerate(keys, start=1) if not key]
    if blank:
        raise BadInputError(
            f"{source}: blank column header in column(s) {', '.join(blank)}; rule: every column "
            "of a wide seizures table is named (a blank header cannot be mapped to a drug "
            "type). Correct the file. Nothing was landed."
        )
    mapping = wide_column_map(year_start)
    unknown = [
        f"{cell!r} (column {position})"
        for position, (cell, key) in enumerate(zip(header, keys, strict=False), start=1)
        if key not in mapping
    ]
    if unknown:
        raise BadInputError(
            f"{source}: unknown column header(s) {', '.join(unknown)}; rule: every column "
            f"header of a wide seizures table must be listed, for {label}, in "
            "seeds/reference/ref_drug_seizure_columns.csv (white space and line breaks are "
            "ignored). Add the header with its drug type and class, or correct the file. "
            "Nothing was landed."
        )
    roles = [mapping[key] for key in keys]
    force_columns = [i for i, (role, _) in enumerate(roles) if role == "force_name"]
    if len(force_columns) != 1:
        raise BadInputError(
            f"{source} has {len(force_columns)} force columns; rule: a wide seizures table has "
            "exactly one `Police force` column. Nothing was landed."
        )
    totals = [drug for role, drug in roles if drug == "All drugs" or drug.startswith("Total ")]
    if not totals:
        raise BadInputError(
            f"{source} has no `All drugs` or `Total Class` column: it looks like the drug "
            "QUANTITIES table. Only the seizures table is landed: no measure uses quantities, "
            "and the wide quantities table states no units. Nothing was landed."
        )
    problem = wide_layout_problem(header, roles, label)
    if problem:
        raise BadInputError(f"{source}: {problem} Nothing was landed.")
    data = rows[1:]
    if not data:
        raise BadInputError(f"{source} has a header but no data rows. Nothing was landed.")

    folder = WIDE_FEEDS[feed]
    feed_dir = raw / folder
    feed_dir.mkdir(exist_ok=True)
    final = feed_dir / f"{folder}_{year_start}-{(year_start + 1) % 100:02d}.csv"
    warnings = [
        f"{path.name} (long shape) also holds {label}: the wide table replaces those rows."
        for path in current_files(raw / feed)
        if any(row and row[0].strip() == label for row in read_rows(path)[1:])
    ]

    tmp = feed_dir / f".{final.name}.landing-{os.getpid()}.tmp"
    try:
        _write_csv(tmp, header, data)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise BadInputError(f"cannot write {tmp}: {exc}. Nothing was landed.") from exc
    archive_dir = _archive_dir(feed_dir, datetime.now(UTC)) if final.exists() else None
    archived: list[Path] = []
    try:
        if archive_dir is not None:
            archive_dir.mkdir(parents=True)
            final.rename(archive_dir / final.name)
            archived.append(archive_dir / final.name)
        tmp.rename(final)
    except OSError as exc:
        if archived and not final.exists():
            archived[0].rename(final)
        tmp.unlink(missing_ok=True)
        raise BadInputError(f"landing failed and was rolled back: {exc}") from exc

    return LandResult(
        feed=feed,
        source=source,
        landed=final,
        rows=len(data),
        header=list(header),
        archive_dir=archive_dir,
        archived=archived,
        warnings=[f"financial year {label} now comes from this wide table.", *warnings],
    )


# --------------------------------------------------------------------------- CLI
