"""`ncpm check personal-data` fails on crafted manifests that let personal
(respondent- or incident-level) data reach the marts, and passes a clean one."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NCPM = [str(Path(sys.executable).parent / "ncpm"), "check", "personal-data"]

STG = "model.ncpm.stg_victim_survey__respondents"
ESTIMATES = "model.ncpm.int_victim_survey__incidence_estimates"
FACT = "model.ncpm.fct_neighbourhood_crime"


def model(path: str, schema: str, parents: list[str], tags=(), columns=None) -> dict:
    return {
        "resource_type": "model",
        "original_file_path": path,
        "schema": schema,
        "tags": list(tags),
        "config": {"tags": list(tags)},
        "depends_on": {"nodes": parents},
        "columns": {name: {"name": name, "meta": meta} for name, meta in (columns or {}).items()},
    }


CLEAN = {
    "nodes": {
        STG: model(
            "models/staging/victim_survey/stg_victim_survey__respondents.sql",
            "staging",
            ["source.ncpm.victim_survey.victim_survey_respondents"],
            tags=["personal"],
            columns={
                "respondent_id": {"personal_data": "identifier"},
                "hh_wt": {"personal_data": "weight"},
                "pfa_code": {},
            },
        ),
        ESTIMATES: model(
            "models/intermediate/victim_survey/int_victim_survey__incidence_estimates.sql",
            "intermediate",
            [STG],
            tags=["survey_estimation"],
            columns={"value": {}, "unweighted_base": {}},
        ),
        FACT: model(
            "models/marts/measures/fct_neighbourhood_crime.sql",
            "marts",
            [ESTIMATES],
            columns={"metric_id": {}, "value": {}, "ci_lower": {}},
        ),
    },
    "exposures": {
        "exposure.ncpm.scorecard": {"depends_on": {"nodes": [FACT]}},
    },
}


def run_check(tmp_path: Path, manifest: dict, catalog: dict | None = None):
    manifest_path = tmp_path / "manifest.json"
    manifest_path.write_text(json.dumps(manifest))
    catalog_path = tmp_path / "catalog.json"
    if catalog is not None:
        catalog_path.write_text(json.dumps(catalog))
    return subprocess.run(
        [
            *NCPM,
            "--manifest",
            str(manifest_path),
            "--catalog",
            str(catalog_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def test_clean_manifest_passes(tmp_path):
    result = run_check(tmp_path, CLEAN)
    assert result.returncode == 0, result.stdout
    assert "Personal data check passed: 1 `personal` models" in result.stdout


def mart_reads_personal(m):
    m["nodes"][FACT]["depends_on"]["nodes"].append(STG)


def exposure_reads_personal(m):
    m["exposures"]["exposure.ncpm.scorecard"]["depends_on"]["nodes"].append(STG)


def mart_has_respondent_id(m):
    m["nodes"][FACT]["columns"]["respondent_id"] = {"name": "respondent_id", "meta": {}}


def mart_has_weight(m):
    m["nodes"][FACT]["columns"]["individual_weight"] = {"name": "individual_weight", "meta": {}}


def mart_has_flagged_column(m):
    # no pattern matches `hh_wt`: the meta flag on the personal model names it
    m["nodes"][FACT]["columns"]["hh_wt"] = {"name": "hh_wt", "meta": {}}


def personal_model_in_marts(m):
    m["nodes"][STG]["schema"] = "marts"


def intermediate_reads_personal_without_estimating(m):
    m["nodes"][ESTIMATES]["tags"] = []
    m["nodes"][ESTIMATES]["config"]["tags"] = []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (mart_reads_personal, f"{FACT}: a marts model reads the `personal` model {STG}"),
        (exposure_reads_personal, f"an exposure depends on the `personal` model {STG}"),
        (mart_has_respondent_id, "marts column `respondent_id` is a respondent or incident"),
        (mart_has_weight, "marts column `individual_weight` is a respondent or incident"),
        (mart_has_flagged_column, "marts column `hh_wt` is a respondent or incident"),
        (personal_model_in_marts, f"{STG}: a `personal` model is built in the marts layer"),
        (
            intermediate_reads_personal_without_estimating,
            f"{ESTIMATES}: reads the `personal` model {STG} but is neither",
        ),
    ],
)
def test_crafted_manifest_fails_naming_the_problem(tmp_path, change, message):
    manifest = copy.deepcopy(CLEAN)
    change(manifest)
    result = run_check(tmp_path, manifest)
    assert result.returncode == 1, result.stdout
    assert "Personal data check FAILED" in result.stdout
    assert message in result.stdout, result.stdout


def test_catalog_columns_are_checked_too(tmp_path):
    """A column the table really has but the YAML does not declare still fails."""
    catalog = {"nodes": {FACT: {"columns": {"VICTIM_FORM_ID": {}, "value": {}}}}}
    result = run_check(tmp_path, CLEAN, catalog)
    assert result.returncode == 1
    assert "marts column `victim_form_id`" in result.stdout


def test_missing_manifest_is_a_usage_error(tmp_path):
    result = subprocess.run(
        [*NCPM, "--manifest", str(tmp_path / "none.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
