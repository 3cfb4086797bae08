"""Load one publication folder into the serving database and swap it in as schema ``marts``.

    ncpm serve load --period 2026-06          (publications/2026-06/)

:func:`load_publication` reads the publication's ``manifest.json`` and loads only the
tables it lists as published (the measure facts of ``measures``, the local diagnostics of
``local_diagnostics``, the scorecard, and, when exported, the reference tables BI reads
beside them (the conformed dimensions and ``rpt_all_measures``,
``ncpm.published.REFERENCE_TABLES``) and the revision history ``rpt_revisions``) from their
exported files (``data/<table>.parquet``, or ``.csv`` when there is no Parquet file), each
checked against the manifest's sha256 and row count and refused when a column is a
respondent or incident identifier or a weight (:func:`ncpm.disclosure.personal_columns`,
the rule of ``ncpm check personal-data``). It adds ``publication_info`` (the publication's
id, period and revision, from the manifest) and ``publication_tables``.

1. load: in one transaction, a NEW schema ``marts_load_<id>`` gets every table (COPY ...
   FREEZE, so the rows are visible to any reader the moment the schema is swapped in);
2. swap: in a second transaction, every table of the current ``marts`` is locked (its
   ``publication_info`` first), ``marts`` is renamed ``marts_<yyyy>_<mm>_r<revision>``,
   the new schema is renamed ``marts`` and opened to ncpm_bi, and dated schemas beyond the
   ``retention`` newest are dropped. A BI transaction thus reads one whole publication,
   before or after, never a mix: the swap waits for open readers of the old tables, and
   readers that arrive during the swap wait for it (milliseconds) and then read the new
   one. The swap gives way (and retries, bounded by ``swap_timeout``) rather than ever
   make PostgreSQL cancel a BI query to break a deadlock.

A failure at any step leaves ``marts`` as it was and drops the half-loaded schema; the
publication folder is only read. Loading the publication ``marts`` already holds (same id
and same files) does nothing; an older publication than the one served is kept out unless
``force``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ncpm.disclosure import personal_columns
from ncpm.published import REFERENCE_TABLES, REVISIONS, SCORECARD
from ncpm.serve.cluster import (
    BI,
    OWNER,
    SERVING_SCHEMA,
    Connection,
    ServeError,
    ServeRefused,
    apply_grants,
)
from ncpm.serve.cluster import connection as default_connection

INFO = "publication_info"
TABLES = "publication_tables"
LOAD_PREFIX = "marts_load_"
DATED = re.compile(r"^marts_(\d{4})_(\d{2})_r(\d+)$")
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
LOCK_KEY = "ncpm.serve.load"
DEFAULT_RETENTION = 3


class LoadError(ServeError):
    """The load failed; ``marts`` is as it was (exit 1)."""


@dataclass
class LoadResult:
    publication_id: str
    status: str  # "loaded", "unchanged" (already served) or "kept" (a later one is served)
    tables: dict[str, int] = field(default_factory=dict)
    previous: str | None = None  # the schema the previous marts was renamed to
    dropped: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        if self.status == "unchanged":
            return f"{self.publication_id} is already served in schema {SERVING_SCHEMA}: unchanged"
        if self.status == "kept":
            return (
                f"kept: schema {SERVING_SCHEMA} serves a later publication than "
                f"{self.publication_id}"
            )
        rows = ", ".join(f"{t} {n}" for t, n in self.tables.items())
        lines = [f"{self.publication_id} swapped in as schema {SERVING_SCHEMA} ({rows})"]
        if self.previous:
            lines.append(f"the previous publication is kept as schema {self.previous}")
        if self.dropped:
            lines.append(f"dropped (beyond the retention): {', '.join(self.dropped)}")
        lines.append(f"{self.seconds:.1f} s")
        return "; ".join(lines)


# --------------------------------------------------------------------------- the folder


@dataclass
class PlannedTable:
    name: str
    path: Path
    rows: int
    data: object  # pyarrow.Table
    columns: list[tuple[str, str]]  # (name, PostgreSQL type)


@dataclass
class Plan:
    publication: dict
    tables: list[PlannedTable]
    fingerprint: str

    @property
    def key(self) -> tuple[str, int]:
        return (self.publication["period"], int(self.publication["revision"]))


def postgres_type(arrow_type) -> str:
    """The PostgreSQL type of an Arrow column type; refuses a type it cannot map."""
    import pyarrow as pa
    import pyarrow.types as t

    if t.is_string(arrow_type) or t.is_large_string(arrow_type) or t.is_null(arrow_type):
        return "text"
    if t.is_boolean(arrow_type):
        return "boolean"
    if t.is_int8(arrow_type) or t.is_int16(arrow_type) or t.is_uint8(arrow_type):
        return "smallint" if not t.is_uint8(arrow_type) else "integer"
    if t.is_int32(arrow_type) or t.is_uint16(arrow_type):
        return "integer"
    if t.is_int64(arrow_type) or t.is_uint32(arrow_type):
        return "bigint"
    if t.is_uint64(arrow_type):
        return "numeric(20, 0)"
    if t.is_floating(arrow_type):
        return "double precision"
    if t.is_decimal(arrow_type):
        return f"numeric({arrow_type.precision}, {arrow_type.scale})"
    if t.is_date(arrow_type):
        return "date"
    if t.is_timestamp(arrow_type):
        return "timestamp with time zone" if arrow_type.tz else "timestamp"
    if t.is_time(arrow_type):
        return "time"
    if arrow_type == pa.large_binary() or t.is_binary(arrow_type):
        return "bytea"
    raise LoadError(f"no PostgreSQL type for the Arrow type {arrow_type}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def published_tables(manifest: dict) -> set[str]:
    """The tables the manifest lists as published: its measure facts, its local diagnostics,
    the scorecard, and when exported (publications made before they were are served without
    them) the reference tables and the revision history. Nothing else of a folder is ever
    loaded."""
    return {
        *manifest.get("measures", []),
        *manifest.get("local_diagnostics", []),
        SCORECARD,
        *REFERENCE_TABLES,
        REVISIONS,
    }


def plan(folder: Path, publication_id: str | None = None) -> Plan:
    """Read and check everything to load, before touching the database."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        raise LoadError(f"{manifest_path} not found: is {folder} a publication folder?")
    manifest = json.loads(manifest_path.read_text())
    publication = manifest.get("publication") or {}
    for key in ("publication_id", "period", "revision"):
        if key not in publication:
            raise LoadError(f"{manifest_path}: publication.{key} is missing")
    if publication_id is not None and publication["publication_id"] != publication_id:
        raise LoadError(
            f"{folder} holds publication {publication['publication_id']}, not {publication_id}"
        )
    if not re.fullmatch(r"\d{4}-\d{2}", str(publication["period"])):
        raise LoadError(f"{manifest_path}: publication.period {publication['period']!r}")

    allowed = published_tables(manifest)
    chosen: dict[str, dict] = {}
    for record in manifest.get("files", []):
        table = record.get("table")
        path = record.get("path", "")
        if table not in allowed or not path.startswith("data/"):
            continue
        if not path.endswith((".parquet", ".csv")):
            continue
        if table not in chosen or path.endswith(".parquet"):
            chosen[table] = record
    missing = sorted({*manifest.get("measures", []), SCORECARD} - set(chosen))
    if missing:
        raise LoadError(f"{manifest_path} lists no exported file for {', '.join(missing)}")

    tables = []
    digest = hashlib.sha256(json.dumps(publication, sort_keys=True, default=str).encode())
    for name in sorted(chosen, key=lambda n: (n == SCORECARD, n == REVISIONS, n)):
        record = chosen[name]
        if not IDENTIFIER.match(name) or name in (INFO, TABLES):
            raise LoadError(f"{manifest_path}: invalid table name {name!r}")
        path = folder / record["path"]
        if not path.is_file():
            raise LoadError(f"{path} is listed in the manifest but missing")
        sha = _sha256(path)
        if record.get("sha256") and record["sha256"] != sha:
            raise LoadError(f"{path} does not match its sha256 in the manifest: altered?")
        digest.update(f"{record['path']}:{sha}\n".encode())
        data = pq.read_table(path) if path.suffix == ".parquet" else pacsv.read_csv(path)
        if record.get("rows") is not None and data.num_rows != int(record["rows"]):
            raise LoadError(f"{path} has {data.num_rows} rows; the manifest says {record['rows']}")
        personal = personal_columns([name, *data.column_names])
        if personal:
            raise LoadError(
                f"refused: {path} ({name}) has {', '.join(personal)}, a respondent or incident "
                "identifier or a weight; no respondent-level data is ever served "
                "(docs/survey.md, disclosure control)."
            )
        for column in data.column_names:
            if not IDENTIFIER.match(column):
                raise LoadError(f"{path}: column name {column!r} is not a plain identifier")
        columns = [(f.name, postgres_type(f.type)) for f in data.schema]
        tables.append(PlannedTable(name, path, data.num_rows, data, columns))
    return Plan(publication, tables, digest.hexdigest())


