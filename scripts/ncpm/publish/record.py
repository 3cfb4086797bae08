"""The revision history: each publication's revision_log.parquet, and marts.rpt_revisions.

revision_log.parquet (written into the work folder before the bulletin, which reports the
revisions) is the append-only log of every figure a publication published. Step 6 runs
``dbt build --select stg_publications__revision_log+``, which refreshes marts.rpt_revisions
from the logs of every publication in the publications folder.
"""

from __future__ import annotations

from pathlib import Path

from ncpm.periods import PublicationPeriod
from ncpm.publish.build import dbt, export_spark_marts, stage_raw_feeds
from ncpm.publish.common import PublishError
from ncpm.settings import Settings

REVISION_LOG = "revision_log.parquet"


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


def refresh_revisions(config: Settings, period: PublicationPeriod) -> None:
    """Step 6: rebuild marts.rpt_revisions from every publication's revision log (on Spark:
    the revision log table staged again over the new files, then the marts read back)."""
    if config.on_spark:
        stage_raw_feeds(config, period)
    if dbt(config, ["build", "--select", "stg_publications__revision_log+"], period) != 0:
        raise PublishError(
            f"publication {period.label} is published, but refreshing marts.rpt_revisions "
            "failed (see above); the BI copy was not refreshed. Fix the error, then run "
            f"make publish PERIOD={period.label} REVISE=1."
        )
    if config.on_spark:
        export_spark_marts(config)
