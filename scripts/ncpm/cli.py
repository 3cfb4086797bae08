"""The ``ncpm`` command: one thin command per task, each over the module that holds its logic.

Commands parse options, call one function and turn its result into an exit code; nothing
else lives here (the import-linter contracts in pyproject.toml keep the modules from
importing this one).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ncpm import __version__, settings

EXAMPLES = """
\b
Examples:
  ncpm land police_recorded_crime ~/Downloads/prc-pfa-tables.ods --sheet 2019-20
  ncpm publish --period 2026-06
  ncpm trace --metric M1.1 --area E23000001 --period 2019-06
  ncpm synth --feed all
"""


class _Group(click.Group):
    """Every command: a warehouse file locked by another process is one plain sentence
    naming the holder (exit 2), never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except Exception as error:
            from ncpm import warehouse

            locked = (
                error
                if isinstance(error, warehouse.WarehouseLockedError)
                else warehouse.locked_error(str(error))
            )
            if locked is None:
                raise
            click.echo(f"error: {locked}", err=True)
            sys.exit(2)


@click.group(
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=EXAMPLES,
)
@click.version_option(__version__, prog_name="ncpm")
def main() -> None:
    """The National Crime and Policing Measures warehouse: land, build checks, publish, trace.

    Paths come from the environment (NCPM_DUCKDB_PATH, NCPM_RAW_DIR, NCPM_PUBLICATIONS_DIR,
    NCPM_PUBLISHED_DUCKDB_PATH; see docs/runbook.md). The dbt build itself is `make build`.
    """


def _exit(code: int) -> None:
    sys.exit(code)


# --------------------------------------------------------------------------- build


@main.command(
    context_settings={"ignore_unknown_options": True},
    epilog="""
\b
Examples:
  ncpm build
  ncpm build --select +fct_homicide
\b
Exit codes: 0 built, 1 a rule was broken (explained), 2 the warehouse file is locked.
""",
)
@click.argument("dbt_args", nargs=-1, type=click.UNPROCESSED)
def build(dbt_args: tuple[str, ...]) -> None:
    """Build and test the warehouse (dbt build), refusing a locked file and explaining failures.

    Arguments are passed to dbt build.
    """
    from ncpm import build as building

    _exit(building.run(dbt_args))


# --------------------------------------------------------------------------- land


@main.command(
    epilog="""
\b
Examples:
  ncpm land police_recorded_crime prc-pfa-mar2013-onwards-tables.ods --sheet 2017-18
  ncpm land drug_seizures Seizures18-19.csv --year 2018/19
  ncpm land street_level_crime ~/Downloads/2019-06.zip     (police.uk archive, folder or file)
\b
Exit codes: 0 landed, 1 bad input file, 2 usage error. Next step: make build.
"""
)
@click.argument("feed")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--year",
    metavar="YYYY/YY",
    help="drug_seizures only: land a published WIDE seizures table as this financial year.",
)
@click.option(
    "--sheet",
    "sheets",
    multiple=True,
    metavar="NAME",
    help=".ods only: read this sheet (repeat for several; default every sheet).",
)
@click.option(
    "--raw-dir",
    type=click.Path(path_type=Path),
    help="Folder holding one sub-folder per feed (default $NCPM_RAW_DIR or seeds/raw).",
)
def land(feed: str, file: Path, year: str | None, sheets: tuple[str, ...], raw_dir) -> None:
    """Land a published FILE (.csv or .ods) as the current raw file of FEED.

    The header must match the feed's current file; the previous file is archived under
    <feed>/archive/<UTC time>/, never deleted. street_level_crime takes police.uk street
    files, a folder of them or archive zips, landed as Parquet by month and force (the
    replaced force-months go to <feed>/_archive/<UTC time>/).
    """
    from ncpm import land as landing

    try:
        result = landing.land(feed, file, raw_dir, list(sheets) or None, year)
    except landing.LandError as error:
        click.echo(f"error: {error}", err=True)
        _exit(error.exit_code)
    click.echo(result.summary())


# --------------------------------------------------------------------------- publish


