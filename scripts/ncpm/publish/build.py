"""Step 1: ``dbt build`` of the whole project for the publication period.

Any error-severity test failing stops the publication here, before anything is exported.
A period outside the data of a quarterly feed fails the data test
assert_publication_period_within_feed_coverage before any mart is built. Step 6 (record)
runs dbt through :func:`dbt` too.

On the ``spark`` target (``ncpm publish --target spark``: a Spark Thrift server, e.g. the
cluster of ``ncpm spark up``) dbt is the Spark environment's, ``stage_raw_feeds`` runs
before the build, and the marts built are then read back through the Thrift endpoint into
the DuckDB file ``<NCPM_SPARK_DIR>/spark_marts.duckdb`` (:mod:`ncpm.spark.marts`), which the
steps after the build read as they read the DuckDB warehouse (see :func:`engine_config`).
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
from collections import deque

from ncpm import warehouse
from ncpm.periods import PublicationPeriod
from ncpm.publish.common import PublishError, UsageError, say
from ncpm.settings import Settings
from ncpm.street_level import copy_landing_log_for_spark

# Not marts.duckdb: DuckDB names the catalog after the file, and "marts" is the schema.
SPARK_MARTS = "spark_marts.duckdb"


def engine_config(config: Settings) -> Settings:
    """The settings the steps run with: on the spark target, the warehouse file the steps
    after the build read holds the marts read back from Spark
    (``<NCPM_SPARK_DIR>/spark_marts.duckdb``)."""
    if not config.on_spark:
        return config
    if config.dbt_target != "spark":
        raise UsageError(
            f"publish reads the marts through a SQL endpoint: use --target spark (a Thrift "
            f"server, e.g. `ncpm spark up`), not {config.dbt_target}."
        )
    folder = config.spark_dir or config.root / "warehouse" / "spark"
    return dataclasses.replace(config, duckdb_path=folder / SPARK_MARTS)


def stage_raw_feeds(
    config: Settings,
    period: PublicationPeriod,
    env: dict | None = None,
    sources: list[str] | None = None,
) -> None:
    """On Spark: the raw sources as tables over the landing files (and revision logs);
    ``env`` as for :func:`dbt` (e.g. another publications folder); ``sources``: only these
    (e.g. the revision log again, over new files)."""
    copy_landing_log_for_spark(config.raw_dir)
    args = ["--args", json.dumps({"sources": sources})] if sources else []
    if dbt(config, ["run-operation", "stage_raw_feeds", *args], period, env=env) != 0:
        raise PublishError(
            f"dbt run-operation stage_raw_feeds failed on the Spark target at "
            f"{config.spark_host}:{config.spark_port} (see above): is the Thrift server up "
            "(`ncpm spark status`)? Nothing was published."
        )


def export_spark_marts(config: Settings, tables: list[str] | None = None) -> None:
    """On Spark: the built marts, through the Thrift endpoint, into ``config.duckdb_path``
    (``tables``: only these, replaced in the file the build step wrote)."""
    from ncpm.spark import marts

    python = (config.spark_venv or config.root / ".venv-spark") / "bin" / "python"
    try:
        counts = marts.export_marts(
            python, config.spark_host, config.spark_port, config.duckdb_path, tables=tables
        )
    except marts.ExportError as error:
        raise PublishError(f"{error}\n    Nothing was published.") from error
    say(f"    {len(counts)} marts tables read through Thrift into {config.duckdb_path}")


def dbt(
    config: Settings, args: list[str], period: PublicationPeriod, env: dict | None = None
) -> int:
    """Run dbt from the project root with the publication period; its output line by line.

    ``env`` overrides variables of dbt's environment (``Settings.dbt_env``).

    When dbt fails on DuckDB's lock error (the warehouse file held by another process), it
    raises :class:`ncpm.warehouse.WarehouseLockedError`, one sentence naming the holder
    (exit 2), as ``ncpm build`` does.
    """
    env = config.dbt_env({"DBT_TARGET_PATH": str(config.target_dir), **(env or {})})
    env.setdefault("DBT_USE_COLORS", "False")
    vars_ = json.dumps({"publication_period": str(period.end)})
    proc = subprocess.Popen(
        [config.dbt, *args, "--vars", vars_],
        cwd=config.root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    assert proc.stdout is not None
    tail: deque[str] = deque(maxlen=500)
    with proc.stdout:
        for line in proc.stdout:
            say(line.rstrip("\n"))
            tail.append(line)
    code = proc.wait()
    if code != 0:
        locked = warehouse.locked_error("".join(tail))
        if locked is not None:
            raise locked
    return code


def run_results(config: Settings) -> dict:
    path = config.target_dir / "run_results.json"
    return json.loads(path.read_text()) if path.exists() else {}


def failed_nodes(results: dict) -> list[str]:
    return [
        r["unique_id"].split(".", 2)[-1]
        for r in results.get("results", [])
        if r["status"] in ("error", "fail", "runtime error")
    ]


# What dbt-spark reports when the SQL endpoint dropped the connection under a node (the
# server closed the socket): no data was judged, so the node may be run again.
CONNECTION_LOST = (
    "TSocket read 0 bytes",
    "TTransportException",
    "Connection lost while polling",
    "Connection reset by peer",
    "Broken pipe",
)


def lost_connection_only(results: dict) -> list[str]:
    """The nodes of run_results.json that errored, when each lost its connection; else [].

    A failed data test (status ``fail``) or any other error makes it [] (nothing to retry).
    """
    failed = [r for r in results.get("results", []) if r["status"] in ("error", "fail")]
    if not failed or any(
        r["status"] != "error" or not any(s in (r.get("message") or "") for s in CONNECTION_LOST)
        for r in failed
    ):
        return []
    return [r["unique_id"].split(".", 2)[-1] for r in failed]


def merged_results(first: dict, retried: dict) -> dict:
    """run_results of a build and of its `dbt retry`: each node's last result, in first order."""
    last = {r["unique_id"]: r for r in retried.get("results", [])}
    seen = {r["unique_id"] for r in first.get("results", [])}
    results = [last.get(r["unique_id"], r) for r in first.get("results", [])]
    results += [r for r in retried.get("results", []) if r["unique_id"] not in seen]
    return {**first, "results": results}