# --------------------------------------------------------------------------- the database


def _schema_name(publication: dict) -> str:
    year, month = str(publication["period"]).split("-")
    return f"marts_{year}_{month}_r{int(publication['revision'])}"


def _served(conn) -> dict | None:
    """publication_info of the current marts (None when there is none)."""
    if not conn.execute(f"select to_regclass('{SERVING_SCHEMA}.{INFO}')").fetchone()[0]:
        return None
    cur = conn.execute(f"select * from {SERVING_SCHEMA}.{INFO}")
    row = cur.fetchone()
    return dict(zip([d.name for d in cur.description], row, strict=True)) if row else None


def _drop_schema(conn, name: str) -> None:
    from psycopg import sql

    conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(name)))


def _copy_table(conn, schema: str, table: PlannedTable) -> int:
    from psycopg import sql

    target = sql.Identifier(schema, table.name)
    conn.execute(
        sql.SQL("create table {} ({})").format(
            target,
            sql.SQL(", ").join(
                sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(kind))
                for name, kind in table.columns
            ),
        )
    )
    names = sql.SQL(", ").join(sql.Identifier(name) for name, _ in table.columns)
    with conn.cursor().copy(
        sql.SQL("copy {} ({}) from stdin (freeze)").format(target, names)
    ) as copy:
        for batch in table.data.to_batches(max_chunksize=10_000):
            for row in zip(*(column.to_pylist() for column in batch.columns), strict=True):
                copy.write_row(row)
    return conn.execute(sql.SQL("select count(*) from {}").format(target)).fetchone()[0]