@main.command(
    epilog="""
\b
Examples:
  ncpm publish --period 2026-06
  ncpm publish --period 2026-06 --revise
  ncpm spark up && ncpm publish --period 2026-06 --target spark
\b
Exit codes: 0 published; 1 a step failed (nothing published); 2 usage error or refusal.
"""
)
@click.option("--period", required=True, metavar="YYYY-MM", help="Quarter-end month, e.g. 2026-06.")
@click.option(
    "--revise", is_flag=True, help="Replace an existing publication, keeping it as a revision."
)
@click.option(
    "--target",
    type=click.Choice(["duckdb", "spark"]),
    help="Engine of the build: duckdb, or spark (a Thrift server; default NCPM_TARGET).",
)
def publish(period: str, revise: bool, target: str | None) -> None:
    """Publish a quarter: build, export, validate, bulletin, publish, record, BI copy."""
    from ncpm.publish import pipeline

    _exit(pipeline.run(period, revise, target=target))


# --------------------------------------------------------------------------- trace


@main.command(
    epilog="""
\b
Examples:
  ncpm trace --metric M1.1 --area E23000001 --period 2019-06
  ncpm trace --metric M3.3 --area K04000001 --period 2019-03 --breakdown 'Class A' --json
  ncpm trace --metric local:neighbourhood_crime --area E22000180 --period 2020-06
  ncpm trace --metric local:burglary --area E23000002 --period 2020-06 --breakdown 'imd decile 3'
\b
Local diagnostics (police.uk street-level data, not National Measures; marts.fct_local_crime):
--metric local:<category> (burglary, robbery, vehicle_crime, theft_from_the_person,
neighbourhood_crime, all_crime, anti_social_behaviour), --area a district (LAD23), community
safety partnership (CSP23) or force (PFA23) code, --period the month ending the rolling
year. Prints the landed Parquet files and the police.uk file and row numbers counted in
each month of the year and of the baseline year, the monthly counts, the rolling year and,
for a force, its located and unlocated crimes, each checked against the mart
(docs/local_diagnostics.md).
\b
Exit codes: 0 every step reconciles, 1 a step does not, 2 the figure cannot be traced.
"""
)
@click.option(
    "--metric",
    required=True,
    help="Metric id, e.g. M1.1; or local:<category> for a local diagnostic from police.uk.",
)
@click.option(
    "--area",
    required=True,
    help="Area code, e.g. E23000001 or K04000001 (local: a LAD23, CSP23 or PFA23 code).",
)
@click.option("--period", required=True, help="Period end: YYYY-MM (month end) or YYYY-MM-DD.")
@click.option("--breakdown", default="all", show_default=True, help="Breakdown of the figure.")
@click.option("--json", "as_json", is_flag=True, help="Print the trace as JSON.")
@click.option(
    "--duckdb",
    "database",
    type=click.Path(path_type=Path),
    help="Warehouse file (default $NCPM_DUCKDB_PATH or warehouse/ncpm.duckdb).",
)
@click.option(
    "--manifest",
    type=click.Path(path_type=Path),
    help="dbt manifest for the model chain (default target/manifest.json).",
)
def trace(metric, area, period, breakdown, as_json, database, manifest) -> None:
    """Trace one published figure back to the raw rows it was computed from."""
    from ncpm.trace import service

    try:
        result = service.trace_in_warehouse(metric, area, period, breakdown, database, manifest)
    except service.TraceError as error:
        click.echo(f"error: {error}", err=True)
        _exit(2)
    if as_json:
        click.echo(json.dumps(result.as_json(), indent=2))
    else:
        service.print_trace(result)
    _exit(0 if result.reconciles else 1)


# --------------------------------------------------------------------------- explain


@main.command()
@click.option(
    "--run-results",
    type=click.Path(path_type=Path),
    help="dbt's run_results.json (default target/run_results.json).",
)
@click.option("--limit", default=10, show_default=True, help="Offending rows shown per test.")
def explain(run_results: Path | None, limit: int) -> None:
    """Explain why the last dbt build failed: each rule broken and its offending rows."""
    from ncpm import explain as explaining

    _exit(explaining.explain(run_results or settings.get().target_dir / "run_results.json", limit))


# --------------------------------------------------------------------------- check


@main.group()
def check() -> None:
    """Checks over the dbt artefacts."""


@check.command("personal-data")
@click.option("--manifest", type=click.Path(path_type=Path), help="Default target/manifest.json.")
@click.option("--catalog", type=click.Path(path_type=Path), help="Default target/catalog.json.")
def personal_data(manifest: Path | None, catalog: Path | None) -> None:
    """Fail when respondent- or incident-level data could reach the marts."""
    from ncpm.checks import personal_data as checking

    target = settings.get().target_dir
    _exit(checking.run(manifest or target / "manifest.json", catalog or target / "catalog.json"))


