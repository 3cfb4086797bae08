"""Step 1 of a Spark publication retries, once, the nodes whose connection the endpoint dropped.

No dbt and no cluster: dbt's run results are written by hand (the shape dbt writes), and the
dbt calls of ``ncpm.publish.build`` are replaced by stand-ins that record their arguments.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from ncpm.periods import parse_publication_period
from ncpm.publish import build
from ncpm.publish.common import PublishError

DROPPED = "Runtime Error\n  TSocket read 0 bytes"


def result(uid: str, status: str, message: str | None = None) -> dict:
    return {"unique_id": uid, "status": status, "message": message}


def test_only_dropped_connections_are_retried() -> None:
    dropped = {"results": [result("test.ncpm.a", "pass"), result("test.ncpm.b", "error", DROPPED)]}
    assert build.lost_connection_only(dropped) == ["b"]
    failed_data = {"results": [*dropped["results"], result("test.ncpm.c", "fail", "Got 2 results")]}
    assert build.lost_connection_only(failed_data) == []
    sql_error = {"results": [result("model.ncpm.m", "error", "PARSE_SYNTAX_ERROR near 'selec'")]}
    assert build.lost_connection_only(sql_error) == []
    assert build.lost_connection_only({"results": [result("test.ncpm.a", "pass")]}) == []


def test_merged_results_keep_each_nodes_last_result_in_build_order() -> None:
    first = {
        "metadata": {"invocation_id": "1"},
        "results": [
            result("model.ncpm.m", "success"),
            result("test.ncpm.b", "error", DROPPED),
            result("model.ncpm.n", "skipped"),
        ],
    }
    retried = {"results": [result("model.ncpm.n", "success"), result("test.ncpm.b", "pass")]}
    merged = build.merged_results(first, retried)
    assert merged["metadata"] == {"invocation_id": "1"}
    assert [(r["unique_id"], r["status"]) for r in merged["results"]] == [
        ("model.ncpm.m", "success"),
        ("test.ncpm.b", "pass"),
        ("model.ncpm.n", "success"),
    ]


@pytest.fixture
def spark_build(tmp_path, monkeypatch):
    """build() on a stand-in Spark configuration; each dbt call writes the next run results."""
    config = SimpleNamespace(
        on_spark=True, target_dir=tmp_path / "target", duckdb_path=tmp_path / "w" / "m.duckdb"
    )
    config.target_dir.mkdir()
    calls: list[list[str]] = []
    answers: list[tuple[int, dict]] = []

    def fake_dbt(_config, args, _period, env=None):
        calls.append(args)
        code, results = answers.pop(0)
        (config.target_dir / "run_results.json").write_text(json.dumps(results))
        return code

    monkeypatch.setattr(build, "dbt", fake_dbt)
    monkeypatch.setattr(build, "stage_raw_feeds", lambda *_: None)
    monkeypatch.setattr(build, "export_spark_marts", lambda *_: None)
    return config, calls, answers


def test_spark_build_retries_a_dropped_connection_once(spark_build) -> None:
    config, calls, answers = spark_build
    answers += [
        (
            1,
            {
                "results": [
                    result("model.ncpm.m", "success"),
                    result("test.ncpm.b", "error", DROPPED),
                ]
            },
        ),
        (0, {"results": [result("test.ncpm.b", "pass")]}),
    ]
    results = build.build(config, parse_publication_period("2025-12"))
    assert calls == [["build"], ["retry"]]
    assert [r["status"] for r in results["results"]] == ["success", "pass"]
    on_disk = json.loads((config.target_dir / "run_results.json").read_text())
    assert on_disk["results"] == results["results"]


def test_spark_build_does_not_retry_a_failed_test_and_names_it(spark_build) -> None:
    config, calls, answers = spark_build
    answers += [(1, {"results": [result("test.ncpm.b", "fail", "Got 3 results")]})]
    with pytest.raises(PublishError, match=r"(?s)step 1 \(dbt build\) failed.*- b\n"):
        build.build(config, parse_publication_period("2025-12"))
    assert calls == [["build"]]


def test_a_second_dropped_connection_fails_the_step(spark_build) -> None:
    config, calls, answers = spark_build
    dropped = {"results": [result("test.ncpm.b", "error", DROPPED)]}
    answers += [(1, dropped), (1, dropped)]
    with pytest.raises(PublishError, match="Nothing was published"):
        build.build(config, parse_publication_period("2025-12"))
    assert calls == [["build"], ["retry"]]
