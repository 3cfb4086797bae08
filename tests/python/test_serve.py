"""The PostgreSQL serving database (ncpm serve): cluster, least privilege, load and swap.

One cluster for the module: `ncpm serve up`'s code starts it on a free port of 127.0.0.1
with its data folder under pytest's temporary folder, and the fixture always stops it.
Publications are tiny folders written here, shaped like the real ones
(scripts/ncpm/publish/pipeline.py: data/<table>.parquet and .csv, manifest.json with
publication, measures and files with rows and sha256). Each test loads a later period than
the one before, as publications come.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from ncpm import settings
from ncpm.serve import cluster
from ncpm.serve.cluster import BI, OWNER
from ncpm.serve.load import LoadError, load_publication, postgres_type

ROOT = Path(__file__).resolve().parents[2]
FACTS = ("fct_homicide", "fct_cyber_crime")
_months = itertools.count()


# --------------------------------------------------------------------------- publications


def _next_period() -> str:
    n = next(_months)
    return f"{2030 + n // 12}-{n % 12 + 1:02d}"


def make_publication(
    root: Path,
    revision: int = 1,
    rows: int = 5,
    extra_columns: dict | None = None,
    period: str | None = None,
) -> Path:
    """A publication folder like the pipeline's, with ``rows`` rows per fact."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    period = period or _next_period()
    pid = f"{period}-r{revision}"
    folder = root / f"{pid}-{os.urandom(3).hex()}"
    (folder / "data").mkdir(parents=True)
    end = dt.date(int(period[:4]), int(period[5:]), 28)
    files = []

    def write(table: str, data) -> None:
        for extension in ("parquet", "csv"):
            relative = f"data/{table}.{extension}"
            if extension == "parquet":
                pq.write_table(data, folder / relative)
            else:
                pacsv.write_csv(data, folder / relative)
            files.append({"path": relative, "table": table, "rows": data.num_rows})

    for number, fact in enumerate(FACTS, start=1):
        columns = {
            "metric_id": pa.array([f"M{number}.1"] * rows),
            "area_code": pa.array([f"E2300{i:04d}" for i in range(rows)]),
            "period_end_date": pa.array([end] * rows, pa.date32()),
            "breakdown": pa.array(["all"] * rows),
            "value": pa.array([float(i) + 0.5 for i in range(rows)], pa.float64()),
            "ci_lower": pa.array([None] * rows, pa.float64()),
            "is_suppressed": pa.array([i % 2 == 0 for i in range(rows)], pa.bool_()),
            "quality_note": pa.array([None if i else "partial" for i in range(rows)], pa.string()),
            "publication": pa.array([pid] * rows),
        }
        if number == 1:
            columns.update(extra_columns or {})
        write(fact, pa.table(columns))
    write(
        "rpt_measures_scorecard",
        pa.table(
            {
                "metric_id": pa.array(["M1.1", "M2.1"]),
                "period_end_date": pa.array([end, end], pa.date32()),
                "value": pa.array([1.25, 2.5], pa.float64()),
                "sort_order": pa.array([1, 2], pa.int32()),
                "rows_behind": pa.array([rows, rows], pa.int64()),
                "is_incomplete": pa.array([False, True]),
                "publication": pa.array([pid, pid]),
            }
        ),
    )
    # A reference table (the areas dimension) and the revision history, as the pipeline
    # exports them (ncpm.published.REFERENCE_TABLES, rpt_revisions).
    write(
        "dim_area",
        pa.table(
            {
                "area_code": pa.array([f"E2300{i:04d}" for i in range(rows)]),
                "area_name": pa.array([f"Force {i}" for i in range(rows)]),
                "area_level": pa.array(["pfa"] * rows),
            }
        ),
    )
    write(
        "rpt_revisions",
        pa.table(
            {
                "publication_id": pa.array([pid] * 3),
                "metric_id": pa.array(["M1.1"] * 3),
                "area_code": pa.array([f"E2300{i:04d}" for i in range(3)]),
                "period_end_date": pa.array([end] * 3, pa.date32()),
                "value": pa.array([10.0, 20.0, 30.0], pa.float64()),
                "first_published_value": pa.array([9.0, 20.5, 29.0], pa.float64()),
                "revision_from_first": pa.array([1.0, -0.5, 1.0], pa.float64()),
                "published_at": pa.array([dt.datetime(2030, 1, 1)] * 3, pa.timestamp("us")),
                "publication": pa.array([pid] * 3),
            }
        ),
    )
    # A local diagnostic (not a measure: the manifest lists it under local_diagnostics).
    write(
        "fct_local_crime",
        pa.table(
            {
                "area_code": pa.array(["E22000180", "E23000034"]),
                "period_end_date": pa.array([end, end], pa.date32()),
                "value": pa.array([71.0, None], pa.float64()),
                "figure_status": pa.array(["not a National Measure"] * 2),
            }
        ),
    )
    # Files of the folder the manifest does not list as published are never loaded.
    pq.write_table(
        pa.table({"respondent_id": ["r1"], "value": [1.0]}), folder / "revision_log.parquet"
    )
    files.append({"path": "revision_log.parquet", "table": None, "rows": 1})
    pq.write_table(pa.table({"x": [1]}), folder / "data" / "stg_survey.parquet")
    files.append({"path": "data/stg_survey.parquet", "table": "stg_survey", "rows": 1})
    for record in files:
        path = folder / record["path"]
        record.update(
            bytes=path.stat().st_size, sha256=hashlib.sha256(path.read_bytes()).hexdigest()
        )
    manifest = {
        "publication": {
            "period": period,
            "period_end_date": end.isoformat(),
            "revision": revision,
            "publication_id": pid,
            "published_at": "2030-01-01T00:00:00",
        },
        "measures": list(FACTS),
        "local_diagnostics": ["fct_local_crime"],
        "files": files,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return folder


def pid_of(folder: Path) -> str:
    return json.loads((folder / "manifest.json").read_text())["publication"]["publication_id"]


def folder_state(folder: Path) -> dict:
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


# --------------------------------------------------------------------------- the cluster


def _open_path_to(path: Path) -> None:
    """Running as root, PostgreSQL runs as `postgres`: let it traverse pytest's folders."""
    for folder in [path, *path.parents]:
        if folder == Path("/"):
            break
        info = folder.stat()
        if info.st_uid == os.geteuid() and not info.st_mode & 0o001:
            folder.chmod(info.st_mode | 0o001)


@pytest.fixture(scope="module")
def pg(tmp_path_factory):
    try:
        cluster.find_binaries()
    except cluster.ServeError as error:
        pytest.skip(str(error))
    base = tmp_path_factory.mktemp("postgres")
    if os.geteuid() == 0:
        _open_path_to(base)
    s = settings.Settings.from_env(
        {
            "NCPM_PROJECT_DIR": str(ROOT),
            "NCPM_PG_DIR": str(base),
            "NCPM_PG_PORT": str(cluster.free_port()),
        }
    )
    postmaster = None
    try:
        assert cluster.up(s, say=lambda _: None) == 0
        postmaster = cluster.cluster(s).running_pid()
        yield s, cluster.connection(s)
    finally:
        try:
            cluster.down(s, say=lambda _: None)
        finally:
            if postmaster and cluster.process_alive(postmaster):
                os.kill(postmaster, signal.SIGQUIT)  # the one this fixture started, no other
                pytest.fail(f"ncpm serve down left the postmaster {postmaster} running")


def connect(con, role=BI, **extra):
    import psycopg

    return psycopg.connect(**{**con.kwargs(role), **extra})


def marts_snapshot(con) -> dict:
    """Every table of marts with its rows (sorted), and the schemas of the database."""
    with connect(con, OWNER) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' "
                "order by 1"
            )
        ]
        state = {
            name: sorted(map(repr, conn.execute(f'select * from marts."{name}"').fetchall()))
            for name in tables
        }
        state["<schemas>"] = [
            n
            for (n,) in conn.execute(
                "select nspname from pg_namespace where nspname like 'marts%' order by 1"
            )
        ]
    return state


