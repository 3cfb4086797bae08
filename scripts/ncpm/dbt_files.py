"""The dbt files generated from the feed registry and the metric catalogue (`ncpm semantic`).

* ``macros/measures/measure_fact_models.sql``: the macros

  - ``measure_fact_models()``: the measure facts, in catalogue order
    (:func:`ncpm.registry.fact_models`);
  - ``rolling_year_inputs()``: the quarterly models stacked by
    int_quarterly_measures__rolling_12_months (:func:`ncpm.registry.rolling_year_inputs`);
  - ``fact_inputs(fact)``: the models a fact reads and the catalogue metrics it keeps from
    each (:func:`ncpm.registry.fact_inputs`). ``always_complete`` is set for a count model
    whose YAML lists no ``is_incomplete`` column (its figures are never partial).

* ``models/marts/_marts__exposures.yml``: the exposures. Their words and owners are data
  here (:data:`EXPOSURES`); what they read comes from the project: the published BI copy
  reads every marts model (the facts of the catalogue and every model under models/marts/
  outside measures/).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from ncpm import registry, settings

MACROS_FILE = Path("macros") / "measures" / "measure_fact_models.sql"
EXPOSURES_FILE = Path("models") / "marts" / "_marts__exposures.yml"

EVERY_MARTS_MODEL = "every marts model"


@dataclass(frozen=True)
class Exposure:
    name: str
    label: str
    type: str
    maturity: str
    url: str | None
    description: str
    owner_name: str
    owner_email: str
    depends_on: tuple[str, ...] | str  # model names, or EVERY_MARTS_MODEL


EXPOSURES = [
    Exposure(
        name="quarterly_bulletin",
        label="Quarterly NCPM bulletin",
        type="analysis",
        maturity="high",
        url="publications/",
        description=(
            "The quarterly National Crime and Policing Measures bulletin read by the Crime "
            "and Policing Performance Board and published to the public: each measure's "
            "national trend against the June 2019 baseline, with change, % change and "
            "direction of travel, and force-level figures as diagnostics. Written by the "
            "publication step as `publications/<period>/bulletin.html` from the scorecard "
            "and the stacked measures."
        ),
        owner_name="Crime statistics publication team",
        owner_email="ncpm-publication@example.org",
        depends_on=(
            "rpt_measures_scorecard",
            "rpt_all_measures",
            "rpt_revisions",
            "dim_metric",
            "dim_period",
            "dim_area",
        ),
    ),
    Exposure(
        name="published_bi_copy",
        label="Published BI copy of the marts",
        type="application",
        maturity="high",
        url="warehouse/published/ncpm.duckdb",
        description=(
            "The read-only copy of the `marts` schema that BI tools (Power BI, Tableau, "
            "Metabase, Superset, Evidence, plain SQL) and the semantic layer read, written by "
            "the publication step as `warehouse/published/ncpm.duckdb` once a quarter's build "
            "and tests pass. It holds every marts model, so it depends on all of them."
        ),
        owner_name="Crime statistics data engineering",
        owner_email="ncpm-data-engineering@example.org",
        depends_on=EVERY_MARTS_MODEL,
    ),
    Exposure(
        name="board_dashboard",
        label="Crime and Policing Performance Board dashboard",
        type="dashboard",
        maturity="medium",
        url="http://127.0.0.1:8088/superset/dashboard/board/",
        description=(
            "The board's dashboard in Apache Superset (dashboards/board/), over the "
            "PostgreSQL serving database: one tile per metric with the latest national "
            "figure, baseline, change and direction of travel (from the scorecard), the "
            "national trend of each metric against its baseline (from the stacked measures), "
            "and a force table with force and region names for diagnostics, not targets "
            "(from the stacked measures and the areas dimension); filters for measure and area."
        ),
        owner_name="Crime and Policing Performance Board secretariat",
        owner_email="ncpm-board@example.org",
        depends_on=(
            "rpt_measures_scorecard",
            "rpt_all_measures",
            "dim_area",
        ),
    ),
]


# --------------------------------------------------------------------------- macros


@cache
def _model_columns(models_dir: Path) -> dict[str, set[str]]:
    """Every model's columns as its YAML lists them (dbt-bouncer: every column is listed)."""
    columns: dict[str, set[str]] = {}
    for path in sorted(models_dir.rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in document.get("models") or []:
            columns[model["name"]] = {c["name"] for c in model.get("columns") or []}
    return columns


def always_complete(model: str, models_dir: Path) -> bool:
    """A count model with no is_incomplete column: its figures are never partial."""
    known = _model_columns(models_dir)
    if model not in known:
        raise KeyError(
            f"{model} (a period model of seeds/reference/ref_feeds.csv) is described in no "
            "YAML under models/: describe it and its columns"
        )
    return "is_incomplete" not in known[model]


def _jinja_list(items: list[str] | tuple[str, ...]) -> str:
    return "[" + ", ".join(f"'{item}'" for item in items) + "]"


def render_macros(reference_dir: Path, models_dir: Path) -> str:
    facts = registry.fact_models(reference_dir)
    lines = [
        "{#- GENERATED by `ncpm semantic` — do not edit. Written from",
        "    seeds/reference/ref_metric_catalogue.csv and seeds/reference/ref_feeds.csv",
        "    (scripts/ncpm/dbt_files.py); after changing either, run `make semantic`. -#}",
        "",
        "{% macro measure_fact_models() -%}",
        "    {{ return([",
        *[f"        '{fact}'," for fact in facts],
        "    ]) }}",
        "{%- endmacro %}",
        "",
        "{% macro rolling_year_inputs() -%}",
        "    {{ return([",
        *[f"        '{model}'," for model in registry.rolling_year_inputs(reference_dir)],
        "    ]) }}",
        "{%- endmacro %}",
        "",
        "{% macro fact_inputs(fact) -%}",
        "    {%- set inputs = {",
    ]
    for fact, inputs in registry.fact_inputs(reference_dir).items():
        lines.append(f"        '{fact}': [")
        for item in inputs:
            complete = not item.survey and always_complete(item.model, models_dir)
            lines += [
                "            {",
                f"                'model': '{item.model}',",
                f"                'metric_ids': {_jinja_list(item.metric_ids)},",
                f"                'survey': {str(item.survey).lower()},",
                f"                'always_complete': {str(complete).lower()},",
                "            },",
            ]
        lines.append("        ],")
    lines += [
        "    } -%}",
        "    {%- if fact not in inputs -%}",
        "        {{ exceptions.raise_compiler_error(",
        "            fact ~ ' is the fact_model of no metric in ref_metric_catalogue.csv'",
        "        ) }}",
        "    {%- endif -%}",
        "    {{ return(inputs[fact]) }}",
        "{%- endmacro %}",
    ]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- exposures


def marts_models(models_dir: Path, reference_dir: Path) -> list[str]:
    """Every marts model: the catalogue's facts and the models outside marts/measures/."""
    marts = models_dir / "marts"
    others = {p.stem for p in marts.rglob("*.sql") if "measures" not in p.relative_to(marts).parts}
    return sorted(others | set(registry.fact_models(reference_dir)))


def _folded(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, width=92, initial_indent=indent, subsequent_indent=indent)


def render_exposures(models_dir: Path, reference_dir: Path) -> str:
    lines = [
        "# GENERATED by `ncpm semantic` — do not edit. Written from the exposures in",
        "# scripts/ncpm/dbt_files.py, the metric catalogue and the marts models; after",
        "# changing them, run `make semantic`.",
        "#",
        "# What consumes the marts: the lineage graph ends here. Exposures read marts",
        "# models only (dbt-bouncer: marts are `public`, exposures may only read public",
        "# models; tests/python/test_conventions.py: only models under models/marts, and",
        "# the published BI copy lists every marts model). Owner addresses are",
        "# placeholders (example.org) for the teams named.",
        "version: 2",
        "",
        "exposures:",
    ]
    for i, exposure in enumerate(EXPOSURES):
        depends_on = (
            marts_models(models_dir, reference_dir)
            if exposure.depends_on == EVERY_MARTS_MODEL
            else exposure.depends_on
        )
        lines += [
            *([""] if i else []),
            f"  - name: {exposure.name}",
            f"    label: {exposure.label}",
            f"    type: {exposure.type}",
            f"    maturity: {exposure.maturity}",
            *([f"    url: {exposure.url}"] if exposure.url else []),
            "    description: >",
            *_folded(exposure.description, "      "),
            "    owner:",
            f"      name: {exposure.owner_name}",
            f"      email: {exposure.owner_email}",
            "    depends_on:",
            *[f"      - ref('{model}')" for model in depends_on],
        ]
    return "\n".join(lines) + "\n"


def files() -> dict[Path, str]:
    """The macros file and the exposures YAML, by absolute path."""
    config = settings.get()
    return {
        config.root / MACROS_FILE: render_macros(config.reference_dir, config.models_dir),
        config.root / EXPOSURES_FILE: render_exposures(config.models_dir, config.reference_dir),
    }
