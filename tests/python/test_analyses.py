"""The example BI queries in analyses/ compile, run on the marts and agree with them."""

from __future__ import annotations

import duckdb
import pytest
from dbt_sandbox import ROOT, run_dbt


@pytest.mark.slow
def test_every_analysis_runs_on_the_marts(built_sample):
    workdir = built_sample.parent
    result = run_dbt(["compile", "--select", "resource_type:analysis"], workdir)
    assert result.returncode == 0, result.output[-4000:]
    compiled_dir = workdir / "target" / "compiled" / "ncpm" / "analyses"
    names = sorted(p.stem for p in (ROOT / "analyses").glob("*.sql"))
    assert len(names) >= 3
    con = duckdb.connect(str(built_sample), read_only=True)
    results = {}
    for name in names:
        sql = (compiled_dir / f"{name}.sql").read_text(encoding="utf-8")
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description]
        results[name] = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        assert results[name], f"{name} returned no rows"

    (baseline,) = con.execute(
        "select value from marts.fct_homicide where metric_id = 'M1.1' "
        "and area_code = 'K04000001' and breakdown = 'all' and period_end_date = '2019-06-30'"
    ).fetchone()
    trend = [
        r
        for r in results["national_trend_against_baseline"]
        if r["metric_id"] == "M1.1" and r["period_label"] == "YE Jun 2019"
    ]
    assert len(trend) == 1 and trend[0]["value"] == baseline and trend[0]["is_baseline"]
    regions = [r for r in results["regional_comparison_latest"] if r["metric_id"] == "M1.1"]
    assert len(regions) == 10  # 9 English regions and Wales
    assert sum(r["value"] for r in regions) <= regions[0]["national_value"]
    assert len(results["force_diagnostics_homicide"]) == 43
