"""Fail when respondent- or incident-level (personal) data could reach the marts.

Reads the dbt manifest (and the catalog, when present) that `dbt docs generate`
writes to target/, and checks the disclosure rules (docs/survey.md):

1. no model of the marts layer (under models/marts/ or built in schema `marts`)
   and no exposure depends directly on a model tagged `personal`;
2. no model tagged `personal` is built in the marts schema;
3. a model that reads a `personal` model is itself `personal` or an estimation
   model (tag `survey_estimation`: it publishes aggregates only, with
   disclosure control) or an aggregation model (tag `aggregate`: counts only, e.g.
   the police.uk street-level LSOA counts);
4. no column of a marts model is a respondent or incident identifier or a
   weight: a name matching the patterns of ncpm.disclosure, or the name of any column a
   `personal` model flags with `meta: {personal_data: identifier | weight}`.

Run by `make test` (target `structure`); exits 0 when clean, 1 listing every
violation, 2 when the manifest is missing.

    ncpm check personal-data [--manifest target/manifest.json] [--catalog target/catalog.json]
"""

from __future__ import annotations

import json
from pathlib import Path

from ncpm import settings
from ncpm.disclosure import personal_columns

ROOT = settings.root()
PERSONAL_TAG = "personal"
ESTIMATION_TAG = "survey_estimation"
# Models that publish aggregate counts only (street-level LSOA counts, docs/local_diagnostics.md).
AGGREGATE_TAG = "aggregate"
MARTS_SCHEMA = "marts"
MARTS_PATH = "models/marts/"


def is_marts_model(node: dict) -> bool:
    return node.get("resource_type") == "model" and (
        node.get("original_file_path", "").startswith(MARTS_PATH)
        or node.get("schema") == MARTS_SCHEMA
    )


def is_personal(node: dict) -> bool:
    tags = set(node.get("tags", [])) | set(node.get("config", {}).get("tags", []))
    return PERSONAL_TAG in tags


def is_estimation(node: dict) -> bool:
    """An estimation or aggregation model: it may read `personal` rows, as it publishes
    aggregates only."""
    tags = set(node.get("tags", [])) | set(node.get("config", {}).get("tags", []))
    return bool({ESTIMATION_TAG, AGGREGATE_TAG} & tags)


def flagged_columns(nodes: dict) -> set[str]:
    """Columns that personal models flag as identifiers or weights."""
    names = set()
    for node in nodes.values():
        if not is_personal(node):
            continue
        for name, column in node.get("columns", {}).items():
            if column.get("meta", {}).get("personal_data") in ("identifier", "weight"):
                names.add(name.lower())
    return names


def check(manifest: dict, catalog: dict | None = None) -> list[str]:
    """Every violation of the rules, as one message each (empty when clean)."""
    nodes = manifest.get("nodes", {})
    personal = {uid for uid, node in nodes.items() if is_personal(node)}
    forbidden_names = flagged_columns(nodes)
    problems = []

    for uid, node in sorted(nodes.items()):
        if node.get("resource_type") != "model":
            continue
        parents = sorted(set(node.get("depends_on", {}).get("nodes", [])) & personal)
        if is_marts_model(node):
            if uid in personal:
                problems.append(f"{uid}: a `{PERSONAL_TAG}` model is built in the marts layer")
            for parent in parents:
                problems.append(f"{uid}: a marts model reads the `{PERSONAL_TAG}` model {parent}")
            columns = {name.lower() for name in node.get("columns", {})}
            if catalog:
                catalogued = catalog.get("nodes", {}).get(uid, {}).get("columns", {})
                columns |= {name.lower() for name in catalogued}
            for column in personal_columns(columns, forbidden_names):
                problems.append(
                    f"{uid}: marts column `{column}` is a respondent or incident identifier "
                    "or a weight"
                )
        elif parents and uid not in personal and not is_estimation(node):
            for parent in parents:
                problems.append(
                    f"{uid}: reads the `{PERSONAL_TAG}` model {parent} but is neither "
                    f"`{PERSONAL_TAG}` nor an estimation model (tag `{ESTIMATION_TAG}`)"
                )

    for uid, exposure in sorted(manifest.get("exposures", {}).items()):
        for parent in sorted(set(exposure.get("depends_on", {}).get("nodes", [])) & personal):
            problems.append(f"{uid}: an exposure depends on the `{PERSONAL_TAG}` model {parent}")
    return problems


def run(manifest_path: Path, catalog_path: Path) -> int:
    """Check a manifest (and its catalog when present); print the verdict; the exit code."""
    if not manifest_path.exists():
        print(f"error: {manifest_path} not found: run `dbt parse` or `dbt docs generate` first")
        return 2
    manifest = json.loads(manifest_path.read_text())
    catalog = json.loads(catalog_path.read_text()) if catalog_path.exists() else None
    problems = check(manifest, catalog)
    personal = sorted(uid for uid, node in manifest.get("nodes", {}).items() if is_personal(node))
    if problems:
        print(f"Personal data check FAILED ({len(problems)} problems):")
        for problem in problems:
            print(f"  - {problem}")
        print(
            "Respondent- and incident-level models (tag `personal`) may be read only by "
            f"`{PERSONAL_TAG}` models and estimation models (tag `{ESTIMATION_TAG}`); the marts "
            "carry aggregates only (docs/survey.md, disclosure control)."
        )
        return 1
    print(
        f"Personal data check passed: {len(personal)} `{PERSONAL_TAG}` models, none read by "
        "the marts or an exposure; no identifier or weight column in the marts."
    )
    return 0
