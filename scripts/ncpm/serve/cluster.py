"""A local PostgreSQL cluster the project owns: ``ncpm serve up | down | status``.

``up`` creates the cluster on first use (``initdb`` into ``<NCPM_PG_DIR>/data``, default
``warehouse/postgres/data``; its log in ``<NCPM_PG_DIR>/log/postgres.log``), starts it
listening on 127.0.0.1 only at ``NCPM_PG_PORT`` (TCP only, no Unix socket), with
scram-sha-256 passwords and ``pg_hba.conf`` host lines for 127.0.0.1/32 only, and makes
the database ``NCPM_PG_DATABASE`` with its two roles:

* ``ncpm_owner`` owns the database and its schemas, and loads publications;
* ``ncpm_bi`` may connect and read schema ``marts``, and nothing else.

The cluster's superuser ``ncpm_admin`` is used by ``up`` only. The three passwords are
generated on first use (or taken from ``NCPM_PG_OWNER_PASSWORD`` / ``NCPM_PG_BI_PASSWORD``)
and written to ``<NCPM_PG_DIR>/credentials.env``, readable by its owner only (mode 0600;
``warehouse/`` is ignored by git).

PostgreSQL refuses to run as root. Run as root (as CI does), ``initdb`` and ``pg_ctl`` run
as the system user ``postgres`` (``runuser -u postgres --``), which owns the data and log
folders; otherwise they run as the invoking user. ``down`` stops only this cluster (the
``postmaster.pid`` of its data folder).
"""

from __future__ import annotations

import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ncpm import settings as settings_module
from ncpm.settings import Settings

ADMIN = "ncpm_admin"
OWNER = "ncpm_owner"
BI = "ncpm_bi"
SERVING_SCHEMA = "marts"
SYSTEM_USER = "postgres"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
START_TIMEOUT_S = 30
INSTALL_HINT = (
    "install them with the OS package manager, e.g. `apt-get install postgresql` (Debian, "
    "Ubuntu) or `dnf install postgresql-server` (Fedora, RHEL), or put the folder holding "
    "initdb and pg_ctl on PATH. `make test` installs them itself when run as root with apt-get."
)
CREDENTIAL_KEYS = ("NCPM_PG_ADMIN_PASSWORD", "NCPM_PG_OWNER_PASSWORD", "NCPM_PG_BI_PASSWORD")


class ServeError(Exception):
    """An operation failed; the message says why and what to do (exit 1)."""

    exit_code = 1


class ServeRefused(ServeError):
    """A refusal: the port is taken, the host is not local, the binaries are missing (exit 2)."""

    exit_code = 2


# --------------------------------------------------------------------------- connection


@dataclass(frozen=True)
class Credentials:
    owner: str
    bi: str
    admin: str | None = None  # known only for the cluster ncpm serve up manages

    def __repr__(self) -> str:
        return "Credentials(<hidden>)"


@dataclass(frozen=True)
class Connection:
    """Where the serving database is and how each role logs in."""

    host: str
    port: int
    database: str
    credentials: Credentials

    def kwargs(self, role: str, database: str | None = None) -> dict:
        """psycopg.connect keyword arguments to log in as ``role``."""
        password = {
            OWNER: self.credentials.owner,
            BI: self.credentials.bi,
            ADMIN: self.credentials.admin,
        }[role]
        if password is None:
            raise ServeError(f"no password known for {role}")
        return {
            "host": self.host,
            "port": self.port,
            "dbname": database or self.database,
            "user": role,
            "password": password,
            "connect_timeout": 10,
            "application_name": "ncpm",
        }


def credentials_path(s: Settings) -> Path:
    return _pg_dir(s) / "credentials.env"


def _pg_dir(s: Settings) -> Path:
    return s.pg_dir or s.root / "warehouse" / "postgres"


def read_credentials(path: Path) -> dict[str, str]:
    values = {}
    if path.exists():
        for line in path.read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep and key.strip() in CREDENTIAL_KEYS:
                values[key.strip()] = value.strip()
    return values


