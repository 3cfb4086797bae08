"""Generate the MetricFlow semantic layer, and the other dbt files, from the registry.

`ncpm semantic` writes every dbt-side file derived from the feed registry and the metric
catalogue (:mod:`ncpm.registry`); they are committed and tests/python/test_generated.py
fails when one is stale:

* models/marts/_marts__semantic_layer.yml (this module);
* macros/measures/measure_fact_models.sql and models/marts/_marts__exposures.yml
  (:mod:`ncpm.dbt_files`).

The semantic layer has:

* one semantic model per measure fact of the catalogue, named after the fact without
  `fct_` (fct_homicide -> `homicide`), with the entities `area` (-> dim_area) and
  `metric` (-> dim_metric), the time dimension `period_end_date` (= metric_time) and
  the fact's categorical dimensions;
* semantic models over dim_area (`area`) and dim_metric (`metric`) for names;
* one MetricFlow metric per catalogue metric, named `<metric id>_<two words of its
  name>` (M1.1 -> `m1_1_homicide_offences`): the published headline figure
  (breakdown 'all') of one area and period.

A figure is never summed over time: each fact's value measure has `period_end_date`
as a non-additive dimension (the latest period end inside a coarser grain is
taken). Figures of different areas are never meant to be summed either: query a
metric grouped by `area` (or filtered to one area level).

Usage:
    ncpm semantic           # write the files
    ncpm semantic --check   # exit 1 naming each stale file

Run it after changing the feed registry or the metric catalogue (`make semantic`).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from ncpm import dbt_files, generated, registry, settings
from ncpm.registry import Metric

OUTPUT_FILE = Path("models") / "marts" / "_marts__semantic_layer.yml"

# Words skipped when a metric's name is shortened to its MetricFlow name.
STOP_WORDS = {
    "a", "an", "and", "by", "for", "in", "into", "involving", "of", "or", "the", "to",
    "very", "fairly", "with", "who", "percentage",
}  # fmt: skip

# Categorical dimensions every measure fact has (the mart contract).
FACT_DIMENSIONS = [
    ("metric_id", "Metric identifier from the metric catalogue (`M1.1` ...)."),
    ("breakdown", "`all` for the headline row; otherwise the category."),
    ("area_level", "`national`, `country`, `region`, `pfa` or `reporting_body`."),
    (
        "period_type",
        "`rolling_12_months`, `financial_year`, `survey_year` or `survey_rolling_year`.",
    ),
    ("direction_of_travel", "`improving`, `worsening`, `no significant change` or `not assessed`."),
    ("is_data_gap", "The value is null because an input period is missing."),
    ("is_suppressed", "The value is withheld by disclosure control."),
]

AREA_DIMENSIONS = [
    ("area_name", "Area name (ONS spelling for PFAs)."),
    ("area_level", "`national`, `country`, `region`, `pfa` or `reporting_body`."),
    ("region_code", "Region (or Wales) of a PFA; the region's own code for a region."),
    ("region_name", "Name of the region of a PFA or region."),
    ("country_code", "Country of the area: E92000001 England, W92000004 Wales, or K04000001."),
    ("country_name", "England, Wales, or England and Wales."),
    ("parent_area_code", "The area this one sums into."),
]

METRIC_DIMENSIONS = [
    ("measure_id", "Measure (`M1` ... `M6`)."),
    ("measure_name", "Measure heading."),
    ("metric_name", "Metric name."),
    ("unit", "Unit of the value."),
    ("desired_direction", "`down` or `up`."),
    ("source_feed", "Raw feed the metric comes from."),
    ("baseline_label", "Baseline period as written in the publication."),
]


def semantic_model_name(fact_model: str) -> str:
    return fact_model.removeprefix("fct_")


def metric_semantic_name(metric_id: str, metric_name: str) -> str:
    """`M1.1`, `Homicide offences recorded by the police` -> `m1_1_homicide_offences`."""
    words = [w for w in re.split(r"[^a-z0-9]+", metric_name.lower()) if w and w not in STOP_WORDS]
    prefix = re.sub(r"[^a-z0-9]+", "_", metric_id.lower())
    return "_".join([prefix, *words[:2]])


def q(text: str) -> str:
    """A YAML double-quoted scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dimension_lines(dimensions: list[tuple[str, str]]) -> list[str]:
    lines = []
    for name, description in dimensions:
        lines += [
            f"      - name: {name}",
            "        type: categorical",
            f"        description: {q(description)}",
        ]
    return lines


