"""scripts/trace: the raw contributions it prints reproduce the published figure."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import warnings
from datetime import date
from pathlib import Path

import duckdb
import pytest
from conftest import BIN, ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import trace as tracer  # scripts/trace.py, not the standard library module

assert Path(tracer.__file__).resolve() == ROOT / "scripts" / "trace.py", tracer.__file__


def parse_published_count(text: str) -> float:
    """Independent of the models: a published count as a number (spaces, commas, `-00`)."""
    return float(text.strip().replace(",", ""))


def raw_csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def test_period_is_the_last_day_of_the_month():
    assert tracer.parse_period("2019-06") == date(2019, 6, 30)
    assert tracer.parse_period("2020-03") == date(2020, 3, 31)
    assert tracer.parse_period("2019-06-30") == date(2019, 6, 30)
    with pytest.raises(tracer.TraceError):
        tracer.parse_period("June 2019")


def figures_to_trace(con) -> dict[str, list[tuple[str, str]]]:
    """Per traceable metric with figures: a PFA, a region and England and Wales, at the
    baseline and at the latest period (metrics come from the catalogue, not a list here)."""
    chosen: dict[str, list[tuple[str, str]]] = {}
    tables = {
        r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()
    }
    for metric_id, feed, fact, baseline in con.execute(
        "select metric_id, source_feed, fact_model, cast(baseline_period_end_date as varchar) "
        "from marts.dim_metric order by metric_id"
    ).fetchall():
        if fact not in tables:
            continue
        (latest,) = con.execute(
            f"select cast(max(period_end_date) as varchar) from marts.{fact} "
            "where metric_id = ? and value is not null",
            [metric_id],
        ).fetchone()
        if latest is None:
            continue
        if feed not in tracer.TRACERS:
            warnings.warn(
                f"{metric_id} ({feed}) has figures but no tracer in scripts/trace.py", stacklevel=2
            )
            continue
        areas = [
            r[0]
            for r in con.execute(
                f"select min(area_code) from marts.{fact} where metric_id = ? group by area_level "
                "order by 1",
                [metric_id],
            ).fetchall()
        ]
        chosen[metric_id] = [(a, p) for a in areas for p in (baseline, latest)]
    return chosen


@pytest.mark.slow
def test_raw_contributions_sum_to_the_published_value(built_sample):
    con = duckdb.connect(str(built_sample), read_only=True)
    chosen = figures_to_trace(con)
    assert "M1.1" in chosen  # at least one metric of each built measure is traced
    raw_cache: dict[str, list[dict[str, str]]] = {}
    for metric_id, figures in chosen.items():
        fact = con.execute(
            "select fact_model from marts.dim_metric where metric_id = ?", [metric_id]
        ).fetchone()[0]
        for area, period in figures:
            trace = tracer.trace_figure(
                con, metric_id, area, date.fromisoformat(period), "all", Path("/nonexistent")
            )
            published = con.execute(
                f"select value from marts.{fact} where metric_id = ? and area_code = ? "
                "and period_end_date = ? and breakdown = 'all'",
                [metric_id, area, period],
            ).fetchone()[0]
            where = f"{metric_id} {area} {period}"
            assert trace.reconciles, (where, [c for c in trace.checks if not c["ok"]])
            assert trace.raw_rows, where
            # Each raw row is really in the landed file, and its published text gives its value.
            total = 0.0
            for row in trace.raw_rows:
                source = row["source_file"]
                if source not in raw_cache:
                    raw_cache[source] = raw_csv_rows(tracer.resolve_raw_file(source))
                raw = raw_cache[source][row["source_row_number"] - 1]
                assert raw["Number of Offences"] == row["published_text"], (where, row)
                total += parse_published_count(raw["Number of Offences"])
            assert total == pytest.approx(published), where
            assert trace.as_json()["raw_contributions_total"] == pytest.approx(published), where


@pytest.mark.slow
def test_cli_prints_the_chain_and_valid_json(built_sample, tmp_path):
    args = ["--metric", "M1.1", "--area", "E12000007", "--period", "2019-06"]
    env = {"NCPM_DUCKDB_PATH": str(built_sample), "PATH": str(BIN)}
    text = subprocess.run(
        [str(BIN / "python"), "scripts/trace.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert text.returncode == 0, text.stderr
    for expected in (
        "1. Raw rows",
        "int_police_recorded_crime__area_quarter",
        "int_police_recorded_crime__rolling_12_months",
        "baseline YE Jun 2019",
        "% change  = 100 x change / baseline",
        "Reconciles: yes",
    ):
        assert expected in text.stdout, expected
    as_json = subprocess.run(
        [str(BIN / "python"), "scripts/trace.py", *args, "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert as_json.returncode == 0, as_json.stderr
    doc = json.loads(as_json.stdout)
    assert doc["reconciles"] is True
    assert doc["figure"]["area_code"] == "E12000007"
    assert doc["raw_contributions_total"] == doc["figure"]["value"]
    assert {s["model"] for s in doc["steps"]} >= {
        "int_police_recorded_crime__area_quarter",
        "int_police_recorded_crime__rolling_12_months",
    }
    # The London region is the sum of its two PFAs, each the sum of its raw rows.
    parts = [s for s in doc["steps"] if "sum_of_parts" in s["rows"][0]]
    assert parts and all(r["parts"] == 2 for r in parts[0]["rows"])


@pytest.mark.slow
def test_unsupported_feed_and_unknown_figure_fail_clearly(built_sample):
    con = duckdb.connect(str(built_sample), read_only=True)

    def trace(metric_id: str, period: date):
        return tracer.trace_figure(con, metric_id, "K04000001", period, "all", Path("/none"))

    with pytest.raises(tracer.TraceError, match=r"no tracer yet\. Supported feeds: police_rec"):
        trace("M6.1", date(2019, 6, 30))
    with pytest.raises(tracer.TraceError, match=r"unknown metric 'M9\.9'"):
        trace("M9.9", date(2019, 6, 30))
    with pytest.raises(tracer.TraceError, match=r"has no figure"):
        trace("M1.1", date(2019, 5, 31))


def test_survey_arithmetic_from_weighted_sums():
    """Hand-checked. Proportion: weights 1, 1, 2, 4 with satisfied = 1, 0, 1, 1:
    sum w = 8, sum w^2 = 22, sum w x = 7, so p = 7/8 = 0.875, n_eff = 64/22 = 2.9091,
    SE = 1.2 x sqrt(0.875 x 0.125 / 2.9091) = 1.2 x 0.193901 = 0.232681 -> 23.268 points,
    CI 87.5 +/- 1.96 x 23.268 = 41.894 .. 133.106.
    Rate: weights 1, 1 with incidents 0, 2: sum w = 2, sum w^2 = 2, sum w x = 2,
    sum w x^2 = 4; mean 1, variance 4/2 - 1 = 1, n_eff = 2, rate 1000 per 1,000,
    SE = 1000 x 1.2 x 1 / sqrt(2) = 848.53; population 3,000 -> 3,000 incidents."""
    p = tracer.survey_estimate_from_sums(8, 22, 7, 7, "proportion")
    assert p["n_eff"] == pytest.approx(2.909091, abs=1e-6)
    assert p["estimate"] == pytest.approx(87.5)
    assert p["standard_error"] == pytest.approx(23.268, abs=1e-3)
    assert p["ci_lower"] == pytest.approx(41.894, abs=1e-3)
    assert p["ci_upper"] == pytest.approx(133.106, abs=1e-3)
    r = tracer.survey_estimate_from_sums(2, 2, 2, 4, "rate", population=3000)
    assert r["estimate"] == pytest.approx(1000.0)
    assert r["standard_error"] == pytest.approx(848.528, abs=1e-3)
    assert r["estimated_incidents"] == pytest.approx(3000.0)
    with pytest.raises(ValueError):
        tracer.survey_estimate_from_sums(2, 2, 2, 4, "median")