# --------------------------------------------------------------------------- tests without a server


def test_arrow_types_map_to_postgres():
    import pyarrow as pa

    assert postgres_type(pa.string()) == "text"
    assert postgres_type(pa.float64()) == "double precision"
    assert postgres_type(pa.date32()) == "date"
    assert postgres_type(pa.bool_()) == "boolean"
    assert postgres_type(pa.int32()) == "integer"
    assert postgres_type(pa.int64()) == "bigint"
    assert postgres_type(pa.null()) == "text"
    with pytest.raises(LoadError):
        postgres_type(pa.list_(pa.int32()))


def test_credentials_are_generated_once_readable_by_the_user_only(tmp_path):
    s = settings.Settings.from_env({"NCPM_PROJECT_DIR": str(ROOT), "NCPM_PG_DIR": str(tmp_path)})
    first = cluster.connection(s, generate=True)
    path = tmp_path / "credentials.env"
    assert path.stat().st_mode & 0o777 == 0o600
    assert cluster.connection(s).credentials == first.credentials
    assert first.credentials.owner != first.credentials.bi
    overridden = settings.Settings.from_env(
        {
            "NCPM_PROJECT_DIR": str(ROOT),
            "NCPM_PG_DIR": str(tmp_path),
            "NCPM_PG_BI_PASSWORD": "s3cret-bi",
        }
    )
    assert cluster.connection(overridden).credentials.bi == "s3cret-bi"
    assert "s3cret-bi" not in repr(overridden) and first.credentials.owner not in repr(first)


