"""The board dashboard in Apache Superset, in a real browser (slow; `make test` runs it).

PostgreSQL (``ncpm serve``'s code, on a free port, its data under pytest's temporary folder)
serves a tiny publication shaped like the real ones: the six facts and the scorecard with
their contract columns. ``ncpm dashboard up``'s code starts Superset from .venv-superset on
another free port and imports dashboards/board/. Headless Chromium is driven over the
DevTools protocol on a pipe (``--remote-debugging-pipe``: NUL-separated JSON on fds 3 and 4,
so the standard library suffices), logged in with the session cookie of a form login. The
test waits for the charts, keeps a screenshot in test-artifacts/, and checks the figures the
tiles show, and those of Superset's chart data API, against the served tables. Superset and
PostgreSQL are always stopped, also on failure.
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
FORCES = ["E23000001", "E23000005"]
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
    for fact, metric, measure, value, baseline in METRICS:
        rows = [
            row(metric, "E92000001", "national", period, value + 10 * (2 - i), baseline)
            for i, period in enumerate(PERIODS)
        ]
        rows += [
            row(metric, force, "pfa", PERIODS[-1], value // (n + 3), baseline // (n + 3))
            for n, force in enumerate(FORCES)
        ]
        write(fact, pa.Table.from_pylist(rows, schema=fact_schema))
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

    def __init__(self, binary: str, profile: Path, size=(1400, 2400)):
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

    # The numbers: Superset's chart data API over the scorecard dataset equals the table.
    client = dashboard.Client(base, user, password)
    datasets = client.request("GET", "/api/v1/dataset/?q=(page_size:100)")["result"]
    ids = {d["table_name"]: d["id"] for d in datasets}
    assert {"rpt_measures_scorecard", "board_national_trend", "board_force_diagnostics"} <= set(ids)
    result = client.request(
        "POST",
        "/api/v1/chart/data",
        {
            "datasource": {"id": ids["rpt_measures_scorecard"], "type": "table"},
            "queries": [
                {
                    "columns": ["metric_id", "value", "baseline_value", "direction_of_travel"],
                    "row_limit": 100,
                }
            ],
            "result_format": "json",
            "result_type": "full",
        },
    )["result"][0]["data"]
    assert {
        r["metric_id"]: (r["value"], r["baseline_value"], r["direction_of_travel"]) for r in result
    } == served
    trend = client.request(
        "POST",
        "/api/v1/chart/data",
        {
            "datasource": {"id": ids["board_national_trend"], "type": "table"},
            "queries": [{"columns": ["metric_id", "period_end_date", "value"], "row_limit": 1000}],
            "result_format": "json",
            "result_type": "full",
        },
    )["result"][0]["data"]
    assert len(trend) == len(METRICS) * len(PERIODS)  # national rows only, every period

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
    try:
        browser.call("Network.enable")
        for cookie in jar:
            browser.call("Network.setCookie", name=cookie.name, value=cookie.value, url=base)
        browser.call("Page.navigate", url=dashboard.url(s))
        state = {}
        while time.monotonic() - started < WAIT_S:
            state = browser.evaluate(  # None while the page is not ready to answer
                """JSON.parse(JSON.stringify({
                tiles: Array.from(document.querySelectorAll('.ncpm-tile')).map(t => [
                    t.querySelector('.ncpm-metric').innerText,
                    t.querySelector('.ncpm-value').innerText, t.innerText]),
                lines: document.querySelectorAll('.chart-container canvas').length,
                forces: document.querySelectorAll('.chart-container tbody tr').length,
                text: document.body.innerText}))"""
            )
            state = state or {"tiles": [], "lines": 0, "forces": 0, "text": ""}
            if len(state["tiles"]) == len(METRICS) and state["lines"] >= 2 and state["forces"]:
                break
            time.sleep(2)
        time.sleep(2)  # let the charts finish their animation before the screenshot
        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / "dashboard-board.png"
        png = browser.call("Page.captureScreenshot", format="png")["data"]
        shot.write_bytes(base64.b64decode(png))
    finally:
        browser.close()
    timings["browser"] = time.monotonic() - started
    print("timings:", {k: f"{v:.0f} s" for k, v in timings.items()})
    assert len(state.get("tiles", [])) == len(METRICS), (
        f"the tiles did not render in {WAIT_S} s; screenshot {shot}"
    )
    assert state["lines"] >= 2, "the trend charts did not render"
    assert state["forces"] == len(METRICS) * len(FORCES), "the force table rows"
    assert "diagnostic, not targets" in state["text"]
    for label, value_text, tile in state["tiles"]:
        metric = label.split()[0]
        value, baseline, direction = served[metric]
        assert value_text.replace(",", "") == f"{value:.0f}", (metric, value_text)
        assert f"{baseline:,.0f}" in tile and direction in tile, tile
    assert shot.stat().st_size > 20_000
