"""A local Spark standalone cluster the project owns: ``ncpm spark up | down | status``.

``up`` starts, on 127.0.0.1 only, from the pyspark wheel of the Spark environment
(``NCPM_SPARK_VENV``, default ``.venv-spark``; no download):

* a standalone master (``org.apache.spark.deploy.master.Master``) on ``NCPM_SPARK_MASTER_PORT``
  (7077), its web UI and JSON status on ``NCPM_SPARK_MASTER_UI_PORT`` (8080);
* two workers (``org.apache.spark.deploy.worker.Worker``), each its own JVM with one core
  and ``NCPM_SPARK_WORKER_MEMORY`` (2g) for its executor;
* the Thrift JDBC/ODBC server (``org.apache.spark.sql.hive.thriftserver.HiveThriftServer2``,
  submitted to that master with ``bin/spark-submit``) on ``NCPM_SPARK_PORT`` (10000): the SQL
  endpoint dbt's ``spark`` target connects to.

It waits until each is ready (the master ALIVE, both workers registered, the Thrift port
listening, executors granted on both workers). Everything lives under ``NCPM_SPARK_DIR``
(default ``warehouse/spark``): ``run/`` the pid files and logs (``<process>.log``) and the
workers' scratch, ``metastore/`` the Derby metastore (``-Dderby.system.home``), ``tables/``
the warehouse (``spark.sql.warehouse.dir``). On a real cluster these become a shared
metastore and object storage (docs/spark.md).

Every JVM started carries ``-Dncpm.spark.run=<run folder>``, so ``down`` stops exactly the
processes of this run folder (the pid files, then any executor of it still alive), never
another Spark. ``up`` refuses (exit 2) when Java 17+ is missing or a port is taken.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from ncpm import settings as settings_module
from ncpm.settings import Settings

HOST = "127.0.0.1"
WORKERS = 2
DRIVER_MEMORY = "1g"
THRIFT_CLASS = "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2"
MASTER_CLASS = "org.apache.spark.deploy.master.Master"
WORKER_CLASS = "org.apache.spark.deploy.worker.Worker"
MARKER = "-Dncpm.spark.run="
MASTER_TIMEOUT_S = 60
WORKERS_TIMEOUT_S = 90
THRIFT_TIMEOUT_S = 180
STOP_TIMEOUT_S = 30
# The Thrift server's statement threads. dbt opens a session per node, and the embedded
# metastore keeps one metastore store per thread, built from a fresh HiveConf (XML parsed
# from the jars): half of the server's CPU went there. Hive's defaults (100 threads that
# die after 10 s idle; every statement run as the session's own user, which makes Hive
# rebuild its metastore client) create a new store for almost every call. A few
# long-lived threads, and statements run as the server's user (one local user here),
# reuse them: a third less server CPU on the data tests (docs/spark.md).
THRIFT_HIVECONF = {
    "hive.server2.enable.doAs": "false",
    "hive.server2.async.exec.threads": "8",
    "hive.server2.async.exec.keepalive.time": "3600",
}
# Spark 4's pyspark wheel leaves out Hive's hive-llap-common jar, yet Hive's function
# registry, which the Thrift server initialises when it closes some sessions, names one of
# its classes. The handler thread then dies of NoClassDefFoundError (LlapSigner$Signable),
# the client sees its socket dropped ("TSocket read 0 bytes", the failures seen in CI), and
# a later registration would wait forever (SPARK-51041: Spark's own Thrift server tests hang
# without the jar). The registry only needs the names to exist: this stub is compiled at
# start and put on the server's class path (no download).
LLAP_STUB_CLASS = "org.apache.hadoop.hive.llap.security.LlapSigner"
LLAP_STUB_SOURCE = """\
package org.apache.hadoop.hive.llap.security;

/** Stand-in for hive-llap-common's LlapSigner (ncpm.spark.cluster): names only. */
public interface LlapSigner {
    interface Signable {
    }

