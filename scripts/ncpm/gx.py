"""Generate the Great Expectations suites of the published files from the catalogue.

Writes ``gx/expectations/<table>.json``: one suite per measure fact of the metric catalogue
(:func:`ncpm.registry.fact_models`), one for the scorecard, and one for each reference table
a publication carries (``ncpm.published.REFERENCE_TABLES`` and ``rpt_revisions``: its
columns, grain and not-null columns read from the model's YAML), in the format the
publication step reads (:mod:`ncpm.publish.validate`: a serialised ``ExpectationSuite``).
The suites are committed; tests/python/test_generated.py fails when one is stale.

Every fact suite is the same template (the mart contract). Only its row-count bounds
differ, and they are derived from the catalogue, never written by hand:

* rows a year = the sum over the fact's metrics of
  areas (its ``geographies``, counted in ref_areas.csv) x its ``breakdowns``
  x periods a year (4 for rolling and survey rolling years, 1 for financial and survey years);
* minimum = half of one quarter's rows (rows a year / 8), and at least one row per metric:
  a publication holds at least the baseline period and the publication period of every
  headline series;
* maximum = rows a year x the years a publication can span (FIRST_YEAR to LAST_YEAR)
  x MARGIN, rounded up to two significant figures.

Usage:
    ncpm gx           # write the suites
    ncpm gx --check   # exit 1 naming each stale suite

The local diagnostics from police.uk (fct_local_crime, rpt_local_crime_reconciliation,
exported beside the measures when built: ncpm.publish.export.LOCAL_DIAGNOSTICS) get suites
of their own (:func:`local_crime_suite`, :func:`local_reconciliation_suite`), their bounds
derived the same way from the geography seeds (districts and partnerships of
ref_districts.csv, forces, regions and England and Wales of ref_areas.csv) and the
categories of ref_street_crime_types.csv, over the years police.uk publishes (from
POLICE_UK_FIRST_YEAR).
"""

from __future__ import annotations

import csv
import json
import math
import sys
from collections import Counter
from pathlib import Path

import yaml

from ncpm import generated, registry, settings
from ncpm.published import REFERENCE_TABLES, REVISIONS
from ncpm.registry import Metric

GX_VERSION = "1.24.1"

# The span of periods a publication may hold (the sample starts in 2017) and the margin.
FIRST_YEAR = 2017
LAST_YEAR = 2040
MARGIN = 2.5

PERIODS_A_YEAR = {
    "rolling_12_months": 4,
    "survey_rolling_year": 4,
    "financial_year": 1,
    "survey_year": 1,
}

MART_CONTRACT_COLUMNS = [
    "metric_id", "area_code", "area_level", "period_end_date", "period_type", "breakdown",
    "value", "unit", "rate_per_1000", "baseline_value", "change_from_baseline",
    "pct_change_from_baseline", "ci_lower", "ci_upper", "is_significant_change",
    "is_suppressed", "suppression_reason", "direction_of_travel",
    "is_data_gap", "is_incomplete", "quality_note",
]  # fmt: skip

NOT_NULL_CONTRACT_COLUMNS = [
    "metric_id", "area_code", "area_level", "period_end_date", "period_type", "breakdown",
    "unit", "is_suppressed", "direction_of_travel", "is_data_gap", "is_incomplete",
]  # fmt: skip

SCORECARD_COLUMNS = [
    "metric_id", "measure_id", "area_code", "measure_name", "metric_name", "area_name", "unit",
    "desired_direction", "baseline_label", "period_type", "direction_of_travel", "value",
    "baseline_value", "change_from_baseline", "pct_change_from_baseline", "ci_lower",
    "ci_upper", "is_significant_change", "is_supplementary", "has_figure",
    "publication_period_end_date", "period_end_date",
]  # fmt: skip

AREA_LEVELS = ["national", "country", "region", "pfa", "reporting_body"]
PERIOD_TYPES = ["rolling_12_months", "financial_year", "survey_year", "survey_rolling_year"]
DIRECTIONS = ["improving", "worsening", "no significant change", "not assessed"]


