"""Shared helpers: run dbt on a private copy of the raw files and warehouse.

Speed (docs/development.md, "Tests"):

* **One parse for every dbt run.** dbt reuses a parsed project (target/partial_parse.msgpack)
  only when the profile's connection and the environment variables read by dbt_project.yml
  are unchanged, and the tests give every run its own warehouse file and raw folder. So each
  run sees the same two paths, ``<slot>/work/ncpm.duckdb`` and ``<slot>/raw``: symbolic links
  pointed at that run's own folders just before it starts. The project is parsed once per
  test process (``dbt parse``) and its msgpack copied into each run's target folder, which
  saves the full parse (about 5 s of CPU) on every dbt call. One slot per process: xdist
  workers each have their own, and runs in one process are sequential.
* **One sample warehouse per session** (:func:`built_sample`), or none at all when ``make``
  has just built it: ``NCPM_TEST_WAREHOUSE`` names that file (``make check`` and ``make
  test`` set it to the file their dbt-test step built) and the fixture copies it.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "seeds" / "raw"
BIN = Path(sys.executable).parent

# Modules whose tests share state outside their tmp folders run on one xdist worker each
# (`make pytest`: `-n 2 --dist loadgroup`): the publish history (a session fixture of
# subprocesses), and the project's own target/ folder, which `mf` must read
# (test_semantic_layer writes it; the trace command reads its manifest). Every other test is
# sent to whichever worker is free.
XDIST_GROUPS = {
    "test_publish": "publish",
    "test_semantic_layer": "project-target",
    "test_trace": "project-target",
    # tests/reliability: the chained publish faults share one history; the bad inputs
    # refill one sandbox landing folder in turn (and keep one dbt parse)
    "test_publish_faults": "publish-faults",
    "test_bad_inputs": "bad-inputs",
}


def _group(nodeid: str) -> str:
    module = nodeid.split("::", 1)[0].rpartition("/")[2].removesuffix(".py")
    return XDIST_GROUPS.get(module, nodeid)


def pytest_xdist_make_scheduler(config, log):
    """--dist loadgroup over XDIST_GROUPS, scheduled by the controller.

    xdist's own loadgroup reads `xdist_group` marks by renaming test ids on the workers, which
    pytest 9 ignores (every test then counts as its own group); this scheduler groups by module
    itself.
    """
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModuleGroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _group(nodeid)

    return ModuleGroupScheduling(config, log)


@dataclass
class DbtRun:
    returncode: int
    output: str
    explained: str


class _Slot:
    """The fixed paths every dbt run of this process sees (see the module docstring)."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="ncpm-dbt-slot-"))
        atexit.register(shutil.rmtree, self.folder, ignore_errors=True)
        self.raw = self.folder / "raw"
        self.work = self.folder / "work"
        self.parsed: Path | None = None  # the shared partial_parse.msgpack, once made

    @staticmethod
    def _point(link: Path, target: Path) -> None:
        staged = link.with_name(link.name + ".new")
        staged.unlink(missing_ok=True)
        staged.symlink_to(target.resolve(), target_is_directory=True)
        staged.replace(link)

    def env(self, workdir: Path, raw_dir: Path) -> dict[str, str]:
        workdir.mkdir(parents=True, exist_ok=True)
        self._point(self.work, workdir)
        self._point(self.raw, raw_dir)
        return {"NCPM_DUCKDB_PATH": str(self.work / "ncpm.duckdb"), "NCPM_RAW_DIR": str(self.raw)}

    def unslot(self, text: str, workdir: Path, raw_dir: Path) -> str:
        """``text`` with the slot's paths written as the run's own folders."""
        return text.replace(str(self.work), str(workdir)).replace(str(self.raw), str(raw_dir))

    def seed_parse(self, target: Path, base_env: dict[str, str]) -> None:
        """Copy the project parsed once into ``target`` (parsing it on first use)."""
        if self.parsed is None:
            template = self.folder / "parsed"
            proc = subprocess.run(
                [
                    str(BIN / "dbt"),
                    "parse",
                    "--quiet",
                    "--target-path",
                    str(template / "target"),
                    "--log-path",
                    str(template / "logs"),
                ],
                cwd=ROOT,
                env={**base_env, **self.env(template, RAW)},
                capture_output=True,
                text=True,
                check=False,
            )
            msgpack = template / "target" / "partial_parse.msgpack"
            # A project that does not parse: each run then parses (and reports) it itself.
            self.parsed = msgpack if proc.returncode == 0 and msgpack.exists() else Path()
        if self.parsed.is_file() and not (target / "partial_parse.msgpack").exists():
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.parsed, target / "partial_parse.msgpack")


