"""`make publish`: the write-audit-publish gate, proven end to end on the committed sample.

Every case runs `ncpm publish` as a separate process in a private sandbox
(warehouse, dbt target, publications folder and BI copy under a temporary folder).
One session-scoped history is shared to keep the suite fast:

1. 2026-03 is published (the first publication, which creates the BI copy);
2. a publish of 2026-06 is killed (SIGKILL) in the middle of its export;
3. 2026-06 is published by the next run, while a reader process queries the BI
   copy in a loop, with fresh connections and with one connection held open.

The failure cases work on copies of that history, so each starts from real
publications and proves they are left byte-for-byte unchanged.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest
from dbt_sandbox import RAW, ROOT, Sandbox, copy_feed, copy_other_feeds, publish_program, sha256

from ncpm.publish.common import REFERENCE_TABLES
from ncpm.publish.export import discover_facts

pytestmark = pytest.mark.slow
ARTIFACTS = ROOT / "test-artifacts"
NCPM = Path(sys.executable).parent / "ncpm"
MARKER_WAIT = 300


def out(result: subprocess.CompletedProcess) -> str:
    return result.stdout + result.stderr


# ---------------------------------------------------------------- the reader (a BI tool)

READER = textwrap.dedent(
    """
    import json, os, sys, time
    import duckdb

    path, stop, log, mode = sys.argv[1:5]

    def observe(con):
        publication_id, period_end = con.execute(
            "select publication_id, publication_period_end_date from marts.publication_info"
        ).fetchone()
        expected = dict(con.execute("select * from marts.publication_tables").fetchall())
        actual = {
            t: con.execute(f'select count(*) from marts."{t}"').fetchone()[0] for t in expected
        }
        scorecard = con.execute(
            "select min(publication_period_end_date), max(publication_period_end_date) "
            "from marts.rpt_measures_scorecard"
        ).fetchone()
        latest = con.execute(
            "select max(period_end_date) from marts.rpt_all_measures"
        ).fetchone()[0]
        consistent = (
            actual == expected
            and scorecard[0] == scorecard[1] == period_end
            and latest <= period_end
        )
        return {"id": publication_id, "consistent": consistent, "tables": len(expected)}

    # "fresh": a new connection per query, as a BI tool opening the file each time;
    # "held": one connection kept open across the swap. Separate processes, because
    # DuckDB shares one database instance between connections to a path in a process.
    observations, errors = [], []
    held = duckdb.connect(path, read_only=True) if mode == "held" else None
    while not os.path.exists(stop):
        try:
            con = held or duckdb.connect(path, read_only=True)
            try:
                observations.append(observe(con))
            finally:
                if con is not held:
                    con.close()
        except Exception as error:  # the test asserts there are none
            errors.append(repr(error))
        time.sleep(0.05)
    json.dump({"observations": observations, "errors": errors}, open(log, "w"))
    """
)


@dataclass
class History:
    box: Sandbox
    march: subprocess.CompletedProcess
    after_march: dict
    killed_output: str
    killed_returncode: int
    after_kill: dict
    staging_after_kill: list[str]
    june: subprocess.CompletedProcess
    june_seconds: float
    reader: dict = field(default_factory=dict)


KILL_HOOKS = """
import os, time
from pathlib import Path

def after_export_file(path):
    Path(os.environ["NCPM_TEST_MARKER"]).write_text(str(path))
    time.sleep(600)  # killed here, in the middle of the export