def expectation(kind: str, kwargs: dict, note: str) -> dict:
    return {
        "type": kind,
        "kwargs": kwargs,
        "meta": {"notes": {"format": "markdown", "content": note}},
        "severity": "critical",
    }


def equals(column: str, value) -> dict:
    """A GX row condition: column == value."""
    return {"column": {"name": column}, "operator": "==", "parameter": value, "type": "comparison"}


def parameter(name: str) -> dict:
    return {"$PARAMETER": name}


def suite(name: str, expectations: list[dict], note: str) -> str:
    document = {
        "name": name,
        "id": None,
        "expectations": expectations,
        "meta": {
            "notes": {"format": "markdown", "content": note},
            "great_expectations_version": GX_VERSION,
        },
        "notes": None,
    }
    return json.dumps(document, indent=2) + "\n"


# --------------------------------------------------------------------------- bounds


def area_counts(reference_dir: Path) -> Counter:
    with (reference_dir / "ref_areas.csv").open(newline="", encoding="utf-8") as f:
        return Counter(row["area_level"] for row in csv.DictReader(f))


def rows_a_year(metric: Metric, areas: Counter) -> int:
    return (
        sum(areas[level] for level in metric.geographies)
        * len(metric.breakdowns)
        * PERIODS_A_YEAR[metric.period_type]
    )


def round_up(value: float, figures: int = 2) -> int:
    """Rounded up to `figures` significant figures (60_500 -> 61_000)."""
    step = 10 ** max(0, math.floor(math.log10(value)) + 1 - figures) if value >= 1 else 1
    return int(math.ceil(value / step) * step)


