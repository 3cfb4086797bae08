"""Adding a feed takes the steps docs/development.md lists, and no other edit.

In a copy of the project, a toy count feed is added exactly as a developer would (a raw
file and its source YAML, a staging model, a metric rows model, a quarterly model, rows in
the metric catalogue and the feed registry), `ncpm semantic` and `ncpm gx` regenerate the
derived files, and dbt builds the fact, the stacked measures and the toy models. The toy
metric's rolling years, computed by hand from the rows below, must reach its fact and
rpt_all_measures; the semantic layer must have its metric, and the fact's regenerated
suite must pass on the fact as published.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from dbt_sandbox import BIN, ROOT

pytestmark = pytest.mark.slow

FEED = "toy_closures"
METRIC = "M3.5"
FACT = "fct_drugs_supply"
NATIONAL = "K04000001"

# What dbt needs, and the package's data (gx/, scripts/); never .venv, target, warehouse.
COPIED = ["dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests/data"]
COPIED += ["analyses", "docs", "gx", "scripts"]

# Two teams' closures a quarter, 2018/19 Q2 to 2019/20 Q2 (quarter ends 2018-09-30 to 2019-09-30).
RAW_ROWS = [
    ("2018/19", 2, "north", 3),
    ("2018/19", 2, "south", 4),
    ("2018/19", 3, "north", 5),
    ("2018/19", 3, "south", 1),
    ("2018/19", 4, "north", 2),
    ("2018/19", 4, "south", 2),
    ("2019/20", 1, "north", 10),
    ("2019/20", 1, "south", 0),
    ("2019/20", 2, "north", 8),
    ("2019/20", 2, "south", 3),
]
# Quarters 7, 6, 4, 10, 11: a rolling year needs four quarters, so the first is YE Jun 2019.
EXPECTED = {
    date(2019, 6, 30): 7 + 6 + 4 + 10,  # 27, the baseline (YE Jun 2019)
    date(2019, 9, 30): 6 + 4 + 10 + 11,  # 31
}

SOURCE_YAML = f"""version: 2

sources:
  - name: {FEED}
    description: Toy closures, a test feed (SYNTHETIC).
    schema: raw
    meta:
      owner: "Crime statistics data engineering"
      landing_folder: seeds/raw/{FEED}
    tables:
      - name: {FEED}
        description: One row per financial quarter and team, England and Wales.
        columns:
          - name: financial_year
            description: "Financial year as published, `YYYY/YY`."
          - name: financial_quarter
            description: "Financial quarter, `1`-`4`."
          - name: team
            description: The team that closed them.
          - name: closures
            description: Closures in the quarter, text.
          - name: filename
            description: Path of the landed file (added by the reader).
          - name: ordinality
            description: Data row number within the file (added by the reader).
"""

STAGING_SQL = f"""{{%- set feed = '{FEED}' -%}}

with

source as (

    select * from {{{{ source('{FEED}', '{FEED}') }}}}

),

renamed as (

    select
        filename as source_file,
        cast(ordinality as integer) as source_row_number,
        trim(financial_year) as financial_year,
        trim(financial_quarter) as financial_quarter_text,
        trim(team) as team,
        closures as closures_text
    from source

),

typed as (

    select
        renamed.*,
        {{{{ financial_year_start('renamed.financial_year') }}}} as financial_year_start,
        {{{{ financial_quarter_number('renamed.financial_quarter_text') }}}} as financial_quarter,
        {{{{ parse_published_count('renamed.closures_text') }}}} as closures_count
    from renamed

),

validated as (

    select * from typed
    where {{{{ assert_rows(
        financial_year_check(feed)
        + financial_quarter_check(feed)
        + whole_count_checks(feed, 'closures_count', 'closures_text', 'closures')
    ) }}}}

)

select
    source_file,
    source_row_number,
    team,
    cast(closures_count as integer) as closures_count,
    {{{{ financial_quarter_end('financial_year_start', 'financial_quarter') }}}} as quarter_end_date
from validated
"""

METRIC_ROWS_SQL = f"""with

closures as (

    select * from {{{{ ref('stg_{FEED}__closures') }}}}

),

national as (

    select area_code from {{{{ ref('ref_areas') }}}} where area_level = 'national'

)

select
    '{METRIC}' as metric_id,
    'all' as breakdown,
    national.area_code,
    'national' as area_level,
    closures.quarter_end_date,
    closures.closures_count as value,
    closures.source_file,
    closures.source_row_number
from closures
cross join national
"""

AREA_QUARTER_SQL = f"""with

metric_rows as (

    select * from {{{{ ref('int_{FEED}__metric_rows') }}}}

),

quarters as (

    {{{{ coverage_quarters('metric_rows') }}}}

),

national as (

    select area_code from {{{{ ref('ref_areas') }}}} where area_level = 'national'

),

