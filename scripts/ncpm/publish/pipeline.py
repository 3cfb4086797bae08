"""Publish a quarter of the National Crime and Policing Measures (write-audit-publish).

    make publish PERIOD=2026-06 [REVISE=1]
    .venv/bin/python scripts/publish.py --period 2026-06 [--revise]

PERIOD is the month the quarter ends in (03, 06, 09 or 12), e.g. 2026-06 for the
quarter ending 30 June 2026. The steps run in order and the first failure stops
the run with a message saying what failed and what to do next:

1. build    `dbt build --vars '{publication_period: 2026-06-30}'` into the warehouse
            (NCPM_DUCKDB_PATH); any error-severity test failing stops here. A period
            outside the data of a quarterly feed fails the test
            assert_publication_period_within_feed_coverage before any mart is built.
2. export   into a work folder, publications/.staging/<period>-<pid>/ (never read as a
            publication): every measure fact the metric catalogue names that exists
            in schema marts (dim_metric.fact_model), its history up to and including
            the period, as CSV and Parquet; the scorecard; the revision log of every
            figure published; manifest.json (every file with row count and sha256, the
            git commit, the dbt invocation id, the catalogue version, the test summary,
            and each catalogue metric as "published" or "not yet published").
3. validate the exported files themselves with Great Expectations, against the suites
            kept in gx/expectations/ (one per fact, one for the scorecard), writing GX
            Data Docs into the publication (validation/index.html). On failure nothing
            is published; the Data Docs of the failed run are kept in
            publications/failed-runs/<period>-<UTC time>/.
4. bulletin writes bulletin.html, a self-contained page for the Board.
5. publish  renames the work folder to publications/<period>/ in one atomic rename. An
            existing publication of the period is refused unless --revise is given;
            then the earlier one is kept as publications/<period>.revision-<n>/.
6. record   the publication's revision_log.parquet (in its folder) is the append-only
            log of what was published; `dbt build --select stg_publications__revision_log+`
            refreshes marts.rpt_revisions from every log.
7. BI copy  builds warehouse/published/ncpm.duckdb (NCPM_PUBLISHED_DUCKDB_PATH): the marts
            of the published build, no figure later than the period, plus
            marts.publication_info; built beside the old copy and swapped in with one
            atomic rename, so BI readers never wait and never see a half-written file.
            Skipped when a later period is already in the BI copy.

Exit codes: 0 published; 1 a step failed (nothing published); 2 usage error or
refusal (malformed PERIOD, existing publication without --revise, publish already
running).

Environment: NCPM_DUCKDB_PATH, NCPM_RAW_DIR (as for make build), NCPM_PUBLICATIONS_DIR
(default publications), NCPM_PUBLISHED_DUCKDB_PATH (default
warehouse/published/ncpm.duckdb), DBT_TARGET_PATH (default target).
NCPM_PUBLISH_TEST_HOOK names a Python file whose functions after_export_file(path) and
after_export(folder), when defined, are called during step 2 (used by the tests to
inject faults; never set it in production).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ncpm import settings
from ncpm.periods import PeriodError, parse_publication_period
from ncpm.periods import PublicationPeriod as Period

ROOT = settings.root()
BIN = Path(sys.executable).parent

IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
STAGING = ".staging"
FAILED_RUNS = "failed-runs"
SCORECARD = "rpt_measures_scorecard"


class PublishError(Exception):
    """A step failed: the message says what and what to do next (exit 1)."""


class UsageError(Exception):
    """Bad arguments or a refusal (exit 2)."""


def say(message: str) -> None:
    print(message, flush=True)


def step(number: int, text: str) -> float:
    say(f"==> [{number}/7] {text}")
    return time.perf_counter()


def done(started: float, text: str = "done") -> None:
    say(f"    {text} ({time.perf_counter() - started:.1f} s)")


# --------------------------------------------------------------------------- 1. build


def dbt(args: list[str], period: Period) -> int:
    """Run dbt from the project root with the publication period; stream its output."""
    env = os.environ.copy()
    env.setdefault("DBT_PROFILES_DIR", str(ROOT))
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
    env.setdefault("DBT_USE_COLORS", "False")
    cmd = [str(BIN / "dbt"), *args, "--vars", json.dumps({"publication_period": str(period.end)})]
    return subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode


def target_dir() -> Path:
    return settings.get().target_dir


def run_results() -> dict:
    path = target_dir() / "run_results.json"
    return json.loads(path.read_text()) if path.exists() else {}


def failed_nodes(results: dict) -> list[str]:
    return [
        r["unique_id"].split(".", 2)[-1]
        for r in results.get("results", [])
        if r["status"] in ("error", "fail", "runtime error")
    ]


def build(period: Period) -> dict:
    """dbt build for the period; returns run_results.json, or raises naming what failed."""
    results_file = target_dir() / "run_results.json"
    results_file.unlink(missing_ok=True)
    code = dbt(["build"], period)
    results = run_results()
    if code == 0:
        return results
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "explain_failures.py"),
            "--run-results",
            str(results_file),
        ],
        cwd=ROOT,
        check=False,
    )
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


# --------------------------------------------------------------------------- 2. export


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def git_commit() -> dict:
    def git(*args: str) -> str | None:
        proc = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return proc.stdout.strip() if proc.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


def raw_files() -> list[dict]:
    """The landed raw files the build read (NCPM_RAW_DIR/<feed>/*.csv), for the manifest."""
    raw = settings.get().raw_dir
    return [
        {
            "feed": path.parent.name,
            "file": path.name,
            "bytes": path.stat().st_size,
            "sha256": sha256(path),
            "synthetic": "synthetic" in path.name.lower(),
        }
        for path in sorted(raw.glob("*/*.csv"))
    ]


