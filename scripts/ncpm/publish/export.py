"""Step 2: export the publication set into the work folder.

The work folder is publications/.staging/<period>-<pid>/, never read as a publication.
Into it go every measure fact that the metric catalogue names and that this build made
(dim_metric.fact_model: never a hard-coded list), its history up to and including the
period, as CSV and Parquet; the scorecard; the tables BI reads beside them
(``REFERENCE_TABLES``: the conformed dimensions and rpt_all_measures, no figure later than
the period); and manifest.json: every file with its row count, the git commit, the dbt
invocation id, the catalogue version, the test summary, the raw files read, and each
catalogue metric as "published" or "not yet published".

Beside the measures go the local diagnostics from police.uk street-level data
(docs/local_diagnostics.md), when the build made them: they are not National Measures, so
the catalogue does not name them and the manifest lists them apart (``local_diagnostics``).
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ncpm import warehouse
from ncpm.periods import PublicationPeriod
from ncpm.publish.build import built_models, test_summary
from ncpm.publish.common import (
    REFERENCE_TABLES,
    REVISIONS,
    SCORECARD,
    PublishError,
    say,
    sha256,
)
from ncpm.settings import Settings

if TYPE_CHECKING:
    import pandas as pd

IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")

# The local diagnostics published with a quarter, each with the rows exported (a filter
# on marts.<table>, besides no figure later than the period) and their order.
# * fct_local_crime: the rolling years ending at quarter ends (the publication's cadence;
#   the monthly rows stay in the warehouse and the BI copy): about 360,000 rows for ten
#   years of the national feed, against 1.1 million monthly.
# * rpt_local_crime_reconciliation: every force and quarter end (small).
# fct_local_crime_lsoa is NOT exported: one row per LSOA and month, about 4 million rows
# for ten years nationally, too large for a bulletin's data files. It is in the warehouse
# and the BI copy (step 7 copies every mart), and `ncpm trace` reaches it.
LOCAL_DIAGNOSTICS = {
    "fct_local_crime": (
        "extract(month from period_end_date) in (3, 6, 9, 12)",
        "area_level, area_code, period_end_date, crime_category, breakdown",
    ),
    "rpt_local_crime_reconciliation": ("true", "area_code, period_end_date"),
}


@dataclass
class Catalogue:
    metrics: list[dict]  # dim_metric rows
    facts: list[str]  # the measure facts to publish, in metric order
    version: str
    local_diagnostics: list[str] = field(default_factory=list)  # of LOCAL_DIAGNOSTICS, built


@dataclass
class Export:
    """What step 2 wrote and read: the later steps work from it."""

    catalogue: Catalogue
    manifest: dict
    metric_table: pd.DataFrame  # marts.dim_metric, for the bulletin
    area_table: pd.DataFrame  # marts.dim_area, for the bulletin


def discover_facts(
    metrics: list[dict], built_models: set[str], marts_tables: set[str]
) -> list[str]:
    """The fact models the catalogue names that this build made: never a hard-coded list.

    A fact is published when a metric of dim_metric names it (fact_model), the dbt build
    of step 1 built that model successfully, and it is a table in schema marts. A metric
    whose fact does not exist yet is reported as "not yet published", not an error.
    """
    facts = []
    for metric in metrics:
        fact = metric["fact_model"]
        if not IDENTIFIER.match(fact or ""):
            raise PublishError(
                f"metric {metric['metric_id']} names an invalid fact_model {fact!r}."
            )
        if fact in built_models and fact in marts_tables and fact not in facts:
            facts.append(fact)
    return facts


def read_catalogue(con, results: dict) -> Catalogue:
    rows = con.execute("select * from marts.dim_metric order by metric_id").fetchall()
    names = [d[0] for d in con.description]
    metrics = [dict(zip(names, row, strict=True)) for row in rows]
    tables = {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'marts' and table_type = 'BASE TABLE'"
        ).fetchall()
    }
    built = built_models(results)
    facts = discover_facts(metrics, built, tables)
    versions = sorted({m["catalogue_version"] for m in metrics})
    local = [t for t in LOCAL_DIAGNOSTICS if t in built and t in tables]
    return Catalogue(metrics, facts, ", ".join(versions), local)


def table_query(con, table: str, period: PublicationPeriod) -> str:
    """``select *`` of marts.``table`` in a stable order, with no figure later than the
    period (a table with metric_id and period_end_date, as in the BI copy; a local
    diagnostic keeps the rows of ``LOCAL_DIAGNOSTICS``)."""
    if table in LOCAL_DIAGNOSTICS:
        rows_kept, order = LOCAL_DIAGNOSTICS[table]
        day = f"date '{period.end.isoformat()}'"  # a validated date, safe to write into SQL
        return (
            f"select * from marts.{table} where period_end_date <= {day} and {rows_kept} "
            f"order by {order}"
        )
    columns = [
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'marts' and table_name = ? order by ordinal_position",
            [table],
        ).fetchall()
    ]
    if not columns:
        raise PublishError(f"marts.{table} does not exist in the warehouse: was it built?")
    where = ""
    if "metric_id" in columns and "period_end_date" in columns:
        # a validated date, safe to write into SQL
        where = f" where period_end_date <= date '{period.end.isoformat()}'"
    key = [c for c in ("metric_id", "area_code", "period_end_date", "breakdown") if c in columns]
    order = ", ".join([*key, *(c for c in columns if c not in key)])  # a total order
    return f"select * from marts.{table}{where} order by {order}"


def export_tables(
    con,
    folder: Path,
    tables: list[str],
    period: PublicationPeriod,
    after_file: Callable[[Path], None] | None = None,
) -> list[dict]:
    """Write each marts table as data/<table>.parquet and .csv; return the file records."""
    (folder / "data").mkdir(parents=True, exist_ok=True)
    files = []
    for table in tables:
        if not IDENTIFIER.match(table):
            raise PublishError(f"invalid table name {table!r}")
        query = table_query(con, table, period)
        rows = con.execute(f"select count(*) from ({query})").fetchone()[0]
        if table in LOCAL_DIAGNOSTICS and rows == 0:
            say(f"    {table}: no rows up to the period, not exported")
            continue
        for extension, options in (("parquet", "format parquet"), ("csv", "format csv, header")):
            relative = f"data/{table}.{extension}"
            con.execute(f"copy ({query}) to '{folder / relative}' ({options})")
            files.append({"path": relative, "table": table, "rows": rows})
            say(f"    {relative}: {rows} rows")
            if after_file is not None:
                after_file(folder / relative)
    return files


def export_files(
    con,
    folder: Path,
    period: PublicationPeriod,
    catalogue: Catalogue,
    after_file: Callable[[Path], None] | None = None,
) -> list[dict]:
    """Write every fact, the scorecard and the reference tables as CSV and Parquet."""
    tables = [*catalogue.facts, SCORECARD, *REFERENCE_TABLES, *catalogue.local_diagnostics]
    return export_tables(con, folder, tables, period, after_file)


def metric_status(con, period: PublicationPeriod, catalogue: Catalogue) -> list[dict]:
    statuses = []
    for metric in catalogue.metrics:
        fact = metric["fact_model"]
        rows = 0
        if fact in catalogue.facts:
            rows = con.execute(
                f"select count(*) from marts.{fact} where metric_id = ? and period_end_date <= ?",
                [metric["metric_id"], period.end],
            ).fetchone()[0]
        statuses.append(
            {
                "metric_id": metric["metric_id"],
                "metric_name": metric["metric_name"],
                "fact_model": fact,
                "status": "published" if rows else "not yet published",
                "rows": rows,
            }
        )
    return statuses


def git_commit(root: Path) -> dict:
    def git(*args: str) -> str | None:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
        return proc.stdout.strip() if proc.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


def raw_files(raw: Path) -> list[dict]:
    """The landed raw files the build read, for the manifest.

    Each feed's CSV files (<raw dir>/<feed>/*.csv) and the Parquet files `ncpm land` wrote
    for a record-level feed (<raw dir>/<feed>/month=<YYYY-MM>/*.parquet, named here by
    their path under the feed's folder): an auditor can check every file a published
    figure was counted from.
    """
    paths = sorted([*raw.glob("*/*.csv"), *raw.glob("*/month=*/*.parquet")])
    files = []
    for path in paths:
        feed, file = path.relative_to(raw).as_posix().split("/", 1)
        files.append(
            {
                "feed": feed,
                "file": file,
                "bytes": path.stat().st_size,
                "sha256": sha256(path),
                "synthetic": "synthetic" in path.name.lower(),
            }
        )
    return files


def write_manifest(folder: Path, manifest: dict) -> None:
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")


def finalise_manifest(folder: Path, manifest: dict) -> None:
    """Every file of the publication (but the manifest) with its sha256 and size."""
    known = {f["path"]: f for f in manifest["files"]}
    records = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "manifest.json"):
        relative = path.relative_to(folder).as_posix()
        record = {"path": relative, "table": None, "rows": None, **known.get(relative, {})}
        record.update({"bytes": path.stat().st_size, "sha256": sha256(path)})
        records.append(record)
    manifest["files"] = records
    write_manifest(folder, manifest)


def validation_parameters(period: PublicationPeriod, catalogue: Catalogue) -> dict:
    """The expectation suites' parameters of each exported table (step 3 reads them)."""
    return {
        **{
            fact: {
                "publication_period": period.end.isoformat(),
                "catalogue_metric_ids": [
                    m["metric_id"] for m in catalogue.metrics if m["fact_model"] == fact
                ],
            }
            for fact in catalogue.facts
        },
        SCORECARD: {
            "publication_period": period.end.isoformat(),
            "catalogue_metric_count": len(catalogue.metrics),
        },
        **{
            table: {"publication_period": period.end.isoformat()}
            for table in (*REFERENCE_TABLES, REVISIONS, *catalogue.local_diagnostics)
        },
    }


def export(
    config: Settings,
    work: Path,
    period: PublicationPeriod,
    results: dict,
    publication: dict,
    after_file: Callable[[Path], None] | None = None,
) -> Export:
    """Step 2: the exported files and manifest.json in ``work``, from the built warehouse."""
    con = warehouse.connect(config.duckdb_path, read_only=True)
    try:
        catalogue = read_catalogue(con, results)
        files = export_files(con, work, period, catalogue, after_file)
        metrics = metric_status(con, period, catalogue)
        metric_table = con.execute("select * from marts.dim_metric order by metric_id").df()
        area_table = con.execute("select * from marts.dim_area order by sort_order").df()
    finally:
        con.close()
    metadata = results.get("metadata", {})
    manifest = {
        "publication": publication,
        "git": git_commit(config.root),
        "dbt": {
            "invocation_id": metadata.get("invocation_id"),
            "dbt_version": metadata.get("dbt_version"),
            "generated_at": metadata.get("generated_at"),
            "vars": {"publication_period": period.end.isoformat()},
        },
        "catalogue_version": catalogue.version,
        "tests": test_summary(results),
        "raw_files": raw_files(config.raw_dir),
        "measures": catalogue.facts,
        "local_diagnostics": sorted({f["table"] for f in files} & set(LOCAL_DIAGNOSTICS)),
        "metrics": metrics,
        "validation": {"parameters": validation_parameters(period, catalogue)},
        "files": files,
    }
    write_manifest(work, manifest)
    unpublished = [m["metric_id"] for m in metrics if m["status"] != "published"]
    say(
        f"    {len(catalogue.facts)} measure fact(s): {', '.join(catalogue.facts) or 'none'}; "
        f"metrics not yet published: {', '.join(unpublished) or 'none'}; local diagnostics "
        f"(not National Measures): {', '.join(manifest['local_diagnostics']) or 'none'}"
    )
    return Export(catalogue, manifest, metric_table, area_table)
