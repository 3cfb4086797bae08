"""Publish a quarter of the National Crime and Policing Measures (write-audit-publish).

    make publish PERIOD=2026-06 [REVISE=1]
    ncpm publish --period 2026-06 [--revise]

PERIOD is the month the quarter ends in (03, 06, 09 or 12), e.g. 2026-06 for the quarter
ending 30 June 2026. Eight steps run in order, one module each; the first failure stops
the run with a message saying what failed and what to do next:

1. build     (build.py)    dbt build with the publication period into the warehouse.
2. export    (export.py)   the catalogue's facts, the scorecard, the dimensions and
                           rpt_all_measures, as CSV and Parquet, and manifest.json, into a
                           work folder publications/.staging/<period>-<pid>/; the revision
                           log, and the revision history as of this publication,
                           data/rpt_revisions (record.py).
3. validate  (validate.py) Great Expectations on the exported files; on failure nothing is
                           published and the validation report goes to publications/failed-runs/.
4. bulletin  (bulletin.py) bulletin.html.
5. publish   (swap.py)     one atomic rename into publications/<period>/; an existing
                           publication is refused unless revising, then kept as
                           <period>.revision-<n>/.
6. record    (record.py)   dbt refreshes marts.rpt_revisions from every revision log.
7. BI copy   (bicopy.py)   the BI copy is rebuilt beside the old one and swapped in.
8. serve     (serving.py)  the publication loaded into the PostgreSQL serving database and
                           swapped in as schema marts in one transaction (skipped, saying so,
                           when no serving database is configured).

One publish at a time: the lock (swap.PublishLock) is taken before step 1, and a second
run is refused at once (exit 2) naming the holder's pid, host, start time and command. A
warehouse file held by another process is refused the same way, in one sentence naming
the holder (ncpm.warehouse), before dbt runs or when dbt meets DuckDB's lock error.

Exit codes: 0 published; 1 a step failed (nothing published); 2 usage error or refusal
(malformed PERIOD, existing publication without --revise, publish already running).

``--target spark`` builds on a Spark Thrift server (``ncpm spark up`` starts a local one)
and reads the marts back through it (publish/build.py); the steps after the build are the
same on both engines.

Paths come from :mod:`ncpm.settings` (NCPM_DUCKDB_PATH, NCPM_RAW_DIR, NCPM_PUBLICATIONS_DIR,
NCPM_PUBLISHED_DUCKDB_PATH, DBT_TARGET_PATH); pass ``config`` to use others. ``hooks``
(:class:`Hooks`) are callables run at the step boundaries: tests pass them to inject
faults; production passes none.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ncpm import settings, warehouse
from ncpm.console import Steps
from ncpm.periods import PeriodError, PublicationPeriod, parse_publication_period
from ncpm.publish import bicopy, build, export, record, serving, swap, validate
from ncpm.publish.common import PublishError, UsageError, say
from ncpm.settings import Settings

STEPS = 8
Hook = Callable[[Path], None]


@dataclass(frozen=True)
class Hooks:
    """Callables run at the step boundaries, each given the path the step just wrote.

    Tests inject faults with them (raise, sleep to be killed, corrupt a file); production
    passes none. A hook that raises stops the run as that exception would.
    """

    after_build: Hook | None = None  # the warehouse file, built for the period
    after_export_file: Hook | None = None  # each exported data file, as soon as written
    after_export: Hook | None = None  # the work folder: data files and manifest.json
    after_validate: Hook | None = None  # the work folder, validated (validation report written)
    after_bulletin: Hook | None = None  # the work folder, complete (bulletin, final manifest)
    after_swap: Hook | None = None  # publications/<period>, published
    after_record: Hook | None = None  # the warehouse file, rpt_revisions refreshed
    after_bicopy: Hook | None = None  # the BI copy (swapped in, or kept)

    def call(self, name: str, path: Path) -> None:
        hook = getattr(self, name)
        if hook is not None:
            hook(path)


def publish(
    period: PublicationPeriod,
    revise: bool,
    config: Settings | None = None,
    hooks: Hooks | None = None,
) -> int:
    """Run the eight steps for ``period``; 0, or raise PublishError or UsageError."""
    config = build.engine_config(config or settings.get())
    hooks = hooks or Hooks()
    started_all = time.perf_counter()
    publications = config.publications_dir
    if not revise:
        swap.refuse_overwrite(publications, period)

    # The lock comes first: a second run is refused before it builds or writes anything.
    with swap.PublishLock(publications) as lock, Steps(f"publish {period.label}", STEPS) as steps:
        if not revise:
            swap.refuse_overwrite(publications, period)
        # A warehouse file held by another process (a build, a BI tool) is named at once.
        warehouse.check_not_locked(config.duckdb_path)
        lock.clear_stale_work()
        with steps.step(1, f"dbt build for the publication period {period.end} into "
                        f"{config.duckdb_path}"):  # fmt: skip
            results = build.build(config, period)
        hooks.call("after_build", config.duckdb_path)

        revision = swap.next_revision(publications, period)
        publication = {
            "period": period.label,
            "period_end_date": period.end.isoformat(),
            "revision": revision,
            "publication_id": f"{period.label}-r{revision}",
            "published_at": dt.datetime.now(dt.UTC)
            .replace(tzinfo=None)
            .isoformat(timespec="seconds"),
        }
        work = lock.work_folder(period)

        with steps.step(2, f"export the publication set into {work}"):
            exported = export.export(
                config, work, period, results, publication, hooks.after_export_file
            )
            manifest = exported.manifest
            facts = exported.catalogue.facts
            manifest["files"].append(record.write_revision_log(work, facts, publication))
            manifest["files"].extend(record.export_revisions(config, work, period))
            export.write_manifest(work, manifest)
            hooks.call("after_export", work)

        with steps.step(3, "validate the exported files with Great Expectations"):
            validate.gate(config, work, period, manifest)
        hooks.call("after_validate", work)

        with steps.step(4, "write the bulletin"):
            from ncpm.publish.bulletin import write_bulletin

            write_bulletin(work, manifest, exported.metric_table, exported.area_table, publications)
            export.finalise_manifest(work, manifest)
        hooks.call("after_bulletin", work)

        with steps.step(5, f"publish {period.label} (atomic rename into {publications})") as s:
            kept = swap.move_into_place(work, publications, period, revise)
            if kept:
                say(f"    the earlier publication is kept as {kept}")
            s.outcome = f"published {publications / period.label}"
        hooks.call("after_swap", publications / period.label)

        with steps.step(6, "record the revision history (dbt build of rpt_revisions)"):
            record.refresh_revisions(config, period)
        hooks.call("after_record", config.duckdb_path)

        target = config.published_duckdb_path
        with steps.step(7, f"refresh the BI copy {target}") as s:
            info = {
                **publication,
                "git_commit": manifest["git"]["commit"],
                "dbt_invocation_id": manifest["dbt"]["invocation_id"],
                "catalogue_version": exported.catalogue.version,
            }
            s.outcome = bicopy.refresh(config.duckdb_path, target, period, info)
        hooks.call("after_bicopy", target)

        with steps.step(8, "load the publication into the serving database") as s:
            s.outcome = serving.serve(config, publications / period.label, publication)
    say(
        f"==> Published {period.label} (revision {revision}) in "
        f"{time.perf_counter() - started_all:.0f} s: {publications / period.label}/bulletin.html"
    )
    return 0


def run(
    period_text: str,
    revise: bool = False,
    *,
    config: Settings | None = None,
    hooks: Hooks | None = None,
    target: str | None = None,
) -> int:
    """Publish the quarter ``period_text`` (YYYY-MM) with the dbt ``target`` (default
    NCPM_TARGET); the exit code (0, 1 or 2, above)."""
    if target:
        config = dataclasses.replace(config or settings.get(), dbt_target=target)
    try:
        period = parse_publication_period(period_text)
        return publish(period, revise, config, hooks)
    except (UsageError, PeriodError, warehouse.WarehouseLockedError) as error:
        say(f"error: {error}")
        return 2
    except PublishError as error:
        say(f"error: {error}")
        return 1
    except OSError as error:  # a full disk, a folder that cannot be written
        say(
            f"error: a file could not be written: {error}. Nothing half-written was published: "
            "work in progress is only ever in publications/.staging/, which the next run "
            "clears. Free the space (or fix the permissions), then run make publish again."
        )
        return 1
