"""Validate the exported files of a publication with Great Expectations.

The artefact that is published is the artefact that is checked: every exported
CSV and Parquet file is read back from disk into a pandas DataFrame (the CSV with
the column types of its Parquet twin) and validated against the expectation suite
kept in the repository for its table, ``gx/expectations/<table>.json`` (one suite
per measure fact, one for the scorecard). A table without a suite fails the
validation, naming the missing file. GX Data Docs (expectations and results, as
static HTML) are written to ``docs_dir`` (``<publication>/validation/``) as one
self-contained page rendered from GX's results (ncpm.publish.validation_report): GX's own
Data Docs load scripts and styles from public CDNs, which an auditor offline cannot reach.

Why pandas and not the DuckDB file: GX 1.24's SQL path through duckdb-engine fails
every expectation with ``list index out of range`` (it closes the connection before
reading the results), and validating the files is what we want anyway.

A module of scripts/publish.py (step 3 of `make publish`), not a command of its own.
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from ncpm import settings
from ncpm.publish import validation_report

ROOT = settings.root()
SUITES_DIR = ROOT / "gx" / "expectations"


@dataclass
class FileCheck:
    """One exported file checked against its table's suite."""

    path: str  # relative to the publication folder
    table: str
    success: bool
    evaluated: int = 0
    failures: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    success: bool
    checks: list[FileCheck]
    docs_index: Path | None

    def summary(self) -> dict:
        return {
            "success": self.success,
            "data_docs": "validation/index.html" if self.docs_index else None,
            "files": [
                {
                    "path": c.path,
                    "suite": f"gx/expectations/{c.table}.json",
                    "success": c.success,
                    "expectations_evaluated": c.evaluated,
                    "failures": c.failures,
                }
                for c in self.checks
            ],
        }


def read_back(path: Path) -> pd.DataFrame:
    """The exported file as a DataFrame: a CSV typed like its Parquet twin, dates as datetimes."""
    schema = pq.read_schema(path.with_suffix(".parquet"))
    dates = [c.name for c in schema if str(c.type).startswith(("date", "timestamp"))]
    if path.suffix == ".parquet":
        frame = pd.read_parquet(path)
    else:
        kinds = {"bool": "boolean", "double": "float64", "float": "float64"}
        dtypes = {
            c.name: kinds.get(str(c.type), "Int64" if str(c.type).startswith("int") else "string")
            for c in schema
            if c.name not in dates
        }
        frame = pd.read_csv(path, dtype=dtypes, keep_default_na=False, na_values=[""])
    for name in dates:
        frame[name] = pd.to_datetime(frame[name], errors="raise")
    return frame


def describe_failure(result) -> str:
    config = result.expectation_config
    kwargs = {
        k: v
        for k, v in config.kwargs.items()
        if k not in ("batch_id", "result_format") and v is not None
    }
    if "row_condition" in kwargs:
        kwargs["row_condition"] = repr(config.kwargs["row_condition"])
    args = ", ".join(f"{k}={v}" for k, v in kwargs.items())
    detail = []
    res = result.result or {}
    if res.get("observed_value") is not None:
        detail.append(f"observed {res['observed_value']}")
    if res.get("unexpected_count"):
        sample = res.get("partial_unexpected_list") or []
        detail.append(f"{res['unexpected_count']} unexpected, e.g. {sample[:3]}")
    if result.exception_info and result.exception_info.get("raised_exception"):
        detail.append("error: " + str(result.exception_info.get("exception_message")))
    return f"{config.type}({args})" + (": " + "; ".join(detail) if detail else "")


def validate(
    folder: Path,
    files: list[tuple[str, str]],
    parameters: dict[str, dict],
    docs_dir: Path,
    title: str = "Validation of the publication",
) -> Outcome:
    """Validate each (relative path, table) of `folder` against gx/expectations/<table>.json.

    `parameters` maps a table to its suite parameters ($PARAMETER values: the
    publication period, the catalogue's metrics of a fact, ...).
    """
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    warnings.filterwarnings("ignore", module="great_expectations")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("publication")
    report: list[validation_report.FileValidation] = []
    suites = {}
    checks = []
    for relative, table in files:
        suite_file = SUITES_DIR / f"{table}.json"
        if not suite_file.exists():
            checks.append(
                FileCheck(
                    relative,
                    table,
                    False,
                    failures=[
                        f"no expectation suite for `{table}`: gx/expectations/{table}.json is "
                        "generated from the metric catalogue: run `make gx` and commit it"
                    ],
                )
            )
            continue
        if table not in suites:
            suites[table] = context.suites.add(
                gx.ExpectationSuite(**json.loads(suite_file.read_text()))
            )
        try:
            frame = read_back(folder / relative)
        except (ValueError, TypeError, OSError) as error:
            checks.append(
                FileCheck(relative, table, False, failures=[f"unreadable as published: {error}"])
            )
            continue
        name = Path(relative).name  # GX names may not contain "/"
        asset = source.add_dataframe_asset(name)
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(
                name=name,
                data=asset.add_batch_definition_whole_dataframe("whole file"),
                suite=suites[table],
            )
        )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=f"publish {name}",
                validation_definitions=[definition],
                result_format={"result_format": "SUMMARY"},
            )
        )
        result = checkpoint.run(
            batch_parameters={"dataframe": frame}, expectation_parameters=parameters.get(table, {})
        )
        for run in result.run_results.values():
            failed = [describe_failure(r) for r in run.results if not r.success]
            checks.append(FileCheck(relative, table, run.success, len(run.results), failed))
            report.append(
                validation_report.FileValidation(
                    relative,
                    f"gx/expectations/{table}.json",
                    run.success,
                    [outcome_of(r) for r in run.results],
                )
            )
    for check in checks:
        if not check.evaluated and check.failures:  # never reached GX: no suite, unreadable
            report.append(
                validation_report.FileValidation(
                    check.path,
                    f"gx/expectations/{check.table}.json",
                    False,
                    problem="; ".join(check.failures),
                )
            )
    index = validation_report.write(docs_dir, title, report)
    return Outcome(all(c.success for c in checks), checks, index)


def outcome_of(result) -> validation_report.ExpectationOutcome:
    """One GX expectation result as the report shows it."""
    config = result.expectation_config
    arguments = ", ".join(
        f"{k}={v}"
        for k, v in config.kwargs.items()
        if k not in ("batch_id", "result_format") and v is not None
    )
    res = result.result or {}
    observed = []
    if res.get("observed_value") is not None:
        observed.append(str(res["observed_value"]))
    if res.get("unexpected_count"):
        observed.append(f"{res['unexpected_count']} unexpected values")
    if result.exception_info and result.exception_info.get("raised_exception"):
        observed.append("error: " + str(result.exception_info.get("exception_message")))
    return validation_report.ExpectationOutcome(
        config.type, arguments, bool(result.success), "; ".join(observed)
    )
