"""`ncpm trace`: the raw contributions it prints reproduce the published figure."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import duckdb
import pytest
from dbt_sandbox import BIN, RAW, ROOT

from ncpm import periods, registry
from ncpm.trace import raw_files, service, survey


def parse_published_count(text: str) -> float:
    """Independent of the models: a published count as a number (spaces, commas, `-00`)."""
    return float(text.strip().replace(",", ""))


def raw_csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def test_period_is_the_last_day_of_the_month():
    assert periods.parse_period_end("2019-06") == date(2019, 6, 30)
    assert periods.parse_period_end("2020-03") == date(2020, 3, 31)
    assert periods.parse_period_end("2019-06-30") == date(2019, 6, 30)
    with pytest.raises(periods.PeriodError):
        periods.parse_period_end("June 2019")


def figures_to_trace(con) -> dict[str, list[tuple[str, str, str]]]:
    """Per metric with figures: one area of each level it is published for, at the baseline
    and at the latest period, headline breakdown; and every other breakdown once (national or
    the first area, latest period). Metrics come from the catalogue, not a list here."""
    chosen: dict[str, list[tuple[str, str, str]]] = {}
    tables = {
        r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()
    }
    for metric_id, fact, baseline in con.execute(
        "select metric_id, fact_model, cast(baseline_period_end_date as varchar) "
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
        areas = [
            r[0]
            for r in con.execute(
                f"select min(area_code) from marts.{fact} where metric_id = ? group by area_level "
                "order by 1",
                [metric_id],
            ).fetchall()
        ]
        breakdowns = [
            r[0]
            for r in con.execute(
                f"select distinct breakdown from marts.{fact} where metric_id = ? "
                "and breakdown <> 'all' order by 1",
                [metric_id],
            ).fetchall()
        ]
        chosen[metric_id] = [(a, p, "all") for a in areas for p in (baseline, latest)] + [
            (areas[-1], latest, b) for b in breakdowns
        ]
    return chosen


def check_count_rows(trace, published: float, raw_cache: dict, where: str) -> None:
    """Each raw row is really in its landed file, and the published text gives its value:
    the rows that count add up to the published figure (parsed here, not by the models)."""
    total = 0.0
    for row in trace.raw_rows:
        source = row["source_file"]
        if source not in raw_cache:
            raw_cache[source] = raw_csv_rows(raw_files.resolve_raw_file(source))
        raw = raw_cache[source][row["source_row_number"] - 1]
        if "homicide_id" in row["staging"]:  # the homicide index: one record per victim
            assert raw["homicide_id"] == row["staging"]["homicide_id"], (where, row)
            value = 1.0
        else:
            column = row["staging"].get("source_column_header") or {
                "police_recorded_crime": "Number of Offences"
            }.get(trace.metric["source_feed"])
            text = raw[column] if column else row["published_text"]
            assert text == row["published_text"], (where, row)
            if not text.strip():  # a blank cell is "not available", never 0: its part is left out
                assert row["value"] is None and not row.get("contributes", True), (where, row)
                continue
            value = parse_published_count(text)
            assert value == pytest.approx(row["value"]), (where, row)
        if row.get("contributes", True):
            total += value
    assert total == pytest.approx(published), where
    assert trace.as_json()["raw_contributions_total"] == pytest.approx(published), where


def published(raw: dict[str, str], column: str) -> str:
    return (raw.get(column) or "").strip().lower()


# What each count series counts, written here from docs/measures.md on the cells as published,
# independently of the models (their metric rows models hold the same rules in SQL): a raw
# row of the metric's feed is in the series exactly when its rule holds. Changing a rule in
# a model (or the data) without changing it here makes the test fail.
SERIES_RULES = {
    ("M1.2", "all"): lambda r: True,
    ("M1.2", "sharp instrument"): lambda r: published(r, "method_of_killing") == "sharp instrument",
    ("M1.2", "victim under 25"): lambda r: published(r, "victim_age_band") in ("under 16", "16-24"),
    ("M1.2", "domestic"): lambda r: published(r, "is_domestic") == "y",
    ("M3.1", "all"): lambda r: published(r, "is_drug_related") == "y",
    ("M2.1", "all"): lambda r: published(r, "age_band") in ("under 18", "18-24"),
    ("M2.1", "under 18"): lambda r: published(r, "age_band") == "under 18",
    ("M2.1", "18-24"): lambda r: published(r, "age_band") == "18-24",
    ("M2.2", "all"): lambda r: (
        published(r, "weapon_type") == "firearm"
        and published(r, "is_discharged") == "y"
        and published(r, "is_air_weapon") == "n"
    ),
    ("M2.3", "all"): lambda r: published(r, "weapon_type") == "knife or sharp instrument",
    ("M3.2", "all"): lambda r: True,
    ("M3.3", "all"): lambda r: published(r, "drug_type") == "all drugs",
    ("M3.3", "Class A"): lambda r: published(r, "drug_type") == "total class a",
    ("M3.3", "Class B"): lambda r: published(r, "drug_type") == "total class b",
    ("M3.3", "Class C"): lambda r: published(r, "drug_type") == "total class c",
    ("M3.4", "all"): lambda r: True,
    ("M5.2", "all"): lambda r: True,
}
# The published cells that place a raw row in an area and period: a traced figure must list
# every row of the series in each (file, cell) it lists rows of.
CELL_COLUMNS = {
    "homicide_index": ("force_name", "date_recorded"),
    "weapon_returns": ("force_name", "financial_year", "financial_quarter"),
    "hospital_admissions": ("month",),
    "drug_treatment_referrals": ("force_name", "financial_year", "financial_quarter"),
    "county_lines": ("financial_year", "financial_quarter"),
    "action_fraud_computer_misuse": ("financial_year", "financial_quarter"),
    "drug_seizures": ("force_name", "financial_year"),
}


def check_series_rule(trace, raw_cache: dict, where: str) -> None:
    """The rows traced are exactly the rows of their cells that the series' rule selects."""
    fig = trace.figure
    rule = SERIES_RULES.get((fig["metric_id"], fig["breakdown"]))
    if rule is None:  # police recorded crime: classified through the reference seeds
        assert trace.metric["source_feed"] == "police_recorded_crime", where
        return
    key_columns = CELL_COLUMNS[trace.metric["source_feed"]]
    # a wide seizures table's cell is classified by its column header (ref_drug_seizure_columns)
    printed = {
        (r["source_file"], r["source_row_number"])
        for r in trace.raw_rows
        if not r["staging"].get("source_column_header")
    }
    cells = set()
    for source_file, number in printed:
        raw = raw_cache[source_file][number - 1]
        assert rule(raw), (where, "traced row not in the series", source_file, number, raw)
        cells.add((source_file, tuple(published(raw, c) for c in key_columns)))
    for source_file in {f for f, _ in printed}:
        for number, raw in enumerate(raw_cache[source_file], start=1):
            cell = (source_file, tuple(published(raw, c) for c in key_columns))
            if cell in cells and rule(raw):
                assert (source_file, number) in printed, (
                    where,
                    "row of the series not traced",
                    source_file,
                    number,
                    raw,
                )