def _load(conn, schema: str, p: Plan, after_table: Callable[[str], None] | None) -> dict:
    """Transaction 1: the new schema with every table; returns the row counts."""
    from psycopg import sql

    counts = {}
    conn.execute(sql.SQL("create schema {}").format(sql.Identifier(schema)))
    for table in p.tables:
        rows = _copy_table(conn, schema, table)
        if rows != table.rows:
            raise LoadError(f"{table.name}: {rows} rows copied, {table.rows} in the file")
        counts[table.name] = rows
        if after_table is not None:
            after_table(table.name)
    pub = p.publication
    conn.execute(
        sql.SQL(
            "create table {} (publication_id text not null, period text not null, "
            "publication_period_end_date date, revision integer not null, published_at "
            "timestamp, git_commit text, dbt_invocation_id text, catalogue_version text, "
            "files_sha256 text not null, loaded_at timestamp with time zone not null)"
        ).format(sql.Identifier(schema, INFO))
    )
    with conn.cursor().copy(
        sql.SQL("copy {} from stdin (freeze)").format(sql.Identifier(schema, INFO))
    ) as copy:
        copy.write_row(
            (
                pub["publication_id"],
                pub["period"],
                pub.get("period_end_date"),
                int(pub["revision"]),
                pub.get("published_at"),
                pub.get("git_commit"),
                pub.get("dbt_invocation_id"),
                pub.get("catalogue_version"),
                p.fingerprint,
                dt.datetime.now(dt.UTC),
            )
        )
    conn.execute(
        sql.SQL("create table {} (table_name text not null, row_count bigint not null)").format(
            sql.Identifier(schema, TABLES)
        )
    )
    with conn.cursor().copy(
        sql.SQL("copy {} from stdin (freeze)").format(sql.Identifier(schema, TABLES))
    ) as copy:
        for name, rows in counts.items():
            copy.write_row((name, rows))
    conn.execute(
        sql.SQL("comment on table {} is {}").format(
            sql.Identifier(schema, INFO),
            sql.Literal("The publication this schema holds (one row), from its manifest.json."),
        )
    )
    return counts


