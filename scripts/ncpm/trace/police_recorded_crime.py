"""The police recorded crime tracer: raw rows -> staging -> metric rows -> area quarters ->
rolling 12 months -> fact. The models are the feed's in the registry (ref_feeds)."""

from __future__ import annotations

from collections import defaultdict

from ncpm.registry import Feed
from ncpm.trace.model import Trace, TraceError, num, records, sum_values
from ncpm.trace.raw_files import read_raw_rows, resolve_raw_file

# The landed file's column holding each row's count as published.
PUBLISHED_COLUMN = "Number of Offences"


def trace_police_recorded_crime(con, trace: Trace, feed: Feed) -> None:
    """Raw rows -> staging -> metric rows -> area quarters -> rolling 12 months -> fact."""
    (rolling_model,) = feed.period_models
    quarterly_model, metric_rows_model = feed.quarterly_model, feed.metric_rows_model
    staging_model = feed.staging_models[0]
    fig = trace.figure
    metric_id, area, breakdown = fig["metric_id"], fig["area_code"], fig["breakdown"]
    period = fig["period_end_date"]
    key = [metric_id, breakdown]

    # Step: the rolling year (int_police_recorded_crime__rolling_12_months).
    rolling = records(
        con,
        f"select * from intermediate.{rolling_model} "
        "where metric_id = ? and breakdown = ? and area_code = ? and period_end_date = ?",
        [*key, area, period],
    )
    if not rolling:
        raise TraceError(f"no rolling 12-month row for {metric_id} {area} {period}")
    quarters = records(
        con,
        "select quarter_end_date, quarter_value, is_data_gap "
        f"from intermediate.{quarterly_model} "
        "where metric_id = ? and breakdown = ? and area_code = ? and quarter_end_date <= ? "
        "order by quarter_end_date desc limit 4",
        [*key, area, period],
    )
    quarters.reverse()
    quarter_ends = [q["quarter_end_date"] for q in quarters]

    # Which PFAs and reporting bodies make up the area (itself, a region's PFAs, or all).
    level = fig["area_level"]
    if level == "national":
        leaf_filter, leaf_params = "area_level in ('pfa', 'reporting_body')", []
    elif level == "region":
        leaf_filter, leaf_params = "area_level = 'pfa' and parent_area_code = ?", [area]
    else:
        leaf_filter, leaf_params = "area_code = ?", [area]
    # Reporting bodies are parts only of the metrics they record (those with quarterly rows).
    leaves = records(
        con,
        f"select area_code, area_name, area_level from marts.dim_area where {leaf_filter} "
        "and area_code in (select area_code "
        f"from intermediate.{quarterly_model} "
        "where metric_id = ? and breakdown = ?) order by sort_order, area_code",
        [*leaf_params, *key],
    )
    leaf_codes = [leaf["area_code"] for leaf in leaves]
    names = {leaf["area_code"]: leaf["area_name"] for leaf in leaves}

    # Raw rows: the metric rows of the leaves in the four quarters, with their staging row.
    placeholders = ", ".join("?" for _ in leaf_codes)
    quarter_placeholders = ", ".join("?" for _ in quarter_ends)
    rows = records(
        con,
        f"""
        select
            metric_rows.source_file, metric_rows.source_row_number, metric_rows.area_code,
            metric_rows.quarter_end_date, metric_rows.offence_count,
            stg.force_name, stg.financial_year, stg.financial_quarter, stg.offence_code,
            stg.offence_description, stg.offence_group, stg.offence_subgroup
        from intermediate.{metric_rows_model} as metric_rows
        inner join staging.{staging_model} as stg
            on metric_rows.source_file = stg.source_file
            and metric_rows.source_row_number = stg.source_row_number
        where metric_rows.metric_id = ? and metric_rows.breakdown = ?
            and metric_rows.area_code in ({placeholders})
            and metric_rows.quarter_end_date in ({quarter_placeholders})
        order by metric_rows.quarter_end_date, metric_rows.area_code,
            metric_rows.source_file, metric_rows.source_row_number
        """,
        [*key, *leaf_codes, *quarter_ends],
    )
    by_file: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        by_file[row["source_file"]].add(row["source_row_number"])
    published_text: dict[tuple[str, int], str | None] = {}
    for source_file, numbers in sorted(by_file.items()):
        path = resolve_raw_file(source_file)
        trace.raw_files.append(source_file)
        if not path.exists():
            trace.notes.append(f"raw file {source_file} is no longer in place (archived?)")
            continue
        for number, raw in read_raw_rows(path, numbers).items():
            published_text[(source_file, number)] = raw.get(PUBLISHED_COLUMN)
    for row in rows:
        trace.raw_rows.append(
            {
                "source_file": row["source_file"],
                "source_row_number": row["source_row_number"],
                "area_code": row["area_code"],
                "quarter_end_date": row["quarter_end_date"],
                "published_text": published_text.get(
                    (row["source_file"], row["source_row_number"])
                ),
                "value": row["offence_count"],
                "staging": {
                    k: row[k]
                    for k in (
                        "force_name",
                        "financial_year",
                        "financial_quarter",
                        "offence_code",
                        "offence_description",
                        "offence_group",
                        "offence_subgroup",
                    )
                },
            }
        )

    # Step: each leaf's quarterly count (int_..._area_quarter) = the sum of its raw rows.
    leaf_quarters = records(
        con,
        "select area_code, quarter_end_date, quarter_value "
        f"from intermediate.{quarterly_model} "
        f"where metric_id = ? and breakdown = ? and area_code in ({placeholders}) "
        f"and quarter_end_date in ({quarter_placeholders})",
        [*key, *leaf_codes, *quarter_ends],
    )
    raw_sums: dict[tuple[str, str], list] = defaultdict(list)
    for row in trace.raw_rows:
        raw_sums[(row["area_code"], row["quarter_end_date"])].append(row["value"])
    leaf_step = []
    for lq in sorted(
        leaf_quarters, key=lambda r: (r["quarter_end_date"], leaf_codes.index(r["area_code"]))
    ):
        cell = (lq["area_code"], lq["quarter_end_date"])
        # A leaf that reported no such offences has 0 and no rows; one with no return is null.
        computed = (
            sum_values(raw_sums[cell])
            if raw_sums[cell]
            else (0.0 if lq["quarter_value"] is not None else None)
        )
        ok = trace.check(f"raw rows -> {cell[0]} quarter {cell[1]}", computed, lq["quarter_value"])
        leaf_step.append(
            {
                "area_code": cell[0],
                "area_name": names.get(cell[0]),
                "quarter_end_date": cell[1],
                "raw_row_count": len(raw_sums[cell]),
                "sum_of_raw_rows": num(computed),
                "quarter_value": lq["quarter_value"],
                "ok": ok,
            }
        )
    trace.steps.append(
        {
            "model": quarterly_model,
            "what": "quarterly count of each PFA / reporting body = sum of its raw rows "
            f"({metric_rows_model})",
            "rows": leaf_step,
        }
    )

    # Step: a region's or England and Wales's quarters = the sum of its parts.
    parent_step = []
    for q in quarters if level not in ("pfa", "reporting_body") else []:
        parts = [
            r["quarter_value"] for r in leaf_step if r["quarter_end_date"] == q["quarter_end_date"]
        ]
        computed = sum_values(parts) if len(parts) == len(leaf_codes) else None
        ok = trace.check(
            f"parts -> {area} quarter {q['quarter_end_date']}", computed, q["quarter_value"]
        )
        parent_step.append(
            {
                "quarter_end_date": q["quarter_end_date"],
                "parts": len(parts),
                "sum_of_parts": num(computed),
                "quarter_value": q["quarter_value"],
                "ok": ok,
            }
        )
    if parent_step:
        trace.steps.append(
            {
                "model": quarterly_model,
                "what": f"quarterly count of {area} ({level}) = sum of its {len(leaf_codes)} parts",
                "rows": parent_step,
            }
        )

    # Step: rolling 12 months = the four quarters, only when all four exist.
    quarter_values = [q["quarter_value"] for q in quarters]
    computed = sum_values(quarter_values) if len(quarter_values) == 4 else None
    ok = trace.check(
        f"four quarters -> rolling year ending {period}", computed, rolling[0]["value"]
    )
    trace.steps.append(
        {
            "model": rolling_model,
            "what": "rolling 12 months = sum of the four quarters ending at the period end "
            "(null unless all four exist)",
            "rows": [
                {
                    "period_end_date": period,
                    "quarters": quarter_ends,
                    "quarter_values": quarter_values,
                    "sum_of_quarters": num(computed),
                    "value": rolling[0]["value"],
                    "missing_quarters": rolling[0]["missing_quarters"],
                    "ok": ok,
                }
            ],
        }
    )
    # A rolling year with a missing quarter is published as null, never as a partial sum.
    raw_total = None if computed is None else sum_values(r["value"] for r in trace.raw_rows)
    trace.check("raw rows -> published value", raw_total, fig["value"])
