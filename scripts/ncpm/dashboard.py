"""The board dashboard in Apache Superset: ``ncpm dashboard up | down | status``.

Superset runs from its own environment, ``.venv-superset`` (``make superset-venv``, from
``requirements-superset.lock``); this module never imports it, and drives it by subprocess
(``superset db upgrade``, ``superset init``, ``superset fab create-admin``, ``gunicorn``) and
over HTTP (its REST API, with urllib).

``up``:

1. writes ``<NCPM_SUPERSET_DIR>/superset_config.py`` (default ``warehouse/superset/``, ignored
   by git): the metadata store is SQLite in that folder, the SECRET_KEY is generated once into
   ``secret_key`` (mode 0600), no example data, no analytics, and a Content Security Policy
   that allows this server only (no map tiles, no fonts or images from elsewhere);
2. the first time (and after a Superset upgrade): ``superset db upgrade`` and ``superset init``;
3. creates the admin from ``NCPM_SUPERSET_ADMIN`` / ``NCPM_SUPERSET_PASSWORD``, generated into
   ``credentials.env`` (mode 0600) when unset;
4. starts gunicorn on 127.0.0.1:``NCPM_SUPERSET_PORT`` (default 8088) in the background, its
   pid in ``superset.pid`` and its log in ``superset.log``, and waits for ``/health``;
5. imports ``dashboards/board/`` (Superset's export format, committed: the dashboard is code)
   zipped on the fly, as assets (each file overwrites what Superset holds), its database
   pointed at the serving database (``ncpm serve``) as the read-only login ``ncpm_bi``, whose
   password is supplied at import and never written to the repository.

``down`` stops only the gunicorn ``up`` started (its pid file's process group).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import secrets
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zipfile
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

from ncpm import settings as settings_module
from ncpm.serve import cluster as serve_cluster
from ncpm.settings import Settings

DASHBOARD_SLUG = "board"
HEALTH_TIMEOUT_S = 180
STOP_TIMEOUT_S = 30
CREDENTIAL_KEYS = ("NCPM_SUPERSET_ADMIN", "NCPM_SUPERSET_PASSWORD")


class DashboardError(Exception):
    """An operation failed; the message says why and what to do (exit 1)."""

    exit_code = 1


class DashboardRefused(DashboardError):
    """Superset is not installed, or the port is taken (exit 2)."""

    exit_code = 2


@dataclass(frozen=True)
class Paths:
    root: Path
    venv: Path
    home: Path
    source: Path

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    @property
    def config(self) -> Path:
        return self.home / "superset_config.py"

    @property
    def secret(self) -> Path:
        return self.home / "secret_key"

    @property
    def credentials(self) -> Path:
        return self.home / "credentials.env"

    @property
    def pid_file(self) -> Path:
        return self.home / "superset.pid"

    @property
    def log(self) -> Path:
        return self.home / "superset.log"

    @property
    def stamp(self) -> Path:
        return self.home / "initialised"


def paths(s: Settings) -> Paths:
    return Paths(
        root=s.root,
        venv=s.superset_venv or s.root / ".venv-superset",
        home=s.superset_dir or s.root / "warehouse" / "superset",
        source=s.root / "dashboards" / DASHBOARD_SLUG,
    )


def url(s: Settings) -> str:
    return f"http://127.0.0.1:{s.superset_port}/superset/dashboard/{DASHBOARD_SLUG}/"


# --------------------------------------------------------------------------- files


def _write_private(path: Path, text: str) -> None:
    """Write ``path`` readable by its owner only, from the moment it exists."""
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(partial, path)


def credentials(p: Paths, environ=None) -> tuple[str, str]:
    """The admin login: NCPM_SUPERSET_ADMIN / _PASSWORD, else credentials.env (generated)."""
    environ = os.environ if environ is None else environ
    stored = {}
    if p.credentials.exists():
        for line in p.credentials.read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep and key.strip() in CREDENTIAL_KEYS:
                stored[key.strip()] = value.strip()
    user = environ.get("NCPM_SUPERSET_ADMIN") or stored.get("NCPM_SUPERSET_ADMIN") or "admin"
    password = (
        environ.get("NCPM_SUPERSET_PASSWORD")
        or stored.get("NCPM_SUPERSET_PASSWORD")
        or secrets.token_urlsafe(18)
    )
    if stored != {"NCPM_SUPERSET_ADMIN": user, "NCPM_SUPERSET_PASSWORD": password}:
        p.home.mkdir(parents=True, exist_ok=True)
        _write_private(
            p.credentials,
            "# The Superset admin login (ncpm dashboard up). Never commit or share this file.\n"
            f"NCPM_SUPERSET_ADMIN={user}\nNCPM_SUPERSET_PASSWORD={password}\n",
        )
    return user, password


CONFIG = '''"""Superset configuration written by `ncpm dashboard up` (rewritten each time: edit
scripts/ncpm/dashboard.py, not this file)."""

SECRET_KEY = open({secret!r}).read().strip()
SQLALCHEMY_DATABASE_URI = {metadata!r}
SUPERSET_WEBSERVER_PORT = {port}
# No network features: no analytics pixel, no example data, no map tiles or web fonts.
SCARF_ANALYTICS = False
FEATURE_FLAGS = {{"ALERT_REPORTS": False, "THUMBNAILS": False, "EMBEDDED_SUPERSET": False}}
# A Content Security Policy that allows this server only. 'unsafe-eval': the scorecard
# tiles are a Handlebars chart, which compiles its template in the browser.
# The tiles' Handlebars template styles its elements by class: keep class and style.
HTML_SANITIZATION_SCHEMA_EXTENSIONS = {{"attributes": {{"*": ["className", "class", "style"]}}}}
TALISMAN_ENABLED = True
TALISMAN_CONFIG = {{
    "content_security_policy": {{
        "base-uri": ["'self'"],
        "default-src": ["'self'"],
        "img-src": ["'self'", "blob:", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": "'none'",
        "style-src": ["'self'", "'unsafe-inline'"],
        "font-src": ["'self'", "data:"],
        "script-src": ["'self'", "'strict-dynamic'", "'unsafe-eval'"],
    }},
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": False,
}}
'''


def write_config(p: Paths, port: int) -> None:
    p.home.mkdir(parents=True, exist_ok=True)
    if not p.secret.exists():
        _write_private(p.secret, secrets.token_urlsafe(48) + "\n")
    p.config.write_text(
        CONFIG.format(
            secret=str(p.secret),
            metadata=f"sqlite:///{p.home / 'superset.db'}",
            port=port,
        )
    )


def superset_env(p: Paths) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    }
    env.update(
        SUPERSET_CONFIG_PATH=str(p.config),
        SUPERSET_LOAD_EXAMPLES="no",
        FLASK_APP="superset",
        PATH=f"{p.bin}{os.pathsep}{env.get('PATH', '')}",
    )
    return env


def _superset(p: Paths, args: list[str], timeout: float = 300) -> str:
    proc = subprocess.run(
        [str(p.bin / "superset"), *args],
        env=superset_env(p),
        cwd=p.home,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        raise DashboardError(
            f"superset {' '.join(args[:2])} failed (exit {proc.returncode}):\n"
            + (proc.stdout + proc.stderr)[-3000:]
        )
    return proc.stdout + proc.stderr


# --------------------------------------------------------------------------- the server


def running_pid(p: Paths) -> int | None:
    try:
        pid = int(p.pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if serve_cluster.process_alive(pid) else None


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def start(p: Paths, port: int) -> int:
    if serve_cluster.port_in_use("127.0.0.1", port):
        raise DashboardRefused(
            f"port {port} on 127.0.0.1 is already in use by another program: stop it, or "
            "choose another port with NCPM_SUPERSET_PORT (e.g. NCPM_SUPERSET_PORT=8089)."
        )
    with p.log.open("ab") as log:
        proc = subprocess.Popen(
            [
                str(p.bin / "gunicorn"),
                "--workers",
                "1",
                "--threads",
                "4",
                "--timeout",
                "120",
                "--bind",
                f"127.0.0.1:{port}",
                "superset.app:create_app()",
            ],
            env=superset_env(p),
            cwd=p.home,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: down stops it and its worker
        )
    p.pid_file.write_text(f"{proc.pid}\n")
    return proc.pid


def wait_healthy(base: str, pid: int, log: Path, timeout: float = HEALTH_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if not serve_cluster.process_alive(pid):
            raise DashboardError(f"Superset exited while starting. Its log ({log}):\n{_tail(log)}")
        if time.monotonic() > deadline:
            raise DashboardError(
                f"Superset did not answer {base}/health within {timeout:.0f} s. "
                f"Its log ({log}):\n{_tail(log)}"
            )
        time.sleep(1)


def stop(p: Paths) -> bool:
    """Stop the gunicorn ``up`` started (SIGTERM to its process group, SIGKILL after a
    bounded wait). False when it was not running."""
    pid = running_pid(p)
    if pid is None:
        p.pid_file.unlink(missing_ok=True)
        return False
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while serve_cluster.process_alive(pid):
        if time.monotonic() > deadline:
            os.killpg(pid, signal.SIGKILL)
            time.sleep(0.5)
            break
        time.sleep(0.1)
    p.pid_file.unlink(missing_ok=True)
    return True


# --------------------------------------------------------------------------- REST API


class Client:
    """Superset's REST API, logged in with a session cookie and the CSRF token (urllib)."""

    def __init__(self, base: str, user: str, password: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        token = self.request(
            "POST",
            "/api/v1/security/login",
            {"username": user, "password": password, "provider": "db", "refresh": False},
        )["access_token"]
        self.headers = {"Authorization": f"Bearer {token}", "Referer": base}
        self.headers["X-CSRFToken"] = self.request("GET", "/api/v1/security/csrf_token/")["result"]

    def request(self, method: str, path: str, body=None, *, data=None, content_type=None):
        headers = dict(getattr(self, "headers", {}))
        if body is not None:
            data = json.dumps(body).encode()
            content_type = "application/json"
        if content_type:
            headers["Content-Type"] = content_type
        req = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        try:
            with self.opener.open(req, timeout=120) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")[:2000]
            raise DashboardError(f"Superset {method} {path}: HTTP {error.code} {detail}") from None


def bundle(source: Path, sqlalchemy_uri: str, database: str) -> tuple[bytes, str]:
    """The committed export folder as an import zip, its database pointed at ``sqlalchemy_uri``
    (no password: it is supplied beside the zip). Returns the zip and the database file's path
    inside it."""
    import yaml

    if not (source / "metadata.yaml").exists():
        raise DashboardError(f"{source} holds no Superset export (metadata.yaml)")
    buffer = io.BytesIO()
    database_file = None
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(source.rglob("*.yaml")):
            relative = path.relative_to(source).as_posix()
            text = path.read_text()
            if relative.startswith("databases/"):
                content = yaml.safe_load(text)
                content["sqlalchemy_uri"] = sqlalchemy_uri
                text = yaml.safe_dump(content, sort_keys=False)
                database_file = relative
            elif relative.startswith("datasets/"):
                content = yaml.safe_load(text)
                content["catalog"] = database
                text = yaml.safe_dump(content, sort_keys=False)
            elif relative == "metadata.yaml":
                # imported as "assets": every file overwrites what Superset holds (see
                # import_dashboard)
                content = yaml.safe_load(text)
                content["type"] = "assets"
                text = yaml.safe_dump(content, sort_keys=False)
            archive.writestr(f"{DASHBOARD_SLUG}/{relative}", text)
    if database_file is None:
        raise DashboardError(f"{source} holds no databases/*.yaml")
    return buffer.getvalue(), database_file


def import_dashboard(client: Client, p: Paths, con: serve_cluster.Connection) -> None:
    """Import the folder through Superset's assets import (``/api/v1/assets/import/``), which
    overwrites the database, datasets, charts and dashboard it holds. The dashboard import
    (``/api/v1/dashboard/import/``) overwrites the dashboard only: a chart, dataset or
    database changed in the folder would keep its old version in a Superset that has it."""
    uri = (
        f"postgresql+psycopg2://{serve_cluster.BI}:XXXXXXXXXX@{con.host}:{con.port}/"
        f"{urllib.parse.quote(con.database)}"
    )
    archive, database_file = bundle(p.source, uri, con.database)
    fields = {"passwords": json.dumps({database_file: con.credentials.bi})}
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="bundle"; '
        f'filename="{DASHBOARD_SLUG}.zip"\r\nContent-Type: application/zip\r\n\r\n'.encode()
        + archive
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    client.request(
        "POST",
        "/api/v1/assets/import/",
        data=b"".join(parts),
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def charts_in_scope(position: dict, metadata: dict) -> dict:
    """``metadata`` with each native filter's ``chartsInScope`` set from its scope.

    Superset's import renumbers the charts and maps the ids of a filter's ``scope.excluded``
    to the new ones, but not those of ``chartsInScope``, which its front end reads to decide
    which charts a filter applies to: so they are set again here, from the dashboard as
    imported (every chart of its layout but the excluded ones)."""
    charts = sorted(
        node["meta"]["chartId"]
        for node in position.values()
        if isinstance(node, dict) and node.get("type") == "CHART"
    )
    for native in metadata.get("native_filter_configuration") or []:
        excluded = set((native.get("scope") or {}).get("excluded") or [])
        native["chartsInScope"] = [chart for chart in charts if chart not in excluded]
    return metadata


def set_filter_scopes(client: Client) -> None:
    """Set the imported dashboard's filter scopes to its charts' ids (:func:`charts_in_scope`)."""
    board = client.request("GET", f"/api/v1/dashboard/{DASHBOARD_SLUG}")["result"]
    metadata = charts_in_scope(
        json.loads(board["position_json"]), json.loads(board["json_metadata"])
    )
    client.request(
        "PUT", f"/api/v1/dashboard/{board['id']}", {"json_metadata": json.dumps(metadata)}
    )


# --------------------------------------------------------------------------- commands


def _installed_version(p: Paths) -> str:
    if not (p.bin / "superset").exists() or not (p.bin / "gunicorn").exists():
        raise DashboardRefused(
            f"Apache Superset is not installed in {p.venv}: run `make superset-venv` (its own "
            "environment, from requirements-superset.lock)."
        )
    dist = sorted((p.venv / "lib").glob("python3*/site-packages/apache_superset-*.dist-info"))
    return dist[-1].name if dist else "unknown"


def up(s: Settings | None = None, say=print) -> int:
    s = s or settings_module.get()
    p = paths(s)
    version = _installed_version(p)
    con = serve_cluster.connection(s)  # the serving database's ncpm_bi password
    base = f"http://127.0.0.1:{s.superset_port}"
    write_config(p, s.superset_port)
    user, password = credentials(p)
    pid = running_pid(p)
    if pid:
        say(f"==> Superset already runs (pid {pid}); importing the dashboard again")
    else:
        if not p.stamp.exists() or p.stamp.read_text().strip() != version:
            started = time.monotonic()
            say(f"==> superset db upgrade (metadata store {p.home / 'superset.db'})")
            _superset(p, ["db", "upgrade"], timeout=600)
            say("==> superset init (roles and permissions)")
            _superset(p, ["init"], timeout=600)
            p.stamp.write_text(version + "\n")
            say(f"    done ({time.monotonic() - started:.0f} s)")
        say(f"==> admin user {user}")
        _superset(
            p,
            [
                "fab",
                "create-admin",
                "--username",
                user,
                "--firstname",
                "NCPM",
                "--lastname",
                "Admin",
                "--email",
                f"{user}@localhost",
                "--password",
                password,
            ],
        )
        say(f"==> starting Superset on {base} (log {p.log})")
        pid = start(p, s.superset_port)
    try:
        wait_healthy(base, pid, p.log)
        say(f"==> importing the dashboard from {p.source}")
        client = Client(base, user, password)
        import_dashboard(client, p, con)
        set_filter_scopes(client)
    except BaseException:
        stop(p)
        raise
    say(
        f"==> ready: {url(s)} (log in as {user}; the password is in {p.credentials} unless "
        "NCPM_SUPERSET_PASSWORD is set)"
    )
    return 0


def down(s: Settings | None = None, say=print) -> int:
    s = s or settings_module.get()
    p = paths(s)
    if stop(p):
        say("==> stopped Superset")
    else:
        say(f"==> not running (no live process in {p.pid_file})")
    return 0


def status(s: Settings | None = None, say=print) -> int:
    s = s or settings_module.get()
    p = paths(s)
    pid = running_pid(p)
    if not pid:
        say("stopped (ncpm dashboard up starts it)")
        return 3
    say(f"running: pid {pid}, {url(s)}, log {p.log}")
    return 0


__all__ = ["DashboardError", "DashboardRefused", "down", "status", "up", "url"]