# --------------------------------------------------------------------------- with the cluster


@pytest.mark.slow
def test_up_refuses_a_taken_port_and_is_idempotent(pg, tmp_path):
    s, _ = pg
    assert cluster.up(s, say=lambda _: None) == 0  # already running: fine
    other = settings.Settings.from_env(
        {
            "NCPM_PROJECT_DIR": str(ROOT),
            "NCPM_PG_DIR": str(tmp_path),
            "NCPM_PG_PORT": str(s.pg_port),
        }
    )
    with pytest.raises(cluster.ServeRefused, match="already in use"):
        cluster.up(other, say=lambda _: None)
    assert not (tmp_path / "data").exists()  # refused before initdb


@pytest.mark.slow
def test_load_creates_marts_with_rows_values_and_types(pg, tmp_path):
    _, con = pg
    folder = make_publication(tmp_path, rows=7)
    result = load_publication(folder, pid_of(folder), connection=con, say=lambda _: None)
    assert result.status == "loaded"
    assert result.tables == {
        "dim_area": 7,
        "fct_cyber_crime": 7,
        "fct_homicide": 7,
        "fct_local_crime": 2,
        "rpt_measures_scorecard": 2,
        "rpt_revisions": 3,
    }
    with connect(con) as conn:
        assert conn.execute(
            "select publication_id, revision from marts.publication_info"
        ).fetchall() == [(pid_of(folder), 1)]
        row = conn.execute(
            "select value, ci_lower, is_suppressed, quality_note, period_end_date "
            "from marts.fct_homicide where area_code = 'E23000000'"
        ).fetchone()
        assert row == (0.5, None, True, "partial", dt.date(row[4].year, row[4].month, 28))
        assert (
            conn.execute("select sum(value) from marts.fct_cyber_crime").fetchone()[0] == 24.5
        )  # 0.5 + 1.5 + ... + 6.5
        types = dict(
            conn.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'marts' and table_name = 'rpt_measures_scorecard'"
            ).fetchall()
        )
        assert types == {
            "metric_id": "text",
            "period_end_date": "date",
            "value": "double precision",
            "sort_order": "integer",
            "rows_behind": "bigint",
            "is_incomplete": "boolean",
            "publication": "text",
        }
        tables = {
            n
            for (n,) in conn.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            )
        }
        revisions = dict(
            conn.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'marts' and table_name = 'rpt_revisions'"
            ).fetchall()
        )
    assert revisions["published_at"] == "timestamp without time zone"
    assert revisions["period_end_date"] == "date"
    # only what the manifest lists as published, plus the publication's own record
    assert tables == {
        *FACTS,
        "fct_local_crime",
        "rpt_measures_scorecard",
        "dim_area",
        "rpt_revisions",
        "publication_info",
        "publication_tables",
    }


