"""Published homicide figures equal sums recomputed independently from the raw
CSV with the standard library (not through the models under test)."""

from __future__ import annotations

import csv
import os
import shutil
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest
from dbt_sandbox import RAW, copy_feed, run_dbt

FEED = "police_recorded_crime"


# fct_homicide also carries M1.2, built with the quarterly figures of the other
# feeds (homicide index, ...): tests that swap the police recorded crime file
# use the synthetic samples of those.
OTHER_QUARTERLY_FEEDS = [
    "homicide_index",
    "hospital_admissions",
    "weapon_returns",
    "drug_treatment_referrals",
    "county_lines",
]


def copy_other_quarterly_feeds(raw_dir: Path) -> None:
    for feed in OTHER_QUARTERLY_FEEDS:
        copy_feed(feed, raw_dir)


def parse_count(text: str) -> float:
    return float(text.strip().replace(",", ""))


def raw_homicide_by_quarter(path: Path) -> dict[tuple[str, str], float]:
    """National homicide offences per (financial year, quarter), from the raw rows."""
    totals: dict[tuple[str, str], float] = defaultdict(float)
    with path.open(newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            if row["Offence Subgroup"].strip() == "Homicide":
                key = (row["Financial Year"].strip(), row["Financial Quarter"].strip())
                totals[key] += parse_count(row["Number of Offences"])
    return totals


def test_sample_national_homicide_ye_jun_2019_matches_raw_rows(built_sample):
    raw = raw_homicide_by_quarter(next((RAW / FEED).glob("*.csv")))
    # YE Jun 2019 = 2018/19 quarters 2-4 + 2019/20 quarter 1
    expected = sum(
        raw[k] for k in [("2018/19", "2"), ("2018/19", "3"), ("2018/19", "4"), ("2019/20", "1")]
    )
    con = duckdb.connect(str(built_sample), read_only=True)
    value, baseline = con.execute(
        "select value, baseline_value from marts.fct_homicide where metric_id = 'M1.1' "
        "and area_code = 'K04000001' and breakdown = 'all' and period_end_date = '2019-06-30'"
    ).fetchone()
    assert float(value) == expected
    assert float(baseline) == expected  # YE Jun 2019 is the baseline


@pytest.mark.slow  # builds the warehouse up to fct_homicide
@pytest.mark.skipif(
    not os.environ.get("NCPM_REALDATA_DIR"),
    reason="NCPM_REALDATA_DIR is not set: the genuine published files are not committed "
    "(.ci/run sets it when ../shared/realdata exists)",
)
def test_real_2017_18_table_builds_and_national_homicide_equals_raw_rows(tmp_path):
    real = Path(os.environ["NCPM_REALDATA_DIR"]) / FEED / "prc-pfa-mar2013-onwards-tables201718.csv"
    assert real.exists(), f"{real} is missing"
    raw_dir = tmp_path / "raw" / FEED
    raw_dir.mkdir(parents=True)
    shutil.copy2(real, raw_dir / real.name)
    copy_other_quarterly_feeds(tmp_path / "raw")
    # The real file holds one financial year, so there is no YE Jun 2019 baseline in it:
    # the publication rule that a metric must have its baseline is left out here.
    result = run_dbt(
        [
            "build",
            "--select",
            "+fct_homicide",
            "--exclude",
            "test_name:has_baseline_row",
        ],
        tmp_path,
        tmp_path / "raw",
    )
    assert result.returncode == 0, result.output[-4000:] + result.explained
    raw = raw_homicide_by_quarter(real)
    expected = sum(v for (fy, _), v in raw.items() if fy == "2017/18")
    con = duckdb.connect(str(tmp_path / "ncpm.duckdb"), read_only=True)
    value = con.execute(
        "select value from marts.fct_homicide where metric_id = 'M1.1' "
        "and area_code = 'K04000001' and period_end_date = '2018-03-31'"
    ).fetchone()[0]
    assert float(value) == expected
    rows = con.execute(
        "select count(*) from staging.stg_police_recorded_crime__offences"
    ).fetchone()[0]
    assert rows == 23068


@pytest.mark.slow  # builds the warehouse up to fct_homicide
def test_coverage_window_comes_from_the_data(tmp_path):
    """A table covering 2012/13 to 2023/24 builds like the sample: the window is
    read from the data, figures start with the first full year, and rates are
    null where the population seed (2017-2026) does not reach back."""
    raw_dir = tmp_path / "raw"
    out = raw_dir / FEED / "prc_2012_2024__synthetic_test.csv"
    import subprocess
    import sys

    subprocess.run(
        [
            str(Path(sys.executable).parent / "ncpm"),
            "synth",
            "--feed",
            "police_recorded_crime",
            "--",
            "--out",
            str(out),
            "--first-year",
            "2012",
            "--last-year",
            "2023",
            "--last-quarter",
            "4",
        ],
        check=True,
        capture_output=True,
    )
    copy_other_quarterly_feeds(raw_dir)
    result = run_dbt(["build", "--select", "+fct_homicide"], tmp_path, raw_dir)
    assert result.returncode == 0, result.output[-4000:] + result.explained
    con = duckdb.connect(str(tmp_path / "ncpm.duckdb"), read_only=True)
    first, last = con.execute(
        "select min(period_end_date), max(period_end_date) from marts.fct_homicide "
        "where metric_id = 'M1.1'"
    ).fetchone()
    assert (str(first), str(last)) == ("2013-03-31", "2024-03-31")
    rates = dict(
        con.execute(
            "select cast(period_end_date as varchar), rate_per_1000 from marts.fct_homicide "
            "where area_code = 'K04000001' and period_end_date in ('2017-06-30', '2017-09-30')"
        ).fetchall()
    )
    assert rates["2017-06-30"] is None  # population year 2016: not in the seed
    assert rates["2017-09-30"] > 0  # population year 2017
