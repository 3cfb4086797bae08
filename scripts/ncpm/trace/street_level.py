"""Trace a local diagnostic (police.uk street-level data) to its landed rows.

    ncpm trace --metric local:neighbourhood_crime --area E22000180 --period 2019-06

A local figure is not a National Measure, so it is not in the metric catalogue: its
"metric" is ``local:<crime_category>`` of marts.fct_local_crime (burglary, robbery,
vehicle_crime, theft_from_the_person, neighbourhood_crime, all_crime,
anti_social_behaviour), and its feed is the registry's feed whose tracer_family is
``street_level`` (seeds/reference/ref_feeds.csv; ncpm.trace.service.LOCAL_TRACERS).
Areas: a district (LAD23), a community safety partnership (CSP23) or a police force area
(PFA23); for a force also the
deprivation breakdowns (``--breakdown 'imd decile 3'``). Regions and England and Wales
are sums of their forces' figures: trace each force.

Read from the landed Parquet files themselves (``$NCPM_RAW_DIR/street_level_crime/
month=YYYY-MM/<force_id>.parquet``, hive partitioned), for each of the 12 months of the
rolling year and of the baseline year (YE Jun 2019):

* the rows counted, by landed file: the police.uk file they came from (source_file) and
  their data row numbers (source_row) as ranges;
* the month's count, checked against the mart's month_value (a month with no file for the
  force is a data gap: no rows, and the mart must say is_month_data_gap, never a zero);
* the rolling year (the sum of the 12 months, or null when one is a gap), checked against
  value; for a force, located against unlocated crimes and the unlocated share;
* the baseline, change, % change and rate per 1,000 with their arithmetic.

The rows that count, as the models count them (int_street_level_crime__lsoa_month): a
category by the row's Crime type through ref_street_crime_types (ASB is never a crime);
a force counts every row of its own files, located or not; a district or partnership
counts located rows (an LSOA code) of England and Wales forces whose LSOA the geography
(int_street_level_crime__lsoa_geography) routes there.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from ncpm import registry, settings
from ncpm.trace.baseline import population_year
from ncpm.trace.model import Trace, TraceError, fmt, mark, num, records
from ncpm.trace.survey import project_vars

PREFIX = "local:"
FACT = "fct_local_crime"
LEVELS = ("district", "csp", "pfa")
SHOWN_RANGES = 12  # row ranges printed per file and month (--json lists them all)


def is_local(metric_id: str) -> bool:
    return metric_id.startswith(PREFIX)


def month_start(period_end: date, months_back: int) -> date:
    index = period_end.year * 12 + period_end.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def ranges(numbers: list[int]) -> list[list[int]]:
    """Sorted row numbers as [first, last] runs: [1, 2, 3, 7] -> [[1, 3], [7, 7]]."""
    runs: list[list[int]] = []
    for n in sorted(numbers):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return runs


def ranges_text(runs: list[list[int]], limit: int | None = None) -> str:
    shown = runs if limit is None else runs[:limit]
    text = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in shown)
    if limit is not None and len(runs) > limit:
        text += f", ... ({len(runs)} ranges in all: --json lists them)"
    return text


def category_rule(category: str) -> str:
    """SQL predicate on the classified rows (types.category_code, is_neighbourhood_crime)."""
    if category == "neighbourhood_crime":
        return "coalesce(types.is_neighbourhood_crime, false)"
    if category == "all_crime":
        return "coalesce(types.category_code, 'other_crime') <> 'anti_social_behaviour'"
    return f"coalesce(types.category_code, 'other_crime') = '{category}'"


def local_figure(con, metric_id: str, area: str, period: date, breakdown: str) -> dict:
    category = metric_id[len(PREFIX) :]
    categories = [
        r["crime_category"]
        for r in records(con, f"select distinct crime_category from marts.{FACT} order by 1")
    ]
    if category not in categories:
        raise TraceError(
            f"unknown local figure {metric_id!r}; marts.{FACT} has "
            + ", ".join(PREFIX + c for c in categories)
        )
    rows = records(
        con,
        f"select * from marts.{FACT} where area_code = ? and period_end_date = ? "
        "and crime_category = ? and breakdown = ?",
        [area, period, category, breakdown],
    )
    if not rows:
        raise TraceError(
            f"{FACT} has no figure for {metric_id}, area {area}, period ending {period}, "
            f"breakdown {breakdown!r}"
        )
    figure = rows[0]
    if figure["area_level"] not in LEVELS:
        raise TraceError(
            f"{area} is a {figure['area_level']}: its local figures are sums of its forces' "
            "(British Transport Police and Northern Ireland left out): trace each force "
            "(--area <PFA23 code>)"
        )
    if figure["area_level"] != "pfa" and breakdown != "all":
        raise TraceError("deprivation breakdowns are published for forces and above only")
    return figure


def landed_files(con, raw_dir: Path, figure: dict, months: list[str]) -> list[str]:
    """The landed files to read: a force's own files of those months (it counts every row
    of them, nothing else), or for a district or partnership every file of those months
    (a crime counts where it happened, whichever force recorded it). Only these files are
    opened, never the whole archive."""
    if figure["area_level"] == "pfa":
        forces = landed_forces(con, raw_dir, figure, months)
        return [
            (raw_dir / f"month={month}" / f"{force}.parquet").as_posix()
            for month in months
            for force in sorted(forces[month])
        ]
    return [
        path.as_posix()
        for month in months
        for path in sorted((raw_dir / f"month={month}").glob("*.parquet"))
    ]


def counted_rows_sql(files: list[str], figure: dict, category: str, breakdown: str) -> str:
    """The landed rows that count towards the figure's area and category (one per row).

    ``files`` are paths of the settings' raw folder (landed_files), never user input."""
    listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
    level = figure["area_level"]
    if level == "pfa":
        where = "forces.pfa_code = $area"
        if breakdown != "all":
            where += (
                " and rows.lsoa_code is not null"
                " and coalesce(geography.imd_breakdown, 'imd decile unknown') = $breakdown"
            )
    else:
        column = "lad_code" if level == "district" else "csp_code"
        where = f"rows.lsoa_code is not null and geography.{column} = $area"
    return f"""
        select
            rows.month,
            rows.force_id,
            rows.filename as landed_file,
            rows.source_file,
            rows.source_row,
            rows.lsoa_code is not null as is_located
        from read_parquet([{listed}], hive_partitioning = true, filename = true) as rows
        inner join reference.ref_police_uk_forces as forces
            on rows.force_id = forces.force_id and forces.is_england_wales
        left join reference.ref_street_crime_types as types
            on rows.crime_type = types.crime_type
        left join intermediate.int_street_level_crime__lsoa_geography as geography
            on rows.lsoa_code = geography.lsoa_code
        where ({category_rule(category)})
            and ({where})
    """