@pytest.mark.slow
def test_bi_login_reads_marts_and_nothing_else(pg, tmp_path):
    import psycopg

    _, con = pg
    folder = make_publication(tmp_path)
    load_publication(folder, connection=con, say=lambda _: None)
    with connect(con, OWNER) as owner:
        owner.execute("create schema if not exists private")
        owner.execute("create table if not exists private.secret (x int)")
        owner.execute("insert into private.secret values (1)")
    refused = [
        "insert into marts.fct_homicide (metric_id) values ('X')",
        "update marts.fct_homicide set value = 0",
        "delete from marts.publication_info",
        "update marts.rpt_revisions set value = 0",
        "truncate marts.rpt_revisions",
        "create table marts.mine (x int)",
        "create table public.mine (x int)",
        "create temporary table mine (x int)",
        "create schema mine",
        "select * from private.secret",
        "drop table marts.fct_homicide",
        "alter schema marts rename to gone",
    ]
    with connect(con, autocommit=True) as bi:
        assert bi.execute("select count(*) from marts.fct_homicide").fetchone()[0] == 5
        assert bi.execute(
            "select publication_id, sum(revision_from_first) from marts.rpt_revisions group by 1"
        ).fetchall() == [(pid_of(folder), 1.5)]
        assert bi.execute(
            "select area_name from marts.dim_area where area_code = 'E23000001'"
        ).fetchone() == ("Force 1",)
        assert bi.execute("select publication_id from marts.publication_info").fetchone() == (
            pid_of(folder),
        )
        for statement in refused:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                bi.execute(statement)
    with pytest.raises(psycopg.OperationalError, match="permission denied"):
        psycopg.connect(**con.kwargs(BI, "postgres")).close()
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(**{**con.kwargs(BI), "password": "wrong"}).close()
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(**{**con.kwargs(OWNER), "password": con.credentials.bi}).close()


@pytest.mark.slow
def test_reloading_the_same_publication_is_idempotent(pg, tmp_path):
    _, con = pg
    folder = make_publication(tmp_path)
    load_publication(folder, connection=con, say=lambda _: None)
    before = marts_snapshot(con)
    assert len(before["rpt_revisions"]) == 3 and len(before["publication_info"]) == 1
    again = load_publication(folder, connection=con, say=lambda _: None)
    assert again.status == "unchanged"
    assert marts_snapshot(con) == before
    forced = load_publication(folder, connection=con, force=True, say=lambda _: None)
    assert forced.status == "loaded"
    after = marts_snapshot(con)
    strip = {k: v for k, v in after.items() if k != "publication_info"}
    assert strip == {k: v for k, v in before.items() if k != "publication_info"}


@pytest.mark.slow
def test_a_failed_load_leaves_marts_as_it_was(pg, tmp_path):
    _, con = pg
    load_publication(make_publication(tmp_path), connection=con, say=lambda _: None)
    before = marts_snapshot(con)
    assert len(before["rpt_revisions"]) == 3 and len(before["publication_info"]) == 1
    failing = make_publication(tmp_path, rows=9)
    files = folder_state(failing)
    copied = []

    def fail_after_the_last_table(name: str) -> None:
        copied.append(name)
        if name == "rpt_measures_scorecard":  # the last, after the revision history
            raise RuntimeError("injected failure after the last table")

    with pytest.raises(RuntimeError, match="injected"):
        load_publication(
            failing, connection=con, after_table=fail_after_the_last_table, say=lambda _: None
        )
    assert copied == [
        "dim_area",
        "fct_cyber_crime",
        "fct_homicide",
        "fct_local_crime",
        "rpt_revisions",
        "rpt_measures_scorecard",
    ]
    # marts as it was, its revision history and publication_info included; no marts_load_*
    assert marts_snapshot(con) == before
    assert folder_state(failing) == files
    with pytest.raises(LoadError, match=r"refused: .*respondent_id"):
        load_publication(
            make_publication(
                tmp_path, extra_columns={"respondent_id": [f"r{i}" for i in range(5)]}
            ),
            connection=con,
            say=lambda _: None,
        )
    assert marts_snapshot(con) == before
    # the same publication then loads
    assert load_publication(failing, connection=con, say=lambda _: None).tables["fct_homicide"] == 9


@pytest.mark.slow
def test_an_older_publication_is_kept_out_and_retention_drops_the_oldest(pg, tmp_path):
    _, con = pg
    newest = None
    for _ in range(5):
        newest = make_publication(tmp_path)
        load_publication(newest, connection=con, retention=2, say=lambda _: None)
    older = make_publication(tmp_path, period="2029-01")
    assert load_publication(older, connection=con, say=lambda _: None).status == "kept"
    schemas = marts_snapshot(con)["<schemas>"]
    assert len(schemas) == 3 and "marts" in schemas, schemas
    with connect(con) as conn:
        assert conn.execute("select publication_id from marts.publication_info").fetchone()[0] == (
            pid_of(newest)
        )