def check_survey_sums(trace, figure: dict, design_factor: float, where: str) -> None:
    """The estimate and its 95% CI recomputed HERE from the weighted sums the trace prints
    (docs/survey.md), independently of the tracer's own arithmetic."""
    doc = trace.as_json()
    steps = [s for s in doc["steps"] if s["rows"] and "sum_w" in s["rows"][-1]]
    assert steps, where
    values, variances = [], []
    for step in steps:
        *quarters, year = step["rows"]
        assert year["quarter_end_date"] == "year" and len(quarters) == 4, where
        for k in ("n", "sum_w", "sum_w2", "sum_wx", "sum_wx2"):
            assert sum(q[k] for q in quarters) == pytest.approx(year[k]), (where, k)
        n_eff = year["sum_w"] ** 2 / year["sum_w2"]
        mean = year["sum_wx"] / year["sum_w"]
        if trace.metric["unit"] == "percent":
            values.append(100 * mean)
            variances.append((100 * design_factor) ** 2 * mean * (1 - mean) / n_eff)
        else:  # incidents: rate x population (sum of weights) = sum w x
            sd = (year["sum_wx2"] / year["sum_w"] - mean**2) ** 0.5
            values.append(year["sum_wx"])
            variances.append((design_factor * sd / n_eff**0.5 * year["sum_w"]) ** 2)
    value, se = sum(values), sum(variances) ** 0.5
    assert value == pytest.approx(figure["value"], rel=1e-9), where
    assert value - 1.96 * se == pytest.approx(figure["ci_lower"], rel=1e-9), where
    assert value + 1.96 * se == pytest.approx(figure["ci_upper"], rel=1e-9), where
    assert doc["recomputed_from_weighted_sums"]["value"] == pytest.approx(figure["value"])
    # Where the rows are: files and row numbers (counts only, never their values).
    assert doc["raw_files"] and all(r["row_count"] > 0 for r in doc["raw_rows"]), where