def write_credentials(path: Path, values: Mapping[str, str]) -> None:
    """Write the passwords to ``path``, mode 0600 from the moment it exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(
            "# Passwords of the PostgreSQL serving database (ncpm serve). Never commit or share\n"
            "# this file. Load it into a shell with: set -a; . ./credentials.env; set +a\n"
        )
        for key in CREDENTIAL_KEYS:
            if values.get(key):
                f.write(f"{key}={values[key]}\n")
    os.chmod(partial, 0o600)
    os.replace(partial, path)


def _new_password() -> str:
    return secrets.token_urlsafe(24)


def connection(s: Settings | None = None, *, generate: bool = False) -> Connection:
    """The connection settings: NCPM_PG_* from the environment, passwords from there or the
    credentials file (created with new passwords when ``generate``, as ``up`` does)."""
    s = s or settings_module.get()
    path = credentials_path(s)
    stored = read_credentials(path)
    values = {
        "NCPM_PG_ADMIN_PASSWORD": stored.get("NCPM_PG_ADMIN_PASSWORD"),
        "NCPM_PG_OWNER_PASSWORD": s.pg_owner_password or stored.get("NCPM_PG_OWNER_PASSWORD"),
        "NCPM_PG_BI_PASSWORD": s.pg_bi_password or stored.get("NCPM_PG_BI_PASSWORD"),
    }
    if generate:
        values = {key: value or _new_password() for key, value in values.items()}
        if values != {key: stored.get(key) for key in CREDENTIAL_KEYS}:
            write_credentials(path, values)
    missing = [key for key in ("NCPM_PG_OWNER_PASSWORD", "NCPM_PG_BI_PASSWORD") if not values[key]]
    if missing:
        raise ServeError(
            f"{' and '.join(missing)} not set and {path} does not hold them: set them for an "
            "existing server, or run `ncpm serve up` to start the project's own cluster."
        )
    return Connection(
        s.pg_host,
        s.pg_port,
        s.pg_database,
        Credentials(
            owner=values["NCPM_PG_OWNER_PASSWORD"],
            bi=values["NCPM_PG_BI_PASSWORD"],
            admin=values["NCPM_PG_ADMIN_PASSWORD"],
        ),
    )


# --------------------------------------------------------------------------- binaries


def find_binaries(path_env: str | None = None) -> Path:
    """The folder holding initdb, pg_ctl and postgres: on PATH, else /usr/lib/postgresql/*/bin."""
    candidates = []
    found = shutil.which("initdb", path=path_env)
    if found:
        candidates.append(Path(found).resolve().parent)
        candidates.append(Path(found).parent)

    def version(folder: Path) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", folder.parent.name)) or (0,)

    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    for folder in candidates:
        if all(os.access(folder / name, os.X_OK) for name in ("initdb", "pg_ctl", "postgres")):
            return folder
    raise ServeRefused(
        "the PostgreSQL server programs (initdb, pg_ctl, postgres) are not installed: "
        + INSTALL_HINT
    )


# --------------------------------------------------------------------------- the cluster


def _running_as_root() -> bool:
    return os.geteuid() == 0


@dataclass(frozen=True)
class Cluster:
    """The project's own cluster under ``base`` (``NCPM_PG_DIR``)."""

    base: Path
    port: int
    bin_dir: Path

    @property
    def data(self) -> Path:
        return self.base / "data"

    @property
    def log_dir(self) -> Path:
        return self.base / "log"

    @property
    def log(self) -> Path:
        return self.log_dir / "postgres.log"

    @property
    def pid_file(self) -> Path:
        return self.data / "postmaster.pid"

    # ----------------------------------------------------------------- running commands

    def _as_server_user(self, args: list[str]) -> list[str]:
        if not _running_as_root():
            return args
        return ["runuser", "-u", SYSTEM_USER, "--", *args]

    def _run(self, args: list[str], timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run(
            self._as_server_user(args),
            cwd=self.base,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )

    def _give_to_server_user(self, path: Path) -> None:
        if _running_as_root():
            user = _system_user()
            os.chown(path, user.pw_uid, user.pw_gid)

    # ----------------------------------------------------------------- state

    def initialised(self) -> bool:
        return (self.data / "PG_VERSION").exists()

    def running_pid(self) -> int | None:
        """The postmaster's pid when this cluster runs, else None (pg_ctl status)."""
        if not self.pid_file.exists():
            return None
        proc = self._run([str(self.bin_dir / "pg_ctl"), "status", "-D", str(self.data)])
        if proc.returncode != 0:
            return None
        match = re.search(r"PID: (\d+)", proc.stdout)
        return int(match.group(1)) if match else None

    def running_port(self) -> int | None:
        """The port in postmaster.pid (line 4) of the running cluster."""
        try:
            lines = self.pid_file.read_text().splitlines()
            return int(lines[3])
        except (OSError, IndexError, ValueError):
            return None

    # ----------------------------------------------------------------- init, start, stop

    def init(self, admin_password: str) -> None:
        """initdb with scram-sha-256 and a superuser password; local TCP only."""
        self.base.mkdir(parents=True, exist_ok=True)
        if self.data.exists() and any(self.data.iterdir()):
            raise ServeError(
                f"{self.data} exists but holds no PostgreSQL cluster (no PG_VERSION): move it "
                "away, or set NCPM_PG_DIR to another folder."
            )
        for folder in (self.data, self.log_dir):
            folder.mkdir(mode=0o700, exist_ok=True)
            self._give_to_server_user(folder)
        if _running_as_root():
            probe = self._run(["test", "-w", str(self.data)])
            if probe.returncode != 0:
                raise ServeError(
                    f"running as root, the cluster runs as the user {SYSTEM_USER}, which cannot "
                    f"reach {self.data} (a parent folder is closed to it): set NCPM_PG_DIR to a "
                    "folder every user can traverse, or run ncpm as a normal user."
                )
        pwfile = self.base / f".initdb-pw-{os.getpid()}"
        fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(admin_password + "\n")
        self._give_to_server_user(pwfile)
        try:
            proc = self._run(
                [
                    str(self.bin_dir / "initdb"),
                    "-D",
                    str(self.data),
                    "-U",
                    ADMIN,
                    "-A",
                    "scram-sha-256",
                    f"--pwfile={pwfile}",
                    "-E",
                    "UTF8",
                    "--locale=C",
                    "--no-instructions",
                ],
                timeout=120,
            )
        finally:
            pwfile.unlink(missing_ok=True)
        if proc.returncode != 0:
            raise ServeError(f"initdb failed:\n{proc.stdout}{proc.stderr}")
        (self.data / "pg_hba.conf").write_text(
            "# ncpm serve: password (scram-sha-256) logins over TCP from this machine only.\n"
            "# TYPE  DATABASE  USER  ADDRESS       METHOD\n"
            "host    all       all   127.0.0.1/32  scram-sha-256\n"
        )
        with (self.data / "postgresql.conf").open("a") as f:
            f.write(
                "\n# ncpm serve: this machine only, over TCP (the port is given at start)\n"
                "listen_addresses = '127.0.0.1'\n"
                "unix_socket_directories = ''\n"
                "password_encryption = 'scram-sha-256'\n"
            )

    def start(self) -> None:
        """pg_ctl start on the port; waits until ready (bounded); refuses a taken port."""
        if port_in_use("127.0.0.1", self.port):
            raise ServeRefused(
                f"port {self.port} on 127.0.0.1 is already in use by another program: stop it, "
                "or choose another port with NCPM_PG_PORT (e.g. NCPM_PG_PORT=5434)."
            )
        proc = self._run(
            [
                str(self.bin_dir / "pg_ctl"),
                "start",
                "-D",
                str(self.data),
                "-l",
                str(self.log),
                "-w",
                "-t",
                str(START_TIMEOUT_S),
                "-o",
                f"-p {self.port}",
            ],
            timeout=START_TIMEOUT_S + 15,
        )
        if proc.returncode != 0:
            raise ServeError(
                f"PostgreSQL did not start:\n{proc.stdout}{proc.stderr}"
                f"{_tail(self.log)}\nIts log: {self.log}"
            )

    def stop(self) -> bool:
        """Stop this cluster (fast shutdown) and wait for its postmaster to exit; False when
        it was not running."""
        pid = self.running_pid()
        if pid is None:
            return False
        proc = self._run(
            [
                str(self.bin_dir / "pg_ctl"),
                "stop",
                "-D",
                str(self.data),
                "-m",
                "fast",
                "-w",
                "-t",
                str(START_TIMEOUT_S),
            ],
            timeout=START_TIMEOUT_S + 15,
        )
        if proc.returncode != 0:
            raise ServeError(f"pg_ctl stop failed:\n{proc.stdout}{proc.stderr}")
        deadline = time.monotonic() + START_TIMEOUT_S
        while process_alive(pid):
            if time.monotonic() > deadline:
                raise ServeError(f"the postmaster (pid {pid}) still runs after pg_ctl stop")
            time.sleep(0.05)
        return True


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie (an exited process not yet reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def _system_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        raise ServeRefused(
            "PostgreSQL refuses to run as root, and there is no system user "
            f"`{SYSTEM_USER}` to run it as: install the server with `apt-get install "
            "postgresql` (which creates that user), or run ncpm as a normal user."
        ) from None


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on now (the tests start clusters on one)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def cluster(s: Settings | None = None) -> Cluster:
    s = s or settings_module.get()
    return Cluster(_pg_dir(s), s.pg_port, find_binaries())


# --------------------------------------------------------------------------- roles and grants


def wait_ready(conn_kwargs: dict, timeout: float = START_TIMEOUT_S) -> None:
    """Connect until the server accepts (bounded in time)."""
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            psycopg.connect(**{**conn_kwargs, "connect_timeout": 2}).close()
            return
        except psycopg.OperationalError as error:
            if time.monotonic() > deadline:
                raise ServeError(f"PostgreSQL is not accepting connections: {error}") from None
            time.sleep(0.2)


def create_roles_and_database(con: Connection) -> None:
    """As the superuser: the two roles (passwords set from the credentials) and the
    database owned by ncpm_owner; other databases closed to PUBLIC. Idempotent."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(**con.kwargs(ADMIN, "postgres"), autocommit=True) as admin:
        for role, password in ((OWNER, con.credentials.owner), (BI, con.credentials.bi)):
            exists = admin.execute("select 1 from pg_roles where rolname = %s", [role]).fetchone()
            verb = "alter" if exists else "create"
            admin.execute(
                sql.SQL(
                    verb + " role {} login nosuperuser nocreatedb nocreaterole noreplication "
                    "nobypassrls password {}"
                ).format(sql.Identifier(role), sql.Literal(password))
            )
        admin.execute(sql.SQL("alter role {} connection limit 100").format(sql.Identifier(BI)))
        if not admin.execute(
            "select 1 from pg_database where datname = %s", [con.database]
        ).fetchone():
            admin.execute(
                sql.SQL("create database {} owner {} encoding 'UTF8' template template0").format(
                    sql.Identifier(con.database), sql.Identifier(OWNER)
                )
            )
        for other in ("postgres", "template1"):
            admin.execute(
                sql.SQL("revoke connect, temporary on database {} from public").format(
                    sql.Identifier(other)
                )
            )
    with psycopg.connect(**con.kwargs(OWNER)) as owner:
        apply_grants(owner, con.database)


def apply_grants(conn, database: str) -> None:
    """As ncpm_owner (the database's owner): least privilege for ncpm_bi. Idempotent.

    PUBLIC may neither connect to the database nor create temporary tables, and may neither
    use nor create in schema ``public``; ncpm_bi may connect, and reads ``marts`` only
    (its USAGE is granted on each schema as it is swapped in as ``marts``, see
    :mod:`ncpm.serve.load`). Tables ncpm_owner creates are readable by ncpm_bi by default,
    which opens nothing by itself: ncpm_bi has USAGE on no other schema.
    """
    from psycopg import sql

    db, bi = sql.Identifier(database), sql.Identifier(BI)
    for statement in (
        sql.SQL("revoke all on database {} from public").format(db),
        sql.SQL("grant connect on database {} to {}").format(db, bi),
        sql.SQL("revoke all on schema public from public"),
        sql.SQL("alter default privileges for role {} grant select on tables to {}").format(
            sql.Identifier(OWNER), bi
        ),
    ):
        conn.execute(statement)
    conn.commit()


# --------------------------------------------------------------------------- commands


def up(s: Settings | None = None, say=print) -> int:
    """Create (first time) and start the cluster; make the roles and database. Exit code."""
    s = s or settings_module.get()
    if s.pg_host not in LOCAL_HOSTS:
        raise ServeRefused(
            f"NCPM_PG_HOST={s.pg_host} names another server: ncpm serve up starts the "
            "project's own cluster on 127.0.0.1 only. To use an existing server, load into it "
            "with ncpm serve load (docs/bi.md)."
        )
    c = cluster(s)
    pid = c.running_pid() if c.initialised() else None
    if not pid and port_in_use("127.0.0.1", s.pg_port):
        raise ServeRefused(
            f"port {s.pg_port} on 127.0.0.1 is already in use by another program: stop it, "
            "or choose another port with NCPM_PG_PORT (e.g. NCPM_PG_PORT=5434)."
        )
    con = connection(s, generate=True)
    if not c.initialised():
        say(f"==> initdb {c.data} (PostgreSQL in {c.bin_dir})")
        c.init(con.credentials.admin)
    if pid:
        running_port = c.running_port()
        if running_port != s.pg_port:
            raise ServeRefused(
                f"the cluster in {c.data} already runs on port {running_port} (pid {pid}), "
                f"not NCPM_PG_PORT={s.pg_port}: run ncpm serve down first."
            )
        say(f"==> already running on 127.0.0.1:{running_port} (pid {pid})")
    else:
        say(f"==> starting PostgreSQL on 127.0.0.1:{s.pg_port} (log {c.log})")
        c.start()
    if con.credentials.admin is None:
        raise ServeError(f"{credentials_path(s)} lacks NCPM_PG_ADMIN_PASSWORD")
    wait_ready(con.kwargs(ADMIN, "postgres"))
    create_roles_and_database(con)
    say(
        f"==> ready: host 127.0.0.1 port {s.pg_port} database {s.pg_database}; "
        f"BI login {BI} (read-only, schema {SERVING_SCHEMA}); passwords in {credentials_path(s)}"
    )
    return 0


def down(s: Settings | None = None, say=print) -> int:
    s = s or settings_module.get()
    c = cluster(s)
    if c.stop():
        say(f"==> stopped the cluster in {c.data}")
    else:
        say(f"==> not running (no live postmaster for {c.data})")
    return 0


def status(s: Settings | None = None, say=print) -> int:
    """Print the cluster's state and the publication it serves. Exit 0 running, 3 stopped."""
    s = s or settings_module.get()
    c = cluster(s)
    pid = c.running_pid()
    if not c.initialised():
        say(f"not created: no cluster in {c.data} (ncpm serve up creates it)")
        return 3
    if not pid:
        say(f"stopped: cluster in {c.data} (ncpm serve up starts it)")
        return 3
    port = c.running_port()
    say(f"running: pid {pid}, 127.0.0.1:{port}, data {c.data}, log {c.log}")
    try:
        import psycopg

        con = connection(s)
        with psycopg.connect(**{**con.kwargs(BI), "port": port or s.pg_port}) as bi:
            row = None
            if bi.execute("select to_regclass('marts.publication_info')").fetchone()[0]:
                row = bi.execute(
                    "select publication_id, loaded_at from marts.publication_info"
                ).fetchone()
        say(f"serving: {row[0]} (loaded {row[1]:%Y-%m-%d %H:%M %Z})" if row else "serving: none")
    except Exception as error:  # status informs; it never fails on what it cannot read
        say(f"serving: unknown ({str(error).strip().splitlines()[0]})")
    return 0
