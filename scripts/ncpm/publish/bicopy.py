"""Step 7: the BI copy, warehouse/published/ncpm.duckdb (NCPM_PUBLISHED_DUCKDB_PATH).

It holds the marts of the published build, no figure later than the period, plus
marts.publication_info and marts.publication_tables. It is built as a new file beside the
old one and swapped in with one atomic rename (os.replace), so BI readers never wait and
never see a half-written file: a reader holding the old file keeps reading its inode,
whole; the next connection opens the new file. Skipped when the copy already holds a
later period, so publishing or revising an older quarter does not take BI back in time.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ncpm.periods import PublicationPeriod
from ncpm.publish.common import PublishError, fsync_dir
from ncpm.warehouse import WarehouseLockedError
from ncpm.warehouse import connect as connect_duckdb


def published_period(path: Path) -> str | None:
    """The publication period of the current BI copy, or None."""
    import duckdb

    if not path.exists():
        return None
    try:
        con = connect_duckdb(path, read_only=True)
    except (duckdb.Error, WarehouseLockedError):
        return None
    try:
        return con.execute("select period from marts.publication_info").fetchone()[0]
    except duckdb.Error:
        return None
    finally:
        con.close()


def refresh_published_copy(
    warehouse: Path, target: Path, period: PublicationPeriod, info: dict
) -> None:
    """Build the marts (no figure later than the period) beside the BI copy, swap atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    building = target.parent / ".building"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir()
    # Same file name in a sibling folder: the DuckDB catalog (named after the file) is
    # the same before and after the rename, and the rename stays on one file system.
    new = building / target.name
    con = connect_duckdb(new)
    try:
        con.execute(f"attach '{warehouse}' as built (read_only)")
        con.execute("create schema marts")
        tables = con.execute(
            "select table_name, comment from duckdb_tables() "
            "where database_name = 'built' and schema_name = 'marts' order by table_name"
        ).fetchall()
        views = con.execute(
            "select view_name from duckdb_views() "
            "where database_name = 'built' and schema_name = 'marts' and not internal"
        ).fetchall()
        counts = []
        for name, comment in [*tables, *((v, None) for (v,) in views)]:
            columns = [
                c
                for (c,) in con.execute(
                    "select column_name from duckdb_columns() where database_name = 'built' "
                    "and schema_name = 'marts' and table_name = ?",
                    [name],
                ).fetchall()
            ]
            where = ""
            if "metric_id" in columns and "period_end_date" in columns:
                where = f" where period_end_date <= date '{period.end.isoformat()}'"
            con.execute(f'create table marts."{name}" as select * from built.marts."{name}"{where}')
            if comment:
                con.execute(
                    f'comment on table marts."{name}" is '
                    f"'{comment.replace(chr(39), chr(39) * 2)}'"
                )
            for column, column_comment in con.execute(
                "select column_name, comment from duckdb_columns() where database_name = 'built' "
                "and schema_name = 'marts' and table_name = ? and comment is not null",
                [name],
            ).fetchall():
                escaped = column_comment.replace("'", "''")
                con.execute(f'comment on column marts."{name}"."{column}" is \'{escaped}\'')
            rows = con.execute(f'select count(*) from marts."{name}"').fetchone()[0]
            counts.append((name, rows))
        con.execute(
            "create table marts.publication_info as select ? as publication_id, ? as period, "
            "cast(? as date) as publication_period_end_date, ? as revision, "
            "cast(? as timestamp) as published_at, ? as git_commit, ? as dbt_invocation_id, "
            "? as catalogue_version",
            [
                info["publication_id"],
                period.label,
                period.end,
                info["revision"],
                info["published_at"],
                info["git_commit"],
                info["dbt_invocation_id"],
                info["catalogue_version"],
            ],
        )
        con.execute("create table marts.publication_tables (table_name varchar, row_count bigint)")
        con.executemany("insert into marts.publication_tables values (?, ?)", counts)
        con.execute(
            "comment on table marts.publication_info is 'The publication this copy holds (one "
            "row).'"
        )
        con.execute(
            "comment on table marts.publication_tables is "
            "'Row count of every marts table of this copy, as written.'"
        )
        con.execute("detach built")
        con.execute("checkpoint")
    finally:
        con.close()
    wal = new.with_name(new.name + ".wal")
    if wal.exists():
        raise PublishError(f"the new BI copy left a write-ahead log {wal}; not swapped in.")
    with new.open("rb+") as f:
        os.fsync(f.fileno())
    # Readers holding the old file keep reading its inode; new readers open the new one.
    os.replace(new, target)
    fsync_dir(target.parent)
    shutil.rmtree(building, ignore_errors=True)


def refresh(warehouse: Path, target: Path, period: PublicationPeriod, info: dict) -> str:
    """Step 7: swap in a new BI copy unless it holds a later period; how it ended, in words."""
    current = published_period(target)
    if current and current > period.label:
        return f"kept: the BI copy holds the later publication {current}"
    refresh_published_copy(warehouse, target, period, info)
    return "swapped in"