    class SignedMessage {
        public byte[] message;
        public byte[] signature;
    }
}
"""
# Warnings and errors, plus the cluster's own life (registrations, executors, the server).
LOG_CONFIG = """\
rootLogger.level = warn
rootLogger.appenderRef.stdout.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex
logger.deploy.name = org.apache.spark.deploy
logger.deploy.level = info
logger.thrift.name = org.apache.spark.sql.hive.thriftserver
logger.thrift.level = info
logger.hive.name = org.apache.hive.service.server
logger.hive.level = info
"""
JAVA_HINT = (
    "install a Java 17+ runtime (e.g. apt-get install -y openjdk-17-jre-headless) or set "
    "JAVA_HOME to one"
)


class SparkError(Exception):
    """An operation failed; the message says why and what to do (exit 1)."""

    exit_code = 1


class SparkRefused(SparkError):
    """A refusal: Java missing, a port taken, the environment missing (exit 2)."""

    exit_code = 2


# --------------------------------------------------------------------------- environment


def java_binary(environ: dict[str, str] | None = None) -> str:
    """The java Spark will run (JAVA_HOME's, else PATH's); refused unless it is 17 or later."""
    environ = os.environ if environ is None else environ
    home = environ.get("JAVA_HOME")
    java = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if not java or not os.access(java, os.X_OK):
        raise SparkRefused(f"no Java runtime found (JAVA_HOME or PATH): {JAVA_HINT}.")
    proc = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', proc.stderr + proc.stdout)
    major = int(match.group(1)) if match else 0
    if major == 1 and match and match.group(2):  # "1.8.0" is Java 8
        major = int(match.group(2))
    if major < 17:
        raise SparkRefused(
            f"{java} is Java {major or 'of unknown version'}; Spark 4 needs 17+: {JAVA_HINT}."
        )
    return java


def compile_llap_stub(java: str, folder: Path) -> Path | None:
    """The LlapSigner stub (LLAP_STUB_SOURCE) compiled under ``folder``: the class-path
    folder, or None when no Java compiler is next to ``java`` or on PATH (a runtime only)."""
    target = folder / "classes"
    if (target / (LLAP_STUB_CLASS.replace(".", "/") + "$Signable.class")).is_file():
        return target
    beside = Path(java).resolve().parent / "javac"
    javac = str(beside) if os.access(beside, os.X_OK) else shutil.which("javac")
    if not javac:
        return None
    source = folder / "src" / (LLAP_STUB_CLASS.replace(".", "/") + ".java")
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text(LLAP_STUB_SOURCE)
    proc = subprocess.run(
        [javac, "-d", str(target), str(source)], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise SparkError(f"compiling {source} failed:\n{proc.stdout}{proc.stderr}")
    return target


def spark_home(venv: Path) -> Path:
    """The Spark distribution inside the pyspark wheel of ``venv``."""
    found = sorted(venv.glob("lib/python3*/site-packages/pyspark"))
    if not found or not (found[0] / "bin" / "spark-class").exists():
        raise SparkRefused(
            f"no pyspark in {venv}: run `make spark-up` (or `make spark-check`), which creates "
            "it from requirements-spark.lock, or set NCPM_SPARK_VENV to the environment."
        )
    return found[0]


def port_in_use(port: int, host: str = HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


def free_port(host: str = HOST) -> int:
    """A TCP port nothing listens on now (spark-check starts its own cluster on free ones)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------- processes