def load_hook():
    path = os.environ.get("NCPM_PUBLISH_TEST_HOOK")
    if not path:
        return None
    spec = importlib.util.spec_from_file_location("ncpm_publish_test_hook", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    say(f"    (test hook loaded from {path})")
    return module


def call_hook(hook, name: str, *args) -> None:
    if hook is not None and hasattr(hook, name):
        getattr(hook, name)(*args)


@dataclass
class Catalogue:
    metrics: list[dict]  # dim_metric rows
    facts: list[str]  # the measure facts to publish, in metric order
    version: str


def discover_facts(
    metrics: list[dict], built_models: set[str], marts_tables: set[str]
) -> list[str]:
    """The fact models the catalogue names that this build made: never a hard-coded list.

    A fact is published when a metric of dim_metric names it (fact_model), the dbt build
    of step 1 built that model successfully, and it is a table in schema marts. A metric
    whose fact does not exist yet is reported as "not yet published", not an error.
    """
    facts = []
    for metric in metrics:
        fact = metric["fact_model"]
        if not IDENTIFIER.match(fact or ""):
            raise PublishError(
                f"metric {metric['metric_id']} names an invalid fact_model {fact!r}."
            )
        if fact in built_models and fact in marts_tables and fact not in facts:
            facts.append(fact)
    return facts


def built_models(results: dict) -> set[str]:
    """Models the dbt run of run_results.json built successfully."""
    return {
        r["unique_id"].split(".")[-1]
        for r in results.get("results", [])
        if r["unique_id"].startswith("model.") and r["status"] == "success"
    }


def read_catalogue(con, results: dict) -> Catalogue:
    rows = con.execute("select * from marts.dim_metric order by metric_id").fetchall()
    names = [d[0] for d in con.description]
    metrics = [dict(zip(names, row, strict=True)) for row in rows]
    tables = {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'marts' and table_type = 'BASE TABLE'"
        ).fetchall()
    }
    facts = discover_facts(metrics, built_models(results), tables)
    versions = sorted({m["catalogue_version"] for m in metrics})
    return Catalogue(metrics, facts, ", ".join(versions))