HOOKS = {"after_export_file": after_export_file}
"""


def run_killed_in_export(box: Sandbox, tmp: Path, *args: str) -> tuple[int, str]:
    marker = tmp / "exporting"
    log = tmp / "killed.log"
    with log.open("w") as sink:
        proc = subprocess.Popen(
            box.command(*args, program=publish_program(KILL_HOOKS)),
            cwd=ROOT,
            env=box.env({"NCPM_TEST_MARKER": str(marker)}),
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + MARKER_WAIT
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert marker.exists(), "publish never reached the export:\n" + log.read_text()[-3000:]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    return proc.returncode, log.read_text()


@pytest.fixture(scope="session")
def history(tmp_path_factory) -> History:
    tmp = tmp_path_factory.mktemp("publish_history")
    box = Sandbox(tmp / "box")
    march = box.publish("--period", "2026-03")
    assert march.returncode == 0, out(march)[-5000:]
    after_march = box.snapshot()

    killed_returncode, killed_output = run_killed_in_export(box, tmp, "--period", "2026-06")
    after_kill = box.snapshot()
    staging = box.publications / ".staging"
    staging_after_kill = sorted(p.name for p in staging.iterdir())

    stop = tmp / "stop-readers"
    readers = {
        mode: subprocess.Popen(
            [
                sys.executable,
                "-c",
                READER,
                str(box.published),
                str(stop),
                str(tmp / f"{mode}.json"),
                mode,
            ],
            cwd=ROOT,
        )
        for mode in ("fresh", "held")
    }
    time.sleep(1.0)
    started = time.perf_counter()
    june = box.publish("--period", "2026-06")
    june_seconds = time.perf_counter() - started
    time.sleep(1.0)
    stop.touch()
    for reader in readers.values():
        reader.wait(timeout=60)
    assert june.returncode == 0, out(june)[-5000:]
    return History(
        box,
        march,
        after_march,
        killed_output,
        killed_returncode,
        after_kill,
        staging_after_kill,
        june,
        june_seconds,
        {mode: json.loads((tmp / f"{mode}.json").read_text()) for mode in readers},
    )


# ---------------------------------------------------------------- the publication


def test_publication_holds_every_catalogue_fact_validated_with_a_manifest(history):
    folder = history.box.publications / "2026-06"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["publication"]["publication_id"] == "2026-06-r1"
    assert manifest["publication"]["period_end_date"] == "2026-06-30"

    con = duckdb.connect(str(history.box.warehouse), read_only=True)
    try:
        catalogue_facts = {
            f for (f,) in con.execute("select fact_model from marts.dim_metric").fetchall()
        }
        marts_tables = {
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        metric_count = con.execute("select count(*) from marts.dim_metric").fetchone()[0]
        version = con.execute("select distinct catalogue_version from marts.dim_metric").fetchall()
    finally:
        con.close()
    assert set(manifest["measures"]) == catalogue_facts & marts_tables
    assert "fct_homicide" in manifest["measures"]
    assert manifest["catalogue_version"] == version[0][0]
    assert len(manifest["metrics"]) == metric_count
    statuses = {m["metric_id"]: m["status"] for m in manifest["metrics"]}
    assert statuses["M1.1"] == "published"
    assert {s for s in statuses.values()} <= {"published", "not yet published"}

    # provenance: git commit, dbt invocation, test summary
    assert len(manifest["git"]["commit"]) == 40
    assert manifest["dbt"]["invocation_id"]
    assert manifest["tests"]["data_tests"].get("pass", 0) > 100
    assert manifest["tests"]["data_tests"].get("fail", 0) == 0
    assert manifest["tests"]["unit_tests"].get("pass", 0) >= 1

    # every landed file the build read, CSV and record-level Parquet, with its sha256
    read = {(f["feed"], f["file"]): f["sha256"] for f in manifest["raw_files"]}
    landed = [
        *history.box.raw_dir.glob("*/*.csv"),
        *history.box.raw_dir.glob("street_level_crime/month=*/*.parquet"),
    ]
    assert any(path.suffix == ".parquet" for path in landed)
    for path in landed:
        feed, file = path.relative_to(history.box.raw_dir).as_posix().split("/", 1)
        assert read[(feed, file)] == sha256(path), path
    assert len(read) == len(landed)

    # every file listed with its sha256, data files with their row counts
    listed = {f["path"]: f for f in manifest["files"]}
    on_disk = {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.name != "manifest.json"
    }
    assert set(listed) == on_disk
    for path, record in listed.items():
        assert record["sha256"] == sha256(folder / path), path
    for fact in [*manifest["measures"], "rpt_measures_scorecard"]:
        for extension in ("csv", "parquet"):
            record = listed[f"data/{fact}.{extension}"]
            assert record["rows"] > 0
        with (folder / f"data/{fact}.csv").open() as f:
            assert sum(1 for _ in f) - 1 == listed[f"data/{fact}.csv"]["rows"]

    # the tables BI reads beside the facts, and the revision history (empty: nothing revised)
    for table in [*REFERENCE_TABLES, "rpt_revisions"]:
        assert {f"data/{table}.parquet", f"data/{table}.csv"} <= set(listed), table
    assert listed["data/rpt_revisions.parquet"]["rows"] == 0
    assert listed["data/dim_area.parquet"]["rows"] > 40
    stacked_file = folder / "data" / "rpt_all_measures.parquet"
    stacked = duckdb.sql(
        f"select max(period_end_date) from read_parquet('{stacked_file}')"
    ).fetchone()
    assert str(stacked[0]) == "2026-06-30"

    # full history up to and including the period, nothing later
    homicide = duckdb.sql(
        f"select min(period_end_date), max(period_end_date) "
        f"from read_parquet('{folder / 'data/fct_homicide.parquet'}')"
    ).fetchone()
    assert str(homicide[0]) <= "2018-03-31" and str(homicide[1]) == "2026-06-30"

    # Great Expectations passed on every exported file, Data Docs in the publication
    assert manifest["validation"]["success"] is True
    checked = {f["path"] for f in manifest["validation"]["files"]}
    assert checked == {p for p, r in listed.items() if r.get("table")}
    assert (folder / "validation" / "index.html").exists()
    assert (folder / "bulletin.html").exists()


def test_measures_are_discovered_from_the_catalogue_not_a_list():
    metrics = [
        {"metric_id": "M1.1", "fact_model": "fct_homicide"},
        {"metric_id": "M2.1", "fact_model": "fct_serious_violence"},
        {"metric_id": "M2.2", "fact_model": "fct_serious_violence"},
        {"metric_id": "M9.1", "fact_model": "fct_not_built_yet"},
    ]
    built = {"fct_homicide", "fct_serious_violence", "dim_metric"}
    tables = {"fct_homicide", "fct_serious_violence", "fct_stale_left_over"}
    assert discover_facts(metrics, built, tables) == ["fct_homicide", "fct_serious_violence"]


def test_revision_log_records_every_published_figure(history):
    box = history.box
    con = duckdb.connect()
    rows = con.execute(
        "select publication_id, count(*) from "
        f"read_parquet('{box.publications}/*/revision_log.parquet') "
        "group by 1 order by 1"
    ).fetchall()
    manifest = json.loads((box.publications / "2026-06" / "manifest.json").read_text())
    # the measures' figures; the local diagnostics are not measures and are never revised
    fact_rows = sum(
        f["rows"]
        for f in manifest["files"]
        if f["table"] in manifest["measures"] and f["path"].endswith(".csv")
    )
    assert rows[-1] == ("2026-06-r1", fact_rows)
    assert [r[0] for r in rows] == ["2026-03-r1", "2026-06-r1"]


def test_existing_publication_is_refused_without_revise(history):
    before = history.box.snapshot()
    result = history.box.publish("--period", "2026-06")
    assert result.returncode == 2
    assert "already exists" in out(result) and "REVISE=1" in out(result)
    assert history.box.snapshot() == before


# ---------------------------------------------------------------- the BI copy


def test_bi_reader_never_fails_nor_sees_a_mix_during_build_and_publish(history):
    fresh, held = history.reader["fresh"], history.reader["held"]
    assert fresh["errors"] == [] and held["errors"] == []
    assert len(fresh["observations"]) >= 20, "the reader ran too few queries to prove anything"
    assert len(held["observations"]) >= 20, "the reader ran too few queries to prove anything"
    assert all(o["consistent"] for o in fresh["observations"] + held["observations"])
    seen = [o["id"] for o in fresh["observations"]]
    assert seen[0] == "2026-03-r1" and seen[-1] == "2026-06-r1"
    switch = seen.index("2026-06-r1")
    assert set(seen[switch:]) == {"2026-06-r1"}, "a reader went back to the old publication"
    # a connection opened before the swap keeps reading the file it opened, whole
    assert {o["id"] for o in held["observations"]} == {"2026-03-r1"}


def test_bi_copy_holds_the_marts_of_the_latest_publication_only(history):
    con = duckdb.connect(str(history.box.published), read_only=True)
    try:
        schemas = {
            s
            for (s,) in con.execute(
                "select distinct table_schema from information_schema.tables"
            ).fetchall()
        }
        info = con.execute("select publication_id, period from marts.publication_info").fetchone()
        revisions = con.execute("select count(*) from marts.rpt_revisions").fetchone()[0]
    finally:
        con.close()
    assert schemas == {"marts"}
    assert info == ("2026-06-r1", "2026-06")
    assert revisions == 0  # the sample figures did not change between 2026-03 and 2026-06


# ---------------------------------------------------------------- the bulletin in a browser


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def test_bulletin_renders_in_a_real_browser(history, tmp_path):
    chromium = find_chromium()
    if chromium is None:
        pytest.skip(
            "no Chromium on PATH (chromium, chromium-browser, google-chrome): .ci/run installs "
            "Debian's chromium when it runs as root with apt-get"
        )
    page = history.box.publications / "2026-06" / "bulletin.html"
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "bulletin-2026-06.png"
    screenshot.unlink(missing_ok=True)
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1280,2000",
    ]
    shot = subprocess.run(
        [chromium, *flags, f"--screenshot={screenshot}", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert screenshot.exists(), shot.stderr[-3000:]
    dom = subprocess.run(
        [chromium, *flags, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    ).stdout

    import numpy as np
    from PIL import Image, ImageStat

    image = Image.open(screenshot).convert("RGB")
    assert image.size == (1280, 2000)
    assert max(ImageStat.Stat(image).stddev) > 20, "the screenshot is blank"
    # the trend line's blue is on screen: a chart was drawn, not only text
    pixels = np.asarray(image)
    blue = int(np.all(pixels == (0x1D, 0x70, 0xB8), axis=-1).sum())
    assert blue > 500, f"no chart line visible ({blue} blue pixels)"

    assert "<title>National Crime and Policing Measures: the year ending June 2026</title>" in dom
    assert "SYNTHETIC SAMPLE DATA" in dom
    assert "diagnostic, not targets" in dom
    manifest = json.loads((page.parent / "manifest.json").read_text())
    published = [m["metric_id"] for m in manifest["metrics"] if m["status"] == "published"]
    charts = dom.count('<figure class="trend"')
    assert charts == len(published), f"{charts} trend charts for {len(published)} published metrics"
    for metric_id in published:
        assert f'data-metric-id="{metric_id}"><img src="data:image/svg+xml;base64,' in dom
    assert "http://" not in dom and "https://" not in dom, "the page must need no network"


# ---------------------------------------------------------------- local diagnostics

LOCAL_ROW = re.compile(r"<tr class='(force|csp)' data-area-code='([^']+)'>(.*?)</tr>", re.S)
LOCAL_CELL = re.compile(r"<td class='num' data-value='([^']*)'>([^<]*)</td>")
LOCAL_FIELDS = ["value", "baseline", "change", "pct_change", "rate"]


def local_rows_of(page: str) -> dict[str, dict]:
    """Each force and partnership row of the bulletin's local section: data-value and text."""
    section = page[page.index("<h2 id='local-diagnostics'>") :]
    section = section[: section.index("<h2 id='revisions'>")]
    rows = {}
    for kind, code, body in LOCAL_ROW.findall(section):
        cells = LOCAL_CELL.findall(body)
        assert len(cells) == len(LOCAL_FIELDS), body
        rows[code] = {
            "kind": kind,
            "flags": body.rsplit("<td>", 1)[1],
            **{
                name: (float(v) if v else None, text)
                for name, (v, text) in zip(LOCAL_FIELDS, cells, strict=True)
            },
        }
    return rows


