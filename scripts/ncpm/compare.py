"""Compare the marts of two warehouse files row for row.

Every table of schema ``marts`` is compared with EXCEPT ALL both ways, so duplicated rows
count; doubles are compared rounded to ``digits`` significant digits, since parallel sums
differ in the last bits between any two builds (the default, 9, is 1e-9 relative). Used to
prove a refactor changed no figure, and to compare engines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

FLOATING = ("DOUBLE", "FLOAT", "REAL")


@dataclass
class TableDifference:
    table: str
    rows: int
    only_in_a: int
    only_in_b: int
    raw_only_in_a: int  # before rounding doubles
    sample: list[tuple] = field(default_factory=list)  # first rows only in a
    sample_b: list[tuple] = field(default_factory=list)  # first rows only in b

    @property
    def same(self) -> bool:
        return self.only_in_a == 0 and self.only_in_b == 0


def compare_marts(a: Path, b: Path, digits: int = 9, sample: int = 3) -> list[TableDifference]:
    """Each marts table of ``a`` compared with the same table of ``b`` (missing = all rows)."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"attach '{a}' as a (read_only)")
    con.execute(f"attach '{b}' as b (read_only)")

    def tables(db: str) -> list[str]:
        return [
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() "
                "where database_name = ? and schema_name = 'marts' order by 1",
                [db],
            ).fetchall()
        ]

    in_b = set(tables("b"))
    found = []
    for table in tables("a"):
        rows = con.execute(f"select count(*) from a.marts.{table}").fetchone()[0]
        if table not in in_b:
            found.append(TableDifference(table, rows, rows, 0, rows))
            continue
        columns = con.execute(
            "select column_name, data_type from duckdb_columns() where database_name = 'a' "
            "and schema_name = 'marts' and table_name = ? order by column_index",
            [table],
        ).fetchall()
        select = ", ".join(
            f"round({c}, {digits} - cast(ceil(log10(abs(nullif({c}, 0)))) as integer)) as {c}"
            if kind in FLOATING
            else c
            for c, kind in columns
        )

        def diff(x: str, y: str, select: str = select, table: str = table) -> str:
            return (
                f"select {select} from {x}.marts.{table} except all "
                f"select {select} from {y}.marts.{table}"
            )

        only_a = con.execute(f"select count(*) from ({diff('a', 'b')})").fetchone()[0]
        only_b = con.execute(f"select count(*) from ({diff('b', 'a')})").fetchone()[0]
        raw = con.execute(
            f"select count(*) from (select * from a.marts.{table} except all "
            f"select * from b.marts.{table})"
        ).fetchone()[0]
        rows_a = con.execute(f"{diff('a', 'b')} limit {sample}").fetchall() if only_a else []
        rows_b = con.execute(f"{diff('b', 'a')} limit {sample}").fetchall() if only_b else []
        found.append(TableDifference(table, rows, only_a, only_b, raw, rows_a, rows_b))
    for table in sorted(in_b - set(tables("a"))):
        rows = con.execute(f"select count(*) from b.marts.{table}").fetchone()[0]
        found.append(TableDifference(table, 0, 0, rows, 0))
    return found
