"""The MetricFlow semantic layer: generated from the registry, and its answers equal the mart's."""

from __future__ import annotations

import csv
import os
import subprocess
from pathlib import Path

import duckdb
import pytest
from dbt_sandbox import BIN, ROOT

from ncpm import registry
from ncpm import semantic as gen


def test_every_catalogue_metric_has_one_metric():
    """The staleness of the YAML itself is checked in test_generated.py."""
    text = (ROOT / gen.OUTPUT_FILE).read_text(encoding="utf-8")
    for metric in registry.catalogue():
        name = gen.metric_semantic_name(metric["metric_id"], metric["metric_name"])
        assert text.count(f"  - name: {name}\n") == 1, name
    assert gen.metric_semantic_name("M1.1", "Homicide offences recorded by the police") == (
        "m1_1_homicide_offences"
    )


def mf_env(warehouse: Path) -> dict[str, str]:
    env = os.environ.copy()
    env.update(
        {
            "DBT_PROFILES_DIR": str(ROOT),
            "NCPM_DUCKDB_PATH": str(warehouse),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        }
    )
    return env


@pytest.fixture(scope="module")
def semantic_manifest(built_sample) -> Path:
    """mf reads target/semantic_manifest.json under the project root: write it afresh."""
    parse = subprocess.run(
        [str(BIN / "dbt"), "parse", "--quiet"],
        cwd=ROOT,
        env=mf_env(built_sample),
        capture_output=True,
        text=True,
    )
    assert parse.returncode == 0, parse.stdout + parse.stderr
    return ROOT / "target" / "semantic_manifest.json"


def mf_query(warehouse: Path, out: Path, *args: str) -> list[dict[str, str]]:
    """Run `mf query` from the project root against the given warehouse file; rows as dicts."""
    proc = subprocess.run(
        [str(BIN / "mf"), "query", *args, "--csv", str(out)],
        cwd=ROOT,
        env=mf_env(warehouse),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0 and out.exists(), proc.stdout + proc.stderr
    with out.open(newline="") as f:
        return list(csv.DictReader(f))


def number(text: str) -> float | None:
    return None if text in ("", None) else float(text)


@pytest.mark.slow
def test_mf_query_by_area_and_period_equals_the_mart(built_sample, semantic_manifest, tmp_path):
    """README example 1 (with the companion metrics): every area's M1.1 value, % change and
    rate at every period end equal fct_homicide, row for row."""
    metrics = {
        "m1_1_homicide_offences": "value",
        "m1_1_homicide_offences_pct_change": "pct_change_from_baseline",
        "m1_1_homicide_offences_rate_per_1000": "rate_per_1000",
    }
    rows = mf_query(
        built_sample,
        tmp_path / "m1_1.csv",
        "--metrics",
        ",".join(metrics),
        "--group-by",
        "metric_time,area",
        "--order",
        "metric_time,area",
    )
    con = duckdb.connect(str(built_sample), read_only=True)
    mart = {
        (str(r[0]), r[1]): r[2:]
        for r in con.execute(
            f"select period_end_date, area_code, {', '.join(metrics.values())} "
            "from marts.fct_homicide where metric_id = 'M1.1' and breakdown = 'all'"
        ).fetchall()
    }
    got = {
        (r["metric_time__day"][:10], r["area"]): tuple(number(r[m]) for m in metrics) for r in rows
    }
    assert len(got) == len(mart) > 1000
    assert got.keys() == mart.keys()
    for key, values in mart.items():
        assert got[key] == pytest.approx(values, nan_ok=True), key
    assert got[("2019-06-30", "K04000001")][0] == mart[("2019-06-30", "K04000001")][0] > 0


@pytest.mark.slow
def test_mf_validates_every_metric_against_the_warehouse(built_sample, semantic_manifest):
    proc = subprocess.run(
        [str(BIN / "mf"), "validate-configs"],
        cwd=ROOT,
        env=mf_env(built_sample),
        capture_output=True,
        text=True,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "Successfully validated metrics against data warehouse (ERRORS: 0" in output, output


@pytest.mark.slow
def test_mf_query_never_sums_rolling_years_over_time(built_sample, semantic_manifest, tmp_path):
    """At year grain a rolling 12-month metric is the figure of the year's last period end."""
    rows = mf_query(
        built_sample,
        tmp_path / "year.csv",
        "--metrics",
        "m1_1_homicide_offences",
        "--group-by",
        "metric_time__year,area__area_name",
        "--where",
        "{{ Dimension('area__area_level') }} = 'national'",
        "--order",
        "metric_time__year",
    )
    got = {r["metric_time__year"][:4]: number(r["m1_1_homicide_offences"]) for r in rows}
    con = duckdb.connect(str(built_sample), read_only=True)
    year_end = dict(
        con.execute(
            "select cast(year(period_end_date) as varchar), value from marts.fct_homicide "
            "where metric_id = 'M1.1' and breakdown = 'all' and area_code = 'K04000001' "
            "and period_end_date = (select max(p.period_end_date) from marts.fct_homicide as p "
            "where year(p.period_end_date) = year(fct_homicide.period_end_date))"
        ).fetchall()
    )
    assert got == year_end
    assert got["2019"] is not None and got["2019"] < 1000  # one rolling year, not four summed
