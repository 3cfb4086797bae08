"""The marts of a Spark build, read back through the Thrift endpoint into a DuckDB file.

The marts are small (thousands of rows), so they travel through the SQL endpoint itself,
as a BI tool would read them: the Spark environment's Python (PyHive, dbt-spark's thrift
extra) runs ``describe`` and ``select *`` on every table of schema ``marts`` (views are
skipped) and writes each as newline-delimited JSON with its Spark column types; DuckDB
then loads them, with the types mapped, into schema ``marts`` of a new file. That file is
what the publication steps after the build read (``ncpm publish --target spark``) and what
``spark-check`` compares row for row with the DuckDB build (:mod:`ncpm.compare`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

SCHEMA = "marts"

# Runs in the Spark environment (PyHive): argv host, port, schema, output folder, and
# optionally the comma-separated tables to read (default: every table of the schema).
EXPORT_CODE = r"""
import json, math, sys
from pathlib import Path
from pyhive import hive

host, port, schema, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
only = set(sys.argv[5].split(",")) if len(sys.argv) > 5 else None
con = hive.connect(host=host, port=port, username="ncpm")
cur = con.cursor()

def plain(value):
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value

cur.execute(f"show views in {schema}")
views = {row[1] for row in cur.fetchall()}
cur.execute(f"show tables in {schema}")
tables = sorted(row[1] for row in cur.fetchall() if not row[2] and row[1] not in views)
missing = sorted(only - set(tables)) if only else []
if missing:
    sys.exit(f"no table {', '.join(missing)} in schema {schema}")
for table in tables if only is None else sorted(only):
    cur.execute(f"describe {schema}.{table}")
    columns = []
    for name, data_type, _ in cur.fetchall():
        if not name or name.startswith("#"):
            break
        columns.append([name, data_type])
    cur.execute(f"select * from {schema}.{table}")
    count = 0
    with (out / f"{table}.jsonl").open("w") as f:
        while True:
            rows = cur.fetchmany(5000)
            if not rows:
                break
            for row in rows:
                record = {c[0]: plain(v) for c, v in zip(columns, row)}
                f.write(json.dumps(record, default=str, allow_nan=False) + "\n")
                count += 1
    (out / f"{table}.columns.json").write_text(json.dumps({"columns": columns, "rows": count}))
    print(f"{table} {count}", flush=True)
con.close()
"""

# The same, from an in-process Spark session over the metastore in the working folder
# (spark-check --in-process, after dbt-spark's session method built there): argv schema, out.
SESSION_EXPORT_CODE = r"""
import json, math, sys
from pathlib import Path
from pyspark.sql import SparkSession

schema, out = sys.argv[1], Path(sys.argv[2])
spark = SparkSession.builder.enableHiveSupport().getOrCreate()
spark.sparkContext.setLogLevel("ERROR")

def plain(value):
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value

views = {row[1] for row in spark.sql(f"show views in {schema}").collect()}
tables = sorted(
    row[1] for row in spark.sql(f"show tables in {schema}").collect()
    if not row[2] and row[1] not in views
)
for table in tables:
    frame = spark.table(f"{schema}.{table}")
    columns = [[name, kind] for name, kind in frame.dtypes]
    count = 0
    with (out / f"{table}.jsonl").open("w") as f:
        for row in frame.toLocalIterator():
            record = {c[0]: plain(v) for c, v in zip(columns, row)}
            f.write(json.dumps(record, default=str, allow_nan=False) + "\n")
            count += 1
    (out / f"{table}.columns.json").write_text(json.dumps({"columns": columns, "rows": count}))