# --------------------------------------------------------------------------- generation


@main.command()
@click.option("--check", "check_only", is_flag=True, help="Exit 1 naming each stale file.")
def semantic(check_only: bool) -> None:
    """Write the dbt files generated from the feed registry and the metric catalogue.

    The fact list, rolling-year inputs and fact inputs macros, the exposures and the
    MetricFlow semantic layer YAML.
    """
    from ncpm import semantic as generating

    _exit(generating.run(check_only))


@main.command()
@click.option("--check", "check_only", is_flag=True, help="Exit 1 naming each stale suite.")
def gx(check_only: bool) -> None:
    """Write the Great Expectations suites (gx/expectations/) from the metric catalogue."""
    from ncpm import gx as generating

    _exit(generating.run(check_only))


# --------------------------------------------------------------------------- synthetic


def _feeds() -> list[str]:
    from ncpm import synth

    return list(synth.generators())


@main.command(
    context_settings={"ignore_unknown_options": True},
    epilog="""
\b
Examples:
  ncpm synth --feed all
  ncpm synth --feed weapon_returns
  ncpm synth --feed victim_survey -- --help      (the generator's own options)
""",
)
@click.option(
    "--feed",
    "feeds",
    multiple=True,
    required=True,
    help="Feed to generate (repeatable), or 'all'. --list shows them.",
)
@click.argument("generator_args", nargs=-1, type=click.UNPROCESSED)
def synth(feeds: tuple[str, ...], generator_args: tuple[str, ...]) -> None:
    """Write the deterministic SYNTHETIC sample raw files of one feed, or all of them.

    Options after `--` go to the feed's generator. Synthetic data: never present the
    numbers as published statistics.
    """
    from ncpm import synth as synthetic
    from ncpm.console import progress_over

    known = _feeds()
    chosen = known if "all" in feeds else list(feeds)
    unknown = sorted(set(chosen) - set(known))
    if unknown:
        raise click.BadParameter(
            f"no generator for {', '.join(unknown)}; known: all, {', '.join(known)}",
            param_hint="--feed",
        )
    if generator_args and len(chosen) > 1:
        raise click.BadParameter("generator options need a single --feed", param_hint="--feed")
    for feed in progress_over(chosen, "synthetic samples", enabled=len(chosen) > 1):
        code = synthetic.run(feed, generator_args)
        if code:
            _exit(code)


@main.command("compare-marts")
@click.argument("a", type=click.Path(exists=True, path_type=Path))
@click.argument("b", type=click.Path(exists=True, path_type=Path))
@click.option("--digits", default=9, show_default=True, help="Significant digits of doubles.")
def compare_marts(a: Path, b: Path, digits: int) -> None:
    """Compare every marts table of two warehouse files row for row (EXCEPT ALL both ways).

    Exit 0 when identical (doubles to DIGITS significant digits), 1 otherwise.
    """
    from ncpm import compare

    differences = compare.compare_marts(a, b, digits)
    for d in differences:
        click.echo(
            f"{d.table:<28} rows {d.rows:>8}  only in A {d.only_in_a:>6}  only in B "
            f"{d.only_in_b:>6}  (unrounded only in A {d.raw_only_in_a})"
        )
        for row in d.sample:
            click.echo(f"    first rows only in A: {row}")
    same = all(d.same for d in differences)
    click.echo("IDENTICAL" if same else "DIFFERENT")
    _exit(0 if same else 1)


# --------------------------------------------------------------------------- reference seeds


@main.group()
def reference() -> None:
    """Reference seeds derived from published files (seeds/reference/)."""


@reference.command(
    "geography",
    epilog="""
\b
Examples:
  ncpm reference geography                 (from $NCPM_REALDATA_DIR/geography)
  ncpm reference geography --from ~/ons --check
\b
Exit codes: 0 written or up to date, 1 a seed differs or bad input (explained), 2 no folder.
""",
)
@click.option(
    "--from",
    "source_dir",
    type=click.Path(path_type=Path),
    help="Folder with the ONS files (default $NCPM_REALDATA_DIR/geography).",
)
@click.option("--check", "check_only", is_flag=True, help="Exit 1 naming each seed that differs.")
def reference_geography(source_dir: Path | None, check_only: bool) -> None:
    """Derive ref_districts, ref_lsoas and ref_district_population from the ONS files.

    The hand-checked ref_lsoa_district_names is validated against the lookup, never written.
    """
    from ncpm import geography

    _exit(geography.run(source_dir or geography.default_source_dir(), check_only))


