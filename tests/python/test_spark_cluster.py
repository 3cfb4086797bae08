"""`ncpm spark up | down | status` refusals and states, and the Spark-to-DuckDB type map.

No JVM is started here: `make spark-check` starts the real cluster (master, two workers,
Thrift server), builds and publishes on it, and stops it. These tests cover what must
happen before anything starts: a port taken or Java missing is refused with exit 2 and a
message naming what to change, and a cluster never started reads as stopped (exit 3).
One JVM runs here, without Spark: Hive's function registry, from the jars of the Spark
environment, initialises with the LlapSigner stub the Thrift server gets, and fails without
it (the dropped connections it prevents, ncpm.spark.cluster.LLAP_STUB_SOURCE).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ncpm import settings
from ncpm.spark.cluster import compile_llap_stub, java_binary, spark_home
from ncpm.spark.marts import duckdb_type, export_marts, load

NCPM = str(Path(sys.executable).parent / "ncpm")


def ncpm_spark(command: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "NCPM_SPARK_DIR": str(tmp_path / "spark"), **env}
    return subprocess.run(
        [NCPM, "spark", command], env=environ, capture_output=True, text=True, timeout=120
    )


def test_up_refuses_a_taken_port_naming_the_variable(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = ncpm_spark("up", tmp_path, NCPM_SPARK_PORT=str(port))
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "NCPM_SPARK_PORT" in result.stderr
    assert not (tmp_path / "spark" / "run" / "master.pid").exists()


def test_up_refuses_without_java(tmp_path):
    result = ncpm_spark("up", tmp_path, JAVA_HOME=str(tmp_path / "no-java"))
    assert result.returncode == 2
    assert "no Java runtime found" in result.stderr and "17" in result.stderr


def test_a_cluster_never_started_is_stopped(tmp_path):
    status = ncpm_spark("status", tmp_path)
    assert status.returncode == 3 and status.stdout.rstrip().endswith("stopped")
    down = ncpm_spark("down", tmp_path)
    assert down.returncode == 0 and "not running" in down.stdout


PROBE = """
public class Probe {
    public static void main(String[] args) throws Exception {
        Class.forName("org.apache.hadoop.hive.ql.exec.FunctionRegistry");
        System.out.println("registry initialised");
    }
}
"""
OPENS = [f"--add-opens=java.base/{p}=ALL-UNNAMED" for p in ("java.net", "java.lang", "java.util")]


def test_hive_function_registry_initialises_with_the_llap_stub_only(tmp_path):
    venv = settings.get().root / ".venv-spark"
    if not venv.is_dir():
        pytest.skip("no Spark environment (.venv-spark): `make spark-venv` creates it")
    java = java_binary()
    stub = compile_llap_stub(java, tmp_path / "stub")
    assert stub is not None, "a Java compiler (javac) is needed to compile the stub"
    (tmp_path / "Probe.java").write_text(PROBE)
    javac = Path(java).resolve().parent / "javac"
    subprocess.run([str(javac), "-d", str(tmp_path), str(tmp_path / "Probe.java")], check=True)
    jars = str(spark_home(venv) / "jars" / "*")

    def probe(*classpath: str) -> subprocess.CompletedProcess:
        command = [java, *OPENS, "-cp", os.pathsep.join([str(tmp_path), *classpath]), "Probe"]
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    without = probe(jars)
    assert without.returncode != 0
    assert "NoClassDefFoundError: org/apache/hadoop/hive/llap/security/LlapSigner" in (
        without.stderr
    )
    with_stub = probe(str(stub), jars)
    assert with_stub.returncode == 0, with_stub.stderr[-3000:]
    assert "registry initialised" in with_stub.stdout


def test_spark_types_map_to_duckdb_types():
    assert duckdb_type("string") == "VARCHAR"
    assert duckdb_type("double") == "DOUBLE"
    assert duckdb_type("bigint") == "BIGINT"
    assert duckdb_type("decimal(38, 6)") == "DECIMAL(38, 6)"
    assert duckdb_type("date") == "DATE"
    assert duckdb_type("varchar(10)") == "VARCHAR"


def fetched(folder: Path, table: str, columns: list[list[str]], rows: list[str]) -> Path:
    """A table as the Thrift reader writes it: JSON lines and its Spark column types."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{table}.jsonl").write_text("".join(f"{row}\n" for row in rows))
    meta = {"columns": columns, "rows": len(rows)}
    (folder / f"{table}.columns.json").write_text(json.dumps(meta))
    return folder


def test_revision_steps_replace_only_the_table_they_read(tmp_path):
    target = tmp_path / "spark_marts.duckdb"
    first = tmp_path / "first"
    fetched(first, "fct_homicide", [["value", "double"]], ['{"value": 1.5}', '{"value": 2.0}'])
    fetched(first, "rpt_revisions", [["publication_id", "string"]], ['{"publication_id": "a"}'])
    assert load(first, target) == {"fct_homicide": 2, "rpt_revisions": 1}
    again = fetched(
        tmp_path / "again",
        "rpt_revisions",
        [["publication_id", "string"]],
        ['{"publication_id": "a"}', '{"publication_id": "b"}'],
    )
    assert load(again, target, replace=True) == {"rpt_revisions": 2}
    con = duckdb.connect(str(target), read_only=True)
    try:
        kept = con.execute("select value from marts.fct_homicide order by 1").fetchall()
        revised = con.execute("select publication_id from marts.rpt_revisions order by 1")
        assert kept == [(1.5,), (2.0,)]
        assert revised.fetchall() == [("a",), ("b",)]
    finally:
        con.close()
    assert not (tmp_path / ".partial" / target.name).exists()


def test_reading_some_tables_needs_the_file_the_build_step_wrote(tmp_path):
    with pytest.raises(ValueError, match="existing marts file"):
        export_marts(Path(sys.executable), "127.0.0.1", 1, tmp_path / "none.duckdb", tables=["x"])