@pytest.mark.slow
def test_raw_contributions_reproduce_every_measures_figures(built_sample):
    con = duckdb.connect(str(built_sample), read_only=True)
    chosen = figures_to_trace(con)
    measures = {r[0] for r in con.execute("select measure_id from marts.dim_metric").fetchall()}
    # Every metric with figures has a tracer (its feed's tracer family in the registry has
    # one), so one metric of each measure (here all) is traced.
    feeds = registry.feeds()
    untraced = {
        m: feed
        for m, feed in con.execute("select metric_id, source_feed from marts.dim_metric").fetchall()
        if m in chosen and (feed not in feeds or feeds[feed].tracer_family not in service.TRACERS)
    }
    assert not untraced, f"metrics with figures but no tracer in ncpm.trace: {untraced}"
    traced_measures = {m.split(".")[0] for m in chosen}
    assert traced_measures == measures, (traced_measures, measures)
    design_factor = float(survey.project_vars()["survey_design_factor"])
    raw_cache: dict[str, list[dict[str, str]]] = {}
    for metric_id, figures in chosen.items():
        fact = con.execute(
            "select fact_model from marts.dim_metric where metric_id = ?", [metric_id]
        ).fetchone()[0]
        for area, period, breakdown in figures:
            where = f"{metric_id} {area} {period} {breakdown!r}"
            trace = service.trace_figure(
                con, metric_id, area, date.fromisoformat(period), breakdown, Path("/nonexistent")
            )
            cursor = con.execute(
                f"select value, ci_lower, ci_upper from marts.{fact} where metric_id = ? "
                "and area_code = ? and period_end_date = ? and breakdown = ?",
                [metric_id, area, period, breakdown],
            )
            figure = dict(zip(["value", "ci_lower", "ci_upper"], cursor.fetchone(), strict=True))
            assert trace.reconciles, (where, [c for c in trace.checks if not c["ok"]])
            assert trace.raw_rows, where
            if figure["value"] is None:
                continue
            if trace.metric["source_feed"] == "victim_survey":
                check_survey_sums(trace, figure, design_factor, where)
            elif trace.recomputed:  # the business survey: one published row, no weights
                (row,) = trace.raw_rows
                raw = raw_csv_rows(raw_files.resolve_raw_file(row["source_file"]))
                published = raw[row["source_row_number"] - 1]
                p, n = (
                    float(published["pct_identifying_breach_or_attack"]),
                    int(published["unweighted_base"]),
                )
                se = design_factor * (p * (100 - p) / n) ** 0.5
                assert p == pytest.approx(figure["value"]), where
                assert p - 1.96 * se == pytest.approx(figure["ci_lower"]), where
            else:
                check_count_rows(trace, figure["value"], raw_cache, where)
                check_series_rule(trace, raw_cache, where)