def _alive(pid: int) -> bool:
    """The process runs (a zombie child of this process is reaped and counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    if state == "Z":
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        return False
    return True


def _cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@dataclass(frozen=True)
class Cluster:
    """The project's standalone cluster under ``base`` (``NCPM_SPARK_DIR``)."""

    base: Path
    venv: Path
    thrift_port: int = 10000
    master_port: int = 7077
    master_ui_port: int = 8080
    worker_memory: str = "2g"

    # ----------------------------------------------------------------- layout

    @property
    def run(self) -> Path:
        return self.base / "run"

    @property
    def metastore(self) -> Path:
        return self.base / "metastore"

    @property
    def tables(self) -> Path:
        return self.base / "tables"

    @property
    def master_url(self) -> str:
        return f"spark://{HOST}:{self.master_port}"

    @property
    def names(self) -> list[str]:
        return ["master", *(f"worker-{i}" for i in range(1, WORKERS + 1)), "thrift"]

    def log(self, name: str) -> Path:
        return self.run / f"{name}.log"

    def pid_file(self, name: str) -> Path:
        return self.run / f"{name}.pid"

    def marker(self) -> str:
        return f"{MARKER}{self.run.resolve()}"

    def ours(self, pid: int) -> bool:
        """The process belongs to this run folder: its command line carries the marker, or
        it works in the run folder (a launcher script before it execs the JVM)."""
        if self.marker() in _cmdline(pid):
            return True
        try:
            cwd = Path(os.readlink(f"/proc/{pid}/cwd"))
        except OSError:
            return False
        return cwd == self.run.resolve() or self.run.resolve() in cwd.parents

    def pid(self, name: str) -> int | None:
        """The pid of ``name`` when it runs and is ours."""
        try:
            pid = int(self.pid_file(name).read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if _alive(pid) and self.ours(pid) else None

    def running(self) -> dict[str, int | None]:
        return {name: self.pid(name) for name in self.names}

    def strays(self) -> list[int]:
        """Every live process of this run folder (executors included), by its marker."""
        found = []
        for entry in Path("/proc").iterdir():
            pid = int(entry.name) if entry.name.isdigit() else os.getpid()
            if pid != os.getpid() and self.marker() in _cmdline(pid) and _alive(pid):
                found.append(pid)
        return found

    def master_state(self) -> dict | None:
        """The master's JSON status (workers, applications), or None when it does not answer."""
        try:
            url = f"http://{HOST}:{self.master_ui_port}/json/"
            with urllib.request.urlopen(url, timeout=3) as response:
                return json.load(response)
        except (OSError, ValueError):
            return None

    # ----------------------------------------------------------------- start

    def _env(self, java: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "SPARK_HOME": str(spark_home(self.venv)),
                "JAVA_HOME": str(Path(java).resolve().parents[1]),
                "SPARK_LOCAL_IP": HOST,
                "SPARK_LOCAL_DIRS": str(self.run / "local"),
                "SPARK_DAEMON_JAVA_OPTS": self.marker(),
                "SPARK_NO_DAEMONIZE": "1",
                "PYSPARK_PYTHON": str(self.venv / "bin" / "python"),
            }
        )
        env["SPARK_CONF_DIR"] = str(self.run / "conf")
        return env

    def _spawn(self, name: str, args: list[str], env: dict[str, str]) -> int:
        with self.log(name).open("ab") as out:
            proc = subprocess.Popen(
                args,
                cwd=self.run,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pid_file(name).write_text(f"{proc.pid}\n")
        return proc.pid

    def _wait(self, what: str, name: str, ready, timeout: float) -> None:
        """Poll ``ready()`` until true; fail naming the log when ``name`` dies or time is up."""
        deadline = time.monotonic() + timeout
        while not ready():
            if self.pid(name) is None:
                raise SparkError(
                    f"the {name} process exited before {what}; its log "
                    f"{self.log(name)} ends:\n{_tail(self.log(name))}"
                )
            if time.monotonic() > deadline:
                raise SparkError(
                    f"{what}: not within {timeout:.0f} s; the log {self.log(name)} ends:\n"
                    f"{_tail(self.log(name))}"
                )
            time.sleep(0.5)

    def start(self, say=print) -> dict[str, float]:
        """Start the four processes in order, each waited for; seconds each took to be ready."""
        java = java_binary()
        home = spark_home(self.venv)
        ports = {
            "NCPM_SPARK_MASTER_PORT": self.master_port,
            "NCPM_SPARK_MASTER_UI_PORT": self.master_ui_port,
            "NCPM_SPARK_PORT": self.thrift_port,
        }
        for variable, port in ports.items():
            if port_in_use(port):
                raise SparkRefused(
                    f"port {port} on {HOST} is already in use by another program: stop it, or "
                    f"choose another port with {variable} (e.g. {variable}={port + 1})."
                )
        for folder in (
            self.run,
            self.metastore,
            self.tables,
            self.run / "local",
            self.run / "conf",
        ):
            folder.mkdir(parents=True, exist_ok=True)
        (self.run / "conf" / "log4j2.properties").write_text(LOG_CONFIG)
        env = self._env(java)
        spark_class = str(home / "bin" / "spark-class")
        timings = {}
        started = time.perf_counter()

        say(f"==> master {self.master_url} (web UI http://{HOST}:{self.master_ui_port})")
        self._spawn(
            "master",
            [spark_class, MASTER_CLASS, "--host", HOST, "--port", str(self.master_port),
             "--webui-port", str(self.master_ui_port)],
            env,
        )  # fmt: skip
        self._wait(
            "the master answering ALIVE",
            "master",
            lambda: (self.master_state() or {}).get("status") == "ALIVE",
            MASTER_TIMEOUT_S,
        )
        timings["master"] = time.perf_counter() - started

        say(f"==> {WORKERS} workers, 1 core and {self.worker_memory} each")
        for i in range(1, WORKERS + 1):
            work = self.run / f"worker-{i}"
            work.mkdir(exist_ok=True)
            self._spawn(
                f"worker-{i}",
                [spark_class, WORKER_CLASS, "--host", HOST, "--cores", "1",
                 "--memory", self.worker_memory, "--webui-port", "0", "--work-dir", str(work),
                 self.master_url],
                env,
            )  # fmt: skip
        for i in range(1, WORKERS + 1):
            self._wait(
                f"{WORKERS} workers registered with the master",
                f"worker-{i}",
                lambda: (self.master_state() or {}).get("aliveworkers", 0) >= WORKERS,
                WORKERS_TIMEOUT_S,
            )
        timings["workers"] = time.perf_counter() - started

        say(f"==> Thrift server on {HOST}:{self.thrift_port} (log {self.log('thrift')})")
        stub = compile_llap_stub(java, self.run / "llap-stub")
        if stub is None:
            say(
                "    warning: no Java compiler (javac) found: the Thrift server may drop a "
                "connection when it closes a session (Spark 4 lacks hive-llap-common; see "
                "docs/spark.md). Install a JDK (e.g. openjdk-17-jdk-headless) to avoid it."
            )
        derby = f"-Dderby.system.home={self.metastore.resolve()}"
        derby_log = f"-Dderby.stream.error.file={self.run.resolve() / 'derby.log'}"
        metastore_url = (
            f"jdbc:derby:;databaseName={self.metastore.resolve() / 'metastore_db'};create=true"
        )
        confs = {
            "spark.executor.cores": "1",
            "spark.executor.memory": self.worker_memory,
            "spark.cores.max": str(WORKERS),
            "spark.executor.extraJavaOptions": self.marker(),
            "spark.driver.host": HOST,
            "spark.driver.bindAddress": HOST,
            "spark.ui.enabled": "false",
            "spark.sql.warehouse.dir": str(self.tables.resolve()),
            "spark.hadoop.javax.jdo.option.ConnectionURL": metastore_url,
            # Small data: 2 shuffle partitions (one per executor core), not Spark's 200.
            "spark.sql.shuffle.partitions": str(WORKERS),
        }
        self._spawn(
            "thrift",
            [
                str(home / "bin" / "spark-submit"),
                "--master", self.master_url,
                "--deploy-mode", "client",
                "--name", "ncpm-thrift",
                "--class", THRIFT_CLASS,
                "--driver-memory", DRIVER_MEMORY,
                *(["--driver-class-path", str(stub.resolve())] if stub else []),
                "--driver-java-options", f"{self.marker()} {derby} {derby_log}",
                *(arg for key, value in confs.items() for arg in ("--conf", f"{key}={value}")),
                "spark-internal",
                "--hiveconf", f"hive.server2.thrift.port={self.thrift_port}",
                "--hiveconf", f"hive.server2.thrift.bind.host={HOST}",
                *(arg for key, value in THRIFT_HIVECONF.items()
                  for arg in ("--hiveconf", f"{key}={value}")),
            ],
            env,
        )  # fmt: skip
        self._wait(
            f"the Thrift server listening on {HOST}:{self.thrift_port}",
            "thrift",
            lambda: port_in_use(self.thrift_port),
            THRIFT_TIMEOUT_S,
        )
        self._wait(
            f"executors granted on the {WORKERS} workers",
            "thrift",
            lambda: (self.master_state() or {}).get("coresused", 0) >= WORKERS,
            WORKERS_TIMEOUT_S,
        )
        timings["thrift"] = time.perf_counter() - started
        return timings

    # ----------------------------------------------------------------- stop

    def stop(self) -> list[str]:
        """Stop this run folder's processes (Thrift, workers, master, then strays); names."""
        stopped = []
        for name in reversed(self.names):
            pid = self.pid(name)
            if pid is not None:
                _terminate([pid])
                stopped.append(f"{name} (pid {pid})")
            self.pid_file(name).unlink(missing_ok=True)
        strays = self.strays()
        if strays:
            _terminate(strays)
            stopped += [f"executor (pid {pid})" for pid in strays]
        return stopped


def _terminate(pids: list[int]) -> None:
    """SIGTERM, then SIGKILL after STOP_TIMEOUT_S for any still alive."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in pids:
        if _alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def cluster(s: Settings | None = None, base: Path | None = None) -> Cluster:
    s = s or settings_module.get()
    return Cluster(
        base=(base or s.spark_dir or s.root / "warehouse" / "spark").resolve(),
        venv=s.spark_venv or s.root / ".venv-spark",
        thrift_port=s.spark_port,
        master_port=s.spark_master_port,
        master_ui_port=s.spark_master_ui_port,
        worker_memory=s.spark_worker_memory,
    )


# --------------------------------------------------------------------------- commands


def up(s: Settings | None = None, say=print) -> int:
    """Start the cluster (or say it runs); the exit code."""
    c = cluster(s)
    running = c.running()
    if all(running.values()):
        say(f"==> already running: Thrift server {HOST}:{c.thrift_port}, master {c.master_url}")
        return 0
    if any(running.values()):
        alive = ", ".join(name for name, pid in running.items() if pid)
        raise SparkRefused(
            f"the cluster in {c.run} is partly running ({alive}): run `ncpm spark down` first."
        )
    try:
        timings = c.start(say)
    except BaseException:
        c.stop()
        raise
    say(
        f"==> ready in {timings['thrift']:.0f} s (master {timings['master']:.0f} s, workers "
        f"{timings['workers']:.0f} s): dbt target spark at {HOST}:{c.thrift_port}; logs and "
        f"pids in {c.run}"
    )
    return 0


def down(s: Settings | None = None, say=print) -> int:
    c = cluster(s)
    stopped = c.stop()
    say(f"==> stopped: {', '.join(stopped)}" if stopped else f"==> not running ({c.run})")
    return 0


def status(s: Settings | None = None, say=print) -> int:
    """Each process's state and the master's worker count. Exit 0 running, 3 stopped or partial."""
    c = cluster(s)
    running = c.running()
    for name, pid in running.items():
        say(f"{name:<9} {'running, pid ' + str(pid) if pid else 'stopped'}  (log {c.log(name)})")
    state = c.master_state() if running["master"] else None
    if state:
        say(
            f"master    {state.get('status')}: {state.get('aliveworkers')} worker(s) alive, "
            f"{state.get('coresused')}/{state.get('cores')} cores used, "
            f"{len(state.get('activeapps', []))} application(s)"
        )
    if all(running.values()):
        say(f"running: dbt target spark at {HOST}:{c.thrift_port}")
        return 0
    say("stopped" if not any(running.values()) else "partly running: run `ncpm spark down`")
    return 3