def export(con, folder: Path, period: Period, catalogue: Catalogue, hook) -> list[dict]:
    """Write every fact and the scorecard as CSV and Parquet; return the file records."""
    (folder / "data").mkdir(parents=True)
    files = []
    day = f"date '{period.end.isoformat()}'"  # a validated date, safe to write into SQL
    queries = [
        (
            fact,
            f"select * from marts.{fact} where period_end_date <= {day} "
            "order by metric_id, area_code, period_end_date, breakdown",
        )
        for fact in catalogue.facts
    ]
    queries.append((SCORECARD, f"select * from marts.{SCORECARD} order by metric_id"))
    for table, query in queries:
        rows = con.execute(f"select count(*) from ({query})").fetchone()[0]
        for extension, options in (("parquet", "format parquet"), ("csv", "format csv, header")):
            relative = f"data/{table}.{extension}"
            con.execute(f"copy ({query}) to '{folder / relative}' ({options})")
            files.append({"path": relative, "table": table, "rows": rows})
            say(f"    {relative}: {rows} rows")
            call_hook(hook, "after_export_file", folder / relative)
    return files


def metric_status(con, period: Period, catalogue: Catalogue) -> list[dict]:
    statuses = []
    for metric in catalogue.metrics:
        fact = metric["fact_model"]
        rows = 0
        if fact in catalogue.facts:
            rows = con.execute(
                f"select count(*) from marts.{fact} where metric_id = ? and period_end_date <= ?",
                [metric["metric_id"], period.end],
            ).fetchone()[0]
        statuses.append(
            {
                "metric_id": metric["metric_id"],
                "metric_name": metric["metric_name"],
                "fact_model": fact,
                "status": "published" if rows else "not yet published",
                "rows": rows,
            }
        )
    return statuses


def write_revision_log(con, folder: Path, facts: list[str], publication: dict) -> dict:
    """revision_log.parquet: every figure of the exported Parquet files, with the publication."""
    parts = [
        f"select '{fact}' as fact_model, metric_id, area_code, period_end_date, breakdown, "
        f"value, ci_lower, ci_upper from read_parquet('{folder / 'data' / fact}.parquet')"
        for fact in facts
    ]
    relative = "revision_log.parquet"
    if not parts:
        parts = [
            "select null::varchar as fact_model, null::varchar as metric_id, null::varchar as "
            "area_code, null::date as period_end_date, null::varchar as breakdown, null::double "
            "as value, null::double as ci_lower, null::double as ci_upper where false"
        ]
    con.execute(
        f"""
        copy (
            select
                '{publication["publication_id"]}' as publication_id,
                date '{publication["period_end_date"]}' as publication_period_end_date,
                {int(publication["revision"])} as publication_revision,
                timestamp '{publication["published_at"]}' as published_at,
                figures.*
            from ({" union all ".join(parts)}) as figures
        ) to '{folder / relative}' (format parquet)
        """
    )
    rows = con.execute(f"select count(*) from read_parquet('{folder / relative}')").fetchone()[0]
    return {"path": relative, "table": None, "rows": rows}


# --------------------------------------------------------------------------- 5. publish


def existing_revisions(publications: Path, period: Period) -> list[int]:
    revisions = []
    current = publications / period.label / "manifest.json"
    if current.exists():
        revisions.append(json.loads(current.read_text())["publication"]["revision"])
    for kept in publications.glob(f"{period.label}.revision-*"):
        suffix = kept.name.rsplit("-", 1)[-1]
        if suffix.isdigit():
            revisions.append(int(suffix))
    return revisions


def refuse_overwrite(publications: Path, period: Period) -> None:
    if (publications / period.label).exists():
        raise UsageError(
            f"publication {period.label} already exists ({publications / period.label}). It is "
            "never overwritten silently: to publish a revision run make publish "
            f"PERIOD={period.label} REVISE=1 (scripts/publish.py --period {period.label} "
            "--revise); the earlier one is kept as a numbered revision."
        )


def move_into_place(work: Path, publications: Path, period: Period, revise: bool) -> Path | None:
    """Rename the work folder to publications/<period>; keep an earlier one as a revision."""
    final = publications / period.label
    kept = None
    if final.exists():
        if not revise:
            refuse_overwrite(publications, period)
        previous = json.loads((final / "manifest.json").read_text())["publication"]["revision"]
        kept = publications / f"{period.label}.revision-{previous}"
        os.rename(final, kept)
    os.rename(work, final)
    fsync_dir(publications)
    return kept


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- 7. BI copy