def query_counted(
    con, select: str, raw_dir: Path, figure: dict, category: str, breakdown: str, months: list
) -> list[tuple]:
    """Run ``select`` over the counted rows ({rows}) of the landed files of ``months``."""
    files = landed_files(con, raw_dir, figure, months)
    if not files:
        return []
    sql = counted_rows_sql(files, figure, category, breakdown)
    params = {"area": figure["area_code"]}
    if "$breakdown" in sql:
        params["breakdown"] = breakdown
    return con.execute(select.format(rows=f"({sql})"), params).fetchall()


def landed_forces(con, raw_dir: Path, figure: dict, months: list[str]) -> dict[str, set[str]]:
    """Per month, the force ids with a landed file among the forces the area depends on."""
    forces = records(
        con,
        "select force_id from reference.ref_police_uk_forces "
        "where is_england_wales and pfa_code = ?",
        [figure["pfa_code"]],
    )
    landed: dict[str, set[str]] = {m: set() for m in months}
    for force in forces:
        for month in months:
            if (raw_dir / f"month={month}" / f"{force['force_id']}.parquet").exists():
                landed[month].add(force["force_id"])
    return landed


def year_of_counts(
    con,
    trace: Trace,
    raw_dir: Path,
    figure: dict,
    breakdown: str,
    end: date,
    label: str = "",
) -> dict[str, Any]:
    """The 12 months ending ``end``: rows by landed file, each month's count checked
    against the mart (checks named ``label`` + month), and the rolling sum."""
    category = figure["crime_category"]
    months = [month_start(end, back).strftime("%Y-%m") for back in range(11, -1, -1)]
    rows = query_counted(
        con,
        """
        select month, landed_file, source_file, count(*) as counted,
               sum(case when is_located then 0 else 1 end) as unlocated,
               list(source_row order by source_row) as row_numbers
        from {rows} group by month, landed_file, source_file order by month, source_file
        """,
        raw_dir,
        figure,
        category,
        breakdown,
        months,
    )
    landed = landed_forces(con, raw_dir, figure, months)
    mart = {
        r["month"]: r
        for r in records(
            con,
            f"select strftime(period_end_date, '%Y-%m') as month, month_value, "
            f"is_month_data_gap from marts.{FACT} where area_code = ? and crime_category = ? "
            "and breakdown = ? and period_end_date between ? and ?",
            [
                figure["area_code"],
                category,
                breakdown,
                month_start(end, 11),
                end,
            ],
        )
    }
    by_month: dict[str, int] = {m: 0 for m in months}
    unlocated: dict[str, int] = {m: 0 for m in months}
    raw_rows: list[dict[str, Any]] = []
    for month, landed_file, source_file, counted, missing, numbers in rows:
        runs = ranges(numbers)
        raw_rows.append(
            {
                "period_end_date": end.isoformat(),
                "month": month,
                "landed_file": Path(landed_file).relative_to(raw_dir.parent).as_posix(),
                "source_file": source_file,
                "value": counted,
                "unlocated": missing,
                "row_ranges": runs,
                "line": f"{month}: {counted:,} rows: {ranges_text(runs, SHOWN_RANGES)}",
            }
        )
        by_month[month] += counted
        unlocated[month] += missing
    step_rows = []
    gaps = []
    for month in months:
        landed_here = sorted(landed[month])
        gap = not landed_here
        if gap:
            gaps.append(month)
        computed = None if gap else by_month[month]
        published = mart.get(month, {})
        ok_value = trace.check(f"{label}{month} count", computed, published.get("month_value"))
        # A month before the feed's first landed month has no row in the mart at all.
        ok_gap = trace.check(
            f"{label}{month} data gap flag",
            None if not published and gap else (1 if gap else 0),
            None if not published else (1 if published["is_month_data_gap"] else 0),
        )
        step_rows.append(
            {
                "month": month,
                "landed_force_files": landed_here,
                "raw_count": computed,
                "model_month_value": published.get("month_value"),
                "ok": ok_value and ok_gap,
                "line": (
                    f"{month}: "
                    + (
                        "no landed file for the force: a data gap (null, never a zero)"
                        if gap
                        else f"{computed:,} rows counted"
                    )
                    + f"; mart month_value {fmt(published.get('month_value'))}"
                    + (" (data gap)" if published.get("is_month_data_gap") else "")
                    + f"  {'ok' if ok_value and ok_gap else 'DOES NOT RECONCILE'}"
                ),
            }
        )
    total = None if gaps else sum(by_month.values())
    return {
        "end": end,
        "raw_rows": raw_rows,
        "months": months,
        "steps": step_rows,
        "gaps": gaps,
        "total": total,
        "unlocated": None if gaps else sum(unlocated.values()),
    }