def expected_local_figures(warehouse: Path, raw: Path) -> tuple[str, dict[str, dict]]:
    """The section's figures computed here from the mart's MONTHLY rows and the seeds.

    Rolling year = the sum of the 12 monthly counts (month_value) ending at the latest
    quarter end, published only when all 12 months are landed for the area; baseline the
    same ending June 2019; rate per 1,000 from the seeds' mid-year populations of the
    year six months before (a partnership: the sum of its districts, none when one of them
    is shared with another partnership). The forces shown: those with a landed file.
    """
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        latest = con.execute(
            "select max(period_end_date) from marts.fct_local_crime "
            "where month(period_end_date) in (3, 6, 9, 12) and period_end_date <= date '2026-06-30'"
        ).fetchone()[0]
        forces = [
            code
            for (code,) in con.execute(
                "select distinct f.pfa_code from read_parquet(?, hive_partitioning = true) as r "
                "join reference.ref_police_uk_forces as f on r.force_id = f.force_id "
                "where f.is_england_wales",
                [str(raw / "street_level_crime" / "month=*" / "*.parquet")],
            ).fetchall()
        ]
        figures = con.execute(
            """
            with months as (
                select area_code, area_level, pfa_code, period_end_date, month_value,
                       is_month_data_gap
                from marts.fct_local_crime
                where crime_category = 'neighbourhood_crime' and breakdown = 'all'
                  and area_level in ('pfa', 'csp') and pfa_code in (select unnest(?))
            ),
            years as (
                select area_code, any_value(area_level) as area_level, ends.end_date,
                       case when count(*) = 12 and not bool_or(is_month_data_gap)
                            then sum(month_value) end as value
                from months
                cross join (select ?::date as end_date union all select date '2019-06-30')
                    as ends
                where period_end_date > ends.end_date - interval 12 month
                  and period_end_date <= ends.end_date
                group by area_code, ends.end_date
            ),
            shared as (
                select csp_code from reference.ref_districts
                where lad_code in (
                    select lad_code from reference.ref_districts group by lad_code
                    having count(*) > 1
                )
            ),
            population as (
                select d.csp_code as area_code, sum(p.population) as population
                from reference.ref_districts as d
                join reference.ref_district_population as p
                    on d.lad_code = p.lad_code
                    and p.population_year = year(?::date - interval 6 month)
                where d.csp_code not in (select csp_code from shared)
                group by d.csp_code
                union all
                select area_code, population from reference.ref_population
                where population_year = year(?::date - interval 6 month)
            )
            select y.area_code, y.area_level, y.value, b.value as baseline,
                   1000.0 * y.value / p.population as rate
            from years as y
            join years as b on y.area_code = b.area_code and b.end_date = date '2019-06-30'
            left join population as p on y.area_code = p.area_code
            where y.end_date = ?::date
            """,
            [forces, latest, latest, latest, latest],
        ).fetchall()
    finally:
        con.close()
    expected = {}
    for code, level, value, baseline, rate in figures:
        change = None if value is None or baseline is None else value - baseline
        pct = None if change is None or not baseline else 100.0 * change / baseline
        expected[code] = {
            "kind": "force" if level == "pfa" else "csp",
            "value": value,
            "baseline": baseline,
            "change": change,
            "pct_change": pct,
            "rate": None if value is None else rate,
        }
    return str(latest), expected


