#!/usr/bin/env python3
"""Trace one published figure back to the raw rows it was computed from.

    scripts/trace --metric M1.1 --area E23000001 --period 2019-06 [--breakdown all] [--json]
    make trace METRIC=M1.1 AREA=E23000001 PERIOD=2019-06 [JSON=1]

For the figure (metric, area, period end, breakdown) of its measure fact, prints the
chain from raw to figure, reading the built warehouse (NCPM_DUCKDB_PATH, default
warehouse/ncpm.duckdb) and the landed raw files:

* the model chain from the metric's raw source to its fact (from the dbt manifest,
  target/manifest.json, when it exists);
* the raw file(s) and data row numbers that contribute, with the text as published
  and the number staging parsed from it;
* each aggregation step with its intermediate values (per quarter; for regions and
  England and Wales, the parts), checked against the model that holds it;
* the baseline and the arithmetic of change, % change and rate per 1,000.

The raw contributions printed add up to the published value; every step says whether
it reconciles, and the script exits 1 when one does not.

PERIOD is YYYY-MM (the last day of that month, i.e. the quarter or year end) or
YYYY-MM-DD. Metrics are traced by the tracer registered for their source feed
(TRACERS below). Supported source feeds: police_recorded_crime (M1.1, M4.2). Other
feeds (e.g. the victim survey: weighted sums, effective sample size, SE and CI) need
a tracer of their own; the script says so instead of guessing.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import json
import os
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TOLERANCE = 1e-6


class TraceError(Exception):
    """A figure that cannot be traced (unknown metric, no such figure, unsupported feed)."""


@dataclass
class Trace:
    """Everything printed, also the --json document."""

    metric: dict[str, Any]
    figure: dict[str, Any]
    lineage: list[str] = field(default_factory=list)
    raw_files: list[str] = field(default_factory=list)
    raw_rows: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    baseline: dict[str, Any] = field(default_factory=dict)
    checks: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def check(self, name: str, computed: float | None, published: float | None) -> bool:
        ok = (computed is None and published is None) or (
            computed is not None
            and published is not None
            and abs(float(computed) - float(published)) <= TOLERANCE
        )
        self.checks.append(
            {"check": name, "computed": num(computed), "published": num(published), "ok": ok}
        )
        return ok

    @property
    def reconciles(self) -> bool:
        return all(c["ok"] for c in self.checks)

    def as_json(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "figure": self.figure,
            "lineage": self.lineage,
            "raw_files": self.raw_files,
            "raw_rows": self.raw_rows,
            "raw_contributions_total": num(sum_values(r["value"] for r in self.raw_rows)),
            "steps": self.steps,
            "baseline": self.baseline,
            "checks": self.checks,
            "reconciles": self.reconciles,
            "notes": self.notes,
        }


def num(value: Any) -> Any:
    """Numbers as JSON numbers (integers when whole), dates as ISO text."""
    if value is None:
        return None
    if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
        f = float(value)
        return int(f) if f.is_integer() else f
    if isinstance(value, date):
        return value.isoformat()
    return value


def sum_values(values) -> float | None:
    values = list(values)
    return None if any(v is None for v in values) else float(sum(Decimal(str(v)) for v in values))


def records(con, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params or [])
    columns = [d[0] for d in cursor.description]
    return [{c: num(v) for c, v in zip(columns, row, strict=True)} for row in cursor.fetchall()]


def parse_period(text: str) -> date:
    """`2019-06` -> 2019-06-30 (the last day of the month); `2019-06-30` as is."""
    parts = text.strip().split("-")
    try:
        if len(parts) == 2:
            year, month = int(parts[0]), int(parts[1])
            return date(year, month, calendar.monthrange(year, month)[1])
        if len(parts) == 3:
            return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        pass
    raise TraceError(f"period {text!r} is not YYYY-MM or YYYY-MM-DD")


# --------------------------------------------------------------------------- lineage


def manifest_lineage(manifest_path: Path, source_feed: str, fact_model: str) -> list[str]:
    """Nodes on every path from the feed's source to the fact, parents first (dbt manifest)."""
    if not manifest_path.exists():
        return []
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    project = manifest["metadata"].get("project_name", "ncpm")
    sources = [
        uid
        for uid, s in manifest["sources"].items()
        if s["source_name"] == source_feed or s["name"] == source_feed
    ]
    fact = f"model.{project}.{fact_model}"
    if not sources or fact not in manifest["nodes"]:
        return []
    parents, children = manifest["parent_map"], manifest["child_map"]

    def reach(start: list[str], edges: dict[str, list[str]]) -> set[str]:
        seen, stack = set(start), list(start)
        while stack:
            for nxt in edges.get(stack.pop(), []):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    on_path = reach(sources, children) & reach([fact], parents)
    order: list[str] = []
    while len(order) < len(on_path):  # topological order: parents first
        for uid in sorted(on_path - set(order)):
            if all(p in order or p not in on_path for p in parents.get(uid, [])):
                order.append(uid)
    return order


