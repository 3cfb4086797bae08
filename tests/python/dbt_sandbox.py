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
* **One sample warehouse per test run** (:func:`sample_build`), shared by the xdist workers,
  or none at all when ``make`` has just built it: ``NCPM_TEST_WAREHOUSE`` names that file
  (``make check`` and ``make test`` set it to the file their dbt-test step built) and the
  fixtures (:func:`built_sample`, and ``built`` of tests/reliability) copy it.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from filelock import FileLock

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "seeds" / "raw"
BIN = Path(sys.executable).parent

# Modules whose tests share state outside their tmp folders run on one xdist worker each
# (`make pytest`: `-n 2 --dist loadgroup`): the publish history (a session fixture of
# subprocesses), and the project's own target/ folder, which `mf` must read
# (test_semantic_layer writes it; the trace command reads its manifest). So do modules whose
# module-scoped fixture is costly (a build, a server): split over two workers, each worker
# would set it up. Every other test is sent to whichever worker is free.
XDIST_GROUPS = {
    "test_publish": "publish",
    "test_publish_failures": "publish-failures",  # one real publication, copied by each case
    "test_semantic_layer": "project-target",
    "test_trace": "project-target",
    "test_toy_feed": "toy-feed",  # a copy of the project, built once
    "test_docs": "docs",  # dbt docs generate once
    "test_serve": "serve",  # one PostgreSQL cluster
    "test_dashboard": "dashboard",  # Superset and PostgreSQL
    # tests/reliability: the chained publish faults share one history; the bad inputs
    # refill one sandbox landing folder in turn (and keep one dbt parse)
    "test_publish_faults": "publish-faults",
    "test_bad_inputs": "bad-inputs",
}
# The longest groups, roughly longest first (reorder them when `make pytest PYTEST_ARGS=
# --durations=40` shows otherwise): the scheduler starts them first, one per worker, so the
# run does not end with one worker idle while the other works through a long group.
XDIST_LONGEST = ["publish-faults", "publish", "bad-inputs", "publish-failures", "toy-feed"]


def _group(nodeid: str) -> str:
    module = nodeid.split("::", 1)[0].rpartition("/")[2].removesuffix(".py")
    return XDIST_GROUPS.get(module, nodeid)


def pytest_xdist_make_scheduler(config, log):
    """--dist loadgroup over XDIST_GROUPS, scheduled by the controller.

    xdist's own loadgroup reads `xdist_group` marks by renaming test ids on the workers, which
    pytest 9 ignores (every test then counts as its own group); this scheduler groups by module
    itself. It hands out XDIST_LONGEST first, then the other groups by number of tests, then
    single tests in collection order; a worker takes its next unit when it has at most two
    tests left.
    """
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModuleGroupScheduling(LoadScopeScheduling):
        ordered = False

        def _split_scope(self, nodeid: str) -> str:
            return _group(nodeid)

        def _assign_work_unit(self, node) -> None:
            if not self.ordered:  # the first call, once the work queue is complete
                self.ordered = True
                rank = {group: i for i, group in enumerate(XDIST_LONGEST)}
                units = sorted(
                    self.workqueue.items(),
                    key=lambda unit: (rank.get(unit[0], len(rank)), -len(unit[1])),
                )
                self.workqueue.clear()
                self.workqueue.update(units)
            super()._assign_work_unit(node)

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


def copy_other_feeds(feed: str, raw_dir: Path) -> None:
    """Copy the committed sample of every feed but ``feed`` (the one a test edits)."""
    for feed_dir in sorted(RAW.iterdir()):
        if feed_dir.name != feed and any(feed_dir.glob("*.csv")):
            copy_feed(feed_dir.name, raw_dir)


def sample_build(tmp_path_factory, with_results: bool = False) -> tuple[Path, Path]:
    """The whole warehouse built from the committed sample once per test run: the paths of
    its DuckDB file and of the build's run_results.json. Callers copy them, never write.

    ``NCPM_TEST_WAREHOUSE`` (set by `make check` and `make test` to the warehouse their
    dbt-test step has just built from the same sources, its run_results.json beside it) is
    used as it is; without it (or, ``with_results``, without its run results) the first
    xdist worker to ask builds the sample into the session's temporary folder, which the
    workers share, and the other waits for it under a file lock instead of building again.
    """
    made = os.environ.get("NCPM_TEST_WAREHOUSE")
    if made and Path(made).is_file():
        results = Path(made).with_name("run_results.json")
        if results.is_file() or not with_results:
            return Path(made), results
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the session's folder, above each worker's own
    workdir = shared / "sample_build"
    with FileLock(shared / "sample_build.lock"):
        if not (workdir / "built").exists():
            result = run_dbt(["build"], workdir, shared_parse=False)
            assert result.returncode == 0, result.output[-4000:] + result.explained
            (workdir / "built").touch()
    return workdir / "ncpm.duckdb", workdir / "target" / "run_results.json"


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory) -> Path:
    """A copy of the sample warehouse (:func:`sample_build`) for this process; its path.

    Tests only read it; those that run dbt on it (docs, analyses) work in its folder.
    """
    workdir = tmp_path_factory.mktemp("sample_build")
    warehouse, _ = sample_build(tmp_path_factory)
    shutil.copyfile(warehouse, workdir / "ncpm.duckdb")
    return workdir / "ncpm.duckdb"


