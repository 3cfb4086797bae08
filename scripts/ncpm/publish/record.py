"""The revision history: each publication's revision_log.parquet, and marts.rpt_revisions.

revision_log.parquet (written into the work folder at the end of the export, step 2) is
the append-only log of every figure a publication published. dbt builds
marts.rpt_revisions from the logs (``dbt build --select stg_publications__revision_log+``;
source ``publications.revision_log``: every ``publications/*/revision_log.parquet``):

* in step 2 (:func:`export_revisions`), from every published log and this publication's,
  so that the publication carries its revision history, ``data/rpt_revisions.parquet`` and
  ``.csv`` (validated with the other files in step 3), and the serving database loads it
  with the facts;
* in step 6 (:func:`refresh_revisions`), once the publication is in place, from the logs of
  the publications folder itself (the same rows), for the BI copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ncpm import warehouse
from ncpm.periods import PublicationPeriod
from ncpm.publish.build import dbt, export_spark_marts, stage_raw_feeds
from ncpm.publish.common import REVISIONS, PublishError, say
from ncpm.publish.export import export_tables
from ncpm.settings import Settings

REVISION_LOG = "revision_log.parquet"
REVISIONS_SELECTOR = "stg_publications__revision_log+"
# The source table of the revision logs, staged again on Spark over the new files.
REVISION_LOG_SOURCE = "revision_log"


def write_revision_log(folder: Path, facts: list[str], publication: dict) -> dict:
    """revision_log.parquet: every figure of the exported Parquet files, with the publication."""
    import duckdb

    parts = [
        f"select '{fact}' as fact_model, metric_id, area_code, period_end_date, breakdown, "
        f"value, ci_lower, ci_upper from read_parquet('{folder / 'data' / fact}.parquet')"
        for fact in facts
    ]
    if not parts:
        parts = [
            "select null::varchar as fact_model, null::varchar as metric_id, null::varchar as "
            "area_code, null::date as period_end_date, null::varchar as breakdown, null::double "
            "as value, null::double as ci_lower, null::double as ci_upper where false"
        ]
    con = duckdb.connect()
    try:
        con.execute(
            f"""
            copy (
                select
                    '{publication["publication_id"]}' as publication_id,
                    date '{publication["period_end_date"]}' as publication_period_end_date,
                    {int(publication["revision"])} as publication_revision,
                    timestamp '{publication["published_at"]}' as published_at,
                    figures.*
                from ({" union all ".join(parts)}) as figures
            ) to '{folder / REVISION_LOG}' (format parquet)
            """
        )
        rows = con.execute(f"select count(*) from read_parquet('{folder / REVISION_LOG}')")
        count = rows.fetchone()[0]
    finally:
        con.close()
    return {"path": REVISION_LOG, "table": None, "rows": count}


def export_revisions(config: Settings, work: Path, period: PublicationPeriod) -> list[dict]:
    """Step 2: marts.rpt_revisions as of this publication, into ``work``/data/ (file records).

    The source reads one log per folder of the publications folder, never the work folder
    (under .staging/). For this one build dbt reads instead a folder beside the work folder
    holding a copy of every published log and of this publication's, as the publications
    folder will hold them once this one is in place (a revision moves the earlier folder
    aside, keeping its log). The copy is removed afterwards.
    """
    logs = work.parent / f"{work.name}-revision-logs"
    shutil.rmtree(logs, ignore_errors=True)
    try:
        sources = [
            (path.parent.name, path)
            for path in sorted(config.publications_dir.glob(f"*/{REVISION_LOG}"))
        ]
        sources.append(("this-publication", work / REVISION_LOG))
        for name, path in sources:
            (logs / name).mkdir(parents=True)
            shutil.copyfile(path, logs / name / REVISION_LOG)
        say(f"    the revision history from {len(sources)} revision log(s)")
        env = {"NCPM_PUBLICATIONS_DIR": str(logs.resolve())}
        if config.on_spark:
            # The revision log table is staged over the copied logs; step 6 stages it again
            # over the publications folder.
            stage_raw_feeds(config, period, env=env, sources=[REVISION_LOG_SOURCE])
        code = dbt(config, ["build", "--select", REVISIONS_SELECTOR], period, env=env)
        if code == 0 and config.on_spark:
            export_spark_marts(config, tables=[REVISIONS])
    finally:
        shutil.rmtree(logs, ignore_errors=True)
    if code != 0:
        raise PublishError(
            "building the revision history (dbt build of rpt_revisions) failed (see above). "
            f"Nothing was published. Fix the error, then run make publish PERIOD={period.label} "
            "again."
        )
    con = warehouse.connect(config.duckdb_path, read_only=True)
    try:
        return export_tables(con, work, [REVISIONS], period)
    finally:
        con.close()


def refresh_revisions(config: Settings, period: PublicationPeriod) -> None:
    """Step 6: rebuild marts.rpt_revisions from every publication's revision log (on Spark:
    the revision log table staged again over the new files, then the marts read back)."""
    if config.on_spark:
        stage_raw_feeds(config, period, sources=[REVISION_LOG_SOURCE])
    if dbt(config, ["build", "--select", REVISIONS_SELECTOR], period) != 0:
        raise PublishError(
            f"publication {period.label} is published, but refreshing marts.rpt_revisions "
            "failed (see above); the BI copy was not refreshed. Fix the error, then run "
            f"make publish PERIOD={period.label} REVISE=1."
        )
    if config.on_spark:
        export_spark_marts(config, tables=[REVISIONS])
