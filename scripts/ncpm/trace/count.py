"""The generic count tracer: every count feed but police recorded crime (tracer family `count`).

Raw rows -> each part's quarters (or financial year) -> its rolling year -> region /
England and Wales. Which raw rows count in a series is decided in SQL only, by the feed's
metric rows model (ref_feeds.metric_rows_model): one row per raw row and series, with
metric_id, breakdown, area_code, the period, value, source_file, source_row_number, the
landed columns that show it as published (`published_columns`, `;`-separated) and the
staging fields that describe it (every further column). The tracer selects the series'
rows of the figure's parts from it; the feed's quarterly and period models hold the steps.
Whether the metric is published for one area only (its catalogue geographies hold no level
that is summed from parts: `national` alone, or `country` for England-only M2.1) or annual
comes from the catalogue.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from ncpm import registry
from ncpm.periods import quarter_ends_of_year
from ncpm.trace.model import Trace, TraceError, fmt, mark, num, records, sum_values
from ncpm.trace.raw_files import attach_published_text

# Columns every metric rows model has; any other column describes the row (printed).
METRIC_ROW_COLUMNS = {
    "metric_id",
    "breakdown",
    "area_code",
    "quarter_end_date",
    "period_end_date",
    "value",
    "source_file",
    "source_row_number",
    "published_columns",
}

# Area levels whose figures are parts of, or sums of, other areas' figures.
ROLLED_UP_LEVELS = {"region", "pfa", "reporting_body"}


def catalogue_metric(metric_id: str) -> registry.Metric:
    for metric in registry.catalogue():
        if metric.metric_id == metric_id:
            return metric
    raise TraceError(f"metric {metric_id} is not in the metric catalogue (ref_metric_catalogue)")


def trace_count_feed(con, trace: Trace, feed: registry.Feed) -> None:
    """Raw rows -> staging -> each part's quarters -> its year -> region / England and Wales."""
    fig = trace.figure
    metric_id, breakdown, area = fig["metric_id"], fig["breakdown"], fig["area_code"]
    period = date.fromisoformat(fig["period_end_date"])
    metric = catalogue_metric(metric_id)
    # Published for one area only: no region, PFA or reporting body, so nothing is rolled up.
    single_area = not set(metric.geographies) & ROLLED_UP_LEVELS
    annual = metric["period_type"] == "financial_year"
    if not feed.metric_rows_model or len(feed.period_models) != 1:
        raise TraceError(
            f"the feed {feed.feed} needs a metric rows model and one period model in "
            f"seeds/reference/{registry.FEEDS_FILE} to be traced as a count feed"
        )
    (period_model,) = feed.period_models
    quarterly_model = feed.quarterly_model
    key = [metric_id, breakdown, period]
    figure_row = records(
        con,
        f"select * from intermediate.{period_model} where metric_id = ? and breakdown = ? "
        "and period_end_date = ? and area_code = ?",
        [*key, area],
    )
    if not figure_row:
        raise TraceError(f"no row in {period_model} for {metric_id} {breakdown} {area} {period}")
    figure_row = figure_row[0]

    # The parts: the area itself (a PFA, a reporting body or the figure of a metric published
    # for one area only), a region's PFAs, or every PFA and reporting body for England and Wales.
    level = fig["area_level"]
    if single_area or level in ("pfa", "reporting_body"):
        part_filter, part_params = "y.area_code = ?", [area]
    elif level == "region":
        part_filter, part_params = "y.area_level = 'pfa' and a.parent_area_code = ?", [area]
    elif level == "country":
        part_filter, part_params = "y.area_level = 'pfa' and a.country_code = ?", [area]
    else:
        part_filter, part_params = "y.area_level in ('pfa', 'reporting_body')", []
    gap_column = "is_known_gap" if "is_known_gap" in figure_row else "false"
    parts = records(
        con,
        f"select y.area_code, a.area_name, y.area_level, y.value, {gap_column} as is_known_gap, "
        "y.quality_note "
        f"from intermediate.{period_model} as y inner join marts.dim_area as a "
        "on y.area_code = a.area_code "
        f"where y.metric_id = ? and y.breakdown = ? and y.period_end_date = ? and {part_filter} "
        "order by a.sort_order, y.area_code",
        [*key, *part_params],
    )
    part_codes = [p["area_code"] for p in parts]
    names = {p["area_code"]: p["area_name"] for p in parts}
    periods = [period] if annual else quarter_ends_of_year(period)
    period_column = "period_end_date" if annual else "quarter_end_date"

    # The series' rows of the parts in the periods, as the metric rows model selects them.
    part_placeholders = ", ".join("?" for _ in part_codes) or "null"
    period_placeholders = ", ".join("?" for _ in periods)
    cursor = con.execute(
        f"""
        select * from intermediate.{feed.metric_rows_model}
        where metric_id = ? and breakdown = ? and area_code in ({part_placeholders})
            and {period_column} in ({period_placeholders})
        order by {period_column}, area_code, source_file, source_row_number
        """,
        [metric_id, breakdown, *part_codes, *periods],
    )
    columns = [d[0] for d in cursor.description]
    describe = [c for c in columns if c not in METRIC_ROW_COLUMNS]
    rows = [
        {c: num(v) for c, v in zip(columns, values, strict=True)} for values in cursor.fetchall()
    ]
    included = {p["area_code"] for p in parts if p["value"] is not None}
    for row in rows:
        trace.raw_rows.append(
            {
                "source_file": row["source_file"],
                "source_row_number": row["source_row_number"],
                "area_code": row["area_code"],
                "quarter_end_date": row[period_column],
                "value": row["value"],
                "contributes": row["area_code"] in included,
                "staging": {c: row[c] for c in describe},
            }
        )
    attach_published_text(
        trace, trace.raw_rows, [tuple(row["published_columns"].split(";")) for row in rows]
    )

    # Step 1: each part's quarterly (or annual) value = the sum of its raw rows.
    raw_sums: dict[tuple[str, str], list] = defaultdict(list)
    for row in trace.raw_rows:
        raw_sums[(row["area_code"], row["quarter_end_date"])].append(row["value"])
    held: dict[tuple[str, str], Any] = {}
    if quarterly_model:
        for q in records(
            con,
            "select area_code, quarter_end_date, quarter_value "
            f"from intermediate.{quarterly_model} "
            f"where metric_id = ? and breakdown = ? and area_code in ({part_placeholders}) "
            f"and quarter_end_date in ({period_placeholders})",
            [metric_id, breakdown, *part_codes, *periods],
        ):
            held[(q["area_code"], q["quarter_end_date"])] = q["quarter_value"]
    elif annual:
        held = {(p["area_code"], period.isoformat()): p["value"] for p in parts}
    part_periods: dict[str, list] = defaultdict(list)
    step_rows = []
    for p_end in periods:
        for code in part_codes:
            cell = (code, p_end.isoformat())
            values = raw_sums[cell]
            model_value = held.get(cell) if (quarterly_model or annual) else None
            if values:
                computed = sum_values(values)
            elif quarterly_model or annual:
                # Returned none of the offences (0), or no return at all (null): as the model says.
                computed = 0.0 if model_value is not None else None
            else:
                computed = None  # no rows in a quarter of a national feed: a gap
            if not (quarterly_model or annual):
                model_value = computed
            ok = (
                trace.check(f"raw rows -> {code} {cell[1]}", computed, model_value)
                if (quarterly_model or annual)
                else True
            )
            part_periods[code].append(computed)
            step_rows.append(
                {
                    "area_code": code,
                    "area_name": names.get(code),
                    "quarter_end_date": cell[1],
                    "raw_row_count": len(values),
                    "sum_of_raw_rows": num(computed),
                    "quarter_value": num(model_value),
                    "ok": ok,
                    "line": f"{cell[1]} {code} {names.get(code) or ''}: {len(values)} raw rows "
                    f"sum to {fmt(computed)}"
                    + (
                        f"; model {fmt(model_value)}  {mark(ok)}"
                        if quarterly_model or annual
                        else ""
                    ),
                }
            )
    trace.steps.append(
        {
            "model": quarterly_model or (period_model if annual else feed.staging_models[0]),
            "what": (
                "each part's financial-year value = its row of the seizures table"
                if annual
                else "each part's quarterly value = the sum of its raw rows"
                + ("" if quarterly_model else " (summed in the rolling-year model)")
            ),
            "rows": step_rows,
        }
    )

    # Step 2: each part's rolling year = its four quarters, only when all four have a value.
    part_year = {code: values[0] for code, values in part_periods.items()}  # annual: its value
    if not annual:
        year_rows = []
        for part in parts:
            values = part_periods[part["area_code"]]
            computed = sum_values(values) if all(v is not None for v in values) else None
            part_year[part["area_code"]] = computed
            ok = trace.check(
                f"four quarters -> {part['area_code']} year ending {period}",
                computed,
                part["value"],
            )
            terms = " + ".join(fmt(v) for v in values)
            year_rows.append(
                {
                    "area_code": part["area_code"],
                    "period_end_date": period.isoformat(),
                    "quarters": [p.isoformat() for p in periods],
                    "quarter_values": [num(v) for v in values],
                    "sum_of_quarters": num(computed),
                    "value": part["value"],
                    "ok": ok,
                    "line": f"{part['area_code']} {part['area_name'] or ''}: "
                    f"YE {period}: {terms} = "
                    f"{fmt(computed)}; model {fmt(part['value'])}  {mark(ok)}"
                    + (f"  ({part['quality_note']})" if part["quality_note"] else ""),
                }
            )
        trace.steps.append(
            {
                "model": period_model,
                "what": "rolling 12 months of each part = the sum of its four quarters ending at "
                "the period end (null unless all four have a value)",
                "rows": year_rows,
            }
        )

    # Step 3: a region or England and Wales = the sum of its parts (accepted gaps left out).
    chain_value = part_year.get(area)
    if len(parts) > 1 or parts[0]["area_code"] != area:
        values = [part_year[p["area_code"]] for p in parts]
        unknown = [p["area_code"] for p in parts if p["value"] is None and not p["is_known_gap"]]
        excluded = [p["area_code"] for p in parts if p["value"] is None and p["is_known_gap"]]
        kept = [v for v in values if v is not None]
        computed = sum_values(kept) if kept and not unknown else None
        chain_value = computed
        ok = trace.check(f"parts -> {area} {period}", computed, figure_row["value"])
        trace.steps.append(
            {
                "model": period_model,
                "what": f"{area} ({level}) = the sum of its {len(parts)} parts (roll_up_areas: a "
                "part that is an accepted gap is left out and the figure flagged incomplete)",
                "rows": [
                    {
                        "period_end_date": period.isoformat(),
                        "parts": len(parts),
                        "parts_left_out": excluded,
                        "parts_without_data": unknown,
                        "sum_of_parts": num(computed),
                        "value": figure_row["value"],
                        "ok": ok,
                        "line": f"{len(kept)} of {len(parts)} parts sum to {fmt(computed)}"
                        + (f" (left out, accepted gaps: {', '.join(excluded)})" if excluded else "")
                        + (f" (no data: {', '.join(unknown)})" if unknown else "")
                        + f"; model {fmt(figure_row['value'])}  {mark(ok)}",
                    }
                ],
            }
        )
    trace.check(f"{period_model} -> fact value", figure_row["value"], fig["value"])
    # The raw rows of the parts in the figure add up to it (a part left out counts nothing).
    contributing = [r["value"] for r in trace.raw_rows if r["contributes"]]
    raw_total = None if chain_value is None else sum_values(contributing)
    trace.check("raw rows -> published value", raw_total, fig["value"])
