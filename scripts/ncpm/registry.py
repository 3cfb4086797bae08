"""The feed registry and the metric catalogue: the project's only lists of feeds and metrics.

Both are dbt seeds (``seeds/reference/ref_feeds.csv`` and ``ref_metric_catalogue.csv``), so
the warehouse, its lineage docs and the Python read the same rows. Everything that must
name every feed or every fact (the fact list, the rolling-year inputs, the exposures, the
semantic layer, the Great Expectations suites, the tracers) is derived from them here.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ncpm import settings

FEEDS_FILE = "ref_feeds.csv"
CATALOGUE_FILE = "ref_metric_catalogue.csv"


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(";") if part.strip())


@dataclass(frozen=True)
class Feed:
    """One row of the feed registry (``ref_feeds.csv``; its YAML describes each column)."""

    feed: str
    feed_name: str
    raw_folders: tuple[str, ...]
    grain: str
    staging_models: tuple[str, ...]
    metric_rows_model: str | None
    quarterly_model: str | None
    period_models: tuple[str, ...]
    tracer_family: str


@dataclass(frozen=True)
class Metric:
    """One row of the metric catalogue (``ref_metric_catalogue.csv``)."""

    row: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.row[column]

    @property
    def metric_id(self) -> str:
        return self.row["metric_id"]

    @property
    def source_feed(self) -> str:
        return self.row["source_feed"]

    @property
    def fact_model(self) -> str:
        return self.row["fact_model"]

    @property
    def period_type(self) -> str:
        return self.row["period_type"]

    @property
    def is_survey(self) -> bool:
        """A survey estimate (with a standard error), not a count."""
        return self.period_type.startswith("survey")

    @property
    def period_model(self) -> str | None:
        """The catalogue's own period model: set only when the feed names several."""
        return (self.row.get("period_model") or "").strip() or None

    @property
    def geographies(self) -> tuple[str, ...]:
        return _split(self.row["geographies"])

    @property
    def breakdowns(self) -> tuple[str, ...]:
        return _split(self.row["breakdowns"])


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@lru_cache(maxsize=4)
def feeds(reference_dir: Path | None = None) -> dict[str, Feed]:
    """Every registered feed by name, in registry order."""
    folder = reference_dir or settings.get().reference_dir
    result = {}
    for row in _read(folder / FEEDS_FILE):
        result[row["feed"]] = Feed(
            feed=row["feed"],
            feed_name=row["feed_name"],
            raw_folders=_split(row["raw_folders"]),
            grain=row["grain"],
            staging_models=_split(row["staging_models"]),
            metric_rows_model=row["metric_rows_model"] or None,
            quarterly_model=row["quarterly_model"] or None,
            period_models=_split(row["period_model"]),
            tracer_family=row["tracer_family"],
        )
    return result


@lru_cache(maxsize=4)
def catalogue(reference_dir: Path | None = None) -> list[Metric]:
    """Every catalogue metric, in catalogue order."""
    folder = reference_dir or settings.get().reference_dir
    return [Metric(row) for row in _read(folder / CATALOGUE_FILE)]


def fact_models(reference_dir: Path | None = None) -> list[str]:
    """The measure facts the catalogue names, in the order they first appear."""
    return list(dict.fromkeys(m.fact_model for m in catalogue(reference_dir)))


def feed_of(metric: Metric, reference_dir: Path | None = None) -> Feed:
    """The registered feed of a metric; KeyError naming the registry if there is none."""
    registered = feeds(reference_dir)
    if metric.source_feed not in registered:
        raise KeyError(
            f"metric {metric.metric_id} names feed {metric.source_feed!r}, which is not in "
            f"seeds/reference/{FEEDS_FILE}: add a row for it (docs/development.md)"
        )
    return registered[metric.source_feed]


def rolling_year_inputs(reference_dir: Path | None = None) -> list[str]:
    """The quarterly models stacked by int_quarterly_measures__rolling_12_months."""
    return [
        feed.quarterly_model
        for feed in feeds(reference_dir).values()
        if feed.quarterly_model
        and "int_quarterly_measures__rolling_12_months" in feed.period_models
    ]


def period_model_of(metric: Metric, reference_dir: Path | None = None) -> str:
    """The model holding a metric's published periods.

    The feed's ``period_model`` in the registry; when the feed names several (the victim
    survey's incidence and satisfaction estimates), the catalogue row's ``period_model``
    says which one.
    """
    feed = feed_of(metric, reference_dir)
    if metric.period_model:
        if metric.period_model not in feed.period_models:
            raise KeyError(
                f"metric {metric.metric_id}: period_model {metric.period_model!r} is not one "
                f"of the period models of feed {feed.feed} in seeds/reference/{FEEDS_FILE} "
                f"({', '.join(feed.period_models)})"
            )
        return metric.period_model
    if len(feed.period_models) != 1:
        raise KeyError(
            f"metric {metric.metric_id}: feed {feed.feed} has several period models "
            f"({', '.join(feed.period_models)}): name the metric's one in the period_model "
            f"column of seeds/reference/{CATALOGUE_FILE}"
        )
    return feed.period_models[0]


@dataclass(frozen=True)
class FactInput:
    """One model a fact reads, and the catalogue metrics it keeps from it."""

    model: str
    metric_ids: tuple[str, ...]
    survey: bool


def fact_inputs(reference_dir: Path | None = None) -> dict[str, list[FactInput]]:
    """Each fact's inputs: its catalogue metrics grouped by period model, in catalogue order."""
    grouped: dict[str, dict[tuple[str, bool], list[str]]] = {}
    for metric in catalogue(reference_dir):
        key = (period_model_of(metric, reference_dir), metric.is_survey)
        grouped.setdefault(metric.fact_model, {}).setdefault(key, []).append(metric.metric_id)
    return {
        fact: [FactInput(model, tuple(ids), survey) for (model, survey), ids in inputs.items()]
        for fact, inputs in grouped.items()
    }