def test_bulletin_local_diagnostics_equal_the_mart(history):
    """The local section shows, for each force with police.uk data and each of its
    partnerships, the figures computed here independently from the mart's monthly rows."""
    folder = history.box.publications / "2026-06"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["local_diagnostics"] == ["fct_local_crime", "rpt_local_crime_reconciliation"]
    listed = {f["path"]: f for f in manifest["files"]}
    assert "data/fct_local_crime_lsoa.parquet" not in listed  # kept in the warehouse
    validated = {f["path"]: f["success"] for f in manifest["validation"]["files"]}
    for table in manifest["local_diagnostics"]:
        for extension in ("csv", "parquet"):
            assert listed[f"data/{table}.{extension}"]["rows"] > 0
            assert validated[f"data/{table}.{extension}"] is True
    quarter_ends = duckdb.sql(
        "select distinct month(period_end_date) as m, max(period_end_date) over () as latest "
        f"from read_parquet('{folder / 'data/fct_local_crime.parquet'}')"
    ).fetchall()
    assert {m for m, _ in quarter_ends} == {3, 6, 9, 12}

    page = (folder / "bulletin.html").read_text()
    assert "Local diagnostic from police.uk, not a National Measure" in page
    assert "include business premises" in page and "vehicle interference" in page
    latest, expected = expected_local_figures(history.box.warehouse, RAW)
    assert latest == "2020-06-30"
    shown = local_rows_of(page)
    assert set(shown) == set(expected)
    forces = {c for c, e in expected.items() if e["kind"] == "force"}
    assert {"E23000034", "E23000002", "E23000005", "W15000004"} <= forces
    assert any(e["value"] is not None for e in expected.values() if e["kind"] == "csp")
    decimals = {"value": 0, "baseline": 0, "change": 0, "pct_change": 1, "rate": 2}
    for code, want in expected.items():
        got = shown[code]
        assert got["kind"] == want["kind"], code
        for field_name in LOCAL_FIELDS:
            value, text = got[field_name]
            if want[field_name] is None:
                assert value is None and text == "n/a", (code, field_name, got)
                continue
            assert value == pytest.approx(want[field_name], rel=1e-12), (code, field_name)
            shown_text = text.rstrip("%")
            places = decimals[field_name]
            sign = "+" if field_name in ("change", "pct_change") else ""
            assert shown_text == f"{want[field_name]:{sign},.{places}f}", (code, field_name)
        gap = want["value"] is None
        assert ("data gap" in got["flags"]) == gap, (code, got["flags"])
    # Greater Manchester has no files from July 2019: a gap, never a zero
    assert expected["E23000005"]["value"] is None
    assert page.count("<figure class='local-diagnostic'") == len(forces)


