"""Published survey and cyber figures equal estimates recomputed independently
from the raw CSV files with the standard library (not through the models or
macros under test), following docs/survey.md step by step.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from datetime import date

import duckdb
import pytest
from dbt_sandbox import RAW

DEFT = 1.2  # dbt_project.yml: survey_design_factor
Z = 1.96
NEIGHBOURHOOD = [
    "domestic burglary",
    "personal robbery",
    "theft from the person",
    "vehicle-related theft",
]
PERIODS = [date(2019, 6, 30), date(2026, 6, 30)]  # the baseline and the latest quarter


def read(feed: str) -> list[dict[str, str]]:
    path = next((RAW / feed).glob("*.csv"))
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def raw_survey():
    return read("victim_survey_respondents"), read("victim_survey_victim_forms")


def year_of_interviews(respondents, period_end: date) -> dict[str, dict[str, str]]:
    """Respondents interviewed in the twelve months ending at period_end."""
    start = date(period_end.year - 1, period_end.month, period_end.day)
    return {
        r["respondent_id"]: r
        for r in respondents
        if start < date.fromisoformat(r["interview_date"]) <= period_end
    }


def mean_estimate(weights: list[float], values: list[float]) -> tuple[float, float, float]:
    """(estimated total = sum w x, its SE, n) for a mean count per respondent."""
    sw = sum(weights)
    n_eff = sw * sw / sum(w * w for w in weights)
    mean = sum(w * x for w, x in zip(weights, values, strict=True)) / sw
    variance = sum(w * x * x for w, x in zip(weights, values, strict=True)) / sw - mean * mean
    se_mean = DEFT * math.sqrt(max(variance, 0.0)) / math.sqrt(n_eff)
    # rate = 1000 x mean; incidents = rate x population / 1000, population = sum of weights
    return mean * sw, se_mean * sw, len(weights)


def proportion_estimate(weights: list[float], yes: list[bool]) -> tuple[float, float, int]:
    """(weighted %, its SE in points, unweighted base)."""
    sw = sum(weights)
    n_eff = sw * sw / sum(w * w for w in weights)
    p = 100 * sum(w for w, y in zip(weights, yes, strict=True) if y) / sw
    return p, DEFT * math.sqrt(p * (100 - p) / n_eff), len(weights)


def expected_survey_figures(raw_survey, period_end: date) -> dict[tuple[str, str], tuple]:
    respondents, forms = raw_survey
    year = year_of_interviews(respondents, period_end)
    incidents: dict[tuple[str, str], float] = defaultdict(float)
    m61_weights, m61_yes = [], []
    for form in forms:
        r = year.get(form["respondent_id"])
        if r is None:
            continue
        weight_column = (
            "household_weight" if form["crime_type"] == "household" else ("individual_weight")
        )
        incidents[(form["respondent_id"], form["offence_classification"])] += int(
            form["incident_count"]
        )
        if form["reported_to_police"] == "Y" and form["satisfaction"] in ("1", "2", "3", "4", "5"):
            m61_weights.append(float(r[weight_column]))
            m61_yes.append(form["satisfaction"] in ("1", "2"))

    figures = {}
    personal = {"personal robbery", "theft from the person", "computer misuse"}
    for category in [*NEIGHBOURHOOD, "computer misuse"]:
        column = "individual_weight" if category in personal else "household_weight"
        weights = [float(r[column]) for r in year.values()]
        values = [incidents.get((rid, category), 0) for rid in year]
        key = ("M5.1", "all") if category == "computer misuse" else ("M4.1", category)
        figures[key] = mean_estimate(weights, values)
    parts = [figures[("M4.1", c)] for c in NEIGHBOURHOOD]
    figures[("M4.1", "all")] = (
        sum(p[0] for p in parts),
        math.sqrt(sum(p[1] ** 2 for p in parts)),
        len(year),
    )
    figures[("M6.1", "all")] = proportion_estimate(m61_weights, m61_yes)
    da = [
        r
        for r in year.values()
        if r["da_reported_to_police"] == "Y" and r["da_satisfaction"] in ("1", "2", "3", "4", "5")
    ]
    figures[("M6.2", "all")] = proportion_estimate(
        [float(r["individual_weight"]) for r in da],
        [r["da_satisfaction"] in ("1", "2") for r in da],
    )
    return figures


FACT = {
    "M4.1": "fct_neighbourhood_crime",
    "M5.1": "fct_cyber_crime",
    "M6.1": "fct_victim_satisfaction",
}
FACT["M6.2"] = FACT["M6.1"]


@pytest.mark.parametrize("period_end", PERIODS, ids=[p.isoformat() for p in PERIODS])
def test_survey_estimates_match_an_independent_recomputation(built_sample, raw_survey, period_end):
    expected = expected_survey_figures(raw_survey, period_end)
    con = duckdb.connect(str(built_sample), read_only=True)
    for (metric_id, breakdown), (value, se, base) in expected.items():
        row = con.execute(
            f"select value, ci_lower, ci_upper, is_suppressed from marts.{FACT[metric_id]} "
            "where metric_id = ? and breakdown = ? and area_code = 'K04000001' "
            "and period_end_date = ?",
            [metric_id, breakdown, period_end],
        ).fetchone()
        assert row is not None, (metric_id, breakdown, period_end)
        published, ci_lower, ci_upper, suppressed = row
        assert base >= 50 and not suppressed
        label = f"{metric_id} {breakdown} YE {period_end}"
        assert published == pytest.approx(value, rel=1e-9), label
        assert ci_lower == pytest.approx(value - Z * se, rel=1e-9), label
        assert ci_upper == pytest.approx(value + Z * se, rel=1e-9), label


def test_magnitudes_are_realistic_at_the_baseline(raw_survey):
    """The sample lands in the orders of size docs/survey.md describes (synthetic data)."""
    expected = expected_survey_figures(raw_survey, date(2019, 6, 30))
    assert 2_000_000 <= expected[("M4.1", "all")][0] <= 2_500_000
    assert 50 <= expected[("M6.1", "all")][0] <= 80


def test_action_fraud_and_business_survey_figures_match_raw_rows(built_sample):
    con = duckdb.connect(str(built_sample), read_only=True)
    # M5.2: YE Jun 2019 = 2018/19 quarters 2-4 + 2019/20 quarter 1, summed over offence types
    quarters = {("2018/19", "2"), ("2018/19", "3"), ("2018/19", "4"), ("2019/20", "1")}
    offences = sum(
        int(r["offences"])
        for r in read("action_fraud_computer_misuse")
        if (r["financial_year"], r["financial_quarter"]) in quarters
    )
    (value,) = con.execute(
        "select value from marts.fct_cyber_crime where metric_id = 'M5.2' "
        "and period_end_date = '2019-06-30' and breakdown = 'all'"
    ).fetchone()
    assert value == offences
    # M5.3: the 2019 survey, every size band: value as published, CI from the base
    for r in read("business_cyber_breaches_survey"):
        if r["survey_year"] != "2019":
            continue
        p, n = float(r["pct_identifying_breach_or_attack"]), int(r["unweighted_base"])
        se = DEFT * math.sqrt(p * (100 - p) / n)
        value, ci_lower, ci_upper = con.execute(
            "select value, ci_lower, ci_upper from marts.fct_cyber_crime where metric_id = 'M5.3' "
            "and period_end_date = '2019-03-31' and breakdown = ?",
            [r["size_band"]],
        ).fetchone()
        assert value == pytest.approx(p)
        assert ci_lower == pytest.approx(p - Z * se, rel=1e-9)
        assert ci_upper == pytest.approx(p + Z * se, rel=1e-9)