@pytest.mark.slow
def test_bi_readers_see_one_whole_publication_while_another_swaps_in(pg, tmp_path):
    """20 BI connections in REPEATABLE READ transactions, during two swaps: no query fails
    and every transaction reads one publication throughout."""
    import psycopg

    _, con = pg
    folders = [make_publication(tmp_path, rows=rows) for rows in (11, 13, 17)]
    rows_of = {pid_of(f): n for f, n in zip(folders, (11, 13, 17), strict=True)}
    load_publication(folders[0], connection=con, say=lambda _: None)
    stop = threading.Event()
    deadline = time.monotonic() + 10
    seen: list[tuple] = []
    errors: list[str] = []
    lock = threading.Lock()

    def reader() -> None:
        try:
            conn = psycopg.connect(**con.kwargs(BI), options="-c statement_timeout=10000")
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        except Exception as error:
            with lock:
                errors.append(f"connect: {error}")
            return
        with conn:
            while not stop.is_set() and time.monotonic() < deadline:
                try:
                    first = conn.execute(
                        "select publication_id from marts.publication_info"
                    ).fetchone()
                    scorecard = conn.execute(
                        "select count(*), max(publication) from marts.rpt_measures_scorecard"
                    ).fetchone()
                    fact = conn.execute(
                        "select count(*), max(publication) from marts.fct_homicide"
                    ).fetchone()
                    revisions = conn.execute(
                        "select max(publication) from marts.rpt_revisions"
                    ).fetchone()
                    second = conn.execute(
                        "select publication_id from marts.publication_info"
                    ).fetchone()
                    conn.commit()
                except Exception as error:
                    with lock:
                        errors.append(f"{type(error).__name__}: {error}")
                    conn.rollback()
                    continue
                with lock:
                    seen.append((first, scorecard, fact, second, revisions))

    threads = [threading.Thread(target=reader) for _ in range(20)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)
        for folder in folders[1:]:
            result = load_publication(folder, connection=con, swap_timeout=8, say=lambda _: None)
            assert result.status == "loaded"
            time.sleep(0.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    mixed = [
        s
        for s in seen
        if not (
            s[0] == s[3]
            and s[0] is not None
            and s[1] == (2, s[0][0])
            and s[2] == (rows_of[s[0][0]], s[0][0])
            and s[4] == s[0]
        )
    ]
    assert mixed == []
    assert {s[0][0] for s in seen} == set(rows_of)  # every publication was read


def test_publish_step_8_loads_when_configured_skips_otherwise_and_names_a_down_server(pg, tmp_path):
    """The publication's last step (ncpm.publish.serving): loads into the configured serving
    database; on a machine with none it is skipped, saying so; a server that is down is a
    PublishError naming the command that loads the publication later."""
    from ncpm.publish.common import PublishError
    from ncpm.publish.serving import serve

    s, con = pg
    folder = make_publication(tmp_path)
    publication = {"publication_id": pid_of(folder), "period": pid_of(folder).split("-r")[0]}
    outcome = serve(s, folder, publication)
    assert "skipped" not in outcome and pid_of(folder) in outcome
    with connect(con) as conn:
        assert conn.execute("select publication_id from marts.publication_info").fetchone() == (
            pid_of(folder),
        )

    unconfigured = settings.Settings.from_env(
        {"NCPM_PROJECT_DIR": str(ROOT), "NCPM_PG_DIR": str(tmp_path / "none")}
    )
    assert "skipped" in serve(unconfigured, folder, publication)

    down = settings.Settings.from_env(
        {
            "NCPM_PROJECT_DIR": str(ROOT),
            "NCPM_PG_DIR": str(tmp_path / "none"),
            "NCPM_PG_PORT": str(cluster.free_port()),
            "NCPM_PG_OWNER_PASSWORD": "x",
            "NCPM_PG_BI_PASSWORD": "y",
        }
    )
    with pytest.raises(PublishError, match=r"make serve-load PERIOD=\d{4}-\d{2}"):
        serve(down, folder, publication)
