"""The survey tracers: the victim survey (microdata: weighted sums by quarter of interview,
Kish's effective sample size, estimate, SE and CI) and the business survey (one published
row: weighted % and unweighted base). Tracer families `victim_survey` and `business_survey`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from ncpm import settings
from ncpm.periods import quarter_ends_of_year
from ncpm.registry import Feed
from ncpm.trace.model import Trace, TraceError, fmt, mark, num, records, sum_values
from ncpm.trace.raw_files import attach_published_text


def survey_estimate_from_sums(
    sum_weight: float,
    sum_weight_squared: float,
    sum_weighted_value: float,
    sum_weighted_value_squared: float,
    kind: str,
    design_factor: float = 1.2,
    population: float | None = None,
) -> dict[str, float | None]:
    """The survey arithmetic of docs/survey.md, from the weighted sums of a period.

    The victim survey tracer prints these sums and recomputes the estimate from them.
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


def project_vars() -> dict[str, Any]:
    """The survey settings (dbt_project.yml vars) the estimates were built with."""
    import yaml

    project = yaml.safe_load((settings.root() / "dbt_project.yml").read_text(encoding="utf-8"))
    return project.get("vars", {})


def row_ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 7, 9, 10] -> '1-3, 7, 9-10': the data rows of a file, compactly."""
    numbers = sorted(set(numbers))
    spans: list[str] = []
    start = prev = None
    for n in [*numbers, None]:
        if start is not None and (n is None or n != prev + 1):
            spans.append(str(start) if start == prev else f"{start}-{prev}")
            start = None
        if n is not None and start is None:
            start = n
        prev = n
    return ", ".join(spans)


# The victim survey series: what is summed per respondent (x) or per answer (y), in SQL over
# the staging models, by the same rules as int_victim_survey__incidence_estimates (rates)
# and int_victim_survey__satisfaction_estimates (proportions).
SURVEY_PROPORTIONS: dict[str, str] = {
    # M6.1: victim forms reported to the police with an answer 1-5, each with the weight of
    # its crime type from its respondent's row (weight_file, weight_row_number).
    "M6.1": """
        select r.interview_quarter_end_date as quarter_end_date,
            f.source_file, f.source_row_number,
            r.source_file as weight_file, r.source_row_number as weight_row_number,
            case when f.crime_type = 'household' then r.household_weight
                else r.individual_weight end as w,
            case when f.satisfaction_code in (1, 2) then 1 else 0 end as y
        from staging.stg_victim_survey__victim_forms as f
        inner join staging.stg_victim_survey__respondents as r on f.respondent_id = r.respondent_id
        where f.is_reported_to_police and f.satisfaction_code between 1 and 5
    """,
    # M6.2: domestic abuse victims who reported it and answered 1-5; their individual weight.
    "M6.2": """
        select interview_quarter_end_date as quarter_end_date, source_file, source_row_number,
            source_file as weight_file, source_row_number as weight_row_number,
            individual_weight as w,
            case when da_satisfaction_code in (1, 2) then 1 else 0 end as y
        from staging.stg_victim_survey__respondents
        where is_domestic_abuse_reported and da_satisfaction_code between 1 and 5
    """,
}


def survey_quarters(con, trace: Trace, period: date) -> tuple[list[date], bool]:
    """The four interview quarters of the rolling year and whether all are complete."""
    quarters = quarter_ends_of_year(period)
    held = {
        q["quarter_end_date"]: q
        for q in records(
            con,
            "select quarter_end_date, respondent_count, interview_month_count, is_complete_quarter "
            "from intermediate.int_victim_survey__interview_quarters "
            f"where quarter_end_date in ({', '.join('?' for _ in quarters)})",
            quarters,
        )
    }
    rows = []
    for q in quarters:
        h = held.get(q.isoformat())
        rows.append(
            {
                "quarter_end_date": q.isoformat(),
                "respondent_count": h and h["respondent_count"],
                "interview_months": h and h["interview_month_count"],
                "is_complete": bool(h and h["is_complete_quarter"]),
                "line": f"{q}: {fmt(h and h['respondent_count'])} interviews in "
                f"{fmt(h and h['interview_month_count'])} of 3 months: "
                + (
                    "complete" if h and h["is_complete_quarter"] else "NOT complete (year is a gap)"
                ),
            }
        )
    trace.steps.append(
        {
            "model": "int_victim_survey__interview_quarters",
            "what": "the four quarters of interviews in the rolling year (each must hold "
            "interviews in all three months)",
            "rows": rows,
        }
    )
    return quarters, all(r["is_complete"] for r in rows)


def add_survey_raw_rows(trace: Trace, label: str, rows: list[dict[str, Any]]) -> None:
    """Which data rows of which landed files feed a survey sum: counts and row ranges only
    (the survey rows are personal data: their values are never printed)."""
    by_file_quarter: dict[tuple[str, str], list[int]] = defaultdict(list)
    for r in rows:
        by_file_quarter[(r["source_file"], r["quarter_end_date"])].append(r["source_row_number"])
    for (source_file, quarter), listed in sorted(by_file_quarter.items()):
        numbers = sorted(set(listed))  # a respondent's row weighs each of its answers
        if source_file not in trace.raw_files:
            trace.raw_files.append(source_file)
        trace.raw_rows.append(
            {
                "source_file": source_file,
                "quarter_end_date": quarter,
                "series": label,
                "row_count": len(numbers),
                "source_row_numbers": row_ranges(numbers),
                "line": f"{label}: {quarter}: {len(numbers):,} rows ({row_ranges(numbers)[:80]}"
                + ("...)" if len(row_ranges(numbers)) > 80 else ")"),
            }
        )


def weighted_sums(con, sql: str, quarters: list[date], x: str) -> dict[str, dict[str, float]]:
    """Per quarter: n, sum w, sum w^2, sum w x, sum w x^2 of the rows `sql` returns."""
    placeholders = ", ".join("?" for _ in quarters)
    sums = {
        r["quarter_end_date"]: r
        for r in records(
            con,
            f"select quarter_end_date, count(*) as n, sum(w) as sum_w, sum(w * w) as sum_w2, "
            f"sum(w * {x}) as sum_wx, sum(w * {x} * {x}) as sum_wx2 "
            f"from ({sql}) as contributions where quarter_end_date in ({placeholders}) "
            "group by quarter_end_date",
            quarters,
        )
    }
    zero = {"n": 0, "sum_w": 0.0, "sum_w2": 0.0, "sum_wx": 0.0, "sum_wx2": 0.0}
    return {q.isoformat(): sums.get(q.isoformat(), zero) for q in quarters}


def year_sums(quarterly: dict[str, dict[str, float]]) -> dict[str, float]:
    keys = ("n", "sum_w", "sum_w2", "sum_wx", "sum_wx2")
    return {k: float(sum(Decimal(str(q[k] or 0)) for q in quarterly.values())) for k in keys}


def sums_step(trace: Trace, model: str, label: str, quarterly: dict, year: dict) -> None:
    rows = [
        {
            "quarter_end_date": q,
            **{k: num(v) for k, v in s.items() if k != "quarter_end_date"},
            "line": f"{label} {q}: n {fmt(s['n'])}, sum w {fmt(s['sum_w'])}, "
            f"sum w^2 {fmt(s['sum_w2'])}, sum w.x {fmt(s['sum_wx'])}, "
            f"sum w.x^2 {fmt(s['sum_wx2'])}",
        }
        for q, s in quarterly.items()
    ]
    rows.append(
        {
            "quarter_end_date": "year",
            **{k: num(v) for k, v in year.items()},
            "line": f"{label} rolling year: n {fmt(year['n'])}, sum w {fmt(year['sum_w'])}, "
            f"sum w^2 {fmt(year['sum_w2'])}, sum w.x {fmt(year['sum_wx'])}, "
            f"sum w.x^2 {fmt(year['sum_wx2'])}",
        }
    )
    trace.steps.append(
        {
            "model": model,
            "what": f"weighted sums of {label} by quarter of interview, and over the year "
            "(the four quarters' sums added: exact)",
            "rows": rows,
        }
    )


def rate_series_rows(classifications: list[dict[str, Any]]) -> tuple[str, str, str]:
    """SQL of every respondent's x (incidents of the classifications) and the weight used."""
    crime_types = {c["crime_type"] for c in classifications}
    if len(crime_types) != 1:
        raise TraceError(f"a rate series mixes crime types {sorted(crime_types)}")
    crime_type = crime_types.pop()
    weight = "household_weight" if crime_type == "household" else "individual_weight"
    names = ", ".join(
        "'" + c["offence_classification"].replace("'", "''") + "'" for c in classifications
    )
    respondents = f"""
        select interview_quarter_end_date as quarter_end_date, source_file, source_row_number,
            {weight} as w, coalesce(x.incidents, 0) as x
        from staging.stg_victim_survey__respondents as r
        left join (
            select respondent_id, sum(incident_count) as incidents
            from staging.stg_victim_survey__victim_forms
            where offence_classification in ({names})
            group by respondent_id
        ) as x on r.respondent_id = x.respondent_id
    """
    forms = f"""
        select r.interview_quarter_end_date as quarter_end_date, f.source_file, f.source_row_number
        from staging.stg_victim_survey__victim_forms as f
        inner join staging.stg_victim_survey__respondents as r on f.respondent_id = r.respondent_id
        where f.offence_classification in ({names})
    """
    return respondents, forms, crime_type