# ---------------------------------------------------------------- failures that must be proven


def test_kill_in_the_middle_of_export_leaves_no_partial_publication(history):
    assert history.killed_returncode == -signal.SIGKILL, history.killed_output[-3000:]
    assert re.search(r"\[2/\d\] export", history.killed_output)

    # nothing visible changed: only a hidden work folder under .staging was left behind
    def visible(snapshot):
        return {k: v for k, v in snapshot.items() if "/.staging/" not in k}

    assert visible(history.after_kill) == visible(history.after_march)
    assert any(name.startswith("2026-06-") for name in history.staging_after_kill)
    # the next run succeeds, clearing the interrupted run's work folder
    assert history.june.returncode == 0
    assert "removing the work folder of an interrupted run" in out(history.june)
    assert [p.name for p in (history.box.publications / ".staging").iterdir()] == ["publish.lock"]


def test_revise_keeps_the_earlier_publication_and_records_the_revisions(history, tmp_path):
    box = history.box.copy(tmp_path / "box")
    june = box.publications / "2026-06"
    first = {p.relative_to(june).as_posix(): sha256(p) for p in june.rglob("*") if p.is_file()}
    raw = tmp_path / "raw"
    path = copy_feed("police_recorded_crime", raw)
    copy_other_feeds("police_recorded_crime", raw)
    # Kent resubmits: murders in 2025/26 Q4 (quarter ending 31 March 2026) 4 -> 9
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    hits = 0
    for row in rows:
        if row[:3] == ["2025/26", "4", "Kent"] and row[3] == "Murder":
            assert row[7].strip() == "4"
            row[7] = "9"
            hits += 1
    assert hits == 1
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    path.write_text(text.getvalue(), encoding="utf-8")
    box.raw_dir = raw

    result = box.publish("--period", "2026-06", "--revise")
    assert result.returncode == 0, out(result)[-4000:]
    kept = box.publications / "2026-06.revision-1"
    assert {
        p.relative_to(kept).as_posix(): sha256(p) for p in kept.rglob("*") if p.is_file()
    } == first
    manifest = json.loads((june / "manifest.json").read_text())
    assert manifest["publication"]["publication_id"] == "2026-06-r2"

    con = duckdb.connect(str(box.published), read_only=True)
    try:
        revised = con.execute(
            "select area_code, period_end_date::varchar, first_publication_id, "
            "first_published_value, "
            "value, revision_from_first, revision_from_previous from marts.rpt_revisions "
            "where publication_id = '2026-06-r2' order by area_code, period_end_date"
        ).fetchall()
        info = con.execute("select publication_id from marts.publication_info").fetchone()[0]
    finally:
        con.close()
    assert info == "2026-06-r2"
    # the publication carries its revision history, as the BI copy holds it
    exported = duckdb.sql(
        "select area_code, period_end_date::varchar, first_publication_id, "
        "first_published_value, value, revision_from_first, revision_from_previous "
        f"from read_parquet('{june / 'data' / 'rpt_revisions.parquet'}') "
        "where publication_id = '2026-06-r2' order by area_code, period_end_date"
    ).fetchall()
    assert exported == revised
    # Kent, the South East and England and Wales, for the two rolling years holding the quarter
    assert {(r[0], r[1]) for r in revised} == {
        (area, period)
        for area in ("E12000008", "E23000032", "K04000001")
        for period in ("2026-03-31", "2026-06-30")
    }
    for _area, period, first_id, first_value, value, from_first, from_previous in revised:
        assert from_first == 5 and from_previous == 5 and value == first_value + 5
        assert first_id == ("2026-03-r1" if period == "2026-03-31" else "2026-06-r1")
    bulletin = (june / "bulletin.html").read_text()
    assert "6 figures in this publication differ from the value first published" in bulletin