def pytest_report_header(config):
    made = os.environ.get("NCPM_TEST_WAREHOUSE")
    if made and Path(made).is_file():
        return f"sample warehouse: a copy of {made} (NCPM_TEST_WAREHOUSE)"
    return "sample warehouse: built once by this session (sample_build)"


# ---------------------------------------------------------------- publishing in a sandbox
# Shared by tests/python/test_publish*.py and tests/reliability/test_publish_faults.py
# (pyproject's pytest `pythonpath` makes this module importable from both folders).

NCPM = BIN / "ncpm"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sha256_tree(*folders: Path) -> dict[str, str]:
    """sha256 of every file under the folders (links followed), by absolute path."""
    found = {}
    for folder in folders:
        if not folder.exists():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                found[str(path)] = sha256(path)
    return found


PUBLISH_RUN = """
args = sys.argv[1:]
period = args[args.index("--period") + 1]
sys.exit(pipeline.run(period, "--revise" in args, hooks=pipeline.Hooks(**HOOKS)))
"""


def publish_program(hooks: str = "", reuse_build: tuple[Path, Path] | None = None) -> str:
    """Python source of a child process running the publish pipeline (``python -c``).

    ``hooks`` is Python source defining ``HOOKS``, a dict of
    :class:`ncpm.publish.pipeline.Hooks` fields to callables: the fault code lives in the
    test, production code never loads a file or reads an environment variable to find it.
    ``reuse_build`` = (warehouse, run_results.json) replaces step 1's ``dbt build`` with a
    copy of a warehouse already built for the same period (steps 2-8 run as in production).
    """
    head = textwrap.dedent(
        """
        import errno, json, os, shutil, signal, sys, time
        from pathlib import Path
        from ncpm.publish import pipeline

        HOOKS = {}
        """
    )
    if reuse_build:
        warehouse, results = reuse_build
        head += textwrap.dedent(
            f"""
            from ncpm.publish import build as step1

            def reuse_build(config, period):
                config.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile({str(warehouse)!r}, config.duckdb_path)
                return json.loads(Path({str(results)!r}).read_text())

            step1.build = reuse_build
            """
        )
    return head + textwrap.dedent(hooks) + textwrap.dedent(PUBLISH_RUN)


@dataclass
class Sandbox:
    """A private warehouse, dbt target, publications folder and BI copy under ``root``;
    `ncpm publish` (or a :func:`publish_program`) runs against them in its own process."""

    root: Path
    raw_dir: Path = RAW

    @property
    def publications(self) -> Path:
        return self.root / "publications"

    @property
    def published(self) -> Path:
        return self.root / "published" / "ncpm.duckdb"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse" / "ncpm.duckdb"

    def env(self, extra: dict | None = None) -> dict[str, str]:
        env = os.environ.copy()
        env.update(
            {
                "DBT_PROFILES_DIR": str(ROOT),
                "DBT_TARGET_PATH": str(self.root / "target"),
                "DBT_LOG_PATH": str(self.root / "logs"),
                "DBT_USE_COLORS": "False",
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
                "NCPM_DUCKDB_PATH": str(self.warehouse),
                "NCPM_RAW_DIR": str(self.raw_dir),
                "NCPM_PUBLICATIONS_DIR": str(self.publications),
                "NCPM_PUBLISHED_DUCKDB_PATH": str(self.published),
                "NCPM_THREADS": "2",
            }
        )
        env.update(extra or {})
        return env

    def command(self, *args: str, program: str | None = None) -> list[str]:
        """`ncpm publish ARGS`, or the same arguments given to a :func:`publish_program`."""
        if program is None:
            return [str(NCPM), "publish", *args]
        return [sys.executable, "-c", program, *args]

    def publish(
        self, *args: str, program: str | None = None, extra_env: dict | None = None
    ) -> subprocess.CompletedProcess:
        return subprocess.run(
            self.command(*args, program=program),
            cwd=ROOT,
            env=self.env(extra_env),
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )

    def copy(self, root: Path) -> Sandbox:
        """A new sandbox holding the same publications and BI copy (not the warehouse)."""
        shutil.copytree(self.publications, root / "publications", symlinks=True)
        shutil.copytree(self.published.parent, root / "published")
        return Sandbox(root)

    def snapshot(self) -> dict[str, str]:
        """sha256 of every file of the publications folder and of the BI copy's folder, by
        path.

        Not the work area publications/.staging/: every run (one refused by a failed build
        included) takes the lock there first and writes its pid, host and command into it.
        """
        files = sha256_tree(self.publications, self.published.parent)
        return {k: v for k, v in files.items() if "/.staging/" not in k}
