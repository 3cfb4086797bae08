"""Published serious violence and drugs figures equal sums recomputed independently from
the raw CSV files with the standard library (not through the models under test)."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from pathlib import Path

import duckdb
import pytest
from dbt_sandbox import RAW

NATIONAL = "K04000001"
ENGLAND = "E92000001"
GREATER_MANCHESTER = "E23000005"
# YE Jun 2019 = 2018/19 quarters 2-4 + 2019/20 quarter 1
YE_JUN_2019 = [("2018/19", "2"), ("2018/19", "3"), ("2018/19", "4"), ("2019/20", "1")]
# YE Mar 2020 = 2019/20 quarters 1-4 (Greater Manchester's knife returns are missing for 3-4)
YE_MAR_2020 = [("2019/20", "1"), ("2019/20", "2"), ("2019/20", "3"), ("2019/20", "4")]


def raw_rows(feed: str) -> list[dict[str, str]]:
    (path,) = sorted((RAW / feed).glob("*.csv"))
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def fetch(db: Path, sql: str, *params):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def fact_row(db: Path, fact: str, metric: str, area: str, period: str, breakdown: str = "all"):
    rows = fetch(
        db,
        f"select value, is_incomplete, quality_note, baseline_value from marts.{fact} "
        "where metric_id = ? and area_code = ? and period_end_date = ? and breakdown = ?",
        metric,
        area,
        period,
        breakdown,
    )
    assert len(rows) == 1, rows
    return rows[0]


def test_knife_offences_national_and_the_accepted_greater_manchester_gap(built_sample):
    knife = [
        r for r in raw_rows("weapon_returns") if r["weapon_type"] == "knife or sharp instrument"
    ]
    by_force_quarter: dict[tuple[str, str, str], int] = defaultdict(int)
    for r in knife:
        by_force_quarter[(r["force_name"], r["financial_year"], r["financial_quarter"])] += int(
            r["offences"]
        )
    forces = {r["force_name"] for r in knife}

    baseline = sum(by_force_quarter[(f, *q)] for f in forces for q in YE_JUN_2019)
    value, incomplete, _, baseline_value = fact_row(
        built_sample, "fct_serious_violence", "M2.3", NATIONAL, "2019-06-30"
    )
    assert value == baseline == baseline_value
    assert not incomplete

    # YE Mar 2020: Greater Manchester has no return for two of its quarters, so the national
    # figure is the sum over the other forces, published and flagged incomplete.
    others = sum(
        by_force_quarter[(f, *q)] for f in forces if f != "Greater Manchester" for q in YE_MAR_2020
    )
    value, incomplete, note, _ = fact_row(
        built_sample, "fct_serious_violence", "M2.3", NATIONAL, "2020-03-31"
    )
    assert value == others
    assert incomplete and f"Excludes {GREATER_MANCHESTER}" in note and "recording system" in note
    gmp_value, gmp_incomplete, gmp_note, _ = fact_row(
        built_sample, "fct_serious_violence", "M2.3", GREATER_MANCHESTER, "2020-03-31"
    )
    assert gmp_value is None and not gmp_incomplete and "have no data" in gmp_note
    # The accepted gap is reported as a warning (the build does not fail on it).
    (warning,) = fetch(
        built_sample, "select failure_message from audit.warn_known_data_gaps_in_use"
    )
    assert GREATER_MANCHESTER in warning[0] and "M2.3" in warning[0]


def test_firearm_discharges_exclude_air_weapons(built_sample):
    expected = sum(
        int(r["offences"])
        for r in raw_rows("weapon_returns")
        if r["weapon_type"] == "firearm"
        and r["is_discharged"] == "Y"
        and r["is_air_weapon"] == "N"
        and (r["financial_year"], r["financial_quarter"]) in YE_JUN_2019
    )
    value, incomplete, _, _ = fact_row(
        built_sample, "fct_serious_violence", "M2.2", NATIONAL, "2019-06-30"
    )
    assert value == expected and not incomplete


def test_hospital_admissions_of_under_25s_from_months(built_sample):
    months = {f"2018-{m:02d}" for m in range(7, 13)} | {f"2019-{m:02d}" for m in range(1, 7)}
    totals: dict[str, int] = defaultdict(int)
    for r in raw_rows("hospital_admissions"):
        if r["month"] in months:
            totals[r["age_band"]] += int(r["admissions"])
    # English hospitals only: published for England (level country), complete for it.
    value, incomplete, note, _ = fact_row(
        built_sample, "fct_serious_violence", "M2.1", ENGLAND, "2019-06-30"
    )
    assert value == totals["under 18"] + totals["18-24"]
    assert not incomplete and note is None
    under_18, *_ = fact_row(
        built_sample, "fct_serious_violence", "M2.1", ENGLAND, "2019-06-30", "under 18"
    )
    assert under_18 == totals["under 18"]
    # Never labelled England and Wales.
    assert not fetch(
        built_sample,
        "select 1 from marts.fct_serious_violence where metric_id = 'M2.1' "
        "and (area_code <> ? or area_level <> 'country')",
        ENGLAND,
    )


def test_seizures_by_class_are_the_tables_own_totals(built_sample):
    rows = raw_rows("drug_seizures")
    for year, period in [("2018/19", "2019-03-31"), ("2025/26", "2026-03-31")]:
        class_a = sum(
            int(r["seizures"])
            for r in rows
            if r["financial_year"] == year and r["drug_type"] == "Total Class A"
        )
        all_drugs = sum(
            int(r["seizures"])
            for r in rows
            if r["financial_year"] == year and r["drug_type"] == "All drugs"
        )
        value, incomplete, _, baseline = fact_row(
            built_sample, "fct_drugs_supply", "M3.3", NATIONAL, period, "Class A"
        )
        assert value == class_a and not incomplete
        headline, *_ = fact_row(built_sample, "fct_drugs_supply", "M3.3", NATIONAL, period)
        assert headline == all_drugs
    # The baseline is the catalogue's financial year 2018/19.
    baseline_class_a = sum(
        int(r["seizures"])
        for r in rows
        if r["financial_year"] == "2018/19" and r["drug_type"] == "Total Class A"
    )
    assert baseline == baseline_class_a
    # The scorecard highlights Class A beside the headline, for the latest year.
    (card,) = fetch(
        built_sample,
        "select period_end_date, value, highlighted_breakdown, highlighted_value, "
        "highlighted_baseline_value from marts.rpt_measures_scorecard where metric_id = 'M3.3'",
    )
    assert card[0] == date(2026, 3, 31)
    assert card[2:] == ("Class A", value, baseline_class_a)


def test_annual_figures_never_sit_in_a_rolling_year(built_sample):
    rows = fetch(
        built_sample,
        "select metric_id, period_type, count(*) from marts.rpt_all_measures "
        "where metric_id like 'M3.%' group by 1, 2 order by 1, 2",
    )
    assert [(m, p) for m, p, _ in rows] == [
        ("M3.1", "rolling_12_months"),
        ("M3.2", "rolling_12_months"),
        ("M3.3", "financial_year"),
        ("M3.4", "rolling_12_months"),
    ]


def test_drug_related_homicides_and_treatment_referrals(built_sample):
    start, end = "2018-07-01", "2019-06-30"
    victims = raw_rows("homicide_index")
    drug_related = sum(
        1 for r in victims if start <= r["date_recorded"] <= end and r["is_drug_related"] == "Y"
    )
    value, *_ = fact_row(built_sample, "fct_drugs_supply", "M3.1", NATIONAL, "2019-06-30")
    assert value == drug_related
    referrals = sum(
        int(r["referrals"])
        for r in raw_rows("drug_treatment_referrals")
        if (r["financial_year"], r["financial_quarter"]) in YE_JUN_2019
    )
    value, *_ = fact_row(built_sample, "fct_drugs_supply", "M3.2", NATIONAL, "2019-06-30")
    assert value == referrals
    lines = sum(
        int(r["lines_closed"])
        for r in raw_rows("county_lines")
        if (r["financial_year"], r["financial_quarter"]) in YE_JUN_2019
    )
    value, *_ = fact_row(built_sample, "fct_drugs_supply", "M3.4", NATIONAL, "2019-06-30")
    assert value == lines


def test_homicide_index_is_close_to_police_recorded_homicide_but_not_identical(built_sample):
    start, end = "2018-07-01", "2019-06-30"
    victims = [r for r in raw_rows("homicide_index") if start <= r["date_recorded"] <= end]
    offences = sum(
        float(r["Number of Offences"].strip().replace(",", ""))
        for r in raw_rows("police_recorded_crime")
        if r["Offence Subgroup"].strip() == "Homicide"
        and (r["Financial Year"].strip(), r["Financial Quarter"].strip()) in YE_JUN_2019
    )
    m12, *_ = fact_row(built_sample, "fct_homicide", "M1.2", NATIONAL, "2019-06-30")
    m11, *_ = fact_row(built_sample, "fct_homicide", "M1.1", NATIONAL, "2019-06-30")
    assert m12 == len(victims) and m11 == offences
    assert m12 != m11
    assert abs(m12 - m11) <= 0.05 * m11
    sharp = sum(1 for r in victims if r["method_of_killing"] == "sharp instrument")
    value, *_ = fact_row(
        built_sample, "fct_homicide", "M1.2", NATIONAL, "2019-06-30", "sharp instrument"
    )
    assert value == sharp


@pytest.mark.parametrize("fact", ["fct_serious_violence", "fct_drugs_supply"])
def test_facts_are_in_the_stacked_table(built_sample, fact):
    (count,) = fetch(
        built_sample,
        f"select count(*) from marts.rpt_all_measures where fact_model = '{fact}'",
    )
    (fact_count,) = fetch(built_sample, f"select count(*) from marts.{fact}")
    assert count == fact_count and count[0] > 0