def build(config: Settings, period: PublicationPeriod) -> dict:
    """dbt build for the period; returns run_results.json, or raises naming what failed.

    On Spark, when the only errors are connections the SQL endpoint dropped, ``dbt retry``
    runs the errored and skipped nodes once more (the retry's results are merged in).
    """
    from ncpm import explain

    config.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
    results_file = config.target_dir / "run_results.json"
    results_file.unlink(missing_ok=True)
    if config.on_spark:
        stage_raw_feeds(config, period)
    code = dbt(config, ["build"], period)
    results = run_results(config)
    lost = lost_connection_only(results) if code != 0 and config.on_spark else []
    if lost:
        say(
            f"    the SQL endpoint dropped the connection under {', '.join(lost)}: "
            "`dbt retry` runs the errored and skipped nodes once more"
        )
        code = dbt(config, ["retry"], period)
        results = merged_results(results, run_results(config))
        results_file.write_text(json.dumps(results))
    if code == 0:
        if config.on_spark:
            export_spark_marts(config)
        return results
    if results_file.exists():
        explain.explain(results_file, 10)
    failed = failed_nodes(results)
    names = "\n".join(f"      - {name}" for name in failed) or "      (see the dbt output above)"
    hint = ""
    if any(name.startswith("assert_publication_period_within_feed_coverage") for name in failed):
        hint = (
            f"\n    PERIOD {period.label} is later (or earlier) than the data: publish a quarter "
            "every quarterly feed covers, or land the missing releases first."
        )
    raise PublishError(
        f"step 1 (dbt build) failed; blocking failures:\n{names}{hint}\n"
        "    Nothing was published and the BI copy is unchanged. Fix the input named above "
        "(the explanation above names the file, row and rule), then run make publish again."
    )


def test_summary(results: dict) -> dict:
    """Counts of data and unit test results by status, and the tests that warned."""
    summary: dict = {"data_tests": {}, "unit_tests": {}, "warnings": []}
    for result in results.get("results", []):
        kind = result["unique_id"].split(".", 1)[0]
        key = {"test": "data_tests", "unit_test": "unit_tests"}.get(kind)
        if key:
            counts = summary[key]
            counts[result["status"]] = counts.get(result["status"], 0) + 1
            if result["status"] == "warn":
                summary["warnings"].append(result["unique_id"].split(".", 2)[-1])
    return summary


def built_models(results: dict) -> set[str]:
    """Models the dbt run of run_results.json built successfully."""
    return {
        r["unique_id"].split(".")[-1]
        for r in results.get("results", [])
        if r["unique_id"].startswith("model.") and r["status"] == "success"
    }