def fact_semantic_model(fact: str, metrics: list[Metric]) -> list[str]:
    name = semantic_model_name(fact)
    ids = ", ".join(m["metric_id"] for m in metrics)
    return [
        f"  - name: {name}",
        f"    label: {q(metrics[0]['measure_name'])}",
        "    description: >",
        f"      {fact}: {metrics[0]['measure_id']} {metrics[0]['measure_name']} (metrics {ids}).",
        "      One row per metric, area, period end and breakdown. Group by `area`;",
        "      values are never summed over time (period_end_date is non-additive).",
        f"    model: ref('{fact}')",
        f"    primary_entity: {name}",
        "    defaults:",
        "      agg_time_dimension: period_end_date",
        "    entities:",
        "      - name: area",
        "        type: foreign",
        "        expr: area_code",
        "      - name: metric",
        "        type: foreign",
        "        expr: metric_id",
        "    dimensions:",
        "      - name: period_end_date",
        "        type: time",
        f"        description: {q('Last day of the period the figure covers (= metric_time).')}",
        "        type_params:",
        "          time_granularity: day",
        *dimension_lines(FACT_DIMENSIONS),
        "    measures:",
        *measure_lines(name, fact),
    ]


# The contract columns each fact exposes as a measure, and which catalogue metrics get a
# metric over each: (column, metric name suffix, label suffix, description, applies to).
MEASURE_COLUMNS = [
    ("value", "", "", "The published value", lambda m: True),
    (
        "pct_change_from_baseline",
        "_pct_change",
        " (% change from baseline)",
        "% change from the baseline (100 x change / baseline)",
        lambda m: True,
    ),
    (
        "rate_per_1000",
        "_rate_per_1000",
        " (rate per 1,000)",
        "Rate per 1,000 population (PFAs, regions, England and Wales)",
        lambda m: m["unit"] != "percent" and "pfa" in m["geographies"].split(";"),
    ),
    (
        "ci_lower",
        "_ci_lower",
        " (95% CI lower bound)",
        "Lower bound of the 95% confidence interval",
        lambda m: m["period_type"].startswith("survey"),
    ),
    (
        "ci_upper",
        "_ci_upper",
        " (95% CI upper bound)",
        "Upper bound of the 95% confidence interval",
        lambda m: m["period_type"].startswith("survey"),
    ),
]


def measure_lines(name: str, fact: str) -> list[str]:
    lines = []
    for column, _, _, description, _ in MEASURE_COLUMNS:
        text = f"{description} ({fact}.{column}), one row per area and period."
        lines += [
            f"      - name: {name}_{column}",
            f"        description: {q(text)}",
            "        agg: sum",
            f"        expr: {column}",
            "        non_additive_dimension:",
            "          name: period_end_date",
            "          window_choice: max",
            "          window_groupings: [metric, area]",
        ]
    return lines