def _retained(names: list[str], retention: int) -> list[str]:
    """The dated schemas to drop: all but the ``retention`` newest (by period, revision)."""

    def key(name: str) -> tuple[int, int, int]:
        year, month, revision = DATED.match(name).groups()
        return (int(year), int(month), int(revision))

    return sorted(names, key=key, reverse=True)[max(retention, 0) :]


def _swap(conn, schema: str, p: Plan, retention: int, lock_timeout_ms: int) -> tuple:
    """Transaction 2: lock the old marts, rename it away, rename the new one in."""
    from psycopg import sql

    conn.execute(sql.SQL("set local lock_timeout = {}").format(sql.Literal(f"{lock_timeout_ms}ms")))
    previous = None
    old_tables = [
        name
        for (name,) in conn.execute(
            "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = %s and c.relkind in ('r', 'p', 'v', 'm') "
            "order by c.relname <> %s, c.relname",
            [SERVING_SCHEMA, INFO],
        ).fetchall()
    ]
    marts_exists = conn.execute(
        "select 1 from pg_namespace where nspname = %s", [SERVING_SCHEMA]
    ).fetchone()
    if marts_exists:
        # publication_info first: readers start there, so the swap queues behind open
        # readers rather than deadlocking with them.
        for name in old_tables:
            conn.execute(
                sql.SQL("lock table {} in access exclusive mode").format(
                    sql.Identifier(SERVING_SCHEMA, name)
                )
            )
        served = _served(conn)
        if served:
            previous = _schema_name(served)
        else:
            previous = "marts_0000_00_r" + dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
        if previous == _schema_name(p.publication):
            # the same publication reloaded (force): its older copy is not kept
            _drop_schema(conn, SERVING_SCHEMA)
            previous = None
        else:
            _drop_schema(conn, previous)  # a copy of that name from an earlier forced load
            conn.execute(
                sql.SQL("alter schema {} rename to {}").format(
                    sql.Identifier(SERVING_SCHEMA), sql.Identifier(previous)
                )
            )
            conn.execute(
                sql.SQL("revoke all on schema {} from {}").format(
                    sql.Identifier(previous), sql.Identifier(BI)
                )
            )
    conn.execute(
        sql.SQL("alter schema {} rename to {}").format(
            sql.Identifier(schema), sql.Identifier(SERVING_SCHEMA)
        )
    )
    conn.execute(
        sql.SQL("grant usage on schema {} to {}").format(
            sql.Identifier(SERVING_SCHEMA), sql.Identifier(BI)
        )
    )
    conn.execute(
        sql.SQL("grant select on all tables in schema {} to {}").format(
            sql.Identifier(SERVING_SCHEMA), sql.Identifier(BI)
        )
    )
    dated = [
        name
        for (name,) in conn.execute(
            "select nspname from pg_namespace where nspname like %s", ["marts\\_%"]
        ).fetchall()
        if DATED.match(name)
    ]
    dropped = _retained(dated, retention)
    for name in dropped:
        _drop_schema(conn, name)
    return previous, dropped


