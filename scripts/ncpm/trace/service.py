"""Trace one published figure back to the raw rows it was computed from.

    scripts/trace --metric M1.1 --area E23000001 --period 2019-06 [--breakdown all] [--json]
    make trace METRIC=M1.1 AREA=E23000001 PERIOD=2019-06 [JSON=1]

For the figure (metric, area, period end, breakdown) of its measure fact, prints the
chain from raw to figure, reading the built warehouse (NCPM_DUCKDB_PATH, default
warehouse/ncpm.duckdb) and the landed raw files:

* the model chain from the metric's raw source to its fact (from the dbt manifest,
  target/manifest.json, when it exists);
* the raw file(s) and data row numbers that contribute, with the text as published
  and the value staging parsed from it;
* each aggregation step with its intermediate values (each force's quarters and rolling
  year; for regions and England and Wales the parts, naming any force left out as an
  accepted data gap), checked against the model that holds it;
* for survey figures (victim survey M4.1, M5.1, M6.1, M6.2; business survey M5.3): which
  rows of which files feed each quarter (counts and row ranges only: personal data), the
  weighted sums per quarter and year, Kish's effective sample size, and the estimate, SE
  and 95% CI recomputed from those sums;
* the baseline and the arithmetic of change, % change and rate per 1,000.

The raw contributions printed add up to the published value (counts) or reproduce it
(surveys); every step says whether it reconciles, and the script exits 1 when one does not.

PERIOD is YYYY-MM (the last day of that month, i.e. the quarter or year end) or
YYYY-MM-DD. Metrics are traced by the tracer registered for their source feed (TRACERS
below): police recorded crime has its own; the other count feeds are described in
COUNT_FEEDS and traced by one generic tracer; the two surveys have theirs.
"""

from __future__ import annotations

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

from ncpm import settings
from ncpm.periods import PeriodError, parse_period_end, quarter_ends_of_year

ROOT = settings.root()
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
    # Survey figures: the estimate, SE and CI recomputed from the printed weighted sums.
    recomputed: dict[str, Any] = field(default_factory=dict)

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
    def raw_contributions_total(self) -> float | None:
        """Sum of the raw rows that count towards the figure (counts; None for surveys)."""
        if self.recomputed or any("value" not in r for r in self.raw_rows):
            return None
        return sum_values(r["value"] for r in self.raw_rows if r.get("contributes", True))

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
            "raw_contributions_total": num(self.raw_contributions_total),
            "recomputed_from_weighted_sums": self.recomputed or None,
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


# ------------------------------------------------- count feeds outside police recorded crime


@dataclass(frozen=True)
class CountFeed:
    """How the figures of one count feed are built, for the generic count tracer.

    `series` maps (metric_id, breakdown) to the SQL predicate on the staging model that
    selects the rows the series counts (the same rule as the feed's intermediate model).
    Each selected staging row contributes `value_sql` (1 for a record-per-victim feed).
    """

    staging: str
    value_sql: str
    raw_columns: tuple[str, ...]  # columns of the landed file printed as published
    describe: tuple[str, ...]  # staging columns printed beside each row
    series: dict[tuple[str, str], str]
    quarterly: str | None  # model holding each leaf's quarterly value (None: not persisted)
    rolling: str  # model holding the leaves' and parents' period values
    annual: bool = False  # financial-year figures (one period) instead of rolling years
    national_only: bool = False  # no area in the feed: every row is England and Wales's


