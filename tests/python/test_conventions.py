"""Project conventions that dbt-bouncer cannot express, checked on the dbt manifest.

* every argument of every macro of this project is listed and described in its
  macros YAML (dbt-bouncer's argument check passes a macro that lists none);
* exposures read marts models only (dbt-bouncer only checks the models they read are
  public, not that they read no source or seed);
* the published BI copy exposure lists every marts model;
* every singular data test is described (generic ones are, with their macros).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from dbt_sandbox import run_dbt

SIGNATURE = re.compile(r"{%-?\s*(?:macro|test)\s+([A-Za-z_][A-Za-z0-9_]*)\s*\((.*?)\)\s*-?%}", re.S)


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> dict:
    workdir = tmp_path_factory.mktemp("parse")
    result = run_dbt(["parse"], workdir)
    assert result.returncode == 0, result.output[-4000:]
    return json.loads((workdir / "target" / "manifest.json").read_text(encoding="utf-8"))


def signature_arguments(macro_sql: str) -> list[str]:
    match = SIGNATURE.search(macro_sql)
    assert match, macro_sql[:200]
    return [a.split("=")[0].strip() for a in match.group(2).split(",") if a.strip()]


def test_signature_parser():
    assert signature_arguments("{% macro m(a, b=false) -%}x{%- endmacro %}") == ["a", "b"]
    assert signature_arguments("{% test t(model, column_name) %}x{% endtest %}") == [
        "model",
        "column_name",
    ]
    assert signature_arguments("{% macro m() %}{% endmacro %}") == []


def test_every_macro_argument_is_described(manifest):
    project = manifest["metadata"]["project_name"]
    macros = [m for m in manifest["macros"].values() if m["package_name"] == project]
    assert len(macros) > 30
    problems = []
    for macro in macros:
        described = {a["name"]: a.get("description", "") for a in macro.get("arguments", [])}
        for argument in signature_arguments(macro["macro_sql"]):
            if len(described.get(argument, "").strip()) < 4:
                problems.append(f"{macro['original_file_path']}: {macro['name']}({argument})")
        if len(macro.get("description", "").strip()) < 4:
            problems.append(f"{macro['original_file_path']}: {macro['name']} has no description")
    assert not problems, "describe in the folder's _<folder>__macros.yml:\n" + "\n".join(problems)


def marts_models(manifest: dict) -> set[str]:
    return {
        uid
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
        and Path(node["original_file_path"]).parts[:2] == ("models", "marts")
    }


def test_exposures_read_marts_models_only(manifest):
    marts = marts_models(manifest)
    assert {"model.ncpm.fct_homicide", "model.ncpm.rpt_measures_scorecard"} <= marts
    exposures = manifest["exposures"]
    assert {e["name"] for e in exposures.values()} >= {
        "quarterly_bulletin",
        "published_bi_copy",
        "board_dashboard",
    }
    for exposure in exposures.values():
        nodes = exposure["depends_on"]["nodes"]
        assert nodes, f"{exposure['name']} depends on nothing"
        assert set(nodes) <= marts, f"{exposure['name']} reads {sorted(set(nodes) - marts)}"
        assert exposure["owner"].get("name") and exposure["owner"].get("email"), exposure["name"]


def test_published_bi_copy_holds_every_marts_model(manifest):
    exposure = manifest["exposures"]["exposure.ncpm.published_bi_copy"]
    missing = marts_models(manifest) - set(exposure["depends_on"]["nodes"])
    assert not missing, (
        "add to published_bi_copy in models/marts/_marts__exposures.yml: "
        + ", ".join(sorted(missing))
    )


def test_every_singular_data_test_is_described(manifest):
    """Generic tests are described with their macros; singular ones in tests/data/*.yml."""
    singular = [
        n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "test" and not n.get("test_metadata")
    ]
    assert singular
    undescribed = [n["original_file_path"] for n in singular if len(n["description"].strip()) < 4]
    assert not undescribed, "describe in tests/data/_data_tests.yml: " + ", ".join(undescribed)