# --------------------------------------------------------------------------- bench and Spark


@main.command()
@click.option("--repeat", default=1, show_default=True, help="Runs of each step (best shown).")
@click.option("--scale", is_flag=True, help="Street-level data at national scale instead.")
@click.option(
    "--months",
    type=int,
    multiple=True,
    help="--scale: months generated (default 120; with --target spark, 12 and 24). Repeatable "
    "with --target spark.",
)
@click.option(
    "--target",
    type=click.Choice(["duckdb", "spark"]),
    default="duckdb",
    show_default=True,
    help="--scale: spark builds the street-level models on the project's standalone cluster "
    "beside DuckDB (needs Java and .venv-spark: make spark-venv).",
)
@click.option(
    "--scratch",
    type=click.Path(path_type=Path),
    help="--scale: folder for the generated set (default $TMPDIR; never committed).",
)
@click.option(
    "--reuse",
    is_flag=True,
    help="--scale: keep the national set a previous run generated in the scratch folder.",
)
def bench(
    repeat: int,
    scale: bool,
    months: tuple[int, ...],
    target: str,
    scratch: Path | None,
    reuse: bool,
) -> None:
    """Benchmark dbt parse, a full build from empty, and DuckDB reading the raw files.

    With --scale: generate the national street-level set, land one month, the DuckDB floor
    queries and the street-level dbt builds, with wall, CPU and peak memory of each.

    With --scale --target spark: the street-level build on a standalone Spark cluster (started
    and stopped by the benchmark) beside DuckDB, for 12 and 24 national months.

    \b
    Examples:
      ncpm bench
      ncpm bench --scale --months 120 --reuse
      ncpm bench --scale --target spark --months 12 --months 24
    """
    from ncpm import bench as benchmark

    if target == "spark" and not scale:
        raise click.UsageError("--target spark measures the national set: add --scale")
    if target == "spark":
        from ncpm.spark import load

        _exit(load.run(months or load.MONTHS, scratch, reuse=reuse))
    if len(months) > 1:
        raise click.UsageError("one --months value without --target spark")
    if scale:
        _exit(benchmark.run_scale(months[0] if months else 120, scratch, reuse=reuse))
    _exit(benchmark.run(repeat))


@main.command("spark-check")
@click.option(
    "--spark-python",
    type=click.Path(path_type=Path),
    help="Python of the Spark environment (default .venv-spark/bin/python).",
)
@click.option("--require-java", is_flag=True, help="Fail instead of skipping without Java.")
@click.option("--keep", is_flag=True, help="Keep the scratch copy (its path is printed).")
@click.option(
    "--in-process",
    is_flag=True,
    help="Spark inside dbt (session method) instead of a local cluster: no ports needed.",
)
def spark_check(
    spark_python: Path | None, require_java: bool, keep: bool, in_process: bool
) -> None:
    """Build and publish on a local Spark cluster; compare every mart with DuckDB row for row."""
    from ncpm import spark_check as checking

    python = spark_python or settings.root() / ".venv-spark" / "bin" / "python"
    _exit(checking.run(python, require_java, keep, in_process))


# --------------------------------------------------------------------------- Spark cluster


@main.group(
    epilog="""
\b
Examples:
  ncpm spark up          (then NCPM_TARGET=spark ncpm build, or ncpm publish --target spark)
  ncpm spark status
  ncpm spark down
"""
)
def spark() -> None:
    """A local Spark standalone cluster (master, two workers, Thrift server) on 127.0.0.1."""


def _spark_call(function, *args, **kwargs):
    from ncpm.spark.cluster import SparkError

    try:
        return function(*args, **kwargs)
    except SparkError as error:
        click.echo(f"error: {error}", err=True)
        _exit(error.exit_code)


@spark.command("up")
def spark_up() -> None:
    """Start the cluster and wait until it is ready (refused when a port is taken)."""
    from ncpm.spark import cluster

    _exit(_spark_call(cluster.up))


@spark.command("down")
def spark_down() -> None:
    """Stop the cluster (only the processes `ncpm spark up` started, executors included)."""
    from ncpm.spark import cluster

    _exit(_spark_call(cluster.down))