def metric_definitions(metric: Metric) -> list[str]:
    """The catalogue metric's headline figure, and its % change, rate and CI where they apply."""
    model = semantic_model_name(metric["fact_model"])
    base = metric_semantic_name(metric["metric_id"], metric["metric_name"])
    period = metric["period_type"].replace("_", " ")
    metric_filter = (
        f"{{{{ Dimension('{model}__metric_id') }}}} = '{metric['metric_id']}' "
        f"and {{{{ Dimension('{model}__breakdown') }}}} = 'all'"
    )
    lines: list[str] = []
    for column, suffix, label_suffix, what, applies in MEASURE_COLUMNS:
        if not applies(metric):
            continue
        description = (
            f"{what} of {metric['metric_id']} {metric['metric_name']} ({metric['unit']}, "
            f"{period}; baseline {metric['baseline_label']}; desired direction "
            f"{metric['desired_direction']}), headline breakdown 'all', from "
            f"{metric['fact_model']}.{column}. Group by `area` (or filter one area level) "
            "and `metric_time`; never summed over time."
        )
        label = metric["metric_id"] + " " + metric["metric_name"] + label_suffix
        lines += [
            *([""] if lines else []),
            f"  - name: {base}{suffix}",
            f"    label: {q(label)}",
            f"    description: {q(description)}",
            "    type: simple",
            "    type_params:",
            f"      measure: {model}_{column}",
            f"    filter: {q(metric_filter)}",
        ]
    return lines


def render(catalogue: list[Metric], facts: list[str]) -> str:
    """The semantic layer YAML of the catalogue's metrics over the given facts."""
    lines = [
        "# GENERATED by `ncpm semantic` — do not edit. Written from the metric catalogue",
        "# (seeds/reference/ref_metric_catalogue.csv) and the feed registry",
        "# (seeds/reference/ref_feeds.csv); after changing either, run `make semantic`.",
        "version: 2",
        "",
        "semantic_models:",
        "  - name: areas",
        f"    description: {q('Conformed geography (dim_area): names of the `area` entity.')}",
        "    model: ref('dim_area')",
        "    entities:",
        "      - name: area",
        "        type: primary",
        "        expr: area_code",
        "    dimensions:",
        *dimension_lines(AREA_DIMENSIONS),
        "",
        "  - name: metrics",
        f"    description: {q('The metric catalogue (dim_metric): names of the `metric` entity.')}",
        "    model: ref('dim_metric')",
        "    entities:",
        "      - name: metric",
        "        type: primary",
        "        expr: metric_id",
        "    dimensions:",
        *dimension_lines(METRIC_DIMENSIONS),
    ]
    metrics = []
    for fact in facts:
        fact_metrics = [m for m in catalogue if m["fact_model"] == fact]
        if not fact_metrics:
            continue
        lines += ["", *fact_semantic_model(fact, fact_metrics)]
        metrics += fact_metrics
    lines += ["", "metrics:"]
    for i, metric in enumerate(sorted(metrics, key=lambda m: m["metric_id"])):
        lines += ([""] if i else []) + metric_definitions(metric)
    return "\n".join(lines) + "\n"


def render_from_registry(reference_dir: Path) -> str:
    """The semantic layer YAML of every catalogue metric and fact (facts by name)."""
    catalogue = registry.catalogue(reference_dir)
    names = [metric_semantic_name(m["metric_id"], m["metric_name"]) for m in catalogue]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise ValueError(
            f"two catalogue metrics get the same MetricFlow name ({', '.join(duplicated)}): "
            "reword one metric_name in seeds/reference/ref_metric_catalogue.csv"
        )
    return render(catalogue, sorted(registry.fact_models(reference_dir)))


def files() -> dict[Path, str]:
    """Every dbt-side generated file, by absolute path: macros, exposures, semantic layer."""
    config = settings.get()
    return {
        **dbt_files.files(),
        config.root / OUTPUT_FILE: render_from_registry(config.reference_dir),
    }


def run(check: bool = False) -> int:
    """Write the dbt-side generated files, or with ``check`` name the stale ones; exit code."""
    try:
        rendered = files()
    except (KeyError, ValueError) as error:
        print(f"error: {error.args[0]}", file=sys.stderr)
        return 2
    return generated.write_or_check(rendered, settings.root(), "make semantic", check)