def trace_victim_survey(con, trace: Trace, feed: Feed) -> None:
    """Raw respondent / victim-form rows -> weighted sums by quarter -> year -> estimate, SE, CI."""
    fig = trace.figure
    metric_id, breakdown = fig["metric_id"], fig["breakdown"]
    period = date.fromisoformat(fig["period_end_date"])
    survey_vars = project_vars()
    deft = float(survey_vars.get("survey_design_factor", 1.2))
    min_base = int(survey_vars.get("survey_min_unweighted_base", 50))
    quarters, complete = survey_quarters(con, trace, period)
    placeholders = ", ".join("?" for _ in quarters)

    if metric_id in SURVEY_PROPORTIONS:
        model = "int_victim_survey__satisfaction_estimates"
        sql = SURVEY_PROPORTIONS[metric_id]
        contributions = records(
            con,
            f"select source_file, source_row_number, weight_file, weight_row_number, "
            f"cast(quarter_end_date as varchar) as quarter_end_date from ({sql}) as c "
            f"where quarter_end_date in ({placeholders})",
            quarters,
        )
        add_survey_raw_rows(trace, "answers", contributions)
        weights = [
            {**c, "source_file": c["weight_file"], "source_row_number": c["weight_row_number"]}
            for c in contributions
            if (c["weight_file"], c["weight_row_number"])
            != (c["source_file"], c["source_row_number"])
        ]
        if weights:  # a victim form's weight is on its respondent's row, in another file
            add_survey_raw_rows(trace, "weights of those answers (respondents)", weights)
        quarterly = weighted_sums(con, sql, quarters, "y")
        year = year_sums(quarterly)
        sums_step(trace, model, "answers (x = 1 when very or fairly satisfied)", quarterly, year)
        est = survey_estimate_from_sums(
            year["sum_w"], year["sum_w2"], year["sum_wx"], year["sum_wx2"], "proportion", deft
        )
        series = [{"label": metric_id, "year": year, "estimate": est, "published_as": "estimate"}]
    else:
        model = "int_victim_survey__incidence_estimates"
        classifications = records(
            con, "select * from reference.ref_victim_survey_offences order by 1"
        )
        if metric_id == "M5.1":
            groups = {"computer misuse": [c for c in classifications if c["is_computer_misuse"]]}
        elif metric_id == "M4.1":
            categories = sorted(
                {c["neighbourhood_crime_category"] for c in classifications} - {None}
            )
            wanted = categories if breakdown == "all" else [breakdown]
            groups = {
                cat: [c for c in classifications if c["neighbourhood_crime_category"] == cat]
                for cat in wanted
            }
        else:
            raise TraceError(f"the victim survey tracer has no rule for {metric_id}")
        series = []
        for label, members in groups.items():
            if not members:
                raise TraceError(f"no survey classification for {metric_id} {label!r}")
            respondents_sql, forms_sql, crime_type = rate_series_rows(members)
            forms = records(
                con,
                f"select source_file, source_row_number, cast(quarter_end_date as varchar) "
                f"as quarter_end_date from ({forms_sql}) as c "
                f"where quarter_end_date in ({placeholders})",
                quarters,
            )
            respondents = records(
                con,
                f"select source_file, source_row_number, cast(quarter_end_date as varchar) "
                f"as quarter_end_date from ({respondents_sql}) as c "
                f"where quarter_end_date in ({placeholders})",
                quarters,
            )
            add_survey_raw_rows(
                trace, f"{label}: respondents (base, {crime_type} weight)", respondents
            )
            add_survey_raw_rows(trace, f"{label}: victim forms (incidents)", forms)
            quarterly = weighted_sums(con, respondents_sql, quarters, "x")
            year = year_sums(quarterly)
            sums_step(trace, model, f"{label} (x = incidents per respondent)", quarterly, year)
            est = survey_estimate_from_sums(
                year["sum_w"],
                year["sum_w2"],
                year["sum_wx"],
                year["sum_wx2"],
                "rate",
                deft,
                population=year["sum_w"],
            )
            series.append(
                {
                    "label": label,
                    "year": year,
                    "estimate": est,
                    "published_as": "estimated_incidents",
                }
            )

    # Each series' estimate against the model, then the published figure.
    held = {
        r["breakdown"]: r
        for r in records(
            con,
            f"select * from intermediate.{model} where metric_id = ? and period_end_date = ?",
            [metric_id, period],
        )
    }
    estimate_rows = []
    for s in series:
        e, year = s["estimate"], s["year"]
        value = e.get(s["published_as"]) if complete else None
        if s["published_as"] == "estimated_incidents":
            se = e.get("estimated_incidents_standard_error")
        else:
            se = e.get("standard_error")
        suppressed = year["n"] < min_base
        published = None if (suppressed or not complete) else value
        s.update(value=value, standard_error=se, published=published, suppressed=suppressed)
        model_row = held.get(s["label"] if metric_id == "M4.1" else breakdown, {})
        ok = trace.check(
            f"weighted sums -> {model} {s['label']}", published, model_row.get("value")
        )
        if complete and e["n_eff"] is not None:
            trace.check(f"n_eff {s['label']}", e["n_eff"], model_row.get("effective_sample_size"))
        arithmetic = (
            f"p = sum w.x / sum w = {fmt(year['sum_wx'])} / {fmt(year['sum_w'])}; "
            f"value = 100 p = {fmt(e['estimate'])}%; "
            f"SE = {deft} x 100 x sqrt(p (1 - p) / n_eff) = {fmt(e['standard_error'])}"
            if s["published_as"] == "estimate"
            else f"rate = 1000 x sum w.x / sum w = {fmt(e['estimate'])} per 1,000; "
            f"incidents = rate x population (sum w) / 1000 = {fmt(e.get('estimated_incidents'))}; "
            f"SE = {deft} x weighted sd / sqrt(n_eff) x population = {fmt(se)}"
        )
        estimate_rows.append(
            {
                "series": s["label"],
                "unweighted_base": num(year["n"]),
                "n_eff": num(e["n_eff"]),
                "n_eff_arithmetic": f"(sum w)^2 / sum w^2 = {fmt(year['sum_w'])}^2 / "
                f"{fmt(year['sum_w2'])} = {fmt(e['n_eff'])}",
                **{k: num(v) for k, v in e.items() if k != "n_eff"},
                "design_factor": deft,
                "suppressed": suppressed,
                "value": num(published),
                "model_value": model_row.get("value"),
                "ok": ok,
                "line": f"{s['label']}: n = {fmt(year['n'])}"
                + (f" (under {min_base}: suppressed)" if suppressed else "")
                + f"; n_eff = (sum w)^2 / sum w^2 = {fmt(e['n_eff'])}; {arithmetic}; "
                f"model {fmt(model_row.get('value'))}  {mark(ok)}",
            }
        )
    trace.steps.append(
        {
            "model": model,
            "what": "the estimate, its standard error and 95% CI recomputed from the year's "
            f"weighted sums (docs/survey.md; design factor {deft}, published only when "
            f"the unweighted base is at least {min_base} and all four quarters are complete)",
            "rows": estimate_rows,
        }
    )

    # The published figure: one series, or M4.1 'all' = the four categories summed.
    if len(series) == 1:
        s = series[0]
        value, se = s["published"], s["standard_error"]
    else:
        parts = [s["published"] for s in series]
        value = sum_values(parts) if all(p is not None for p in parts) else None
        se = (
            sum(float(s["standard_error"]) ** 2 for s in series) ** 0.5
            if value is not None
            else None
        )
        ok = trace.check(f"categories -> {model} all", value, held.get("all", {}).get("value"))
        trace.steps.append(
            {
                "model": model,
                "what": "neighbourhood crime in total = the four categories' estimated incidents; "
                "SE = sqrt(sum of the categories' SE^2)",
                "rows": [
                    {
                        "categories": [s["label"] for s in series],
                        "sum_of_categories": num(value),
                        "standard_error": num(se),
                        "value": held.get("all", {}).get("value"),
                        "ok": ok,
                        "line": " + ".join(fmt(p) for p in parts) + f" = {fmt(value)}; "
                        f"SE = sqrt({' + '.join(fmt(s['standard_error']) + '^2' for s in series)})"
                        f" = {fmt(se)}; model {fmt(held.get('all', {}).get('value'))}  {mark(ok)}",
                    }
                ],
            }
        )
    finish_survey(trace, value, se)