@spark.command("status")
def spark_status() -> None:
    """Each process's state and the master's worker count (exit 3 when not running)."""
    from ncpm.spark import cluster

    _exit(_spark_call(cluster.status))


# --------------------------------------------------------------------------- serving database


@main.group(
    epilog="""
\b
Examples:
  ncpm serve up                      (then point a BI tool at 127.0.0.1:5433, database ncpm)
  ncpm serve load --period 2026-06
  ncpm serve status
  ncpm serve down
\b
Settings: NCPM_PG_HOST, NCPM_PG_PORT, NCPM_PG_DATABASE, NCPM_PG_OWNER_PASSWORD,
NCPM_PG_BI_PASSWORD, NCPM_PG_DIR (docs/bi.md).
"""
)
def serve() -> None:
    """The PostgreSQL serving database BI tools connect to (read-only login ncpm_bi)."""


def _serve_call(function, *args, **kwargs):
    from ncpm.serve.cluster import ServeError

    try:
        return function(*args, **kwargs)
    except ServeError as error:
        click.echo(f"error: {error}", err=True)
        _exit(error.exit_code)


@serve.command("up")
def serve_up() -> None:
    """Create (first time) and start the project's PostgreSQL cluster, on 127.0.0.1 only.

    Exit codes: 0 running, 1 failed, 2 refused (port taken, PostgreSQL not installed).
    """
    from ncpm.serve import cluster

    _exit(_serve_call(cluster.up))


@serve.command("down")
def serve_down() -> None:
    """Stop the project's PostgreSQL cluster (only the one `ncpm serve up` started)."""
    from ncpm.serve import cluster

    _exit(_serve_call(cluster.down))


@serve.command("status")
def serve_status() -> None:
    """Whether the cluster runs, where, and which publication it serves (exit 3 stopped)."""
    from ncpm.serve import cluster

    _exit(_serve_call(cluster.status))


@serve.command(
    "load",
    epilog="""
\b
Exit codes: 0 loaded (or already served, or kept: a later publication is served);
1 the load failed (schema marts unchanged); 2 usage error or no such publication.
""",
)
@click.option("--period", required=True, metavar="YYYY-MM", help="Publication to load.")
@click.option(
    "--retention",
    default=3,
    show_default=True,
    help="Previous publications kept beside marts as dated schemas.",
)
@click.option(
    "--force", is_flag=True, help="Reload the publication already served, or load an older one."
)
def serve_load(period: str, retention: int, force: bool) -> None:
    """Load publications/<period>/ and swap it in as schema marts, in one transaction."""
    from ncpm.serve import load

    result = _serve_call(
        load.load_period,
        period,
        settings.get().publications_dir,
        retention=retention,
        force=force,
    )
    click.echo(result.summary())
    _exit(0)


@main.group(
    epilog="""
\b
Examples:
  ncpm serve up && ncpm serve load --period 2026-06
  ncpm dashboard up                  (then open http://127.0.0.1:8088/superset/dashboard/board/)
  ncpm dashboard status
  ncpm dashboard down
\b
Settings: NCPM_SUPERSET_PORT, NCPM_SUPERSET_DIR, NCPM_SUPERSET_VENV, NCPM_SUPERSET_ADMIN,
NCPM_SUPERSET_PASSWORD (docs/bi.md).
"""
)
def dashboard() -> None:
    """The board dashboard in Apache Superset, reading the serving database as ncpm_bi."""


def _dashboard_call(function, *args, **kwargs):
    from ncpm.dashboard import DashboardError
    from ncpm.serve.cluster import ServeError

    try:
        return function(*args, **kwargs)
    except (DashboardError, ServeError) as error:
        click.echo(f"error: {error}", err=True)
        _exit(error.exit_code)


@dashboard.command("up")
def dashboard_up() -> None:
    """Start Superset on 127.0.0.1 and import the board dashboard from dashboards/board/.

    Exit codes: 0 running, 1 failed, 2 refused (Superset not installed, port taken).
    """
    from ncpm import dashboard as dash

    _exit(_dashboard_call(dash.up))


@dashboard.command("down")
def dashboard_down() -> None:
    """Stop Superset (only the server `ncpm dashboard up` started)."""
    from ncpm import dashboard as dash

    _exit(_dashboard_call(dash.down))


@dashboard.command("status")
def dashboard_status() -> None:
    """Whether Superset runs, and where (exit 3 stopped)."""
    from ncpm import dashboard as dash

    _exit(_dashboard_call(dash.status))