def load_publication(
    folder: Path,
    publication_id: str | None = None,
    *,
    connection: Connection | None = None,
    retention: int = DEFAULT_RETENTION,
    force: bool = False,
    after_table: Callable[[str], None] | None = None,
    swap_timeout: float = 60.0,
    say: Callable[[str], None] = print,
) -> LoadResult:
    """Load the publication in ``folder`` and swap it in as schema ``marts``.

    ``publication_id``, when given, must be the folder's (its manifest.json). ``connection``
    defaults to the NCPM_PG_* settings. ``retention`` previous publications are kept as
    dated schemas (``marts_<yyyy>_<mm>_r<n>``). ``force`` reloads the publication already
    served, or loads one older than it. ``after_table(name)`` is called after each table
    is copied (the tests inject failures with it). Raises :class:`LoadError`; ``marts`` is
    then as it was.
    """
    import psycopg

    started = time.perf_counter()
    p = plan(Path(folder), publication_id)
    pid = p.publication["publication_id"]
    con = connection or default_connection()
    try:
        conn = psycopg.connect(**con.kwargs(OWNER))
    except psycopg.OperationalError as error:
        raise LoadError(
            f"cannot connect to the serving database {con.host}:{con.port}/{con.database} as "
            f"{OWNER}: {str(error).strip()} (is it running? ncpm serve status)"
        ) from None
    with conn:
        if not conn.execute("select pg_try_advisory_lock(hashtext(%s))", [LOCK_KEY]).fetchone()[0]:
            raise LoadError("another load into the serving database is running; wait for it")
        conn.commit()
        apply_grants(conn, con.database)
        served = _served(conn)
        conn.commit()
        if served and not force:
            if served["publication_id"] == pid and served["files_sha256"] == p.fingerprint:
                return LoadResult(pid, "unchanged", seconds=time.perf_counter() - started)
            if (served["period"], int(served["revision"])) > p.key:
                return LoadResult(pid, "kept", seconds=time.perf_counter() - started)
        for (leftover,) in conn.execute(
            "select nspname from pg_namespace where nspname like %s", [LOAD_PREFIX + "%"]
        ).fetchall():
            say(f"    dropping {leftover}, left by an interrupted load")
            _drop_schema(conn, leftover)
        conn.commit()

        schema = LOAD_PREFIX + re.sub(r"[^a-z0-9]+", "_", pid.lower())
        try:
            counts = _load(conn, schema, p, after_table)
            conn.commit()
        except BaseException as error:
            conn.rollback()
            _drop_schema(conn, schema)
            conn.commit()
            if isinstance(error, LoadError | psycopg.Error):
                raise LoadError(
                    f"loading {pid} failed, {SERVING_SCHEMA} is unchanged: {error}"
                ) from error
            raise

        deadlock_ms = conn.execute(
            "select setting::int from pg_settings where name = 'deadlock_timeout'"
        ).fetchone()[0]
        conn.commit()
        lock_timeout_ms = max(50, deadlock_ms // 2)
        deadline = time.monotonic() + swap_timeout
        attempt = 0
        while True:
            attempt += 1
            try:
                previous, dropped = _swap(conn, schema, p, retention, lock_timeout_ms)
                conn.commit()
                break
            except (psycopg.errors.LockNotAvailable, psycopg.errors.DeadlockDetected):
                conn.rollback()
                if time.monotonic() > deadline:
                    _drop_schema(conn, schema)
                    conn.commit()
                    raise LoadError(
                        f"could not swap {pid} in within {swap_timeout:.0f} s: BI queries kept "
                        f"schema {SERVING_SCHEMA} busy; it is unchanged. Run the load again."
                    ) from None
                time.sleep(min(0.05 * attempt, 1.0))
            except BaseException as error:
                conn.rollback()
                _drop_schema(conn, schema)
                conn.commit()
                if isinstance(error, psycopg.Error):
                    raise LoadError(
                        f"swapping {pid} in failed, {SERVING_SCHEMA} is unchanged: {error}"
                    ) from error
                raise
    return LoadResult(pid, "loaded", counts, previous, dropped, time.perf_counter() - started)


def load_period(period: str, publications_dir: Path, **options) -> LoadResult:
    """Load publications/<period>/ (the command ``ncpm serve load --period``)."""
    if not re.fullmatch(r"\d{4}-\d{2}", period):
        raise ServeRefused(f"--period {period!r}: expected YYYY-MM, e.g. 2026-06")
    folder = publications_dir / period
    if not (folder / "manifest.json").exists():
        raise ServeRefused(
            f"no publication {period} in {publications_dir} (make publish PERIOD={period} "
            "writes it)"
        )
    return load_publication(folder, **options)
