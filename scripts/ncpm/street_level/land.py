"""Land police.uk street-level files as month-partitioned Parquet (`ncpm land street_level_crime`).

Input: one ``<YYYY-MM>-<force_id>-street.csv`` file, a folder holding such files (at any
depth) and/or monthly archive zips, or one archive zip (``<YYYY-MM>/<file>`` members). The
archives' other datasets (``-outcomes.csv``, ``-stop-and-search.csv``) are skipped.

Overlaps: archives hold the last 36 months, so a force-month can arrive several times. In
one landing the copy from the archive whose name sorts last (police.uk names archives
``YYYY-MM.zip``) wins, a loose file after every archive; across landings the later landing
wins. Each replaced copy is reported, and a landed file replaced is moved to
``_archive/<UTC time>/month=YYYY-MM/<force_id>.parquet``, never deleted.

Every chosen file is checked and converted by DuckDB (``read_csv`` then ``COPY ... TO ...
(FORMAT parquet)``) into a staging folder first; only when every file passes are the staged
files renamed into place. A file is refused, naming the file, the row, the value and the
rule, when its name does not follow police.uk's pattern or names an unknown force, its
header differs from :data:`ncpm.street_level.HEADER`, a row has the wrong number of fields,
a Month differs from the month of its file name, an LSOA code is not a code
(``[EW]01`` and six digits) or a coordinate is not a number. Then nothing landed changes.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ncpm import street_level as sl
from ncpm.console import progress_over
from ncpm.land_errors import BadInputError, UsageError

NEXT_STEP = "run: make build"
NOTHING = "Nothing was landed."


@dataclass(frozen=True)
class Candidate:
    """One published street file found in the input."""

    month: str
    force_id: str
    label: str  # source_file as landed: the name as published, `archive.zip!member` from a zip
    shown: str  # how messages name it: the full path (`/path/archive.zip!member`)
    rank: tuple  # overlap order: the highest rank wins
    path: Path | None = None  # a file on disk
    archive: Path | None = None  # or a member of this zip
    member: str | None = None

    def __str__(self) -> str:
        return self.label


@dataclass
class StreetLandResult:
    """What a successful landing of street files did."""

    source: Path
    feed_dir: Path
    landed: list[tuple[Candidate, int]] = field(default_factory=list)
    superseded_in_input: list[tuple[Candidate, Candidate]] = field(default_factory=list)
    replaced: list[tuple[str, str, str, Path]] = field(default_factory=list)  # month, force, when
    skipped: int = 0
    archive_dir: Path | None = None

    @property
    def rows(self) -> int:
        return sum(n for _, n in self.landed)

    def summary(self) -> str:
        months = sorted({c.month for c, _ in self.landed})
        lines = [
            f"Landed {len(self.landed)} street file(s) from {self.source}: {self.rows:,} rows, "
            f"{len(months)} month(s) {months[0]}..{months[-1]}, into {self.feed_dir}."
        ]
        if self.skipped:
            lines.append(f"  skipped {self.skipped} outcomes / stop-and-search file(s).")
        for old, new in self.superseded_in_input:
            lines.append(
                f"Superseded in this input: {old.month} {old.force_id} from {old.label} "
                f"(newer copy: {new.label})"
            )
        if self.replaced:
            lines.append(
                f"Superseded {len(self.replaced)} landed force-month(s); the old files are in "
                f"{self.archive_dir}:"
            )
            lines.extend(
                f"  {month} {force} (landed {when or 'at an unknown time'})"
                for month, force, when, _ in self.replaced
            )
        lines.append(f"Next step: {NEXT_STEP}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- finding files


def _month_ok(month: str) -> bool:
    return 1 <= int(month[5:7]) <= 12


def _candidate(name: str, shown: str, rank: tuple, **where) -> Candidate | None:
    """The candidate of a file called ``name`` (a path's last part); None for the other
    datasets; BadInputError for a name that breaks the pattern or names an unknown force."""
    base = name.rsplit("/", 1)[-1]
    if sl.OTHER_DATASET.match(base):
        return None
    found = sl.STREET_FILE.match(base)
    if not found or not _month_ok(found["month"]):
        raise BadInputError(
            f"{shown}: file name {base!r} does not follow police.uk's pattern; rule: a street "
            f"file is named <YYYY-MM>-<force id>-street.csv. {NOTHING}"
        )
    force = found["force"]
    if force not in sl.forces():
        raise BadInputError(
            f"{shown}: unknown force id {force!r} in the file name; rule: the force id must be "
            f"listed in seeds/reference/{sl.FORCES_SEED} (45 police.uk forces). {NOTHING}"
        )
    label = where.pop("label")
    return Candidate(found["month"], force, label, shown, rank, **where)


def _from_zip(archive: Path, order: int) -> tuple[list[Candidate], int]:
    try:
        with zipfile.ZipFile(archive) as z:
            names = [n for n in z.namelist() if n.lower().endswith(".csv")]
    except (zipfile.BadZipFile, OSError) as exc:
        raise BadInputError(f"{archive} is not a readable zip archive: {exc}. {NOTHING}") from exc
    found, skipped = [], 0
    for name in sorted(names):
        c = _candidate(
            name,
            f"{archive}!{name}",
            (0, order, archive.name),
            label=f"{archive.name}!{name}",
            archive=archive,
            member=name,
        )
        if c is None:
            skipped += 1
        else:
            found.append(c)
    return found, skipped


def find(source: Path) -> tuple[list[Candidate], int]:
    """Every street file of ``source`` (file, folder or zip) and the number skipped."""
    if source.is_file() and source.suffix.lower() == ".zip":
        return _from_zip(source, 0)
    if source.is_file():
        c = _candidate(
            source.name, str(source), (1, 0, source.name), label=source.name, path=source
        )
        if c is None:
            raise BadInputError(
                f"{source} is an outcomes or stop-and-search file, not a street file; rule: "
                f"the feed takes <YYYY-MM>-<force id>-street.csv files. {NOTHING}"
            )
        return [c], 0
    found, skipped = [], 0
    zips = sorted(p for p in source.rglob("*") if p.is_file() and p.suffix.lower() == ".zip")
    for order, archive in enumerate(zips):
        more, n = _from_zip(archive, order)
        found += more
        skipped += n
    for path in sorted(p for p in source.rglob("*.csv") if p.is_file()):
        rel = path.relative_to(source).as_posix()
        c = _candidate(rel, str(path), (1, 0, ""), label=rel, path=path)
        if c is None:
            skipped += 1
        else:
            found.append(c)
    return found, skipped


def choose(found: list[Candidate]) -> tuple[list[Candidate], list[tuple[Candidate, Candidate]]]:
    """The newest copy of each (month, force), and each older copy with the one that won."""
    best: dict[tuple[str, str], Candidate] = {}
    for c in sorted(found, key=lambda c: c.rank):
        key = (c.month, c.force_id)
        if key in best and best[key].rank == c.rank:
            raise BadInputError(
                f"{c.shown} and {best[key].shown} are both {c.month} {c.force_id}; rule: one "
                f"file per force and month in one folder or archive. {NOTHING}"
            )
        best[key] = c
    superseded = [
        (c, best[(c.month, c.force_id)]) for c in found if best[(c.month, c.force_id)] is not c
    ]
    return sorted(best.values(), key=lambda c: (c.month, c.force_id)), sorted(
        superseded, key=lambda pair: (pair[0].month, pair[0].force_id, pair[0].rank)
    )


# --------------------------------------------------------------------------- one file


def _first_line(raw: bytes) -> str:
    return raw.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8-sig", errors="replace")


def _check_header(c: Candidate, path: Path) -> None:
    with path.open("rb") as f:
        head = f.read(4096)
    header = next(csv.reader([_first_line(head)]), [])
    if [h.strip() for h in header] == sl.HEADER:
        return
    missing = [h for h in sl.HEADER if h not in header]
    extra = [h for h in header if h not in sl.HEADER]
    detail = "; ".join(
        part
        for part in (
            f"missing columns: {', '.join(map(repr, missing))}" if missing else "",
            f"unexpected columns: {', '.join(map(repr, extra))}" if extra else "",
            "" if missing or extra else f"columns in another order: {', '.join(header)}",
        )
        if part
    )
    raise BadInputError(
        f"{c.shown}: the header drifted ({detail}); rule: a street file's header is exactly "
        f"`{','.join(sl.HEADER)}`. {NOTHING}"
    )


_COLUMNS = "{" + ", ".join(f"'{h}': 'VARCHAR'" for h in sl.HEADER) + "}"


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _read(con: duckdb.DuckDBPyConnection, c: Candidate, path: Path) -> int:
    """Read the file into temp table ``f`` (every column text, blanks NULL, ``ordinality``)."""
    try:
        con.execute(
            "create or replace temp table f as select * from read_csv("
            f"{_sql_text(str(path))}, auto_detect = false, header = true, columns = {_COLUMNS}, "
            "delim = ',', "
            "quote = '\"', escape = '\"', strict_mode = true, null_padding = false, "
            "parallel = false) with ordinality"
        )
    except duckdb.Error as exc:
        text = str(exc)
        line = re.search(r"Line: (\d+)", text)
        fields = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
        where = f"data row {int(line[1]) - 1}: " if line else ""
        if fields:
            what = f"{fields[2]} fields; rule: every row has the header's {fields[1]} columns"
        elif "invalid unicode" in text.lower():
            what = "bytes that are not UTF-8 text; rule: street files are UTF-8 CSV"
        else:
            first = text.split("\n", 1)[0].split(": ", 1)[-1]
            what = f"unreadable CSV ({first}); rule: a street file is comma-separated CSV"
        raise BadInputError(f"{c.shown}: {where}{what}. {NOTHING}") from exc
    return con.execute("select count(*) from f").fetchone()[0]


RULES = [
    (
        '"Month" is distinct from $month',
        '"Month"',
        "Month differs from the month of the file name ({month}); rule: every row of "
        "<YYYY-MM>-<force>-street.csv has Month YYYY-MM",
    ),
    (
        f'"LSOA code" is not null and not regexp_full_match("LSOA code", \'{sl.LSOA_CODE}\')',
        '"LSOA code"',
        "LSOA code is not a code; rule: an LSOA code is blank or E01/W01 and six digits",
    ),
    (
        '"Longitude" is not null and try_cast("Longitude" as double) is null',
        '"Longitude"',
        "Longitude is not a number; rule: coordinates are blank or decimal degrees",
    ),
    (
        '"Latitude" is not null and try_cast("Latitude" as double) is null',
        '"Latitude"',
        "Latitude is not a number; rule: coordinates are blank or decimal degrees",
    ),
]


def _validate(con: duckdb.DuckDBPyConnection, c: Candidate, rows: int) -> None:
    if rows == 0:
        raise BadInputError(
            f"{c.shown} holds a header and no data row; rule: a street file holds at least "
            f"one data row. {NOTHING}"
        )
    selects = ", ".join(
        f"min(ordinality) filter (where {cond}), arg_min({value}, ordinality) filter (where {cond})"
        for cond, value, _ in RULES
    )
    found = con.execute(f"select {selects} from f", {"month": c.month}).fetchone()
    problems = []
    for index, (_, _, rule) in enumerate(RULES):
        row, value = found[2 * index], found[2 * index + 1]
        if row is not None:
            shown = "" if value is None else value
            problems.append(f'data row {row}: {rule.format(month=c.month)}; value: "{shown}"')
    if problems:
        raise BadInputError(f"{c.shown}: " + f"\n{c.shown}: ".join(problems) + f". {NOTHING}")


def _copy(con: duckdb.DuckDBPyConnection, c: Candidate, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    con.execute(
        f'copy (select {_sql_text(c.force_id)} as force_id, "Crime ID" as crime_id, '
        '"Reported by" as reported_by, "Falls within" as falls_within, '
        'cast("Longitude" as double) as longitude, cast("Latitude" as double) as latitude, '
        '"Location" as location, "LSOA code" as lsoa_code, "LSOA name" as lsoa_name, '
        '"Crime type" as crime_type, "Last outcome category" as last_outcome_category, '
        f'"Context" as context, {_sql_text(c.label)} as source_file, '
        "cast(ordinality as bigint) as source_row from f order by ordinality) "
        f"to {_sql_text(str(target))} (format parquet, compression zstd)"
    )


# --------------------------------------------------------------------------- the log


def _log_rows(feed_dir: Path) -> list[dict[str, str]]:
    log = feed_dir / sl.LOG_NAME
    if not log.exists():
        return []
    with log.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _write_log(feed_dir: Path, rows: list[dict[str, str]]) -> None:
    tmp = feed_dir / f".{sl.LOG_NAME}.landing-{os.getpid()}.tmp"
    with tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, sl.LOG_HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(feed_dir / sl.LOG_NAME)


# --------------------------------------------------------------------------- landing


def land(
    source: str | Path,
    raw_dir: Path,
    now: datetime | None = None,
    threads: int | None = None,
    show_progress: bool = True,
) -> StreetLandResult:
    """Land every street file of ``source`` into ``<raw_dir>/street_level_crime/``.

    ``now`` fixes the landing time (the synthetic sample's, for identical bytes). Raises
    UsageError (exit 2) or BadInputError (exit 1); nothing landed changes on an error.
    """
    source = Path(source).expanduser()
    if not raw_dir.is_dir():
        raise UsageError(f"raw dir {raw_dir} does not exist. Pass --raw-dir or set NCPM_RAW_DIR.")
    if not source.exists():
        raise UsageError(f"{source} does not exist: give a street file, a folder or an archive.")
    found, skipped = find(source)
    if not found:
        raise BadInputError(f"{source} holds no <YYYY-MM>-<force id>-street.csv file. {NOTHING}")
    chosen, superseded = choose(found)
    feed_dir = raw_dir / sl.FEED
    feed_dir.mkdir(exist_ok=True)
    when = (now or datetime.now(UTC)).astimezone(UTC)
    staging = Path(tempfile.mkdtemp(prefix="_staging-", dir=feed_dir))
    try:
        result = _stage_and_swap(
            chosen, superseded, skipped, source, feed_dir, staging, when, threads, show_progress
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # our own scratch copies, never landed files
    return result


def _stage_and_swap(
    chosen, superseded, skipped, source, feed_dir, staging, when, threads, show_progress
) -> StreetLandResult:
    con = duckdb.connect()
    if threads:
        con.execute(f"set threads = {int(threads)}")
    counts: list[tuple[Candidate, int]] = []
    extract_dir = staging / "_incoming"
    for c in progress_over(
        chosen, "street files checked and converted", enabled=show_progress and len(chosen) > 1
    ):
        if c.archive is not None:
            with zipfile.ZipFile(c.archive) as z:
                path = Path(z.extract(c.member, extract_dir))
        else:
            path = c.path
        _check_header(c, path)
        rows = _read(con, c, path)
        _validate(con, c, rows)
        _copy(con, c, sl.partition(staging, c.month, c.force_id))
        if c.archive is not None:
            path.unlink()
        counts.append((c, rows))
    con.close()

    stamp = when.strftime("%Y%m%dT%H%M%SZ")
    archive_dir = feed_dir / sl.ARCHIVE_DIR_NAME / stamp
    n = 1
    while archive_dir.exists():  # two landings in one second: never merge or overwrite
        n += 1
        archive_dir = feed_dir / sl.ARCHIVE_DIR_NAME / f"{stamp}-{n}"
    log = _log_rows(feed_dir)
    last_landed = {(r["month"], r["force_id"]): r["landed_at"] for r in log}
    landed_at = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    result = StreetLandResult(source, feed_dir, counts, superseded, skipped=skipped)
    moved: list[tuple[Path, Path]] = []
    placed: list[Path] = []
    try:
        for c, _ in counts:
            final = sl.partition(feed_dir, c.month, c.force_id)
            if final.exists():
                old = sl.partition(archive_dir, c.month, c.force_id)
                old.parent.mkdir(parents=True, exist_ok=True)
                final.rename(old)
                moved.append((final, old))
                result.replaced.append(
                    (c.month, c.force_id, last_landed.get((c.month, c.force_id), ""), old)
                )
            final.parent.mkdir(exist_ok=True)
            sl.partition(staging, c.month, c.force_id).rename(final)
            placed.append(final)
        log += [
            {
                "month": c.month,
                "force_id": c.force_id,
                "source_file": c.label,
                "row_count": str(rows),
                "landed_at": landed_at,
                "superseded_landed_at": (
                    last_landed.get((c.month, c.force_id), "unknown")
                    if any(m == c.month and f == c.force_id for m, f, _, _ in result.replaced)
                    else ""
                ),
            }
            for c, rows in counts
        ]
        _write_log(feed_dir, log)
    except OSError as exc:
        for path in placed:  # best-effort roll back: the new files out, the old ones back
            path.unlink(missing_ok=True)
        for original, target in reversed(moved):
            if not original.exists():
                target.rename(original)
        raise BadInputError(f"landing failed and was rolled back: {exc}") from exc
    if moved:
        result.archive_dir = archive_dir
    return result