def finish_survey(trace: Trace, value: float | None, se: float | None) -> None:
    """The recomputed estimate and 95% CI against the published figure."""
    fig = trace.figure
    lower = None if value is None or se is None else value - 1.96 * se
    upper = None if value is None or se is None else value + 1.96 * se
    trace.recomputed = {
        "value": num(value),
        "standard_error": num(se),
        "ci_lower": num(lower),
        "ci_upper": num(upper),
        "ci_arithmetic": None
        if lower is None
        else f"{fmt(value)} +/- 1.96 x {fmt(se)} = {fmt(lower)} .. {fmt(upper)}",
    }
    trace.check("weighted sums -> published value", value, fig["value"])
    trace.check("recomputed CI lower -> published", lower, fig["ci_lower"])
    trace.check("recomputed CI upper -> published", upper, fig["ci_upper"])


def trace_business_survey(con, trace: Trace, feed: Feed) -> None:
    """The published table's row (weighted % and unweighted base) -> SE and CI."""
    fig = trace.figure
    deft = float(project_vars().get("survey_design_factor", 1.2))
    min_base = int(project_vars().get("survey_min_unweighted_base", 50))
    rows = records(
        con,
        f"select * from staging.{feed.staging_models[0]} "
        "where size_band = ? and survey_period_end_date = ?",
        [fig["breakdown"], fig["period_end_date"]],
    )
    if len(rows) != 1:
        raise TraceError(f"expected one survey row for {fig['breakdown']} {fig['period_end_date']}")
    row = rows[0]
    trace.raw_rows.append(
        {
            "source_file": row["source_file"],
            "source_row_number": row["source_row_number"],
            "quarter_end_date": row["survey_period_end_date"],
            "value": row["percentage_identifying_breach"],
            "staging": {k: row[k] for k in ("survey_year", "size_band", "unweighted_base")},
        }
    )
    attach_published_text(
        trace,
        trace.raw_rows,
        [("survey_year", "size_band", "unweighted_base", "pct_identifying_breach_or_attack")],
    )
    p, n = row["percentage_identifying_breach"], row["unweighted_base"]
    se = deft * (p * (100.0 - p) / n) ** 0.5 if p is not None and n else None
    suppressed = n is None or n < min_base
    value = None if suppressed else p
    trace.steps.append(
        {
            "model": "int_business_cyber_breaches_survey__estimates",
            "what": "the published weighted % with its unweighted base as the effective sample "
            f"size (no weights are published): SE = {deft} x sqrt(p (100 - p) / n)",
            "rows": [
                {
                    "percentage": p,
                    "unweighted_base": n,
                    "standard_error": num(se),
                    "suppressed": suppressed,
                    "line": f"p = {fmt(p)}%, n = {fmt(n)}"
                    + (f" (under {min_base}: suppressed)" if suppressed else "")
                    + f"; SE = {deft} x sqrt({fmt(p)} x {fmt(100.0 - p if p is not None else None)}"
                    f" / {fmt(n)}) = {fmt(se)}",
                }
            ],
        }
    )
    finish_survey(trace, value, None if suppressed else se)