# ------------------------------------------------------------------- tracers by feed


def read_raw_rows(path: Path, row_numbers: set[int]) -> dict[int, dict[str, str]]:
    """The given data rows (1 = first row after the header) of a landed CSV file, as published."""
    found: dict[int, dict[str, str]] = {}
    with path.open(newline="", encoding="utf-8-sig") as f:
        for number, row in enumerate(csv.DictReader(f), start=1):
            if number in row_numbers:
                found[number] = row
                if len(found) == len(row_numbers):
                    break
    return found


def resolve_raw_file(source_file: str) -> Path:
    path = Path(source_file)
    return path if path.is_absolute() else ROOT / path


def trace_police_recorded_crime(con, trace: Trace) -> None:
    """Raw rows -> staging -> metric rows -> area quarters -> rolling 12 months -> fact."""
    fig = trace.figure
    metric_id, area, breakdown = fig["metric_id"], fig["area_code"], fig["breakdown"]
    period = fig["period_end_date"]
    key = [metric_id, breakdown]

    # Step: the rolling year (int_police_recorded_crime__rolling_12_months).
    rolling = records(
        con,
        "select * from intermediate.int_police_recorded_crime__rolling_12_months "
        "where metric_id = ? and breakdown = ? and area_code = ? and period_end_date = ?",
        [*key, area, period],
    )
    if not rolling:
        raise TraceError(f"no rolling 12-month row for {metric_id} {area} {period}")
    quarters = records(
        con,
        "select quarter_end_date, quarter_value, is_data_gap "
        "from intermediate.int_police_recorded_crime__area_quarter "
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
        "from intermediate.int_police_recorded_crime__area_quarter "
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
        from intermediate.int_police_recorded_crime__metric_rows as metric_rows
        inner join staging.stg_police_recorded_crime__offences as stg
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
            published_text[(source_file, number)] = raw.get("Number of Offences")
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
        "from intermediate.int_police_recorded_crime__area_quarter "
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
            "model": "int_police_recorded_crime__area_quarter",
            "what": "quarterly count of each PFA / reporting body = sum of its raw rows "
            "(int_police_recorded_crime__metric_rows)",
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
                "model": "int_police_recorded_crime__area_quarter",
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
            "model": "int_police_recorded_crime__rolling_12_months",
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


def survey_estimate_from_sums(
    sum_weight: float,
    sum_weight_squared: float,
    sum_weighted_value: float,
    sum_weighted_value_squared: float,
    kind: str,
    design_factor: float = 1.2,
    population: float | None = None,
) -> dict[str, float | None]:
    """The survey arithmetic of MEASURES.md section 6, from the weighted sums of a period.

    For the survey tracer (victim survey metrics, to be registered in TRACERS when those
    facts are built): it prints these sums and recomputes the estimate from them.
    `kind` is `proportion` (x = 1 when satisfied, 0 otherwise: value in percent) or
    `rate` (x = incidents per respondent: value per 1,000, and estimated incidents when
    `population` is given).
    """
    n_eff = sum_weight**2 / sum_weight_squared if sum_weight_squared else None
    mean = sum_weighted_value / sum_weight if sum_weight else None
    out: dict[str, float | None] = {"n_eff": n_eff, "weighted_mean": mean}
    if n_eff is None or mean is None:
        return {**out, "estimate": None, "standard_error": None, "ci_lower": None, "ci_upper": None}
    if kind == "proportion":
        estimate = 100.0 * mean
        standard_error = 100.0 * design_factor * (mean * (1.0 - mean) / n_eff) ** 0.5
    elif kind == "rate":
        variance = max(sum_weighted_value_squared / sum_weight - mean * mean, 0.0)
        out["weighted_sd"] = variance**0.5
        estimate = 1000.0 * mean
        standard_error = 1000.0 * design_factor * variance**0.5 / n_eff**0.5
        if population is not None:
            out["estimated_incidents"] = estimate * population / 1000.0
            out["estimated_incidents_standard_error"] = standard_error * population / 1000.0
    else:
        raise ValueError(f"kind must be 'proportion' or 'rate', not {kind!r}")
    return {
        **out,
        "estimate": estimate,
        "standard_error": standard_error,
        "ci_lower": estimate - 1.96 * standard_error,
        "ci_upper": estimate + 1.96 * standard_error,
    }


# The tracer of each source feed (dim_metric.source_feed). Register new feeds here: a
# function (con, trace) that fills trace.raw_rows (each with a "value" that adds up to
# the figure for counts), trace.steps and trace.check(...) for every step. The victim
# survey tracer is to print the weighted sums and recompute the estimate with
# survey_estimate_from_sums.
TRACERS: dict[str, Callable[[Any, Trace], None]] = {
    "police_recorded_crime": trace_police_recorded_crime,
}


# ------------------------------------------------------------------------ the figure


def trace_figure(
    con, metric_id: str, area: str, period: date, breakdown: str, manifest: Path
) -> Trace:
    metric = records(con, "select * from marts.dim_metric where metric_id = ?", [metric_id])
    if not metric:
        known = [
            r["metric_id"]
            for r in records(con, "select metric_id from marts.dim_metric order by 1")
        ]
        raise TraceError(f"unknown metric {metric_id!r}; the catalogue has {', '.join(known)}")
    metric = metric[0]
    feed, fact = metric["source_feed"], metric["fact_model"]
    if feed not in TRACERS:
        raise TraceError(
            f"{metric_id} comes from the source feed {feed!r}, which has no tracer yet. "
            f"Supported feeds: {', '.join(sorted(TRACERS))}. "
            "Register one in TRACERS (scripts/trace.py)."
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
    trace.lineage = [uid.split(".", 2)[-1] for uid in manifest_lineage(manifest, feed, fact)]
    if not trace.lineage:
        trace.notes.append(f"no dbt manifest at {manifest}: the model chain is not printed")
    TRACERS[feed](con, trace)
    add_baseline(con, trace)
    return trace


def population_year(period_end: date) -> int:
    """The mid-year estimate used for a period: the year six months before its end."""
    return period_end.year if period_end.month > 6 else period_end.year - 1


def add_baseline(con, trace: Trace) -> None:
    """Baseline, change, % change, rate per 1,000 and direction of travel, with their arithmetic."""
    fig, metric = trace.figure, trace.metric
    base = records(
        con,
        f"select value from marts.{metric['fact_model']} where metric_id = ? and area_code = ? "
        "and breakdown = ? and period_type = ? and period_end_date = ?",
        [
            fig["metric_id"],
            fig["area_code"],
            fig["breakdown"],
            metric["baseline_period_type"],
            metric["baseline_period_end_date"],
        ],
    )
    baseline = base[0]["value"] if base else None
    value = fig["value"]
    change = None if value is None or baseline is None else value - baseline
    pct = None if change is None or not baseline else 100.0 * change / baseline
    population = records(
        con,
        "select population_year, population from intermediate.int_area_population "
        "where area_code = ? and population_year = ?",
        [fig["area_code"], population_year(date.fromisoformat(fig["period_end_date"]))],
    )
    trace.baseline = {
        "baseline_label": metric["baseline_label"],
        "baseline_period_end_date": metric["baseline_period_end_date"],
        "baseline_value": baseline,
        "change_from_baseline": num(change),
        "change_arithmetic": None
        if change is None
        else f"{num(value)} - {num(baseline)} = {num(change)}",
        "pct_change_from_baseline": num(pct),
        "pct_change_arithmetic": None
        if pct is None
        else f"100 x {num(change)} / {num(baseline)} = {pct:.4f}",
        "rate_per_1000": fig["rate_per_1000"],
        "rate_arithmetic": None
        if fig["rate_per_1000"] is None or not population
        else f"1000 x {num(value)} / {population[0]['population']} "
        f"(mid-{population[0]['population_year']} population) = {fig['rate_per_1000']:.4f}",
        "desired_direction": metric["desired_direction"],
        "direction_of_travel": fig["direction_of_travel"],
    }
    trace.check("fact baseline_value", baseline, fig["baseline_value"])
    trace.check("fact change_from_baseline", change, fig["change_from_baseline"])
    trace.check("fact pct_change_from_baseline", pct, fig["pct_change_from_baseline"])


# ------------------------------------------------------------------------- printing


def fmt(value: Any) -> str:
    if value is None:
        return "null"
    value = num(value)
    return (
        f"{value:,}"
        if isinstance(value, int)
        else (f"{value:,.4f}" if isinstance(value, float) else str(value))
    )


def mark(ok: bool) -> str:
    return "ok" if ok else "DOES NOT RECONCILE"


def print_trace(trace: Trace, out=sys.stdout) -> None:
    fig, metric = trace.figure, trace.metric

    def p(*parts: str) -> None:
        print(*parts, file=out)

    p(f"{metric['metric_id']} {metric['metric_name']} ({metric['unit']})")
    p(
        f"Figure: {fig['area_code']} ({fig['area_level']}), {fig['period_type']} ending "
        f"{fig['period_end_date']}, breakdown {fig['breakdown']!r}: value = {fmt(fig['value'])}"
        f"  [marts.{metric['fact_model']}]"
    )
    if trace.lineage:
        p("\nModel chain (dbt manifest): " + " -> ".join(trace.lineage))
    p(
        "\n1. Raw rows (file, data row number, 'Number of Offences' as published -> "
        "staging count): "
        f"{len(trace.raw_rows)} rows in {', '.join(trace.raw_files) or 'no file'}"
    )
    current_file = None
    for row in trace.raw_rows:
        if row["source_file"] != current_file:
            current_file = row["source_file"]
            p(f"   file {current_file}")
        s = row["staging"]
        p(
            f"     row {row['source_row_number']}: {s['force_name']} | {s['financial_year']} "
            f"Q{s['financial_quarter']} | {s['offence_code']} {s['offence_subgroup']} | "
            f"{row['published_text']!r} -> {fmt(row['value'])}"
        )
    for n, step in enumerate(trace.steps, start=2):
        p(f"\n{n}. {step['model']}: {step['what']}")
        for r in step["rows"]:
            if "sum_of_raw_rows" in r:
                p(
                    f"   {r['quarter_end_date']} {r['area_code']} {r['area_name'] or ''}: "
                    f"{r['raw_row_count']} raw rows sum to {fmt(r['sum_of_raw_rows'])}; "
                    f"model {fmt(r['quarter_value'])}  {mark(r['ok'])}"
                )
            elif "sum_of_parts" in r:
                p(
                    f"   {r['quarter_end_date']}: {r['parts']} part(s) sum to "
                    f"{fmt(r['sum_of_parts'])}; "
                    f"model {fmt(r['quarter_value'])}  {mark(r['ok'])}"
                )
            else:
                terms = " + ".join(fmt(v) for v in r["quarter_values"])
                p(
                    f"   YE {r['period_end_date']}: {terms} = {fmt(r['sum_of_quarters'])} "
                    f"(quarters {', '.join(r['quarters'])}); "
                    f"model {fmt(r['value'])}  {mark(r['ok'])}"
                )
    b = trace.baseline
    p(f"\n{len(trace.steps) + 2}. Baseline and change (marts.{metric['fact_model']})")
    p(
        f"   baseline {b['baseline_label']} (period ending {b['baseline_period_end_date']}): "
        f"{fmt(b['baseline_value'])}"
    )
    p(
        "   change    = value - baseline = "
        + (b["change_arithmetic"] or "null (no value or no baseline)")
    )
    p(
        "   % change  = 100 x change / baseline = "
        + (b["pct_change_arithmetic"] or "null (baseline 0 or missing)")
    )
    if b["rate_arithmetic"]:
        p(f"   rate per 1,000 = {b['rate_arithmetic']}")
    p(f"   direction of travel (desired {b['desired_direction']}): {b['direction_of_travel']}")
    total = sum_values(r["value"] for r in trace.raw_rows)
    p(
        f"\nRaw contributions: {len(trace.raw_rows)} rows sum to {fmt(total)}; "
        f"published value {fmt(fig['value'])}."
    )
    for note in trace.notes:
        p(f"Note: {note}")
    failed = [c["check"] for c in trace.checks if not c["ok"]]
    p(
        f"Reconciles: {'yes' if not failed else 'NO'} ({len(trace.checks)} checks"
        + (f"; failed: {', '.join(failed)})" if failed else ")")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/trace",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=f"Supported source feeds: {', '.join(sorted(TRACERS))}.",
    )
    parser.add_argument("--metric", required=True, help="metric id, e.g. M1.1")
    parser.add_argument("--area", required=True, help="area code, e.g. E23000001 or K04000001")
    parser.add_argument(
        "--period", required=True, help="period end: YYYY-MM (month end) or YYYY-MM-DD"
    )
    parser.add_argument(
        "--breakdown", default="all", help="breakdown (default 'all', the headline)"
    )
    parser.add_argument("--json", action="store_true", help="print the trace as JSON")
    parser.add_argument(
        "--duckdb",
        default=os.environ.get("NCPM_DUCKDB_PATH", "warehouse/ncpm.duckdb"),
        help="warehouse file (default $NCPM_DUCKDB_PATH or warehouse/ncpm.duckdb)",
    )
    parser.add_argument(
        "--manifest",
        default=str(ROOT / "target" / "manifest.json"),
        help="dbt manifest for the model chain (default target/manifest.json)",
    )
    args = parser.parse_args(argv)
    import duckdb

    path = Path(args.duckdb)
    path = path if path.is_absolute() else ROOT / path
    if not path.exists():
        print(f"error: no warehouse at {path}; run `make build` first", file=sys.stderr)
        return 2
    con = duckdb.connect(str(path), read_only=True)
    try:
        trace = trace_figure(
            con,
            args.metric,
            args.area,
            parse_period(args.period),
            args.breakdown,
            Path(args.manifest),
        )
    except TraceError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        con.close()
    if args.json:
        json.dump(trace.as_json(), sys.stdout, indent=2)
        print()
    else:
        print_trace(trace)
    return 0 if trace.reconciles else 1


if __name__ == "__main__":
    sys.exit(main())