def published_period(path: Path) -> str | None:
    """The publication period of the current BI copy, or None."""
    import duckdb

    if not path.exists():
        return None
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return None
    try:
        return con.execute("select period from marts.publication_info").fetchone()[0]
    except duckdb.Error:
        return None
    finally:
        con.close()


def refresh_published_copy(warehouse: Path, target: Path, period: Period, info: dict) -> None:
    """Build the marts (no figure later than the period) beside the BI copy, swap atomically."""
    import duckdb

    target.parent.mkdir(parents=True, exist_ok=True)
    building = target.parent / ".building"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir()
    # Same file name in a sibling folder: the DuckDB catalog (named after the file) is
    # the same before and after the rename, and the rename stays on one file system.
    new = building / target.name
    con = duckdb.connect(str(new))
    try:
        con.execute(f"attach '{warehouse}' as built (read_only)")
        con.execute("create schema marts")
        tables = con.execute(
            "select table_name, comment from duckdb_tables() "
            "where database_name = 'built' and schema_name = 'marts' order by table_name"
        ).fetchall()
        views = con.execute(
            "select view_name from duckdb_views() "
            "where database_name = 'built' and schema_name = 'marts' and not internal"
        ).fetchall()
        counts = []
        for name, comment in [*tables, *((v, None) for (v,) in views)]:
            columns = [
                c
                for (c,) in con.execute(
                    "select column_name from duckdb_columns() where database_name = 'built' "
                    "and schema_name = 'marts' and table_name = ?",
                    [name],
                ).fetchall()
            ]
            where = ""
            if "metric_id" in columns and "period_end_date" in columns:
                where = f" where period_end_date <= date '{period.end.isoformat()}'"
            con.execute(f'create table marts."{name}" as select * from built.marts."{name}"{where}')
            if comment:
                con.execute(
                    f'comment on table marts."{name}" is '
                    f"'{comment.replace(chr(39), chr(39) * 2)}'"
                )
            for column, column_comment in con.execute(
                "select column_name, comment from duckdb_columns() where database_name = 'built' "
                "and schema_name = 'marts' and table_name = ? and comment is not null",
                [name],
            ).fetchall():
                escaped = column_comment.replace("'", "''")
                con.execute(f'comment on column marts."{name}"."{column}" is \'{escaped}\'')
            rows = con.execute(f'select count(*) from marts."{name}"').fetchone()[0]
            counts.append((name, rows))
        con.execute(
            "create table marts.publication_info as select ? as publication_id, ? as period, "
            "cast(? as date) as publication_period_end_date, ? as revision, "
            "cast(? as timestamp) as published_at, ? as git_commit, ? as dbt_invocation_id, "
            "? as catalogue_version",
            [
                info["publication_id"],
                period.label,
                period.end,
                info["revision"],
                info["published_at"],
                info["git_commit"],
                info["dbt_invocation_id"],
                info["catalogue_version"],
            ],
        )
        con.execute("create table marts.publication_tables (table_name varchar, row_count bigint)")
        con.executemany("insert into marts.publication_tables values (?, ?)", counts)
        con.execute(
            "comment on table marts.publication_info is 'The publication this copy holds (one "
            "row).'"
        )
        con.execute(
            "comment on table marts.publication_tables is "
            "'Row count of every marts table of this copy, as written.'"
        )
        con.execute("detach built")
        con.execute("checkpoint")
    finally:
        con.close()
    wal = new.with_name(new.name + ".wal")
    if wal.exists():
        raise PublishError(f"the new BI copy left a write-ahead log {wal}; not swapped in.")
    with new.open("rb+") as f:
        os.fsync(f.fileno())
    # Readers holding the old file keep reading its inode; new readers open the new one.
    os.replace(new, target)
    fsync_dir(target.parent)
    shutil.rmtree(building, ignore_errors=True)


# --------------------------------------------------------------------------- main


class PublishLock:
    """One publish at a time per publications folder (released when the process dies)."""

    def __init__(self, staging: Path):
        staging.mkdir(parents=True, exist_ok=True)
        self.path = staging / "publish.lock"
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)

    def __enter__(self):
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(self.fd, 64, 0).decode(errors="replace").strip()
            raise UsageError(
                f"another publish is running (pid {holder or 'unknown'}); wait for it to finish."
            ) from None
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, str(os.getpid()).encode(), 0)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