quarter_totals as (

    select quarter_end_date, sum(value) as quarter_value
    from metric_rows
    group by quarter_end_date

)

select
    '{METRIC}' as metric_id,
    'all' as breakdown,
    national.area_code,
    'national' as area_level,
    quarters.quarter_end_date,
    quarter_totals.quarter_value,
    false as is_known_gap,
    false as is_incomplete,
    case when quarter_totals.quarter_end_date is null then 'No return for the quarter' end
        as quality_note
from quarters
cross join national
left join quarter_totals
    on quarters.quarter_end_date = quarter_totals.quarter_end_date
"""

CATALOGUE_ROW = {
    "metric_id": METRIC,
    "measure_id": "M3",
    "measure_name": "Disrupt drugs supply and county lines",
    "metric_name": "Toy closures for the feed test",
    "source_feed": FEED,
    "unit": "closures",
    "period_type": "rolling_12_months",
    "desired_direction": "up",
    "baseline_period_type": "rolling_12_months",
    "baseline_period_end_date": "2019-06-30",
    "baseline_label": "YE Jun 2019",
    "geographies": "national",
    "headline_area_code": "K04000001",
    "breakdowns": "all",
    "fact_model": FACT,
    "is_supplementary": "true",
    "catalogue_version": "2026.1",
    "period_model": "",
}

REGISTRY_ROW = {
    "feed": FEED,
    "feed_name": "Toy closures (test feed)",
    "raw_folders": FEED,
    "grain": "financial quarter x team (national)",
    "staging_models": f"stg_{FEED}__closures",
    "metric_rows_model": f"int_{FEED}__metric_rows",
    "quarterly_model": f"int_{FEED}__area_quarter",
    "period_model": "int_quarterly_measures__rolling_12_months",
    "tracer_family": "count",
}


ROLLING_UNIT_TEST_ANCHOR = "      - input: ref('int_county_lines__quarters')\n        rows: []\n"


def append_row(path: Path, row: dict[str, str]) -> None:
    with path.open(newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert list(row) == header, f"{path.name} columns changed: {header}"
    with path.open("a", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerow(row.values())


def add_toy_feed(project: Path) -> None:
    """The steps of docs/development.md "Adding a feed", for a toy count feed."""
    # 1. a raw file under seeds/raw/<feed>/ and its source YAML
    raw = project / "seeds" / "raw" / FEED
    raw.mkdir(parents=True)
    with (raw / f"{FEED}__synthetic_sample.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["financial_year", "financial_quarter", "team", "closures"])
        writer.writerows(RAW_ROWS)
    staging = project / "models" / "staging" / FEED
    staging.mkdir(parents=True)
    (staging / f"_{FEED}__sources.yml").write_text(SOURCE_YAML, encoding="utf-8")
    # 2. a staging model
    (staging / f"stg_{FEED}__closures.sql").write_text(STAGING_SQL, encoding="utf-8")
    # 3. the metric rows model and 4. the quarterly model
    intermediate = project / "models" / "intermediate" / FEED
    intermediate.mkdir(parents=True)
    (intermediate / f"int_{FEED}__metric_rows.sql").write_text(METRIC_ROWS_SQL, encoding="utf-8")
    (intermediate / f"int_{FEED}__area_quarter.sql").write_text(AREA_QUARTER_SQL, encoding="utf-8")
    # 5. catalogue rows and 6. one registry row
    reference = project / "seeds" / "reference"
    append_row(reference / "ref_metric_catalogue.csv", CATALOGUE_ROW)
    append_row(reference / "ref_feeds.csv", REGISTRY_ROW)
    # 7. the rolling-year unit test mocks every input of the rolling year: an empty one more
    shared = project / "models" / "intermediate" / "shared" / "_shared__models.yml"
    text = shared.read_text(encoding="utf-8")
    assert text.count(ROLLING_UNIT_TEST_ANCHOR) == 1
    shared.write_text(
        text.replace(
            ROLLING_UNIT_TEST_ANCHOR,
            f"{ROLLING_UNIT_TEST_ANCHOR}      - input: ref('int_{FEED}__area_quarter')\n"
            "        rows: []\n",
        ),
        encoding="utf-8",
    )


def project_env(project: Path, workdir: Path) -> dict[str, str]:
    env = os.environ.copy()
    env.update(
        {
            "NCPM_PROJECT_DIR": str(project),
            "DBT_PROFILES_DIR": str(project),
            "NCPM_DUCKDB_PATH": str(workdir / "toy.duckdb"),
            "NCPM_RAW_DIR": str(project / "seeds" / "raw"),
            "DBT_USE_COLORS": "False",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        }
    )
    return env


def run(command: list[str], project: Path, env: dict[str, str]) -> str:
    proc = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"{' '.join(command)} failed:\n{output[-6000:]}"
    return output


@pytest.fixture(scope="module")
def toy_project(tmp_path_factory) -> tuple[Path, Path]:
    """The project copy with the toy feed added, regenerated and built; (project, warehouse)."""
    workdir = tmp_path_factory.mktemp("toy_feed")
    project = workdir / "project"
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name)
        else:
            (project / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, project / name)
    add_toy_feed(project)
    env = project_env(project, workdir)
    # 8. regenerate the derived files
    run([str(BIN / "ncpm"), "semantic"], project, env)
    run([str(BIN / "ncpm"), "gx"], project, env)
    # 9. build what the toy metric reaches (its fact, the stacked measures and scorecard, with
    # every parent they need) and the toy models; only tests whose parents are all built
    run(
        [
            str(BIN / "dbt"),
            "build",
            "--select",
            "+rpt_all_measures",
            "+rpt_measures_scorecard",
            f"+int_{FEED}__metric_rows",
            "--indirect-selection",
            "cautious",
            "--target-path",
            str(workdir / "target"),
            "--log-path",
            str(workdir / "logs"),
        ],
        project,
        env,
    )
    return project, workdir / "toy.duckdb"


def test_generated_files_name_the_toy_feed(toy_project):
    project, _ = toy_project
    macros = (project / "macros" / "measures" / "measure_fact_models.sql").read_text()
    rolling_inputs = macros.split("rolling_year_inputs", 1)[1].split("endmacro", 1)[0]
    assert f"'int_{FEED}__area_quarter'" in rolling_inputs
    assert "'metric_ids': ['M3.1', 'M3.2', 'M3.4', 'M3.5']" in macros
    semantic = (project / "models" / "marts" / "_marts__semantic_layer.yml").read_text()
    assert "  - name: m3_5_toy_closures\n" in semantic
    assert f"Dimension('drugs_supply__metric_id') }}}} = '{METRIC}'" in semantic
    # the toy project's own generated files are up to date
    env = project_env(project, project.parent)
    run([str(BIN / "ncpm"), "semantic", "--check"], project, env)
    run([str(BIN / "ncpm"), "gx", "--check"], project, env)


def test_toy_rolling_years_reach_the_fact_and_the_stacked_measures(toy_project):
    _, warehouse = toy_project
    con = duckdb.connect(str(warehouse), read_only=True)
    query = (
        "select period_end_date, value, baseline_value, change_from_baseline, is_data_gap "
        "from marts.{table} where metric_id = ? and area_code = ? and breakdown = 'all' "
        "order by period_end_date"
    )
    fact = con.execute(query.format(table=FACT), [METRIC, NATIONAL]).fetchall()
    assert [(r[0], r[1]) for r in fact] == sorted(EXPECTED.items())
    baseline = EXPECTED[date(2019, 6, 30)]
    assert [(r[2], r[3], r[4]) for r in fact] == [
        (baseline, value - baseline, False) for value in EXPECTED.values()
    ]
    stacked = con.execute(query.format(table="rpt_all_measures"), [METRIC, NATIONAL]).fetchall()
    assert stacked == fact
    fact_model, name = con.execute(
        "select distinct fact_model, metric_name from marts.rpt_all_measures where metric_id = ?",
        [METRIC],
    ).fetchone()
    assert (fact_model, name) == (FACT, CATALOGUE_ROW["metric_name"])
    # the fact's other metrics are still there
    others = con.execute(f"select distinct metric_id from marts.{FACT} order by 1").fetchall()
    assert [r[0] for r in others] == ["M3.1", "M3.2", "M3.3", "M3.4", METRIC]


def test_the_regenerated_suite_validates_the_published_fact(toy_project, tmp_path):
    project, warehouse = toy_project
    from ncpm.publish import validate

    con = duckdb.connect(str(warehouse), read_only=True)
    period = con.execute(f"select max(period_end_date) from marts.{FACT}").fetchone()[0]
    for fmt, suffix in (("format parquet", ".parquet"), ("format csv, header", ".csv")):
        con.execute(f"copy marts.{FACT} to '{tmp_path / (FACT + suffix)}' ({fmt})")
    metric_ids = [r["metric_id"] for r in csv.DictReader(
        (project / "seeds" / "reference" / "ref_metric_catalogue.csv").open(encoding="utf-8")
    ) if r["fact_model"] == FACT]  # fmt: skip
    assert METRIC in metric_ids
    outcome = validate.validate(
        tmp_path,
        [(FACT + ".parquet", FACT), (FACT + ".csv", FACT)],
        {FACT: {"publication_period": pd.Timestamp(period), "catalogue_metric_ids": metric_ids}},
        tmp_path / "docs",
        project / "gx" / "expectations",  # the toy project's regenerated suites
    )
    failures = [f for check in outcome.checks for f in check.failures]
    assert outcome.success, failures
    assert all(check.evaluated == 26 for check in outcome.checks)