COUNT_FEEDS: dict[str, CountFeed] = {
    "homicide_index": CountFeed(
        staging="stg_homicide_index__victims",
        value_sql="1",
        raw_columns=("date_recorded", "force_name", "homicide_id"),  # one record: counts 1
        describe=("homicide_id", "force_name", "victim_age_band", "method_of_killing"),
        series={
            ("M1.2", "all"): "true",
            ("M1.2", "sharp instrument"): "is_sharp_instrument",
            ("M1.2", "victim under 25"): "is_victim_under_25",
            ("M1.2", "domestic"): "is_domestic",
            ("M3.1", "all"): "is_drug_related",
        },
        quarterly="int_homicide_index__area_quarter",
        rolling="int_quarterly_measures__rolling_12_months",
    ),
    "weapon_returns": CountFeed(
        staging="stg_weapon_returns__offences",
        value_sql="offence_count",
        raw_columns=("offences",),
        describe=(
            "force_name",
            "financial_year",
            "financial_quarter",
            "weapon_type",
            "offence_type",
        ),
        series={
            ("M2.2", "all"): "weapon_type = 'firearm' and is_discharged and not is_air_weapon",
            ("M2.3", "all"): "weapon_type = 'knife or sharp instrument'",
        },
        quarterly="int_weapon_returns__area_quarter",
        rolling="int_quarterly_measures__rolling_12_months",
    ),
    "hospital_admissions": CountFeed(
        staging="stg_hospital_admissions__admissions",
        value_sql="admission_count",
        raw_columns=("admissions",),
        describe=("admission_month", "age_band"),
        series={
            ("M2.1", "all"): "is_under_25",
            ("M2.1", "under 18"): "age_band = 'under 18'",
            ("M2.1", "18-24"): "age_band = '18-24'",
        },
        quarterly="int_hospital_admissions__quarters",
        rolling="int_quarterly_measures__rolling_12_months",
        national_only=True,
    ),
    "drug_treatment_referrals": CountFeed(
        staging="stg_drug_treatment_referrals__referrals",
        value_sql="referral_count",
        raw_columns=("referrals",),
        describe=("force_name", "financial_year", "financial_quarter"),
        series={("M3.2", "all"): "true"},
        quarterly="int_drug_treatment_referrals__area_quarter",
        rolling="int_quarterly_measures__rolling_12_months",
    ),
    "county_lines": CountFeed(
        staging="stg_county_lines__lines_closed",
        value_sql="lines_closed_count",
        raw_columns=("lines_closed",),
        describe=("financial_year", "financial_quarter"),
        series={("M3.4", "all"): "true"},
        quarterly="int_county_lines__quarters",
        rolling="int_quarterly_measures__rolling_12_months",
        national_only=True,
    ),
    "action_fraud_computer_misuse": CountFeed(
        staging="stg_action_fraud_computer_misuse__offences",
        value_sql="offence_count",
        raw_columns=("offences",),
        describe=("financial_year", "financial_quarter", "offence_type"),
        series={("M5.2", "all"): "true"},
        quarterly=None,
        rolling="int_action_fraud_computer_misuse__rolling_12_months",
        national_only=True,
    ),
    "drug_seizures": CountFeed(
        staging="stg_drug_seizures__seizures",
        value_sql="seizure_count",
        raw_columns=("seizures",),
        describe=("force_name", "financial_year", "drug_type", "source_shape"),
        series={
            ("M3.3", "all"): "row_kind = 'all_drugs' and drug_type = 'All drugs'",
            ("M3.3", "Class A"): "row_kind = 'class_total' and drug_type = 'Total Class A'",
            ("M3.3", "Class B"): "row_kind = 'class_total' and drug_type = 'Total Class B'",
            ("M3.3", "Class C"): "row_kind = 'class_total' and drug_type = 'Total Class C'",
        },
        quarterly=None,
        rolling="int_drug_seizures__area_year",
        annual=True,
    ),
}


def attach_published_text(trace: Trace, rows: list[dict[str, Any]], columns: tuple[str, ...]):
    """Each row's cells as published in its landed file (read from the file itself)."""
    by_file: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        by_file[row["source_file"]].add(row["source_row_number"])
    cells: dict[tuple[str, int], dict[str, str]] = {}
    for source_file, numbers in sorted(by_file.items()):
        trace.raw_files.append(source_file)
        path = resolve_raw_file(source_file)
        if not path.exists():
            trace.notes.append(f"raw file {source_file} is no longer in place (archived?)")
            continue
        for number, raw in read_raw_rows(path, numbers).items():
            cells[(source_file, number)] = raw
    for row in rows:
        raw = cells.get((row["source_file"], row["source_row_number"]), {})
        header = row["staging"].get("source_column_header")  # wide seizure tables
        wanted = (header,) if header else columns
        row["published"] = {c: raw.get(c) for c in wanted}
        row["published_text"] = raw.get(wanted[-1])


