"""Trace one published figure back to the raw rows it was computed from.

    ncpm trace --metric M1.1 --area E23000001 --period 2019-06 [--breakdown all] [--json]
    ncpm trace --metric local:neighbourhood_crime --area E22000180 --period 2020-06
    make trace METRIC=M1.1 AREA=E23000001 PERIOD=2019-06 [JSON=1]

For the figure (metric, area, period end, breakdown) of its measure fact, prints the
chain from raw to figure, reading the built warehouse (NCPM_DUCKDB_PATH, default
warehouse/ncpm.duckdb) and the landed raw files:

* the model chain from the metric's raw source to its fact (from the dbt manifest,
  target/manifest.json, when it exists);
* the raw file(s) and data row numbers that contribute, with the text as published
  and the value staging parsed from it;
* each aggregation step with its intermediate values (each force's quarters and rolling
  year; for regions and England and Wales the parts, naming any force left out as an
  accepted data gap), checked against the model that holds it;
* for survey figures (victim survey M4.1, M5.1, M6.1, M6.2; business survey M5.3): which
  rows of which files feed each quarter (counts and row ranges only: personal data), the
  weighted sums per quarter and year, Kish's effective sample size, and the estimate, SE
  and 95% CI recomputed from those sums;
* the baseline and the arithmetic of change, % change and rate per 1,000.

The raw contributions printed add up to the published value (counts) or reproduce it
(surveys); every step says whether it reconciles, and the script exits 1 when one does not.

PERIOD is YYYY-MM (the last day of that month, i.e. the quarter or year end) or
YYYY-MM-DD. A metric is traced by the tracer of its feed's `tracer_family` in the feed
registry (seeds/reference/ref_feeds.csv, ncpm.registry; TRACERS below): police recorded
crime has its own (police_recorded_crime.py); every other count feed is traced by one
generic tracer (count.py) from the feed's metric rows model, which alone holds the rules
of which raw rows count; the two surveys have theirs (survey.py). The text is rendered by
render.py; Trace, TraceError and the number helpers are in model.py.

A local diagnostic (``--metric local:<category>`` of marts.fct_local_crime, police.uk
street-level data, not a National Measure) is traced by the tracer of its feed's
tracer_family in LOCAL_TRACERS (street_level.py): the landed Parquet rows (file and row
numbers) counted per month, the monthly counts, the rolling year and, for a force, its
located and unlocated crimes, each checked against the mart.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from ncpm import registry, settings
from ncpm.periods import PeriodError, parse_period_end
from ncpm.trace.baseline import add_baseline
from ncpm.trace.count import trace_count_feed
from ncpm.trace.lineage import manifest_lineage
from ncpm.trace.model import Trace, TraceError, records
from ncpm.trace.police_recorded_crime import trace_police_recorded_crime
from ncpm.trace.render import print_trace
from ncpm.trace.street_level import is_local, trace_local_figure
from ncpm.trace.survey import trace_business_survey, trace_victim_survey

__all__ = ["TRACERS", "Trace", "TraceError", "print_trace", "trace_figure", "trace_in_warehouse"]

Tracer = Callable[[Any, Trace, registry.Feed], None]

# The tracer of each tracer family (ref_feeds.tracer_family): a function (con, trace, feed)
# that fills trace.raw_rows, trace.steps and trace.check(...) for every step. A new count
# feed needs no code: a registry row naming its metric rows, quarterly and period models.
TRACERS: dict[str, Tracer] = {
    "police_recorded_crime": trace_police_recorded_crime,
    "count": trace_count_feed,
    "victim_survey": trace_victim_survey,
    "business_survey": trace_business_survey,
}

# The tracer of each tracer family of local diagnostics (figures not in the catalogue,
# asked for as `local:<category>`): a function (con, feed, metric, area, period end,
# breakdown, lineage) returning the Trace.
LOCAL_TRACERS: dict[str, Callable[..., Trace]] = {
    "street_level": trace_local_figure,
}


def trace_local(con, metric_id: str, area: str, period: date, breakdown: str, manifest: Path):
    """A local diagnostic, traced by the tracer of the one feed of a LOCAL_TRACERS family."""
    feeds = [f for f in registry.feeds().values() if f.tracer_family in LOCAL_TRACERS]
    if len(feeds) != 1:
        raise TraceError(
            f"the feed registry (ref_feeds.csv) has {len(feeds)} feeds of a local tracer "
            f"family ({', '.join(LOCAL_TRACERS)}); a local figure needs exactly one"
        )
    feed = feeds[0]
    lineage = manifest_lineage(manifest, feed.feed, "fct_local_crime")
    trace = LOCAL_TRACERS[feed.tracer_family](
        con, feed, metric_id, area, period, breakdown, [u.split(".", 2)[-1] for u in lineage]
    )
    if not trace.lineage:
        trace.notes.append(f"no dbt manifest at {manifest}: the model chain is not printed")
    return trace


def trace_figure(
    con, metric_id: str, area: str, period: date, breakdown: str, manifest: Path
) -> Trace:
    if is_local(metric_id):
        return trace_local(con, metric_id, area, period, breakdown, manifest)
    metric = records(con, "select * from marts.dim_metric where metric_id = ?", [metric_id])
    if not metric:
        known = [
            r["metric_id"]
            for r in records(con, "select metric_id from marts.dim_metric order by 1")
        ]
        raise TraceError(f"unknown metric {metric_id!r}; the catalogue has {', '.join(known)}")
    metric = metric[0]
    source_feed, fact = metric["source_feed"], metric["fact_model"]
    feeds = registry.feeds()
    feed = feeds.get(source_feed)
    if feed is None or feed.tracer_family not in TRACERS:
        supported = sorted(name for name, f in feeds.items() if f.tracer_family in TRACERS)
        raise TraceError(
            f"{metric_id} comes from the source feed {source_feed!r}, which has no tracer yet. "
            f"Supported feeds: {', '.join(supported)}. "
            "Give it a tracer_family in seeds/reference/ref_feeds.csv that has a tracer in "
            "TRACERS (ncpm/trace/service.py)."
        )
    tables = {
        r["table_name"] for r in records(con, "select table_name from information_schema.tables")
    }
    if fact not in tables:
        raise TraceError(f"the fact {fact} of {metric_id} is not built in this warehouse")
    figure = records(
        con,
        f"select * from marts.{fact} where metric_id = ? and area_code = ? "
        "and period_end_date = ? and breakdown = ?",
        [metric_id, area, period, breakdown],
    )
    if not figure:
        raise TraceError(
            f"{fact} has no figure for {metric_id}, area {area}, period ending {period}, "
            f"breakdown {breakdown!r}"
        )
    trace = Trace(metric=metric, figure=figure[0])
    trace.lineage = [uid.split(".", 2)[-1] for uid in manifest_lineage(manifest, source_feed, fact)]
    if not trace.lineage:
        trace.notes.append(f"no dbt manifest at {manifest}: the model chain is not printed")
    TRACERS[feed.tracer_family](con, trace, feed)
    add_baseline(con, trace)
    return trace


def trace_in_warehouse(
    metric_id: str,
    area: str,
    period: str,
    breakdown: str = "all",
    database: Path | None = None,
    manifest: Path | None = None,
) -> Trace:
    """Trace one figure in the built warehouse ``database`` (default: the settings' file).

    Raises TraceError when the figure cannot be traced (no warehouse, unknown metric, ...).
    """
    import duckdb

    config = settings.get()
    path = database or config.duckdb_path
    if not path.exists():
        raise TraceError(f"no warehouse at {path}; run `make build` first")
    try:
        period_end = parse_period_end(period)
    except PeriodError as error:
        raise TraceError(str(error)) from error
    os.chdir(config.root)  # staging views read the landed files by paths relative to the project
    con = duckdb.connect(str(path), read_only=True)
    try:
        return trace_figure(
            con,
            metric_id,
            area,
            period_end,
            breakdown,
            manifest or config.target_dir / "manifest.json",
        )
    finally:
        con.close()
