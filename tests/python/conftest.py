"""Shared helpers: run dbt on a private copy of the raw files and warehouse."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "seeds" / "raw"
BIN = Path(sys.executable).parent


@dataclass
class DbtRun:
    returncode: int
    output: str
    explained: str


def run_dbt(
    args: list[str], workdir: Path, raw_dir: Path | None = None, env: dict | None = None
) -> DbtRun:
    """Run dbt from the project root against a warehouse file and target dir under workdir."""
    run_env = os.environ.copy()
    run_env.update(
        {
            "DBT_PROFILES_DIR": str(ROOT),
            "NCPM_DUCKDB_PATH": str(workdir / "ncpm.duckdb"),
            "NCPM_RAW_DIR": str(raw_dir or RAW),
            "DBT_USE_COLORS": "False",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        }
    )
    run_env.update(env or {})
    target = workdir / "target"
    if "--select" in args:
        # only tests whose every parent is selected (the selection is a sub-graph)
        args = [*args, "--indirect-selection", "cautious"]
    proc = subprocess.run(
        [
            str(BIN / "dbt"),
            *args,
            "--target-path",
            str(target),
            "--log-path",
            str(workdir / "logs"),
        ],
        cwd=ROOT,
        env=run_env,
        capture_output=True,
        text=True,
        check=False,
    )
    explained = ""
    if proc.returncode != 0 and (target / "run_results.json").exists():
        exp = subprocess.run(
            [
                str(BIN / "ncpm"),
                "explain",
                "--run-results",
                str(target / "run_results.json"),
            ],
            cwd=ROOT,
            env=run_env,
            capture_output=True,
            text=True,
            check=False,
        )
        explained = exp.stdout + exp.stderr
    return DbtRun(proc.returncode, proc.stdout + proc.stderr, explained)


def copy_feed(feed: str, raw_dir: Path) -> Path:
    """Copy one feed's landed file(s) into raw_dir/<feed>/ and return the copied CSV."""
    dest = raw_dir / feed
    dest.mkdir(parents=True, exist_ok=True)
    files = sorted((RAW / feed).glob("*.csv"))
    for f in files:
        shutil.copy2(f, dest / f.name)
    return dest / files[0].name


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory) -> Path:
    """The whole warehouse built once from the committed sample; returns the DuckDB path."""
    workdir = tmp_path_factory.mktemp("sample_build")
    result = run_dbt(["build"], workdir)
    assert result.returncode == 0, result.output[-4000:] + result.explained
    return workdir / "ncpm.duckdb"