def row_count_bounds(metrics: list[Metric], areas: Counter) -> tuple[int, int, str]:
    """(minimum, maximum, note) of a fact's rows in a publication."""
    per_year = sum(rows_a_year(m, areas) for m in metrics)
    years = LAST_YEAR - FIRST_YEAR + 1
    low = max(len(metrics), per_year // 8)
    high = round_up(per_year * years * MARGIN)
    parts = " + ".join(
        f"{m.metric_id} ({sum(areas[g] for g in m.geographies)} areas x "
        f"{len(m.breakdowns)} breakdowns x {PERIODS_A_YEAR[m.period_type]} periods)"
        for m in metrics
    )
    note = (
        f"Row count within the bounds derived from the metric catalogue for a publication "
        f"from {FIRST_YEAR} to {LAST_YEAR}. Rows a year: {parts} = {per_year}. At least "
        f"half of one quarter's rows and one row per metric ({low}); at most {years} years "
        f"x {MARGIN}, rounded up ({high})."
    )
    return low, high, note


# --------------------------------------------------------------------------- suites


def fact_suite(fact: str, metrics: list[Metric], areas: Counter) -> str:
    low, high, bounds_note = row_count_bounds(metrics, areas)
    expectations = [
        expectation(
            "expect_table_columns_to_match_set",
            {"column_set": MART_CONTRACT_COLUMNS, "exact_match": False},
            "Every column of the mart contract is present.",
        ),
        expectation(
            "expect_table_row_count_to_be_between",
            {"min_value": low, "max_value": high},
            bounds_note,
        ),
        expectation(
            "expect_compound_columns_to_be_unique",
            {"column_list": ["metric_id", "area_code", "period_end_date", "breakdown"]},
            "Grain: one row per metric, area, period end and breakdown.",
        ),
        *[
            expectation(
                "expect_column_values_to_not_be_null",
                {"column": column},
                f"The contract forbids a null `{column}`.",
            )
            for column in NOT_NULL_CONTRACT_COLUMNS
        ],
        expectation(
            "expect_column_values_to_not_be_null",
            {
                "column": "value",
                "row_condition": {
                    "conditions": [equals("is_data_gap", False), equals("is_suppressed", False)],
                    "type": "and",
                },
            },
            "A value is null only for a data gap or a suppressed estimate.",
        ),
        expectation(
            "expect_column_values_to_not_be_null",
            {"column": "suppression_reason", "row_condition": equals("is_suppressed", True)},
            "A suppressed value says why.",
        ),
        expectation(
            "expect_column_values_to_be_in_set",
            {"column": "area_level", "value_set": AREA_LEVELS},
            "Known area levels.",
        ),
        expectation(
            "expect_column_values_to_be_in_set",
            {"column": "period_type", "value_set": PERIOD_TYPES},
            "Known period types.",
        ),
        expectation(
            "expect_column_values_to_be_in_set",
            {"column": "direction_of_travel", "value_set": DIRECTIONS},
            "Known directions of travel.",
        ),
        *value_ranges(),
        expectation(
            "expect_column_values_to_be_between",
            {"column": "rate_per_1000", "min_value": 0.0},
            "Rates per 1,000 population are non-negative.",
        ),
        *interval_brackets(),
        expectation(
            "expect_column_max_to_be_between",
            {"column": "period_end_date", "max_value": parameter("publication_period")},
            "No figure is later than the publication period.",
        ),
        expectation(
            "expect_column_distinct_values_to_be_in_set",
            {"column": "metric_id", "value_set": parameter("catalogue_metric_ids")},
            "Every metric is one the metric catalogue assigns to this fact.",
        ),
    ]
    note = (
        f"Checks the exported file of `{fact}` (CSV and Parquet) against the mart contract "
        "(docs/mart_contract.md) before it is published. GENERATED by `ncpm gx` from the "
        "metric catalogue: do not edit, run `make gx`."
    )
    return suite(fact, expectations, note)


def value_ranges() -> list[dict]:
    return [
        expectation(
            "expect_column_values_to_be_between",
            {"column": "value", "min_value": 0.0},
            "Values are non-negative (counts, estimates and percentages).",
        ),
        expectation(
            "expect_column_values_to_be_between",
            {
                "column": "value",
                "row_condition": equals("unit", "percent"),
                "min_value": 0.0,
                "max_value": 100.0,
            },
            "A percentage lies within 0-100.",
        ),
    ]


def interval_brackets() -> list[dict]:
    return [
        expectation(
            "expect_column_pair_values_a_to_be_greater_than_b",
            {
                "column_A": high,
                "column_B": low,
                "or_equal": True,
                "ignore_row_if": "either_value_is_missing",
            },
            f"The 95% confidence interval brackets the estimate: {low} <= {high}.",
        )
        for high, low in (("value", "ci_lower"), ("ci_upper", "value"))
    ]


def scorecard_suite() -> str:
    expectations = [
        expectation(
            "expect_table_columns_to_match_set",
            {"column_set": SCORECARD_COLUMNS, "exact_match": False},
            "Every scorecard column is present.",
        ),
        expectation(
            "expect_table_row_count_to_equal",
            {"value": parameter("catalogue_metric_count")},
            "One row per metric of the catalogue.",
        ),
        expectation(
            "expect_column_values_to_be_unique",
            {"column": "metric_id"},
            "Grain: one row per metric.",
        ),
        *[
            expectation(
                "expect_column_values_to_not_be_null",
                {"column": column},
                f"`{column}` is never null.",
            )
            for column in (
                "metric_id",
                "measure_id",
                "area_code",
                "area_name",
                "unit",
                "direction_of_travel",
                "has_figure",
                "publication_period_end_date",
            )
        ],
        expectation(
            "expect_column_values_to_be_between",
            {
                "column": "publication_period_end_date",
                "min_value": parameter("publication_period"),
                "max_value": parameter("publication_period"),
            },
            "The scorecard is for the publication period, and only for it.",
        ),
        expectation(
            "expect_column_max_to_be_between",
            {"column": "period_end_date", "max_value": parameter("publication_period")},
            "No figure is later than the publication period.",
        ),
        expectation(
            "expect_column_values_to_not_be_null",
            {"column": "value", "row_condition": equals("has_figure", True)},
            "A metric marked as having a figure has a value.",
        ),
        expectation(
            "expect_column_values_to_be_in_set",
            {"column": "direction_of_travel", "value_set": DIRECTIONS},
            "Known directions of travel.",
        ),
        *value_ranges(),
        *interval_brackets(),
    ]
    note = (
        "Checks the exported scorecard (one headline row per catalogue metric for the "
        "publication period, for the metric's headline area). GENERATED by `ncpm gx`: do not "
        "edit, run `make gx`."
    )
    return suite("rpt_measures_scorecard", expectations, note)


def model_yaml(models_dir: Path, model: str) -> dict:
    """The YAML entry of a marts model (its columns and data tests)."""
    for path in sorted((models_dir / "marts").rglob("*.yml")):
        for entry in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models") or []:
            if entry["name"] == model:
                return entry
    raise KeyError(f"model {model} (no YAML under models/marts)")


def reference_suite(model: str, models_dir: Path, may_be_empty: bool = False) -> str:
    """A reference table's suite: its contract columns, its grain (the model's
    unique_combination_of_columns test), its not_null columns, and no figure later than the
    publication period when it has figures by period."""
    entry = model_yaml(models_dir, model)
    columns = [c["name"] for c in entry.get("columns") or []]
    grain = next(
        test["unique_combination_of_columns"]["arguments"]["combination_of_columns"]
        for test in entry.get("data_tests") or []
        if isinstance(test, dict) and "unique_combination_of_columns" in test
    )
    not_null = [
        c["name"]
        for c in entry.get("columns") or []
        if "not_null" in (c.get("data_tests") or []) and c["name"] not in grain
    ]
    expectations = [
        expectation(
            "expect_table_columns_to_match_set",
            {"column_set": columns, "exact_match": False},
            f"Every column of the `{model}` contract is present.",
        ),
        expectation(
            "expect_table_row_count_to_be_between",
            {"min_value": 0 if may_be_empty else 1},
            "Any number of rows (none until a figure is revised)."
            if may_be_empty
            else "The table is not empty.",
        ),
        expectation(
            "expect_compound_columns_to_be_unique",
            {"column_list": grain},
            f"Grain: one row per {', '.join(grain)}.",
        )
        if len(grain) > 1
        else expectation(
            "expect_column_values_to_be_unique",
            {"column": grain[0]},
            f"Grain: one row per {grain[0]}.",
        ),
        *[
            expectation(
                "expect_column_values_to_not_be_null",
                {"column": column},
                f"`{column}` is never null.",
            )
            for column in [*grain, *not_null]
        ],
    ]
    if "metric_id" in columns and "period_end_date" in columns:
        expectations.append(
            expectation(
                "expect_column_values_to_be_between",
                {"column": "period_end_date", "max_value": parameter("publication_period")},
                "No figure is later than the publication period.",
            )
        )
    note = (
        f"Checks the exported file of `{model}` (CSV and Parquet), a table the publication "
        "carries for BI, against its model's YAML. GENERATED by `ncpm gx`: do not edit, run "
        "`make gx`."
    )
    return suite(model, expectations, note)


# --------------------------------------------------------------------------- local diagnostics

POLICE_UK_FIRST_YEAR = 2010  # police.uk street-level files start in December 2010
LOCAL_LABEL = "not a National Measure"  # every local diagnostic row says so (figure_status)
LOCAL_AREA_LEVELS = ["district", "csp", "pfa", "region", "national"]
LOCAL_DECILE_BREAKDOWNS = 12  # `all`, `imd decile 1` to `imd decile 10`, `imd decile unknown`
LOCAL_CRIME_COLUMNS = [
    "area_code", "area_name", "area_level", "pfa_code", "period_end_date", "period_type",
    "crime_category", "breakdown", "value", "month_value", "unit", "rate_per_1000",
    "baseline_value", "change_from_baseline", "pct_change_from_baseline",
    "unlocated_crime_pct", "is_data_gap", "is_month_data_gap", "is_incomplete",
    "quality_note", "month_quality_note", "figure_status",
]  # fmt: skip
LOCAL_RECONCILIATION_COLUMNS = [
    "area_code", "area_name", "period_end_date", "period_type", "police_uk_value",
    "recorded_value", "ratio", "ratio_lower_bound", "ratio_upper_bound", "is_within_bounds",
    "quality_note", "figure_status",
]  # fmt: skip


def local_categories(reference_dir: Path) -> list[str]:
    """fct_local_crime's categories: the police.uk categories of ref_street_crime_types but
    `other_crime` (only counted in all crime), the proxy total and all crime."""
    with (reference_dir / "ref_street_crime_types.csv").open(newline="", encoding="utf-8") as f:
        codes = {row["category_code"] for row in csv.DictReader(f)}
    return sorted((codes - {"other_crime"}) | {"neighbourhood_crime", "all_crime"})


def local_partnership_counts(reference_dir: Path) -> tuple[int, int]:
    """(districts, community safety partnerships) of ref_districts.csv."""
    with (reference_dir / "ref_districts.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return len({r["lad_code"] for r in rows}), len({r["csp_code"] for r in rows})


def local_figure_status() -> dict:
    return expectation(
        "expect_column_values_to_match_regex",
        {"column": "figure_status", "regex": LOCAL_LABEL},
        "Every row is labelled a local diagnostic from police.uk, not a National Measure.",
    )


def local_crime_suite(reference_dir: Path, areas: Counter) -> str:
    categories = local_categories(reference_dir)
    districts, partnerships = local_partnership_counts(reference_dir)
    forces_and_above = areas["pfa"] + areas["region"] + areas["national"]
    per_year = 4 * len(categories) * (districts + partnerships + LOCAL_DECILE_BREAKDOWNS
                                      * forces_and_above)  # fmt: skip
    years = LAST_YEAR - POLICE_UK_FIRST_YEAR + 1
    high = round_up(per_year * years * MARGIN)
    expectations = [
        expectation(
            "expect_table_columns_to_match_set",
            {"column_set": LOCAL_CRIME_COLUMNS, "exact_match": False},
            "Every column of fct_local_crime is present.",
        ),
        expectation(
            "expect_table_row_count_to_be_between",
            {"min_value": 1, "max_value": high},
            f"Rows a year at quarter ends: 4 x {len(categories)} categories x ({districts} "
            f"districts + {partnerships} partnerships + {LOCAL_DECILE_BREAKDOWNS} breakdowns x "
            f"{forces_and_above} forces, regions and England and Wales) = {per_year}; at most "
            f"{years} years ({POLICE_UK_FIRST_YEAR} to {LAST_YEAR}) x {MARGIN}, rounded up "
            f"({high}).",
        ),
        expectation(
            "expect_compound_columns_to_be_unique",
            {"column_list": ["area_code", "period_end_date", "crime_category", "breakdown"]},
            "Grain: one row per area, period end, category and breakdown.",
        ),
        *[
            expectation(
                "expect_column_values_to_not_be_null",
                {"column": column},
                f"`{column}` is never null.",
            )
            for column in (
                *("area_code", "area_level", "period_end_date", "period_type"),
                *("crime_category", "breakdown", "unit", "is_data_gap", "is_incomplete"),
                "figure_status",
            )
        ],
        expectation(
            "expect_column_values_to_not_be_null",
            {"column": "value", "row_condition": equals("is_data_gap", False)},
            "A rolling year is null only for a data gap: a gap is never a zero.",
        ),
        expectation(
            "expect_column_values_to_not_be_null",
            {"column": "quality_note", "row_condition": equals("is_data_gap", True)},
            "A data gap says why.",
        ),
        expectation(
            "expect_column_values_to_be_in_set",
            {"column": "area_level", "value_set": LOCAL_AREA_LEVELS},
            "Known area levels.",
        ),
        expectation(
            "expect_column_values_to_be_in_set",
            {"column": "crime_category", "value_set": categories},
            "Known categories (ref_street_crime_types).",
        ),
        expectation(
            "expect_column_values_to_be_in_set",
            {"column": "unit", "value_set": ["crimes", "incidents"]},
            "Crimes, or anti-social behaviour incidents (never crimes).",
        ),
        *[
            expectation(
                "expect_column_values_to_be_between",
                {"column": column, "min_value": 0.0},
                f"`{column}` is non-negative.",
            )
            for column in ("value", "month_value", "rate_per_1000")
        ],
        expectation(
            "expect_column_values_to_be_between",
            {"column": "unlocated_crime_pct", "min_value": 0.0, "max_value": 100.0},
            "The share of a force's crimes without a location lies within 0-100.",
        ),
        expectation(
            "expect_column_max_to_be_between",
            {"column": "period_end_date", "max_value": parameter("publication_period")},
            "No figure is later than the publication period.",
        ),
        local_figure_status(),
    ]
    note = (
        "Checks the exported file of `fct_local_crime` (CSV and Parquet): local diagnostics "
        "from police.uk, not National Measures (docs/local_diagnostics.md). GENERATED by "
        "`ncpm gx`: do not edit, run `make gx`."
    )
    return suite("fct_local_crime", expectations, note)


def local_reconciliation_suite(areas: Counter) -> str:
    per_year = 4 * areas["pfa"]
    years = LAST_YEAR - POLICE_UK_FIRST_YEAR + 1
    high = round_up(per_year * years * MARGIN)
    expectations = [
        expectation(
            "expect_table_columns_to_match_set",
            {"column_set": LOCAL_RECONCILIATION_COLUMNS, "exact_match": False},
            "Every column of rpt_local_crime_reconciliation is present.",
        ),
        expectation(
            "expect_table_row_count_to_be_between",
            {"min_value": 1, "max_value": high},
            f"Rows a year: {areas['pfa']} forces x 4 quarter ends = {per_year}; at most "
            f"{years} years x {MARGIN}, rounded up ({high}).",
        ),
        expectation(
            "expect_compound_columns_to_be_unique",
            {"column_list": ["area_code", "period_end_date"]},
            "Grain: one row per force and quarter end.",
        ),
        *[
            expectation(
                "expect_column_values_to_not_be_null",
                {"column": column},
                f"`{column}` is never null.",
            )
            for column in ("area_code", "period_end_date", "figure_status")
        ],
        expectation(
            "expect_column_values_to_be_between",
            {"column": "ratio", "min_value": 0.0},
            "The ratio of two counts is non-negative.",
        ),
        expectation(
            "expect_column_max_to_be_between",
            {"column": "period_end_date", "max_value": parameter("publication_period")},
            "No figure is later than the publication period.",
        ),
        local_figure_status(),
    ]
    note = (
        "Checks the exported file of `rpt_local_crime_reconciliation`: each force's police.uk "
        "neighbourhood-crime proxy against its M4.2 figure (a local diagnostic, not a National "
        "Measure). GENERATED by `ncpm gx`: do not edit, run `make gx`."
    )
    return suite("rpt_local_crime_reconciliation", expectations, note)


def files() -> dict[Path, str]:
    """Every suite, by absolute path: one per catalogue fact, and the scorecard's."""
    config = settings.get()
    catalogue = registry.catalogue(config.reference_dir)
    areas = area_counts(config.reference_dir)
    suites = {
        config.gx_dir / f"{fact}.json": fact_suite(
            fact, [m for m in catalogue if m.fact_model == fact], areas
        )
        for fact in registry.fact_models(config.reference_dir)
    }
    suites[config.gx_dir / "rpt_measures_scorecard.json"] = scorecard_suite()
    for model in REFERENCE_TABLES:
        suites[config.gx_dir / f"{model}.json"] = reference_suite(model, config.models_dir)
    suites[config.gx_dir / f"{REVISIONS}.json"] = reference_suite(
        REVISIONS, config.models_dir, may_be_empty=True
    )
    suites[config.gx_dir / "fct_local_crime.json"] = local_crime_suite(config.reference_dir, areas)
    suites[config.gx_dir / "rpt_local_crime_reconciliation.json"] = local_reconciliation_suite(
        areas
    )
    return suites


def run(check: bool = False) -> int:
    """Write the suites, or with ``check`` name the stale ones; exit code."""
    try:
        rendered = files()
    except KeyError as error:
        print(f"error: unknown period type or column {error}", file=sys.stderr)
        return 2
    return generated.write_or_check(rendered, settings.root(), "make gx", check)
