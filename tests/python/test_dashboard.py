"""The board dashboard in Apache Superset, in a real browser (slow; `make test` runs it).

PostgreSQL (``ncpm serve``'s code, on a free port, its data in a temporary folder) serves a
tiny publication shaped like the real ones: the six facts, the scorecard, rpt_all_measures and
dim_area with the columns the dashboard reads. ``ncpm dashboard up``'s code starts Superset
from .venv-superset on another free port and imports dashboards/board/. The test checks, over
Superset's chart data API, that each dataset of the dashboard returns the served marts'
figures, and that the two filters (measure, area) target the right columns and charts.
Headless Chromium is driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``:
NUL-separated JSON on fds 3 and 4, so the standard library suffices), logged in with the
session cookie of a form login. It waits for the charts, keeps a screenshot in
test-artifacts/dashboard-board.png, checks the figures the tiles show, that the tiles are
styled, that the force table shows force and region names, and that the page filtered to one
measure and one force shows one tile and one force row. Superset and PostgreSQL are always
stopped, also on failure.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import http.cookiejar
import json
import os
import re
import select
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from ncpm import dashboard, settings
from ncpm.serve import cluster
from ncpm.serve.cluster import BI
from ncpm.serve.load import load_publication

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
PERIODS = [dt.date(2029, 12, 31), dt.date(2030, 3, 31), dt.date(2030, 6, 30)]
# One metric per fact: (fact, metric, measure, latest national figure, baseline).
METRICS = [
    ("fct_homicide", "M1.1", "Reduce murder and other homicide", 586, 630),
    ("fct_serious_violence", "M2.2", "Reduce serious violence", 2242, 2501),
    ("fct_drugs_supply", "M3.2", "Disrupt drugs supply and county lines", 1210, 1000),
    ("fct_neighbourhood_crime", "M4.2", "Reduce neighbourhood crime", 93410, 101200),
    ("fct_cyber_crime", "M5.2", "Improve the response to cyber crime", 31874, 30000),
    ("fct_victim_satisfaction", "M6.1", "Improve victim satisfaction", 71, 72),
]
# (code, name, region): the force table shows the names, from rpt_all_measures and dim_area.
FORCES = [
    ("E23000001", "Metropolitan Police", "London"),
    ("E23000005", "Northumbria", "North East"),
]
WAIT_S = 180


# --------------------------------------------------------------------------- a publication


def make_publication(root: Path) -> Path:
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    pid = "2030-06-r1"
    folder = root / pid
    (folder / "data").mkdir(parents=True)
    files = []
    f64, text, flag = pa.float64(), pa.string(), pa.bool_()
    fact_schema = pa.schema(
        [
            ("metric_id", text),
            ("area_code", text),
            ("area_level", text),
            ("period_end_date", pa.date32()),
            ("period_type", text),
            ("breakdown", text),
            ("value", f64),
            ("unit", text),
            ("rate_per_1000", f64),
            ("baseline_value", f64),
            ("change_from_baseline", f64),
            ("pct_change_from_baseline", f64),
            ("ci_lower", f64),
            ("ci_upper", f64),
            ("is_significant_change", flag),
            ("is_suppressed", flag),
            ("suppression_reason", text),
            ("direction_of_travel", text),
            ("is_data_gap", flag),
            ("is_incomplete", flag),
            ("quality_note", text),
        ]
    )

    def row(metric, area, level, period, value, baseline):
        return {
            "metric_id": metric,
            "area_code": area,
            "area_level": level,
            "period_end_date": period,
            "period_type": "rolling_12_months",
            "breakdown": "all",
            "value": float(value),
            "unit": "count",
            "rate_per_1000": None,
            "baseline_value": float(baseline),
            "change_from_baseline": float(value - baseline),
            "pct_change_from_baseline": 100.0 * (value - baseline) / baseline,
            "is_significant_change": None,
            "is_suppressed": False,
            "direction_of_travel": "improving" if value < baseline else "worsening",
            "is_data_gap": False,
            "is_incomplete": False,
        }

    def write(table: str, data) -> None:
        for extension in ("parquet", "csv"):
            relative = f"data/{table}.{extension}"
            if extension == "parquet":
                pq.write_table(data, folder / relative)
            else:
                pacsv.write_csv(data, folder / relative)
            files.append({"path": relative, "table": table, "rows": data.num_rows})

    scorecard = []
    stacked = []  # rpt_all_measures: the facts stacked, with names
    area_names = {"K04000001": "England and Wales", **{code: name for code, name, _ in FORCES}}
    for fact, metric, measure, value, baseline in METRICS:
        rows = [
            row(metric, "K04000001", "national", period, value + 10 * (2 - i), baseline)
            for i, period in enumerate(PERIODS)
        ]
        rows += [
            row(metric, force, "pfa", PERIODS[-1], value // (n + 3), baseline // (n + 3))
            for n, (force, _, _) in enumerate(FORCES)
        ]
        write(fact, pa.Table.from_pylist(rows, schema=fact_schema))
        names = {
            "measure_id": metric.split(".")[0],
            "measure_name": measure,
            "metric_name": f"Metric {metric} of the test publication",
            "fact_model": fact,
        }
        stacked += [{**r, **names, "area_name": area_names[r["area_code"]]} for r in rows]
        national = rows[-len(FORCES) - 1]
        scorecard.append(
            {
                **{k: national[k] for k in ("metric_id", "unit", "period_type", "value")},
                **{
                    k: national[k]
                    for k in (
                        "baseline_value",
                        "change_from_baseline",
                        "pct_change_from_baseline",
                        "direction_of_travel",
                        "period_end_date",
                    )
                },
                "measure_id": metric.split(".")[0],
                "measure_name": measure,
                "metric_name": f"Metric {metric} of the test publication",
                "desired_direction": "down",
                "baseline_label": "year ending June 2019",
                "has_figure": True,
                "is_supplementary": False,
                "publication_period_end_date": PERIODS[-1],
                "is_incomplete": False,
            }
        )
    write("rpt_measures_scorecard", pa.Table.from_pylist(scorecard))
    names_schema = pa.schema(
        [
            (n, text)
            for n in ("measure_id", "measure_name", "metric_name", "area_name", "fact_model")
        ]
    )
    write(
        "rpt_all_measures",
        pa.Table.from_pylist(stacked, schema=pa.unify_schemas([names_schema, fact_schema])),
    )
    write(
        "dim_area",
        pa.Table.from_pylist(
            [
                {
                    "area_code": "K04000001",
                    "area_name": "England and Wales",
                    "area_level": "national",
                    "region_name": None,
                },
                *(
                    {"area_code": c, "area_name": n, "area_level": "pfa", "region_name": r}
                    for c, n, r in FORCES
                ),
            ]
        ),
    )
    for record in files:
        path = folder / record["path"]
        record.update(
            bytes=path.stat().st_size, sha256=hashlib.sha256(path.read_bytes()).hexdigest()
        )
    manifest = {
        "publication": {
            "period": "2030-06",
            "period_end_date": PERIODS[-1].isoformat(),
            "revision": 1,
            "publication_id": pid,
            "published_at": "2030-07-01T00:00:00",
        },
        "measures": [m[0] for m in METRICS],
        "files": files,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return folder


# --------------------------------------------------------------------------- Chromium


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Chromium:
    """Headless Chromium over the DevTools protocol on a pipe (fds 3 and 4)."""

    def __init__(self, binary: str, profile: Path, size=(1400, 3000)):
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def fds() -> None:  # in the child: the pipe ends as fds 3 (commands) and 4 (replies)
            os.dup2(to_child_r, 3)
            os.dup2(from_child_w, 4)

        flags = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--window-size={size[0]},{size[1]}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        self.proc = subprocess.Popen(
            [binary, *flags],
            preexec_fn=fds,
            pass_fds=(3, 4),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._id = 0
        self.session = None
        try:
            pages = [
                t for t in self.call("Target.getTargets")["targetInfos"] if t["type"] == "page"
            ]
            self.session = self.call(
                "Target.attachToTarget", targetId=pages[0]["targetId"], flatten=True
            )["sessionId"]
        except BaseException:
            self.close()
            raise

    def call(self, method: str, timeout: float = 30, **params):
        self._id += 1
        message = {"id": self._id, "method": method, "params": params}
        if self.session and not method.startswith("Target."):
            message["sessionId"] = self.session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                reply = json.loads(raw)
                if reply.get("id") == self._id:
                    if "error" in reply:
                        raise RuntimeError(f"{method}: {reply['error']}")
                    return reply["result"]
            if time.monotonic() > deadline:
                raise TimeoutError(f"Chromium did not answer {method} in {timeout} s")
            if select.select([self._from_child], [], [], 1)[0]:
                chunk = os.read(self._from_child, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed its DevTools pipe")
                self._buffer += chunk

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                self.call("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the browser this test started
            self.proc.wait(10)
        for fd in (self._to_child, self._from_child):
            with contextlib.suppress(OSError):
                os.close(fd)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def board():
    """PostgreSQL serving the tiny publication, and Superset with the board dashboard.

    Their folders are outside pytest's temporary folder: running as root, PostgreSQL runs as
    `postgres`, which must traverse every parent, and a concurrent pytest session resets
    /tmp/pytest-of-<user> to mode 0700."""
    if not (ROOT / ".venv-superset" / "bin" / "superset").exists():
        pytest.skip("Apache Superset is not installed: `make superset-venv` installs it")
    try:
        cluster.find_binaries()
    except cluster.ServeError as error:
        pytest.skip(str(error))
    base = Path(tempfile.mkdtemp(prefix="ncpm-dashboard-"))
    base.chmod(0o711)
    s = settings.Settings.from_env(
        {
            "NCPM_PROJECT_DIR": str(ROOT),
            "NCPM_PG_DIR": str(base / "postgres"),
            "NCPM_PG_PORT": str(cluster.free_port()),
            "NCPM_SUPERSET_DIR": str(base / "superset"),
            "NCPM_SUPERSET_PORT": str(cluster.free_port()),
        }
    )
    timings = {}
    try:
        assert cluster.up(s, say=lambda _: None) == 0
        con = cluster.connection(s)
        load_publication(make_publication(base / "publications"), connection=con, say=str)
        started = time.monotonic()
        assert dashboard.up(s, say=print) == 0
        timings["dashboard up"] = time.monotonic() - started
        yield s, con, timings
    finally:
        try:
            dashboard.down(s, say=lambda _: None)
        finally:
            cluster.down(s, say=lambda _: None)
        assert dashboard.running_pid(dashboard.paths(s)) is None
        assert cluster.cluster(s).running_pid() is None
        shutil.rmtree(base, ignore_errors=True)


def _form_login(base: str, user: str, password: str) -> http.cookiejar.CookieJar:
    """Log in through Superset's login form, as a person would: the session cookie."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login/", timeout=30).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    assert token, "no csrf_token on the login page"
    form = urllib.parse.urlencode(
        {"username": user, "password": password, "csrf_token": token.group(1)}
    ).encode()
    opener.open(f"{base}/login/", data=form, timeout=30)
    assert any(c.name == "session" for c in jar), "the login form set no session cookie"
    return jar