def located_split(con, raw_dir: Path, figure: dict, end: date) -> dict[str, Any] | None:
    """A force's crimes (all categories but ASB) located and unlocated over the year."""
    months = [month_start(end, back).strftime("%Y-%m") for back in range(11, -1, -1)]
    found = query_counted(
        con,
        "select count(*) filter (where is_located), count(*) filter (where not is_located) "
        "from {rows}",
        raw_dir,
        figure,
        "all_crime",
        "all",
        months,
    )
    located, unlocated = found[0] if found else (0, 0)
    return {"located": located, "unlocated": unlocated}


def trace_local_figure(
    con,
    feed: registry.Feed,
    metric_id: str,
    area: str,
    period: date,
    breakdown: str,
    lineage: list[str],
) -> Trace:
    """The trace of one local figure of ``feed`` (see the module docstring)."""
    figure = local_figure(con, metric_id, area, period, breakdown)
    category = figure["crime_category"]
    raw_dir = settings.get().raw_dir / feed.raw_folders[0]
    if not raw_dir.is_dir():
        raise TraceError(f"no landed {feed.feed} files in {raw_dir} (NCPM_RAW_DIR)")
    metric = {
        "metric_id": metric_id,
        "metric_name": f"police.uk {category.replace('_', ' ')} (rolling 12 months)",
        "unit": figure["unit"],
        "fact_model": FACT,
        "source_feed": feed.feed,
        "tracer_family": feed.tracer_family,
        "figure_status": figure["figure_status"],
        "local": True,
    }
    trace = Trace(metric=metric, figure=figure, lineage=lineage)
    trace.notes.append(figure["figure_status"])
    baseline_end = date.fromisoformat(str(project_vars()["street_level_baseline_period_end_date"]))

    year = year_of_counts(con, trace, raw_dir, figure, breakdown, period)
    trace.raw_rows = year["raw_rows"]
    trace.raw_files = sorted({r["landed_file"] for r in trace.raw_rows})
    trace.steps.append(
        {
            "model": f"marts.{FACT} (month_value)",
            "what": f"the monthly counts of the rolling year ending {period}",
            "rows": year["steps"],
        }
    )
    ok = trace.check("rolling year", year["total"], figure["value"])
    ok = (
        trace.check(
            "rolling year data gap flag", int(bool(year["gaps"])), int(figure["is_data_gap"])
        )
        and ok
    )
    if year["total"] is not None:
        terms = " + ".join(str(r["raw_count"]) for r in year["steps"])
        arithmetic = f"{terms} = {year['total']:,}"
    else:
        arithmetic = (
            f"null: {len(year['gaps'])} month(s) with no police.uk file ({', '.join(year['gaps'])})"
        )
    trace.steps.append(
        {
            "model": f"marts.{FACT} (value)",
            "what": "the rolling 12 months",
            "rows": [
                {
                    "raw_sum": year["total"],
                    "value": figure["value"],
                    "ok": ok,
                    "line": (
                        f"YE {period}: {arithmetic}; mart value {fmt(figure['value'])}  " + mark(ok)
                    ),
                }
            ],
        }
    )
    if figure["area_level"] == "pfa" and breakdown == "all":
        trace.steps.append(located_step(con, trace, raw_dir, figure, period, bool(year["gaps"])))

    base = year_of_counts(con, trace, raw_dir, figure, breakdown, baseline_end, "baseline ")
    add_local_baseline(con, trace, figure, base["total"], baseline_end)
    trace.baseline["raw_rows"] = base["raw_rows"]
    trace.baseline["months"] = base["steps"]
    return trace


