"""The reliability suite's shared sandbox: the sample warehouse, built once per test run.

``built`` copies the sample warehouse built once for the whole test run (or by `make`'s
dbt-test step) into a private sandbox with its own dbt target and the landing folder
``NCPM_RAW_DIR`` at a fixed sandbox path (``raw/``, each feed a link to the committed
sample). The drop-in cases later refill that same folder with damaged files and reuse the
same target, so dbt's partial parse is kept after their first run (dbt parses again in full
when an environment variable it reads changes). The publish faults reuse the warehouse and
its ``run_results.json``.

The terminal summary prints one line: the bad inputs refused by name, the faults survived
and the files changed, counted from the cases that ran.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from dbt_sandbox import sample_build, sha256_tree  # noqa: F401 (sha256_tree: imported from here)

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "seeds" / "raw"
NCPM = Path(sys.executable).parent / "ncpm"
PERIOD_END = "2026-06-30"
VARS = f"{{publication_period: {PERIOD_END}}}"
# DuckDB's and Python's own words: a refusal in the project's words never shows them.
ENGINE_ERRORS = (
    "Binder Error",
    "Conversion Error",
    "Catalog Error",
    "Parser Error",
    "Out of Range Error",
    "Traceback",
)

TALLY = {"refused": 0, "faults": 0, "changed": 0}
_CURRENT: list = []  # the test item running in this process (set by the autouse fixture)


def tally(key: str, count: int = 1) -> None:
    """Count ``count`` toward the summary line's ``key``. The count travels with the test's
    report (``user_properties``), so it reaches the summary from pytest-xdist workers too."""
    if _CURRENT:
        _CURRENT[-1].user_properties.append(("reliability_tally", (key, count)))


@pytest.fixture(autouse=True)
def _current_item(request):
    _CURRENT.append(request.node)
    yield
    _CURRENT.pop()


def pytest_runtest_logreport(report):
    """Add up the counts of tests that passed (on the controller under xdist)."""
    if report.when == "call" and report.passed:
        for name, value in report.user_properties:
            if name == "reliability_tally":
                key, count = value
                TALLY[key] += count


def changed_files(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


@dataclass(frozen=True)
class Built:
    """The session's sandbox: warehouse, dbt target and the landing folder path."""

    root: Path
    warehouse: Path
    target: Path
    raw: Path
    run_results: Path  # the full build's run_results.json, kept aside

    def env(self, extra: dict | None = None) -> dict[str, str]:
        env = os.environ.copy()
        env.update(
            {
                "DBT_PROFILES_DIR": str(ROOT),
                "DBT_TARGET_PATH": str(self.target),
                "DBT_LOG_PATH": str(self.root / "logs"),
                "DBT_USE_COLORS": "False",
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
                "NCPM_RAW_DIR": str(self.raw),
                "NCPM_DUCKDB_PATH": str(self.warehouse),
                "NCPM_PUBLICATIONS_DIR": str(self.root / "publications"),
                "NCPM_PUBLISHED_DUCKDB_PATH": str(self.root / "published" / "ncpm.duckdb"),
                "NCPM_THREADS": "2",
            }
        )
        env.update(extra or {})
        return env


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Built:
    """The sandbox, its warehouse and run results a copy of the sample build shared by the
    whole test run (dbt_sandbox.sample_build: built once, or the one `make` has just built)."""
    root = tmp_path_factory.mktemp("reliability")
    raw = root / "raw"
    raw.mkdir()
    for feed in RAW.iterdir():
        if feed.is_dir():
            (raw / feed.name).symlink_to(feed, target_is_directory=True)
    box = Built(root, root / "ncpm.duckdb", root / "target", raw, root / "build_run_results.json")
    warehouse, results = sample_build(tmp_path_factory, with_results=True)
    shutil.copyfile(warehouse, box.warehouse)
    shutil.copyfile(results, box.run_results)
    # Built without a publication period, the scorecard is for the latest quarter every
    # quarterly feed covers: the period the publish faults publish (PERIOD_END).
    con = duckdb.connect(str(box.warehouse), read_only=True)
    try:
        periods = con.execute(
            "select distinct publication_period_end_date from marts.rpt_measures_scorecard"
        ).fetchall()
    finally:
        con.close()
    assert [str(p) for (p,) in periods] == [PERIOD_END], periods
    return box


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if TALLY["refused"] or TALLY["faults"]:
        terminalreporter.write_line(
            f"{TALLY['refused']} bad inputs refused by name, {TALLY['faults']} faults "
            f"survived, {TALLY['changed']} files changed"
        )