_slot: _Slot | None = None


def run_dbt(
    args: list[str],
    workdir: Path,
    raw_dir: Path | None = None,
    env: dict | None = None,
    shared_parse: bool = True,
) -> DbtRun:
    """Run dbt from the project root against a warehouse file and target dir under workdir.

    With ``shared_parse`` (the default) dbt reads the project parsed once, through the slot's
    fixed paths; the few staging models that are views over the raw files then read them
    through ``<slot>/raw``, valid until this process's next dbt run. ``shared_parse=False``
    gives dbt the real paths (a warehouse that outlives the run: :func:`built_sample`).
    """
    global _slot
    _slot = _slot or _Slot()
    run_env = os.environ.copy()
    run_env.update(
        {
            "DBT_PROFILES_DIR": str(ROOT),
            "DBT_USE_COLORS": "False",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        }
    )
    target = workdir / "target"
    if shared_parse:
        _slot.seed_parse(target, run_env)
        run_env.update(_slot.env(workdir, raw_dir or RAW))
    else:
        paths = {
            "NCPM_DUCKDB_PATH": str(workdir / "ncpm.duckdb"),
            "NCPM_RAW_DIR": str(raw_dir or RAW),
        }
        run_env.update(paths)
    run_env.update(env or {})
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
    output = proc.stdout + proc.stderr
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
    if shared_parse:  # messages name the run's own files, as a run without the slot would
        output, explained = (
            _slot.unslot(text, workdir, raw_dir or RAW) for text in (output, explained)
        )
    return DbtRun(proc.returncode, output, explained)


def copy_feed(feed: str, raw_dir: Path) -> Path:
    """Copy one feed's landed files into raw_dir/<feed>/ and return its first copied CSV.

    The whole landing folder: a Parquet feed (street_level_crime) lands its month
    partitions in sub-folders beside its landing log."""
    dest = raw_dir / feed
    shutil.copytree(RAW / feed, dest, dirs_exist_ok=True)
    return dest / sorted((RAW / feed).glob("*.csv"))[0].name


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory) -> Path:
    """The whole warehouse built from the committed sample, once; returns the DuckDB path.

    With NCPM_TEST_WAREHOUSE (set by `make check` and `make test` to the warehouse their
    dbt-test step has just built from the same sources) the fixture copies that file instead
    of building it again. Tests only read it; those that run dbt on it (docs, analyses) work
    on the copy.
    """
    workdir = tmp_path_factory.mktemp("sample_build")
    made = os.environ.get("NCPM_TEST_WAREHOUSE")
    if made and Path(made).is_file():
        shutil.copyfile(made, workdir / "ncpm.duckdb")
        return workdir / "ncpm.duckdb"
    result = run_dbt(["build"], workdir, shared_parse=False)
    assert result.returncode == 0, result.output[-4000:] + result.explained
    return workdir / "ncpm.duckdb"


def pytest_report_header(config):
    made = os.environ.get("NCPM_TEST_WAREHOUSE")
    if made and Path(made).is_file():
        return f"sample warehouse: a copy of {made} (NCPM_TEST_WAREHOUSE)"
    return "sample warehouse: built once by this session (built_sample)"