"""

SIMPLE_TYPES = {
    "string": "VARCHAR",
    "int": "INTEGER",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "smallint": "SMALLINT",
    "tinyint": "TINYINT",
    "double": "DOUBLE",
    "float": "FLOAT",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "timestamp_ntz": "TIMESTAMP",
    "binary": "BLOB",
}


class ExportError(Exception):
    """Reading the marts through the Thrift endpoint failed (the message says why)."""


def duckdb_type(spark_type: str) -> str:
    """The DuckDB type of a Spark SQL column type (decimal(p,s) kept; unknown as VARCHAR)."""
    spark_type = spark_type.strip().lower()
    decimal = re.fullmatch(r"decimal\((\d+),\s*(\d+)\)", spark_type)
    if decimal:
        return f"DECIMAL({decimal.group(1)}, {decimal.group(2)})"
    if spark_type.startswith(("varchar", "char")):
        return "VARCHAR"
    return SIMPLE_TYPES.get(spark_type, "VARCHAR")


def fetch(
    python: Path,
    host: str,
    port: int,
    folder: Path,
    schema: str = SCHEMA,
    tables: list[str] | None = None,
) -> None:
    """Every table of ``schema`` (or only ``tables``) as JSON lines in ``folder`` (Spark's
    Python, PyHive)."""
    only = [",".join(tables)] if tables else []
    proc = subprocess.run(
        [str(python), "-c", EXPORT_CODE, host, str(port), schema, str(folder), *only],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    if proc.returncode != 0:
        raise ExportError(
            f"reading schema {schema} through the Thrift endpoint {host}:{port} failed:\n"
            + proc.stderr[-3000:]
        )


def fetch_session(
    python: Path, project: Path, env: dict[str, str], folder: Path, schema: str = SCHEMA
) -> None:
    """Every table of ``schema`` as JSON lines in ``folder``, from an in-process session."""
    proc = subprocess.run(
        [str(python), "-c", SESSION_EXPORT_CODE, schema, str(folder)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise ExportError(
            f"reading schema {schema} from Spark in-process failed:\n" + proc.stderr[-3000:]
        )


def load(folder: Path, target: Path, schema: str = SCHEMA, replace: bool = False) -> dict[str, int]:
    """Load the fetched tables into ``schema`` of the new DuckDB file ``target``; row counts.

    ``replace``: into a copy of the existing ``target`` instead, replacing only the tables
    fetched and keeping the others.
    """
    import duckdb

    # Written beside the target under the same name (DuckDB names the catalog after the
    # file), then renamed over it.
    partial = target.parent / ".partial" / target.name
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.unlink(missing_ok=True)
    if replace:
        shutil.copyfile(target, partial)
    counts = {}
    con = duckdb.connect(str(partial))
    try:
        con.execute(f"create schema {'if not exists ' if replace else ''}{schema}")
        for meta in sorted(folder.glob("*.columns.json")):
            table = meta.name.removesuffix(".columns.json")
            described = json.loads(meta.read_text())
            columns = {name: duckdb_type(kind) for name, kind in described["columns"]}
            definition = ", ".join(f'"{name}" {kind}' for name, kind in columns.items())
            con.execute(f'create or replace table {schema}."{table}" ({definition})')
            if described["rows"]:
                con.execute(
                    f'insert into {schema}."{table}" select * from read_json(?, '
                    "format = 'newline_delimited', columns = ?)",
                    [str(folder / f"{table}.jsonl"), columns],
                )
            counts[table] = described["rows"]
        con.execute("checkpoint")
    finally:
        con.close()
    os.replace(partial, target)
    return counts


def export_marts(
    python: Path,
    host: str,
    port: int,
    target: Path,
    session: tuple[Path, dict] | None = None,
    tables: list[str] | None = None,
) -> dict[str, int]:
    """The marts of the Spark build at ``host:port`` into the DuckDB file ``target``
    (``session``: from an in-process session in that project folder with that environment).

    ``tables`` (through Thrift only): read just these and replace them in the existing
    ``target``, keeping its other tables (a publication's revision steps rebuild one table).
    """
    if tables and (session is not None or not target.exists()):
        raise ValueError("tables: only through Thrift, into an existing marts file")
    folder = Path(tempfile.mkdtemp(prefix="ncpm-spark-marts-"))
    try:
        if session is None:
            fetch(python, host, port, folder, tables=tables)
        else:
            fetch_session(python, session[0], session[1], folder)
        return load(folder, target, replace=bool(tables))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
