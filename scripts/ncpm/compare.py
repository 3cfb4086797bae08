"""Compare the marts of two warehouse files row for row.

Every table of schema ``marts`` is compared with EXCEPT ALL both ways, so duplicated rows
count. Parallel sums differ in the last bits between any two builds, so the rows left on
each side are then paired: equal in every other column, and each double (or decimal)
within ``10**-digits`` of the larger magnitude (the default, 9, is 1e-9 relative); a row
left unpaired is a difference. (Pairing, not rounding: two values 1e-16 apart can round
to different 9-digit numbers.) Used to prove a refactor changed no figure, and to compare
engines.
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
    raw_only_in_a: int  # before the tolerance on doubles
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
        names = [c for c, _ in columns]
        numeric = [c for c, kind in columns if kind in FLOATING or kind.startswith("DECIMAL")]
        exact = [c for c in names if c not in numeric]
        listed = ", ".join(f'"{c}"' for c in names)

        order = ", ".join(f'"{c}"' for c in numeric) or "1"
        group = ", ".join(f'"{c}"' for c in exact) or "1"

        def left(
            x: str, y: str, listed: str = listed, table: str = table, group=group, order=order
        ) -> str:
            """Rows of x not in y (EXCEPT ALL), numbered within equal non-numeric columns."""
            return (
                f"select {listed}, row_number() over () as _row, row_number() over "
                f"(partition by {group} order by {order}) as _nth from (select {listed} from "
                f"{x}.marts.{table} except all select {listed} from {y}.marts.{table})"
            )

        con.execute(f"create or replace temp table left_a as {left('a', 'b')}")
        con.execute(f"create or replace temp table left_b as {left('b', 'a')}")
        tolerance = 10.0**-digits
        close = " and ".join(
            [
                *(f'x."{c}" is not distinct from y."{c}"' for c in exact),
                "x._nth = y._nth",
                *(
                    f'(x."{c}" is not distinct from y."{c}" or abs(cast(x."{c}" as double) - '
                    f'cast(y."{c}" as double)) <= {tolerance!r} * greatest(abs(cast(x."{c}" '
                    f'as double)), abs(cast(y."{c}" as double))))'
                    for c in numeric
                ),
            ]
        )
        con.execute(
            "create or replace temp table paired as select x._row as row_a, y._row as row_b "
            f"from left_a as x inner join left_b as y on {close}"
        )
        raw = con.execute("select count(*) from left_a").fetchone()[0]
        only_a = con.execute(
            "select count(*) from left_a where _row not in (select row_a from paired)"
        ).fetchone()[0]
        only_b = con.execute(
            "select count(*) from left_b where _row not in (select row_b from paired)"
        ).fetchone()[0]

        def first(side: str, key: str, listed: str = listed) -> list[tuple]:
            return con.execute(
                f"select {listed} from left_{side} where _row not in (select {key} from paired) "
                f"order by _row limit {sample}"
            ).fetchall()

        rows_a = first("a", "row_a") if only_a else []
        rows_b = first("b", "row_b") if only_b else []
        found.append(TableDifference(table, rows, only_a, only_b, raw, rows_a, rows_b))
    for table in sorted(in_b - set(tables("a"))):
        rows = con.execute(f"select count(*) from b.marts.{table}").fetchone()[0]
        found.append(TableDifference(table, 0, 0, rows, 0))
    return found
