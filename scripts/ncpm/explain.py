"""Explain why the last dbt build failed, in terms a data engineer can act on.

Reads target/run_results.json (written by every dbt command) and, for each
failed or erroring node, prints the rule (the test or model name), dbt's message,
and for data tests the first offending rows, read from the table dbt stored them
in (tests run with store_failures, schema `audit`). Rows that carry a
`failure_message` column print that message. Ends with what to do next.

Run by `make build` and `make test` after a failed build; safe to run by hand:

    ncpm explain [--limit N]
"""

from __future__ import annotations

import json
from pathlib import Path

from ncpm import settings

ROOT = settings.root()


def offending_rows(relation: str, limit: int) -> tuple[list[str], list[tuple]] | None:
    """The first rows of a stored test-failure table, or None when unreadable."""
    try:
        import duckdb
    except ImportError:
        return None
    try:
        con = duckdb.connect(str(settings.get().duckdb_path), read_only=True)
    except duckdb.Error:
        return None
    try:
        # relation is "database"."schema"."table"; the attached database is named after the file
        schema_table = ".".join(relation.split(".")[-2:])
        cursor = con.execute(f"select * from {schema_table} limit {int(limit)}")
        columns = [d[0] for d in cursor.description]
        return columns, cursor.fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()


def explain(run_results: Path, limit: int) -> int:
    if not run_results.exists():
        print(
            f"No {run_results} found: dbt stopped before running anything (see its output above)."
        )
        return 1
    results = json.loads(run_results.read_text())["results"]
    bad = [r for r in results if r["status"] in ("error", "fail", "runtime error")]
    warned = [r for r in results if r["status"] == "warn"]
    if not bad and not warned:
        print("The last dbt run had no failing nodes.")
        return 0
    print()
    print("=" * 78)
    print(f"What failed ({len(bad)} blocking, {len(warned)} warnings)")
    print("=" * 78)
    for result in bad + warned:
        kind = "WARNING" if result["status"] == "warn" else "FAILED"
        name = result["unique_id"].split(".", 2)[-1]
        print(f"\n{kind}: {name}")
        message = (result.get("message") or "").strip()
        if message:
            print("  " + message.replace("\n", "\n  "))
        relation = result.get("relation_name")
        if relation and result["unique_id"].startswith("test."):
            rows = offending_rows(relation, limit)
            if rows:
                columns, data = rows
                print(f"  First offending rows (all of them: select * from {relation}):")
                for row in data:
                    record = dict(zip(columns, row, strict=True))
                    text = record.pop("failure_message", None)
                    if text:
                        print(f"    - {text}")
                    else:
                        print("    - " + ", ".join(f"{k}={v!r}" for k, v in record.items()))
    print()
    if bad:
        print(
            "Next: the message names the raw file, row, value and rule broken. Correct the file\n"
            "(then `make land FEED=<feed> FILE=<path>`) or the reference seed it names under\n"
            "seeds/reference/, and run `make build` again. Models downstream of a failure were\n"
            "skipped and keep their last good build."
        )
    return 1 if bad else 0