def _served(con, sql: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(**con.kwargs(BI)) as conn:
        return conn.execute(sql).fetchall()


# --------------------------------------------------------------------------- the test


def _chart_data(client, dataset_id: int, query: dict) -> list[dict]:
    """Rows of a dataset through Superset's chart data API (the query the charts send)."""
    return client.request(
        "POST",
        "/api/v1/chart/data",
        {
            "datasource": {"id": dataset_id, "type": "table"},
            "queries": [{"row_limit": 10000, **query}],
            "result_format": "json",
            "result_type": "full",
        },
    )["result"][0]["data"]


def _native_filters(measure: str, area: str) -> str:
    """The dashboard URL's ``native_filters`` (rison) selecting one measure and one area."""

    def one(filter_id: str, column: str, value: str) -> str:
        quoted = "'" + value.replace("'", "!'") + "'"
        return (
            f"{filter_id}:(extraFormData:(filters:!((col:{column},op:IN,val:!({quoted})))),"
            f"filterState:(value:!({quoted})),id:{filter_id},ownState:())"
        )

    rison = (
        f"({one('NATIVE_FILTER-measure', 'measure_name', measure)},"
        f"{one('NATIVE_FILTER-area', 'area_name', area)})"
    )
    return "?native_filters=" + urllib.parse.quote(rison, safe="(),:!'")


PAGE_STATE = """JSON.parse(JSON.stringify({
    tiles: Array.from(document.querySelectorAll('.ncpm-tile')).map(t => [
        t.querySelector('.ncpm-metric').innerText,
        t.querySelector('.ncpm-value').innerText, t.innerText]),
    tileBorder: Array.from(document.querySelectorAll('.ncpm-tile')).map(
        t => getComputedStyle(t).borderLeftWidth),
    lines: document.querySelectorAll('.chart-container canvas').length,
    forces: Array.from(document.querySelectorAll('.chart-container tbody tr')).map(
        r => r.innerText),
    text: document.body.innerText}))"""


def _open(browser: Chromium, address: str, ready) -> dict:
    """Navigate to ``address``; the page state once ``ready(state)`` holds (or at WAIT_S)."""
    browser.call("Page.navigate", url=address)
    started = time.monotonic()
    state = {}
    while time.monotonic() - started < WAIT_S:
        state = browser.evaluate(PAGE_STATE)  # None while the page is not ready to answer
        state = state or {"tiles": [], "tileBorder": [], "lines": 0, "forces": [], "text": ""}
        if ready(state):
            break
        time.sleep(2)
    return state


def test_board_dashboard_in_a_browser(board, tmp_path):
    s, con, timings = board
    p = dashboard.paths(s)
    user, password = dashboard.credentials(p)
    base = f"http://127.0.0.1:{s.superset_port}"
    served = {
        metric: (value, baseline, direction)
        for metric, value, baseline, direction in _served(
            con,
            "select metric_id, value, baseline_value, direction_of_travel "
            "from marts.rpt_measures_scorecard",
        )
    }
    assert len(served) == len(METRICS)

    # The numbers: Superset's chart data API over the dashboard's datasets equals the marts.
    client = dashboard.Client(base, user, password)
    datasets = client.request("GET", "/api/v1/dataset/?q=(page_size:100)")["result"]
    ids = {d["table_name"]: d["id"] for d in datasets}
    assert {"rpt_measures_scorecard", "rpt_all_measures", "board_forces"} <= set(ids)
    physical = {d["table_name"] for d in datasets if d["kind"] == "physical"}
    assert {"rpt_measures_scorecard", "rpt_all_measures"} <= physical
    tiles_data = _chart_data(
        client,
        ids["rpt_measures_scorecard"],
        {"columns": ["metric_id", "value", "baseline_value", "direction_of_travel"]},
    )
    assert {
        r["metric_id"]: (r["value"], r["baseline_value"], r["direction_of_travel"])
        for r in tiles_data
    } == served
    trend = _chart_data(  # as the trend charts ask: national rows, breakdown all
        client,
        ids["rpt_all_measures"],
        {
            "columns": ["metric_id", "period_end_date", "value", "baseline_value"],
            "filters": [
                {"col": "breakdown", "op": "==", "val": "all"},
                {"col": "area_level", "op": "IN", "val": ["national", "country"]},
            ],
        },
    )
    national = _served(
        con,
        "select metric_id, period_end_date, value, baseline_value from marts.rpt_all_measures "
        "where breakdown = 'all' and area_level in ('national', 'country')",
    )
    assert len(trend) == len(national) == len(METRICS) * len(PERIODS)
    assert {
        (r["metric_id"], dt.datetime.fromtimestamp(r["period_end_date"] / 1000, dt.UTC).date()): (
            r["value"],
            r["baseline_value"],
        )
        for r in trend
    } == {(m, d): (v, b) for m, d, v, b in national}
    forces = _chart_data(
        client, ids["board_forces"], {"columns": ["metric_id", "area_name", "region_name", "value"]}
    )
    assert sorted(
        (r["metric_id"], r["area_name"], r["region_name"], r["value"]) for r in forces
    ) == (
        sorted(
            _served(
                con,
                "select f.metric_id, a.area_name, a.region_name, f.value "
                "from marts.rpt_all_measures as f join marts.dim_area as a using (area_code) "
                "where f.area_level = 'pfa'",
            )
        )
    )

    # The filters: a measure filter over every chart, an area filter over the force table.
    board_info = client.request("GET", f"/api/v1/dashboard/{dashboard.DASHBOARD_SLUG}")["result"]
    filters = {
        f["name"]: f for f in json.loads(board_info["json_metadata"])["native_filter_configuration"]
    }
    charts = {
        c["slice_name"]: c["id"]
        for c in client.request("GET", f"/api/v1/dashboard/{dashboard.DASHBOARD_SLUG}/charts")[
            "result"
        ]
    }
    assert set(filters) == {"Measure", "Area (force)"}
    assert filters["Measure"]["targets"][0]["column"]["name"] == "measure_name"
    assert sorted(filters["Measure"]["chartsInScope"]) == sorted(charts.values())
    assert filters["Area (force)"]["targets"][0]["column"]["name"] == "area_name"
    assert filters["Area (force)"]["chartsInScope"] == [charts["Forces: diagnostic, not targets"]]

    # The rendering: the dashboard in headless Chromium, logged in as a person would be.
    chromium = find_chromium()
    if chromium is None:
        pytest.skip(
            "no Chromium on PATH (chromium, chromium-browser, google-chrome): `make browser` "
            "installs Debian's chromium when run as root with apt-get"
        )
    jar = _form_login(base, user, password)
    browser = Chromium(chromium, tmp_path / "profile")
    started = time.monotonic()
    shot = ARTIFACTS / "dashboard-board.png"
    try:
        browser.call("Network.enable")
        for cookie in jar:
            browser.call("Network.setCookie", name=cookie.name, value=cookie.value, url=base)
        state = _open(
            browser,
            dashboard.url(s),
            lambda st: len(st["tiles"]) == len(METRICS) and st["lines"] >= 2 and st["forces"],
        )
        time.sleep(2)  # let the charts finish their animation before the screenshot
        ARTIFACTS.mkdir(exist_ok=True)
        png = browser.call("Page.captureScreenshot", format="png")["data"]
        shot.write_bytes(base64.b64decode(png))
        # One measure and one force chosen in the filters (the dashboard URL carries them).
        _, metric, measure, _, _ = METRICS[0]
        force_code, force, _ = FORCES[0]
        filtered = _open(
            browser,
            dashboard.url(s) + _native_filters(measure, force),
            lambda st: len(st["tiles"]) == 1 and len(st["forces"]) == 1,
        )
    finally:
        browser.close()
    timings["browser"] = time.monotonic() - started
    print("timings:", {k: f"{v:.0f} s" for k, v in timings.items()})
    assert len(state.get("tiles", [])) == len(METRICS), (
        f"the tiles did not render in {WAIT_S} s; screenshot {shot}"
    )
    # styled as tiles: the dashboard CSS is applied (a coloured left border on each tile)
    assert set(state["tileBorder"]) == {"6px"}, state["tileBorder"]
    assert state["lines"] >= 2, "the trend charts did not render"
    assert len(state["forces"]) == len(METRICS) * len(FORCES), "the force table rows"
    assert "diagnostic, not targets" in state["text"]
    for _, name, region in FORCES:  # force names, not only codes
        assert any(name in r and region in r for r in state["forces"]), (name, state["forces"])
    assert "Measure" in state["text"] and "Area (force)" in state["text"]  # the filter bar
    for label, value_text, tile in state["tiles"]:
        metric_id = label.split()[0]
        value, baseline, direction = served[metric_id]
        assert value_text.replace(",", "") == f"{value:.0f}", (metric_id, value_text)
        assert f"{baseline:,.0f}" in tile and direction in tile, tile
    assert shot.stat().st_size > 20_000
    # the filters filter: one tile (the measure's one metric), one force row
    assert [t[0].split()[0] for t in filtered["tiles"]] == [metric], filtered["tiles"]
    assert len(filtered["forces"]) == 1 and force in filtered["forces"][0], filtered["forces"]
    assert force_code in filtered["forces"][0]
