"""Rendering a trace as text (the JSON document is Trace.as_json)."""

from __future__ import annotations

import sys
from typing import Any

from ncpm.trace.model import Trace, fmt, mark


def raw_row_line(row: dict[str, Any]) -> str:
    """One raw row: where it is, what staging made of it, the text as published -> its value."""
    if "line" in row:  # survey rows: counts and row ranges only
        return row["line"]
    s = row["staging"]
    if "offence_code" in s:  # police recorded crime
        described = (
            f"{s['force_name']} | {s['financial_year']} Q{s['financial_quarter']} | "
            f"{s['offence_code']} {s['offence_subgroup']}"
        )
    else:
        described = " | ".join(
            str(v) for k, v in s.items() if v is not None and k != "source_column_header"
        )
    counted = "" if row.get("contributes", True) else "  (not counted: its area is left out)"
    return (
        f"row {row['source_row_number']}: {described} | {row['published_text']!r} -> "
        f"{fmt(row['value'])}{counted}"
    )


def step_row_line(r: dict[str, Any]) -> str:
    if "line" in r:
        return r["line"]
    if "sum_of_raw_rows" in r:
        return (
            f"{r['quarter_end_date']} {r['area_code']} {r['area_name'] or ''}: "
            f"{r['raw_row_count']} raw rows sum to {fmt(r['sum_of_raw_rows'])}; "
            f"model {fmt(r['quarter_value'])}  {mark(r['ok'])}"
        )
    if "sum_of_parts" in r:
        return (
            f"{r['quarter_end_date']}: {r['parts']} part(s) sum to {fmt(r['sum_of_parts'])}; "
            f"model {fmt(r['quarter_value'])}  {mark(r['ok'])}"
        )
    terms = " + ".join(fmt(v) for v in r["quarter_values"])
    return (
        f"YE {r['period_end_date']}: {terms} = {fmt(r['sum_of_quarters'])} "
        f"(quarters {', '.join(r['quarters'])}); model {fmt(r['value'])}  {mark(r['ok'])}"
    )


def print_local_trace(trace: Trace, out=sys.stdout) -> None:
    """A local diagnostic (ncpm.trace.street_level): rows by file, months, year, baseline."""
    fig, metric = trace.figure, trace.metric

    def p(*parts: str) -> None:
        print(*parts, file=out)

    def rows_by_file(rows: list[dict[str, Any]]) -> None:
        current = None
        for row in rows:
            if row["landed_file"] != current:
                current = row["landed_file"]
                p(f"   landed file {current} (from police.uk file {row['source_file']})")
            p(f"     {row['line']}")

    p(f"{metric['metric_id']}: {metric['metric_name']} ({metric['unit']})")
    p(f"   {metric['figure_status']}")
    p(
        f"Figure: {fig['area_code']} {fig['area_name'] or ''} ({fig['area_level']}), "
        f"{fig['period_type']} ending {fig['period_end_date']}, breakdown {fig['breakdown']!r}: "
        f"value = {fmt(fig['value'])}  [marts.{metric['fact_model']}]"
    )
    if trace.lineage:
        p("\nModel chain (dbt manifest): " + " -> ".join(trace.lineage))
    total = sum(r["value"] for r in trace.raw_rows)
    p(
        f"\n1. Landed rows counted (source_file, source_row ranges), by month: {total:,} rows "
        f"in {len(trace.raw_files)} landed file(s)"
    )
    rows_by_file(trace.raw_rows)
    for n, step in enumerate(trace.steps, start=2):
        p(f"\n{n}. {step['model']}: {step['what']}")
        for r in step["rows"]:
            p(f"   {r['line']}")
    b = trace.baseline
    p(
        f"\n{len(trace.steps) + 2}. Baseline {b['baseline_label']} (period ending "
        f"{b['baseline_period_end_date']}): {fmt(b['baseline_value'])} from the landed rows, "
        f"mart {fmt(fig['baseline_value'])}"
    )
    rows_by_file(b["raw_rows"])
    for r in b["months"]:
        p(f"   {r['line']}")
    p(
        "   change    = value - baseline = "
        + (b["change_arithmetic"] or "null (no value or no baseline)")
    )
    p(
        "   % change  = 100 x change / baseline = "
        + (b["pct_change_arithmetic"] or "null (baseline 0 or missing)")
    )
    p(f"   rate per 1,000 = {b['rate_arithmetic'] or 'null'}")
    for note in trace.notes[1:]:
        p(f"Note: {note}")
    failed = [c["check"] for c in trace.checks if not c["ok"]]
    p(
        f"Reconciles: {'yes' if not failed else 'NO'} ({len(trace.checks)} checks"
        + (f"; failed: {', '.join(failed)})" if failed else ")")
    )


def print_trace(trace: Trace, out=sys.stdout) -> None:
    fig, metric = trace.figure, trace.metric

    def p(*parts: str) -> None:
        print(*parts, file=out)

    if metric.get("local"):
        print_local_trace(trace, out)
        return

    p(f"{metric['metric_id']} {metric['metric_name']} ({metric['unit']})")
    p(
        f"Figure: {fig['area_code']} ({fig['area_level']}), {fig['period_type']} ending "
        f"{fig['period_end_date']}, breakdown {fig['breakdown']!r}: value = {fmt(fig['value'])}"
        f"  [marts.{metric['fact_model']}]"
    )
    if trace.lineage:
        p("\nModel chain (dbt manifest): " + " -> ".join(trace.lineage))
    survey = bool(trace.recomputed)
    p(
        (
            "\n1. Raw rows (file, data row numbers by quarter; survey rows are personal data, "
            "so counts only): "
            if survey
            else "\n1. Raw rows (file, data row number, staging fields, text as published -> "
            "value): "
        )
        + f"{len(trace.raw_rows)} {'groups' if survey else 'rows'} in "
        f"{', '.join(trace.raw_files) or 'no file'}"
    )
    current_file = None
    for row in trace.raw_rows:
        if row["source_file"] != current_file:
            current_file = row["source_file"]
            p(f"   file {current_file}")
        p(f"     {raw_row_line(row)}")
    for n, step in enumerate(trace.steps, start=2):
        p(f"\n{n}. {step['model']}: {step['what']}")
        for r in step["rows"]:
            p(f"   {step_row_line(r)}")
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
    if survey:
        r = trace.recomputed
        p(
            f"\nRecomputed from the weighted sums: value {fmt(r['value'])}, SE "
            f"{fmt(r['standard_error'])}, 95% CI {r['ci_arithmetic'] or 'null'}; published "
            f"value {fmt(fig['value'])}, CI {fmt(fig['ci_lower'])} .. {fmt(fig['ci_upper'])}."
        )
    else:
        counted = [r for r in trace.raw_rows if r.get("contributes", True)]
        p(
            f"\nRaw contributions: {len(counted)} rows sum to "
            f"{fmt(trace.raw_contributions_total)}; published value {fmt(fig['value'])}."
        )
    for note in trace.notes:
        p(f"Note: {note}")
    failed = [c["check"] for c in trace.checks if not c["ok"]]
    p(
        f"Reconciles: {'yes' if not failed else 'NO'} ({len(trace.checks)} checks"
        + (f"; failed: {', '.join(failed)})" if failed else ")")
    )
