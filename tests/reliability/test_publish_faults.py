"""A publish interrupted at any step boundary leaves no partial publication.

One sandbox (publications folder, BI copy, warehouse, dbt target) runs a chain of
publishes of 2026-06, each in its own process:

1. a clean first publication (the "previous" one every fault must leave intact);
2. for each of the seven step boundaries a SIGKILL and an exception, and for the export
   a full disk (OSError ENOSPC raised after an exported file), injected through
   ``pipeline.Hooks`` callables defined here, in the ``python -c`` program of the child;
3. a publish refused because another process holds the warehouse file;
4. two publishes started together: the second is refused at once naming the first, the
   first publishes (the last run of the chain, which must succeed and clear .staging).

Each run after a fault is the "next run" of that fault: it clears the interrupted run's
work folder and gets at least to its own fault boundary; the last one publishes.

To save a dbt build per run (~60 s each here), step 1 is the session's build reused: the
child program replaces ``ncpm.publish.build.build`` with a copy of the session warehouse
(built with the same publication period) and its run_results.json. Steps 2-7 run as in
production, dbt of step 6 included.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import itertools
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest
from dbt_sandbox import NCPM, ROOT, Sandbox, publish_program, sha256_tree
from reliability_support import Built, tally

pytestmark = pytest.mark.slow
PERIOD = "2026-06"
WAIT = 300
ARTIFACTS = ROOT / "test-artifacts"

STEP_HOOKS = [
    "after_build",
    "after_export",
    "after_validate",
    "after_bulletin",
    "after_swap",
    "after_record",
    "after_bicopy",
]
POST_SWAP = {"after_swap", "after_record", "after_bicopy"}
ACTIONS = {
    "kill": "os.kill(os.getpid(), signal.SIGKILL)",
    "exception": "raise RuntimeError('injected fault at ' + HOOK)",
    "enospc": "raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))",
}
FAULTS = [(hook, kind) for hook in STEP_HOOKS for kind in ("kill", "exception")]
FAULTS.insert(2, ("after_export_file", "enospc"))


def program(built: Built, hook: str | None = None, action: str = "") -> str:
    """The child: the pipeline with step 1 reused and, given a hook, the fault injected
    (``action`` is the hook's body; without a hook, source defining ``HOOKS`` itself)."""
    fault = action
    if hook:
        fault = f"""
HOOK = {hook!r}

def fault(path):
    {action}

HOOKS = {{HOOK: fault}}
"""
    return publish_program(fault, reuse_build=(built.warehouse, built.run_results))


@dataclass
class Run:
    returncode: int
    output: str
    seconds: float
    before: dict[str, str]
    after: dict[str, str]
    staging_after: list[str] = field(default_factory=list)
    published_id: str = ""  # the publication in publications/<period>/, checked whole
    bi_copy_id: str = ""  # the publication the BI copy holds


def run(box: Sandbox, code: str, *args: str) -> Run:
    before = box.snapshot()
    started = time.perf_counter()
    proc = subprocess.run(
        box.command("--period", PERIOD, *args, program=code),
        cwd=ROOT,
        env=box.env(),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    staging = box.publications / ".staging"
    return Run(
        proc.returncode,
        proc.stdout + proc.stderr,
        time.perf_counter() - started,
        before,
        box.snapshot(),
        sorted(p.name for p in staging.iterdir()) if staging.exists() else [],
        whole(box.publications / PERIOD),
        bi_copy_id(box.published),
    )


@dataclass
class Chain:
    box: Sandbox
    first: Run
    faults: dict[tuple[str, str], Run]
    locked: Run
    holder_pid: int
    second: Run
    winner: Run
    winner_pid: int


def whole(folder: Path) -> str:
    """The publication id of a folder whose every listed file is there with its sha256
    ('' when there is none, 'NOT WHOLE: ...' naming the first file missing or changed)."""
    if not (folder / "manifest.json").exists():
        return ""
    manifest = json.loads((folder / "manifest.json").read_text())
    listed = sha256_tree(folder)
    for record in manifest["files"]:
        if listed.get(str(folder / record["path"])) != record["sha256"]:
            return f"NOT WHOLE: {record['path']}"
    return manifest["publication"]["publication_id"]


def bi_copy_id(path: Path) -> str:
    if not path.exists():
        return ""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select publication_id from marts.publication_info").fetchone()[0]
    finally:
        con.close()


WAIT_AFTER_BUILD = """
HOOK = "after_build"

def fault(path):
    marker = Path(os.environ["NCPM_TEST_DIR"]) / "holding"
    marker.write_text(str(os.getpid()))
    release = marker.with_name("release")
    deadline = time.monotonic() + 300
    while not release.exists() and time.monotonic() < deadline:
        time.sleep(0.1)

HOOKS = {HOOK: fault}
"""

HOLD_WAREHOUSE = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
sys.stdin.read()
"""


@pytest.fixture(scope="module")
def chain(built, tmp_path_factory) -> Chain:
    box = Sandbox(tmp_path_factory.mktemp("faults"))
    box.warehouse.parent.mkdir(parents=True)
    clean = program(built)
    first = run(box, clean)
    assert first.returncode == 0, first.output[-5000:]

    faults = {}
    for hook, kind in FAULTS:
        faults[hook, kind] = run(box, program(built, hook, ACTIONS[kind]), "--revise")

    # the warehouse file held by another process (a BI tool pointed at the build file)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_WAREHOUSE, str(box.warehouse)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        locked = run(box, clean, "--revise")
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)

    # two publishes started together: the first holds the lock through its step 1
    marker = box.root / "holding"
    env = {**box.env(), "NCPM_TEST_DIR": str(box.root)}
    waiting = program(built, action=WAIT_AFTER_BUILD)
    before = box.snapshot()
    log = box.root / "winner.log"
    started = time.perf_counter()
    with log.open("w") as sink:
        proc = subprocess.Popen(
            box.command("--period", PERIOD, "--revise", program=waiting),
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + WAIT
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert marker.exists(), log.read_text()[-3000:]
        t0 = time.perf_counter()
        refused = subprocess.run(
            [str(NCPM), "publish", "--period", PERIOD, "--revise"],
            cwd=ROOT,
            env=box.env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        second = Run(
            refused.returncode,
            refused.stdout + refused.stderr,
            time.perf_counter() - t0,
            before,
            box.snapshot(),
        )
        (box.root / "release").touch()
        try:
            proc.wait(timeout=900)
        finally:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
    staging = box.publications / ".staging"
    winner = Run(
        proc.returncode,
        log.read_text(),
        time.perf_counter() - started,
        before,
        box.snapshot(),
        sorted(p.name for p in staging.iterdir()),
        whole(box.publications / PERIOD),
        bi_copy_id(box.published),
    )
    return Chain(box, first, faults, locked, holder.pid, second, winner, proc.pid)


def without(files: dict[str, str], part: str) -> dict[str, str]:
    return {k: v for k, v in files.items() if part not in k}


@pytest.mark.parametrize(("hook", "kind"), FAULTS, ids=[f"{h}-{k}" for h, k in FAULTS])
def test_fault_leaves_no_partial_publication(chain, hook, kind):
    result = chain.faults[hook, kind]
    box = chain.box
    expected_code = {"kill": -signal.SIGKILL, "exception": 1, "enospc": 1}[kind]
    assert result.returncode == expected_code, result.output[-3000:]
    if kind == "enospc":
        assert "No space left on device" in result.output
        assert "Traceback" not in result.output, result.output[-3000:]
    bi_copy = str(box.published)
    if hook in POST_SWAP:
        # published whole; the earlier one kept byte for byte as a numbered revision
        new_id = result.published_id
        assert new_id.startswith(f"{PERIOD}-r"), new_id
        revision = int(new_id.rsplit("-r", 1)[1])
        kept_dir = f"/publications/{PERIOD}.revision-{revision - 1}/"
        kept = {
            k.replace(
                f"/publications/{PERIOD}.revision-{revision - 1}/", f"/publications/{PERIOD}/"
            ): v
            for k, v in result.after.items()
            if kept_dir in k
        }
        before_current = {k: v for k, v in result.before.items() if f"/publications/{PERIOD}/" in k}
        assert kept == before_current
        for k, v in result.before.items():
            if f"/publications/{PERIOD}/" not in k and k != bi_copy:
                assert result.after[k] == v, k
        if hook == "after_bicopy":
            assert result.bi_copy_id == new_id
        else:
            assert result.after[bi_copy] == result.before[bi_copy], "the BI copy changed"
    else:
        # nothing visible changed: the previous publication and the BI copy byte-identical
        assert result.after == result.before
    assert not (box.published.parent / ".building").exists(), "a half BI copy was left"
    tally("faults")


def test_every_next_run_clears_the_interrupted_work_and_the_last_publishes(chain):
    runs = [chain.first, *chain.faults.values(), chain.locked, chain.winner]
    for previous, following in itertools.pairwise(runs):
        leftover = [n for n in previous.staging_after if n != "publish.lock"]
        if leftover and following is not chain.locked:
            assert "removing the work folder of an interrupted run" in following.output
    assert chain.winner.returncode == 0, chain.winner.output[-4000:]
    assert chain.winner.staging_after == ["publish.lock"]
    assert chain.winner.published_id.startswith(f"{PERIOD}-r"), chain.winner.published_id
    assert chain.winner.bi_copy_id == chain.winner.published_id


def test_publish_finding_the_warehouse_locked_says_so_in_one_sentence(chain):
    result = chain.locked
    assert result.returncode == 2, result.output[-3000:]
    assert f"is locked by process {chain.holder_pid} on {socket.gethostname()}" in result.output
    assert "wait for it to finish" in result.output
    assert "Traceback" not in result.output
    assert result.after == result.before
    tally("faults")


def test_two_publishes_at_once_one_publishes_the_other_is_refused_naming_it(chain):
    second, winner = chain.second, chain.winner
    assert second.returncode == 2, second.output
    assert second.seconds < 30, f"the refusal took {second.seconds:.0f} s"
    assert "another publish is running" in second.output
    assert f"(pid {chain.winner_pid} on {socket.gethostname()}, started " in second.output
    assert "command: " in second.output and "--revise" in second.output
    assert "wait for it to finish" in second.output
    assert "taken over automatically" in second.output
    assert "Traceback" not in second.output
    assert second.after == second.before, "the refused run changed a file"
    assert winner.returncode == 0, winner.output[-4000:]
    revisions = sorted(p.name for p in chain.box.publications.glob(f"{PERIOD}.revision-*"))
    kept_before = sorted(
        {
            k.split("/publications/")[1].split("/")[0]
            for k in winner.before
            if f"/publications/{PERIOD}.revision-" in k
        }
    )
    assert len(revisions) == len(kept_before) + 1, "exactly one publish must have published"
    tally("faults")


def test_the_lock_file_names_its_holder(chain):
    details = json.loads((chain.box.publications / ".staging" / "publish.lock").read_text())
    assert details["pid"] == chain.winner_pid
    assert details["host"] == socket.gethostname()
    assert details["started"] and "--period" in details["command"]


# ---------------------------------------------------------------- the publication offline


def find_chromium() -> str | None:
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """Headless Chromium driven over the DevTools protocol on a pipe (fds 3 and 4):
    JSON messages ending in NUL, no websocket client needed."""

    def __init__(self, chromium: str, profile: Path):
        to_chrome_r, to_chrome_w = os.pipe()
        from_chrome_r, from_chrome_w = os.pipe()
        # high numbers, so that placing them at 3 and 4 in the child cannot clobber them
        child_in = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 100)
        child_out = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 100)
        for fd in (to_chrome_r, from_chrome_w):
            os.close(fd)

        def place() -> None:
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)

        self.proc = subprocess.Popen(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--window-size=1280,2000",
                # belt and braces: no name resolves and every proxy goes nowhere
                "--host-resolver-rules=MAP * ~NOTFOUND",
                "--proxy-server=http://127.0.0.1:9",
                f"--user-data-dir={profile}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            pass_fds=(3, 4),
            preexec_fn=place,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(child_in)
        os.close(child_out)
        self.out = os.fdopen(to_chrome_w, "wb", buffering=0)
        self.inp = os.fdopen(from_chrome_r, "rb", buffering=0)
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict] = []
        self.session: str | None = None

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self.buffer:
            ready, _, _ = select.select([self.inp], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise TimeoutError("Chromium did not answer in time")
            chunk = self.inp.read(1 << 16)
            if not chunk:
                raise EOFError("Chromium closed the DevTools pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, params: dict | None = None, timeout: float = 60) -> dict:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if self.session and not method.startswith(("Target.", "Browser.")):
            message["sessionId"] = self.session
        self.out.write(json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self.next_id:
                assert "error" not in reply, reply
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        for i, event in enumerate(self.events):
            if event.get("method") == method:
                return self.events.pop(i)
        while True:
            event = self._read(deadline)
            if event.get("method") == method:
                return event
            self.events.append(event)

    def open_offline(self, url: str) -> dict:
        """Open ``url`` with the network emulated offline; what the page holds once loaded."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        self.send("Network.enable")
        self.send(
            "Network.emulateNetworkConditions",
            {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
        self.send("Page.enable")
        self.events.clear()
        self.send("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired")
        expression = """JSON.stringify({
            images: Array.from(document.images).map(i => ({
                src: i.getAttribute('src').slice(0, 40), complete: i.complete,
                width: i.naturalWidth})),
            scripts: document.scripts.length,
            text: document.body.innerText})"""
        page = json.loads(
            self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})[
                "result"
            ]["value"]
        )
        page["requests"] = [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent"
        ]
        page["failed"] = [
            e["params"] for e in self.events if e.get("method") == "Network.loadingFailed"
        ]
        page["screenshot"] = base64.b64decode(
            self.send("Page.captureScreenshot", {"format": "png"})["data"]
        )
        self.send("Target.closeTarget", {"targetId": target})
        self.session = None
        return page

    def close(self) -> None:
        with contextlib.suppress(TimeoutError, EOFError, OSError):
            self.send("Browser.close", timeout=10)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=20)


REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']*)["']|url\(\s*["']?([^"')]*)""", re.I)


def outside_references(page: Path) -> list[str]:
    """Every src=, href= or url( of the page that leaves the publication folder."""
    folder = page.parent.parent if page.parent.name == "validation" else page.parent
    bad = []
    for match in REFERENCE.finditer(page.read_text(encoding="utf-8")):
        ref = match.group(1) if match.group(1) is not None else match.group(2)
        if ref.startswith(("data:", "#")) or ref == "":
            continue
        if re.match(r"^[a-z][a-z0-9+.-]*:", ref, re.I) or ref.startswith(("//", "/")):
            bad.append(ref)
            continue
        if not (page.parent / ref).resolve().is_relative_to(folder.resolve()):
            bad.append(ref)
    return bad


def test_publication_stands_alone_offline_in_a_browser(chain, tmp_path):
    chromium = find_chromium()
    if chromium is None:
        pytest.skip(
            "no Chromium (/usr/bin/chromium, chromium, chromium-browser, google-chrome): "
            "`make browser` installs Debian's chromium when run as root"
        )
    folder = chain.box.publications / PERIOD
    manifest = json.loads((folder / "manifest.json").read_text())
    pages = {"bulletin": folder / "bulletin.html", "validation": folder / "validation/index.html"}
    for page in pages.values():
        assert outside_references(page) == [], f"{page} reaches outside its folder"
    browser = Browser(chromium, tmp_path / "profile")
    try:
        seen = {name: browser.open_offline(page.as_uri()) for name, page in pages.items()}
    finally:
        browser.close()
    ARTIFACTS.mkdir(exist_ok=True)
    for name, page in seen.items():
        (ARTIFACTS / f"offline-{name}-{PERIOD}.png").write_bytes(page["screenshot"])
        assert page["screenshot"].startswith(b"\x89PNG"), name
        assert page["scripts"] == 0, f"{name} holds a script"
        outside = [u for u in page["requests"] if not u.startswith(("file:", "data:"))]
        assert outside == [], f"{name} asked the network for {outside}"
        assert page["failed"] == [], f"{name}: loads failed {page['failed']}"
        for image in page["images"]:
            assert image["complete"] and image["width"] > 0, f"{name}: image not loaded {image}"
    assert len(seen["bulletin"]["images"]) >= 5, "the bulletin shows no charts"
    validated = [f["path"] for f in manifest["validation"]["files"]]
    assert validated, "the manifest lists no validated file"
    for path in validated:
        assert path in seen["validation"]["text"], f"{path} is not listed in the rendered report"
