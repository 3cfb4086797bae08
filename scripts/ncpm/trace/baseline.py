"""The baseline of a figure and the arithmetic of change, % change and rate per 1,000."""

from __future__ import annotations

from datetime import date

from ncpm.trace.model import Trace, num, records


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