def clear_stale_work(staging: Path) -> None:
    """Work folders left by a run that was killed (we hold the lock, so none is live)."""
    for stale in staging.iterdir():
        if stale.is_dir():
            say(f"    removing the work folder of an interrupted run: {stale.name}")
            shutil.rmtree(stale)


def keep_failed_run(work: Path, publications: Path, period: Period, outcome) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = publications / FAILED_RUNS / f"{period.label}-{stamp}"
    kept.mkdir(parents=True)
    for name in ("validation", "manifest.json"):
        if (work / name).exists():
            os.rename(work / name, kept / name)
    (kept / "NOT-PUBLISHED.txt").write_text(
        f"Publication {period.label} was NOT published: the exported files failed validation.\n"
        "Open validation/index.html (GX Data Docs) for every expectation and its result.\n\n"
        + "\n".join(
            f"{c.path}: {failure}"
            for c in outcome.checks
            if not c.success
            for failure in c.failures
        )
        + "\n"
    )
    shutil.rmtree(work, ignore_errors=True)
    return kept


def publish(period: Period, revise: bool) -> int:
    import duckdb

    started_all = time.perf_counter()
    warehouse = settings.get().duckdb_path
    publications = settings.get().publications_dir
    published_copy = settings.get().published_duckdb_path
    if not revise:
        refuse_overwrite(publications, period)

    started = step(1, f"dbt build for the publication period {period.end} into {warehouse}")
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    results = build(period)
    done(started)

    staging = publications / STAGING
    with PublishLock(staging):
        if not revise:
            refuse_overwrite(publications, period)
        clear_stale_work(staging)
        revision = max(existing_revisions(publications, period), default=0) + 1
        publication = {
            "period": period.label,
            "period_end_date": period.end.isoformat(),
            "revision": revision,
            "publication_id": f"{period.label}-r{revision}",
            "published_at": dt.datetime.now(dt.UTC)
            .replace(tzinfo=None)
            .isoformat(timespec="seconds"),
        }
        work = staging / f"{period.label}-{os.getpid()}"
        hook = load_hook()

        started = step(2, f"export the publication set into {work}")
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            catalogue = read_catalogue(con, results)
            files = export(con, work, period, catalogue, hook)
            metrics = metric_status(con, period, catalogue)
            metric_table = con.execute("select * from marts.dim_metric order by metric_id").df()
            area_table = con.execute("select * from marts.dim_area order by sort_order").df()
        finally:
            con.close()
        call_hook(hook, "after_export", work)
        manifest = {
            "publication": publication,
            "git": git_commit(),
            "dbt": {
                "invocation_id": results.get("metadata", {}).get("invocation_id"),
                "dbt_version": results.get("metadata", {}).get("dbt_version"),
                "generated_at": results.get("metadata", {}).get("generated_at"),
                "vars": {"publication_period": period.end.isoformat()},
            },
            "catalogue_version": catalogue.version,
            "tests": test_summary(results),
            "raw_files": raw_files(),
            "measures": catalogue.facts,
            "metrics": metrics,
            "validation": {
                "parameters": {
                    **{
                        fact: {
                            "publication_period": period.end.isoformat(),
                            "catalogue_metric_ids": [
                                m["metric_id"] for m in catalogue.metrics if m["fact_model"] == fact
                            ],
                        }
                        for fact in catalogue.facts
                    },
                    SCORECARD: {
                        "publication_period": period.end.isoformat(),
                        "catalogue_metric_count": len(catalogue.metrics),
                    },
                }
            },
            "files": files,
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")
        unpublished = [m["metric_id"] for m in metrics if m["status"] != "published"]
        say(
            f"    {len(catalogue.facts)} measure fact(s): {', '.join(catalogue.facts) or 'none'}; "
            f"metrics not yet published: {', '.join(unpublished) or 'none'}"
        )
        done(started)

        started = step(3, "validate the exported files with Great Expectations")
        from ncpm.publish.validate import validate

        outcome = validate(
            work,
            [(f["path"], f["table"]) for f in files],
            _gx_parameters(manifest["validation"]["parameters"]),
            work / "validation",
        )
        manifest["validation"].update(outcome.summary())
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")
        for check in outcome.checks:
            say(
                f"    {'ok  ' if check.success else 'FAIL'} {check.path} ({check.evaluated} "
                "expectations)"
            )
            for failure in check.failures:
                say(f"         {failure}")
        if not outcome.success:
            kept = keep_failed_run(work, publications, period, outcome)
            raise PublishError(
                "step 3 (Great Expectations) failed on the exported files listed above. Nothing "
                "was published. The Data Docs of this run are kept in "
                f"{kept}/validation/index.html. "
                "Fix the data (or, if the expectation is what is wrong, the suite in "
                "gx/expectations/), then run make publish again."
            )
        done(started)

        started = step(4, "write the bulletin")
        manifest["files"].append(write_revision_log_from(work, catalogue, publication))
        from ncpm.publish.bulletin import write_bulletin

        write_bulletin(work, manifest, metric_table, area_table, publications)
        finalise_manifest(work, manifest)
        done(started)

        started = step(5, f"publish {period.label} (atomic rename into {publications})")
        kept = move_into_place(work, publications, period, revise)
        if kept:
            say(f"    the earlier publication is kept as {kept}")
        done(started, f"published {publications / period.label}")

        started = step(6, "record the revision history (dbt build of rpt_revisions)")
        if dbt(["build", "--select", "stg_publications__revision_log+"], period) != 0:
            raise PublishError(
                f"publication {period.label} is published, but refreshing marts.rpt_revisions "
                "failed (see above); the BI copy was not refreshed. Fix the error, then run "
                f"make publish PERIOD={period.label} REVISE=1."
            )
        done(started)

        started = step(7, f"refresh the BI copy {published_copy}")
        current = published_period(published_copy)
        if current and current > period.label:
            done(started, f"kept: the BI copy holds the later publication {current}")
        else:
            refresh_published_copy(
                warehouse,
                published_copy,
                period,
                {
                    **publication,
                    "git_commit": manifest["git"]["commit"],
                    "dbt_invocation_id": manifest["dbt"]["invocation_id"],
                    "catalogue_version": catalogue.version,
                },
            )
            done(started, "swapped in")
    say(
        f"==> Published {period.label} (revision {revision}) in "
        f"{time.perf_counter() - started_all:.0f} s: {publications / period.label}/bulletin.html"
    )
    return 0


def _gx_parameters(parameters: dict) -> dict:
    """Suite parameters with the period as a timestamp (dates are read back as datetimes)."""
    import pandas as pd

    out = {}
    for table, values in parameters.items():
        out[table] = {
            k: pd.Timestamp(v) if k == "publication_period" else v for k, v in values.items()
        }
    return out


def write_revision_log_from(work: Path, catalogue: Catalogue, publication: dict) -> dict:
    import duckdb

    con = duckdb.connect()
    try:
        return write_revision_log(con, work, catalogue.facts, publication)
    finally:
        con.close()


def finalise_manifest(work: Path, manifest: dict) -> None:
    """Every file of the publication (but the manifest) with its sha256 and size."""
    known = {f["path"]: f for f in manifest["files"]}
    records = []
    for path in sorted(p for p in work.rglob("*") if p.is_file() and p.name != "manifest.json"):
        relative = path.relative_to(work).as_posix()
        record = {"path": relative, "table": None, "rows": None, **known.get(relative, {})}
        record.update({"bytes": path.stat().st_size, "sha256": sha256(path)})
        records.append(record)
    manifest["files"] = records
    (work / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")


def run(period_text: str, revise: bool = False) -> int:
    """Publish the quarter ``period_text`` (YYYY-MM); the exit code (0, 1 or 2, above)."""
    try:
        period = parse_publication_period(period_text)
        return publish(period, revise)
    except (UsageError, PeriodError) as error:
        say(f"error: {error}")
        return 2
    except PublishError as error:
        say(f"error: {error}")
        return 1