def trace_count_feed(con, trace: Trace) -> None:
    """Raw rows -> staging -> each part's quarters -> its year -> region / England and Wales."""
    fig = trace.figure
    feed = COUNT_FEEDS[trace.metric["source_feed"]]
    metric_id, breakdown, area = fig["metric_id"], fig["breakdown"], fig["area_code"]
    period = date.fromisoformat(fig["period_end_date"])
    predicate = feed.series.get((metric_id, breakdown))
    if predicate is None:
        raise TraceError(
            f"the tracer of {trace.metric['source_feed']} has no rule for "
            f"{metric_id} breakdown {breakdown!r}; known: {sorted(feed.series)}"
        )
    key = [metric_id, breakdown, period]
    figure_row = records(
        con,
        f"select * from intermediate.{feed.rolling} where metric_id = ? and breakdown = ? "
        "and period_end_date = ? and area_code = ?",
        [*key, area],
    )
    if not figure_row:
        raise TraceError(f"no row in {feed.rolling} for {metric_id} {breakdown} {area} {period}")
    figure_row = figure_row[0]

    # The parts: the area itself (a PFA, a reporting body or a national-only feed's figure),
    # a region's PFAs, or every PFA and reporting body for England and Wales.
    level = fig["area_level"]
    if feed.national_only or level in ("pfa", "reporting_body"):
        part_filter, part_params = "y.area_code = ?", [area]
    elif level == "region":
        part_filter, part_params = "y.area_level = 'pfa' and a.parent_area_code = ?", [area]
    else:
        part_filter, part_params = "y.area_level in ('pfa', 'reporting_body')", []
    gap_column = "is_known_gap" if "is_known_gap" in figure_row else "false"
    parts = records(
        con,
        f"select y.area_code, a.area_name, y.area_level, y.value, {gap_column} as is_known_gap, "
        "y.quality_note "
        f"from intermediate.{feed.rolling} as y inner join marts.dim_area as a "
        "on y.area_code = a.area_code "
        f"where y.metric_id = ? and y.breakdown = ? and y.period_end_date = ? and {part_filter} "
        "order by a.sort_order, y.area_code",
        [*key, *part_params],
    )
    part_codes = [p["area_code"] for p in parts]
    names = {p["area_code"]: p["area_name"] for p in parts}
    periods = [period] if feed.annual else quarter_ends_of_year(period)
    period_column = "period_end_date" if feed.annual else "quarter_end_date"

    # Raw rows of the parts in the periods, with the staging row each became.
    area_sql = "cast(? as varchar)" if feed.national_only else "area_code"
    area_params = [area] if feed.national_only else []
    part_placeholders = ", ".join("?" for _ in part_codes) or "null"
    period_placeholders = ", ".join("?" for _ in periods)
    describe = list(feed.describe) + (
        ["source_column_header"] if feed.staging == "stg_drug_seizures__seizures" else []
    )
    rows = records(
        con,
        f"""
        select * from (
            select source_file, source_row_number, {area_sql} as area_code,
                {period_column} as period_end_date, {feed.value_sql} as value,
                {", ".join(describe)}
            from staging.{feed.staging}
            where ({predicate}) and {period_column} in ({period_placeholders})
        ) as rows_of_series
        where area_code in ({part_placeholders})
        order by period_end_date, area_code, source_file, source_row_number
        """,
        [*area_params, *periods, *part_codes],
    )
    included = {p["area_code"] for p in parts if p["value"] is not None}
    for row in rows:
        trace.raw_rows.append(
            {
                "source_file": row["source_file"],
                "source_row_number": row["source_row_number"],
                "area_code": row["area_code"],
                "quarter_end_date": row["period_end_date"],
                "value": row["value"],
                "contributes": row["area_code"] in included,
                "staging": {c: row[c] for c in describe},
            }
        )
    attach_published_text(trace, trace.raw_rows, feed.raw_columns)

    # Step 1: each part's quarterly (or annual) value = the sum of its raw rows.
    raw_sums: dict[tuple[str, str], list] = defaultdict(list)
    for row in trace.raw_rows:
        raw_sums[(row["area_code"], row["quarter_end_date"])].append(row["value"])
    held: dict[tuple[str, str], Any] = {}
    if feed.quarterly:
        for q in records(
            con,
            f"select area_code, quarter_end_date, quarter_value from intermediate.{feed.quarterly} "
            f"where metric_id = ? and breakdown = ? and area_code in ({part_placeholders}) "
            f"and quarter_end_date in ({period_placeholders})",
            [metric_id, breakdown, *part_codes, *periods],
        ):
            held[(q["area_code"], q["quarter_end_date"])] = q["quarter_value"]
    elif feed.annual:
        held = {(p["area_code"], period.isoformat()): p["value"] for p in parts}
    part_periods: dict[str, list] = defaultdict(list)
    step_rows = []
    for p_end in periods:
        for code in part_codes:
            cell = (code, p_end.isoformat())
            values = raw_sums[cell]
            model_value = held.get(cell) if (feed.quarterly or feed.annual) else None
            if values:
                computed = sum_values(values)
            elif feed.quarterly or feed.annual:
                # Returned none of the offences (0), or no return at all (null): as the model says.
                computed = 0.0 if model_value is not None else None
            else:
                computed = None  # no rows in a quarter of a national feed: a gap
            if not (feed.quarterly or feed.annual):
                model_value = computed
            ok = (
                trace.check(f"raw rows -> {code} {cell[1]}", computed, model_value)
                if (feed.quarterly or feed.annual)
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
                        if feed.quarterly or feed.annual
                        else ""
                    ),
                }
            )
    trace.steps.append(
        {
            "model": feed.quarterly or (feed.rolling if feed.annual else feed.staging),
            "what": (
                "each part's financial-year value = its row of the seizures table"
                if feed.annual
                else "each part's quarterly value = the sum of its raw rows"
                + ("" if feed.quarterly else " (summed in the rolling-year model)")
            ),
            "rows": step_rows,
        }
    )

    # Step 2: each part's rolling year = its four quarters, only when all four have a value.
    part_year = {code: values[0] for code, values in part_periods.items()}  # annual: its value
    if not feed.annual:
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
                "model": feed.rolling,
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
                "model": feed.rolling,
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
    trace.check(f"{feed.rolling} -> fact value", figure_row["value"], fig["value"])
    # The raw rows of the parts in the figure add up to it (a part left out counts nothing).
    contributing = [r["value"] for r in trace.raw_rows if r["contributes"]]
    raw_total = None if chain_value is None else sum_values(contributing)
    trace.check("raw rows -> published value", raw_total, fig["value"])