@pytest.mark.slow
def test_cli_prints_the_chain_and_valid_json(built_sample, tmp_path):
    args = ["--metric", "M1.1", "--area", "E12000007", "--period", "2019-06"]
    env = {"NCPM_DUCKDB_PATH": str(built_sample), "PATH": str(BIN)}
    text = subprocess.run(
        [str(BIN / "ncpm"), "trace", *args],
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
        [str(BIN / "ncpm"), "trace", *args, "--json"],
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
def test_unsupported_feed_and_unknown_figure_fail_clearly(built_sample, monkeypatch):
    con = duckdb.connect(str(built_sample), read_only=True)

    def trace(metric_id: str, period: date, breakdown: str = "all"):
        return service.trace_figure(con, metric_id, "K04000001", period, breakdown, Path("/none"))

    monkeypatch.delitem(service.TRACERS, "victim_survey")  # a tracer family
    with pytest.raises(service.TraceError, match=r"no tracer yet\. Supported feeds: action_"):
        trace("M6.1", date(2019, 6, 30))
    with pytest.raises(service.TraceError, match=r"unknown metric 'M9\.9'"):
        trace("M9.9", date(2019, 6, 30))
    with pytest.raises(service.TraceError, match=r"has no figure"):
        trace("M1.1", date(2019, 5, 31))
    with pytest.raises(service.TraceError, match=r"has no figure"):
        trace("M1.2", date(2019, 6, 30), "no such breakdown")


@pytest.mark.slow
def test_england_only_metric_is_traced_on_england(built_sample):
    """M2.1 (English hospitals only) is published for England, level country: traced there
    as its own single part, and it has no England and Wales figure to trace."""
    con = duckdb.connect(str(built_sample), read_only=True)
    try:
        trace = service.trace_figure(
            con, "M2.1", "E92000001", date(2019, 6, 30), "all", Path("/none")
        )
        assert trace.reconciles
        assert trace.figure["area_level"] == "country"
        assert {r["area_code"] for r in trace.raw_rows} == {"E92000001"}
        assert not any("sum_of_parts" in s["rows"][0] for s in trace.steps if s["rows"])
        with pytest.raises(service.TraceError, match=r"has no figure"):
            service.trace_figure(con, "M2.1", "K04000001", date(2019, 6, 30), "all", Path("/none"))
    finally:
        con.close()


def test_rolling_year_quarters_and_row_ranges():
    assert periods.quarter_ends_of_year(date(2019, 6, 30)) == [
        date(2018, 9, 30),
        date(2018, 12, 31),
        date(2019, 3, 31),
        date(2019, 6, 30),
    ]
    assert survey.row_ranges([9, 1, 2, 3, 7, 10]) == "1-3, 7, 9-10"
    assert survey.row_ranges([]) == ""


def test_survey_arithmetic_from_weighted_sums():
    """Hand-checked. Proportion: weights 1, 1, 2, 4 with satisfied = 1, 0, 1, 1:
    sum w = 8, sum w^2 = 22, sum w x = 7, so p = 7/8 = 0.875, n_eff = 64/22 = 2.9091,
    SE = 1.2 x sqrt(0.875 x 0.125 / 2.9091) = 1.2 x 0.193901 = 0.232681 -> 23.268 points,
    CI 87.5 +/- 1.96 x 23.268 = 41.894 .. 133.106.
    Rate: weights 1, 1 with incidents 0, 2: sum w = 2, sum w^2 = 2, sum w x = 2,
    sum w x^2 = 4; mean 1, variance 4/2 - 1 = 1, n_eff = 2, rate 1000 per 1,000,
    SE = 1000 x 1.2 x 1 / sqrt(2) = 848.53; population 3,000 -> 3,000 incidents."""
    p = survey.survey_estimate_from_sums(8, 22, 7, 7, "proportion")
    assert p["n_eff"] == pytest.approx(2.909091, abs=1e-6)
    assert p["estimate"] == pytest.approx(87.5)
    assert p["standard_error"] == pytest.approx(23.268, abs=1e-3)
    assert p["ci_lower"] == pytest.approx(41.894, abs=1e-3)
    assert p["ci_upper"] == pytest.approx(133.106, abs=1e-3)
    r = survey.survey_estimate_from_sums(2, 2, 2, 4, "rate", population=3000)
    assert r["estimate"] == pytest.approx(1000.0)
    assert r["standard_error"] == pytest.approx(848.528, abs=1e-3)
    assert r["estimated_incidents"] == pytest.approx(3000.0)
    with pytest.raises(ValueError):
        survey.survey_estimate_from_sums(2, 2, 2, 4, "median")


@pytest.mark.slow
def test_cli_traces_a_survey_figure_from_any_folder(built_sample, tmp_path):
    """A survey figure: weighted sums, n_eff, SE and CI printed; run from another folder."""
    args = ["--metric", "M6.1", "--area", "K04000001", "--period", "2019-06"]
    env = {"NCPM_DUCKDB_PATH": str(built_sample), "PATH": f"{BIN}:/usr/bin:/bin"}
    script = [str(BIN / "ncpm"), "trace"]  # the installed command, as a user runs it
    text = subprocess.run([*script, *args], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert text.returncode == 0, text.stderr
    for expected in (
        "survey rows are personal data, so counts only",
        "int_victim_survey__interview_quarters",
        "rolling year: n ",
        "n_eff = (sum w)^2 / sum w^2",
        "SE = 1.2 x 100 x sqrt(p (1 - p) / n_eff)",
        "Recomputed from the weighted sums",
        "Reconciles: yes",
    ):
        assert expected in text.stdout, expected
    doc = json.loads(
        subprocess.run(
            [*script, *args, "--json"], cwd=tmp_path, env=env, capture_output=True, text=True
        ).stdout
    )
    assert doc["reconciles"] is True
    assert doc["recomputed_from_weighted_sums"]["value"] == pytest.approx(doc["figure"]["value"])
    assert doc["recomputed_from_weighted_sums"]["ci_lower"] == pytest.approx(
        doc["figure"]["ci_lower"]
    )


# ---------------------------------------------------------------- local diagnostics (police.uk)

LANDED = RAW / "street_level_crime"


def landed_rows_counted(force_id: str | None, csp_code: str | None, months: list[str]) -> dict:
    """{month: sorted [(source_file, source_row)]} of the neighbourhood crime proxy, read
    here from the landed Parquet with DuckDB and the seed CSVs, independently of the models:
    a force's every row; a partnership's located rows whose LSOA (a 2011 code through
    ref_lsoas, else its name less the ` NNNX` suffix) names a district of that partnership
    in ref_lsoa_district_names."""
    reference = ROOT / "seeds" / "reference"
    con = duckdb.connect()
    try:
        rows = con.execute(
            f"""
            with landed as (
                select * from read_parquet(
                    '{LANDED.as_posix()}/month=*/*.parquet', hive_partitioning = true
                )
                where month in (select unnest($months))
            ),
            proxies as (
                select crime_type
                from read_csv('{reference / "ref_street_crime_types.csv"}', all_varchar = true)
                where is_neighbourhood_crime = 'true'
            ),
            lsoas as (
                select lsoa_code, district_name
                from read_csv('{reference / "ref_lsoas.csv"}', all_varchar = true)
            ),
            names as (
                select district_name, csp_code
                from read_csv('{reference / "ref_lsoa_district_names.csv"}', all_varchar = true)
            ),
            placed as (
                select landed.*, names.csp_code
                from landed
                left join lsoas on landed.lsoa_code = lsoas.lsoa_code
                left join names on names.district_name = coalesce(
                    lsoas.district_name, regexp_replace(landed.lsoa_name, ' [0-9]{{3}}[A-Z]$', '')
                )
            )
            select month, source_file, source_row
            from placed
            where crime_type in (select crime_type from proxies)
              and (($force is not null and force_id = $force)
                   or ($csp is not null and lsoa_code is not null and csp_code = $csp))
            order by month, source_file, source_row
            """,
            {"months": months, "force": force_id, "csp": csp_code},
        ).fetchall()
    finally:
        con.close()
    found: dict[str, list] = {m: [] for m in months}
    for month, source_file, source_row in rows:
        found[month].append((source_file, source_row))
    return found


def traced_rows(doc_rows: list[dict]) -> dict[str, list]:
    """{month: sorted [(source_file, source_row)]} from the trace's row ranges."""
    found: dict[str, list] = {}
    for row in doc_rows:
        for first, last in row["row_ranges"]:
            found.setdefault(row["month"], []).extend(
                (row["source_file"], n) for n in range(first, last + 1)
            )
    return {m: sorted(v) for m, v in found.items()}


def run_trace(database: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "ncpm"), "trace", *args],
        cwd=ROOT,
        env={"NCPM_DUCKDB_PATH": str(database), "PATH": f"{BIN}:/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


YEAR_TO_JUNE_2020 = [f"2019-{m:02d}" for m in range(7, 13)] + [f"2020-{m:02d}" for m in range(1, 7)]
YEAR_TO_JUNE_2019 = [f"2018-{m:02d}" for m in range(7, 13)] + [f"2019-{m:02d}" for m in range(1, 7)]


@pytest.mark.slow
def test_local_figure_is_reproduced_from_the_landed_parquet_rows(built_sample):
    """City of London's partnership: the rows the trace names, month by month, are the rows
    this test selects from the landed Parquet; their count is the published figure."""
    args = ["--metric", "local:neighbourhood_crime", "--area", "E22000180", "--period", "2020-06"]
    result = run_trace(built_sample, *args, "--json")
    assert result.returncode == 0, result.stderr + result.stdout[-3000:]
    doc = json.loads(result.stdout)
    assert doc["reconciles"] is True
    assert "not a National Measure" in doc["figure"]["figure_status"]

    expected = landed_rows_counted(None, "E22000180", YEAR_TO_JUNE_2020)
    assert traced_rows(doc["raw_rows"]) == {m: v for m, v in expected.items() if v}
    total = sum(len(v) for v in expected.values())
    assert total > 0
    assert doc["figure"]["value"] == total
    months = doc["steps"][0]["rows"]
    assert [r["month"] for r in months] == YEAR_TO_JUNE_2020
    assert [r["raw_count"] for r in months] == [len(expected[m]) for m in YEAR_TO_JUNE_2020]
    # every row named is in the landed file the trace names
    landed = {r["landed_file"] for r in doc["raw_rows"]}
    assert landed == {f"street_level_crime/month={m}/city-of-london.parquet" for m in expected}

    baseline = landed_rows_counted(None, "E22000180", YEAR_TO_JUNE_2019)
    assert traced_rows(doc["baseline"]["raw_rows"]) == {m: v for m, v in baseline.items() if v}
    assert doc["figure"]["baseline_value"] == sum(len(v) for v in baseline.values())

    text = run_trace(built_sample, *args)
    assert text.returncode == 0, text.stderr
    for line in (
        "Local diagnostic from police.uk street-level data: not a National Measure",
        "landed file street_level_crime/month=2020-06/city-of-london.parquet "
        "(from police.uk file 2020-06/2020-06-city-of-london-street.csv)",
        f"mart value {total}  ok",
        "Reconciles: yes",
    ):
        assert line in text.stdout, line


@pytest.mark.slow
def test_local_force_trace_counts_located_and_unlocated_and_gaps(built_sample):
    """A force counts every row of its files; Greater Manchester's missing months are gaps."""
    cumbria = run_trace(
        built_sample,
        *("--metric", "local:neighbourhood_crime", "--area", "E23000002", "--period", "2020-06"),
        "--json",
    )
    assert cumbria.returncode == 0, cumbria.stderr
    doc = json.loads(cumbria.stdout)
    expected = landed_rows_counted("cumbria", None, YEAR_TO_JUNE_2020)
    assert traced_rows(doc["raw_rows"]) == expected
    assert doc["figure"]["value"] == sum(len(v) for v in expected.values())
    located, unlocated = duckdb.sql(
        f"""
        select count(*) filter (where lsoa_code is not null),
               count(*) filter (where lsoa_code is null)
        from read_parquet('{LANDED.as_posix()}/month=*/cumbria.parquet', hive_partitioning = true)
        where month between '2019-07' and '2020-06' and crime_type <> 'Anti-social behaviour'
        """
    ).fetchone()
    split = next(s for s in doc["steps"] if "unlocated_crime_pct" in s["model"])["rows"][0]
    assert (split["located"], split["unlocated"]) == (located, unlocated)
    assert split["unlocated_crime_pct"] == pytest.approx(100.0 * unlocated / (located + unlocated))

    manchester = run_trace(
        built_sample,
        *("--metric", "local:neighbourhood_crime", "--area", "E23000005", "--period", "2020-06"),
        "--json",
    )
    assert manchester.returncode == 0, manchester.stderr
    doc = json.loads(manchester.stdout)
    assert not list(LANDED.glob("month=2019-0[7-9]/greater-manchester.parquet"))
    assert doc["figure"]["value"] is None and doc["figure"]["is_data_gap"] is True
    assert doc["raw_rows"] == []
    assert [r["raw_count"] for r in doc["steps"][0]["rows"]] == [None] * 12
    assert doc["reconciles"] is True


@pytest.mark.slow
def test_local_trace_exits_1_when_the_mart_disagrees_with_the_rows(built_sample, tmp_path):
    altered = tmp_path / "altered.duckdb"
    shutil.copyfile(built_sample, altered)
    con = duckdb.connect(str(altered))
    try:
        con.execute(
            "update marts.fct_local_crime set month_value = month_value + 1 "
            "where area_code = 'E22000180' and crime_category = 'neighbourhood_crime' "
            "and breakdown = 'all' and period_end_date = date '2020-03-31'"
        )
    finally:
        con.close()
    args = ["--metric", "local:neighbourhood_crime", "--area", "E22000180", "--period", "2020-06"]
    result = run_trace(altered, *args)
    assert result.returncode == 1, result.stdout[-2000:]
    assert "2020-03:" in result.stdout and "DOES NOT RECONCILE" in result.stdout
    assert "failed: 2020-03 count" in result.stdout
    region = run_trace(altered, *args[:2], "--area", "E12000002", "--period", "2020-06")
    assert region.returncode == 2 and "trace each force" in region.stderr