def located_step(con, trace: Trace, raw_dir: Path, figure: dict, end: date, gap: bool) -> dict:
    """A force's crimes located and unlocated over the year, and the unlocated share."""
    split = located_split(con, raw_dir, figure, end)
    total = split["located"] + split["unlocated"]
    pct = None if gap or not total else 100.0 * split["unlocated"] / total
    ok = trace.check("unlocated crime %", pct, figure["unlocated_crime_pct"])
    share = (
        f"100 x {split['unlocated']:,} / {total:,} = {pct:.4f}%"
        if pct is not None
        else "no share (a data gap in the year)"
    )
    return {
        "model": f"marts.{FACT} (unlocated_crime_pct)",
        "what": "the force's crimes (every category but ASB) with and without a location",
        "rows": [
            {
                **split,
                "unlocated_crime_pct": num(pct),
                "ok": ok,
                "line": (
                    f"located {split['located']:,}, unlocated {split['unlocated']:,}: {share}; "
                    f"mart {fmt(figure['unlocated_crime_pct'])}  {mark(ok)}"
                ),
            }
        ],
    }


def local_population(con, figure: dict) -> dict | None:
    """The mid-year population of the figure's area and year, from the reference seeds."""
    year = population_year(date.fromisoformat(figure["period_end_date"]))
    level, code = figure["area_level"], figure["area_code"]
    if level == "pfa":
        sql = (
            "select population from intermediate.int_area_population "
            "where area_code = ? and population_year = ?"
        )
        params: list = [code, year]
    else:
        column = "lad_code" if level == "district" else "csp_code"
        sql = (
            "select sum(p.population) as population from reference.ref_district_population as p "
            "where p.population_year = ? and p.lad_code in (select lad_code from "
            f"reference.ref_districts where {column} = ?)"
        )
        params = [year, code]
    rows = records(con, sql, params)
    if not rows or rows[0]["population"] is None:
        return None
    return {"population_year": year, "population": rows[0]["population"]}


def add_local_baseline(con, trace: Trace, figure: dict, baseline: Any, end: date) -> None:
    value = figure["value"]
    change = None if value is None or baseline is None else value - baseline
    pct = None if change is None or not baseline else 100.0 * change / baseline
    population = local_population(con, figure)
    rate = figure["rate_per_1000"]
    trace.baseline = {
        "baseline_label": "YE Jun 2019",
        "baseline_period_end_date": end.isoformat(),
        "baseline_value": num(baseline),
        "change_from_baseline": num(change),
        "change_arithmetic": None
        if change is None
        else f"{num(value)} - {num(baseline)} = {num(change)}",
        "pct_change_from_baseline": num(pct),
        "pct_change_arithmetic": None
        if pct is None
        else f"100 x {num(change)} / {num(baseline)} = {pct:.4f}",
        "rate_per_1000": rate,
        "rate_arithmetic": None
        if rate is None or population is None or value is None
        else f"1000 x {num(value)} / {population['population']} "
        f"(mid-{population['population_year']} population) = {rate:.4f}",
        "desired_direction": "none (a local diagnostic, not a National Measure)",
        "direction_of_travel": "not assessed",
    }
    trace.check("baseline_value (from the landed rows)", baseline, figure["baseline_value"])
    trace.check("change_from_baseline", change, figure["change_from_baseline"])
    trace.check("pct_change_from_baseline", pct, figure["pct_change_from_baseline"])
    if rate is not None and population is not None and value is not None:
        trace.check("rate_per_1000", 1000.0 * value / population["population"], rate)