# ------------------------------------------------------------------------ survey feeds


def project_vars() -> dict[str, Any]:
    """The survey settings (dbt_project.yml vars) the estimates were built with."""
    import yaml

    project = yaml.safe_load((ROOT / "dbt_project.yml").read_text(encoding="utf-8"))
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


def trace_victim_survey(con, trace: Trace) -> None:
    """Raw respondent / victim-form rows -> weighted sums by quarter -> year -> estimate, SE, CI."""
    fig = trace.figure
    metric_id, breakdown = fig["metric_id"], fig["breakdown"]
    period = date.fromisoformat(fig["period_end_date"])
    settings = project_vars()
    deft = float(settings.get("survey_design_factor", 1.2))
    min_base = int(settings.get("survey_min_unweighted_base", 50))
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
            f"weighted sums (MEASURES.md section 6; design factor {deft}, published only when "
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


def trace_business_survey(con, trace: Trace) -> None:
    """The published table's row (weighted % and unweighted base) -> SE and CI."""
    fig = trace.figure
    deft = float(project_vars().get("survey_design_factor", 1.2))
    min_base = int(project_vars().get("survey_min_unweighted_base", 50))
    rows = records(
        con,
        "select * from staging.stg_business_cyber_breaches_survey__size_bands "
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
        ("survey_year", "size_band", "unweighted_base", "pct_identifying_breach_or_attack"),
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


# The tracer of each source feed (dim_metric.source_feed): a function (con, trace) that
# fills trace.raw_rows, trace.steps and trace.check(...) for every step. Count feeds
# built like the quarterly measures are described in COUNT_FEEDS; a new one needs only
# an entry there.
TRACERS: dict[str, Callable[[Any, Trace], None]] = {
    "police_recorded_crime": trace_police_recorded_crime,
    **{feed: trace_count_feed for feed in COUNT_FEEDS},
    "victim_survey": trace_victim_survey,
    "business_cyber_breaches_survey": trace_business_survey,
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


def trace_in_warehouse(
    metric_id: str,
    area: str,
    period: str,
    breakdown: str = "all",
    database: Path | None = None,
    manifest: Path | None = None,
) -> Trace:
    """Trace one figure in the built warehouse ``database`` (default: the settings' file).

    Raises TraceError when the figure cannot be traced (no warehouse, unknown metric, ...).
    """
    import duckdb

    config = settings.get()
    path = database or config.duckdb_path
    if not path.exists():
        raise TraceError(f"no warehouse at {path}; run `make build` first")
    try:
        period_end = parse_period_end(period)
    except PeriodError as error:
        raise TraceError(str(error)) from error
    os.chdir(ROOT)  # staging views read the landed files by paths relative to the project
    con = duckdb.connect(str(path), read_only=True)
    try:
        return trace_figure(
            con,
            metric_id,
            area,
            period_end,
            breakdown,
            manifest or config.target_dir / "manifest.json",
        )
    finally:
        con.close()
