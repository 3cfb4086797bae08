"""Paths and environment variables, read in one place.

Every path the project uses, and every ``NCPM_*`` environment variable with its default,
is here. :func:`get` reads the environment once per process; pass an ``environ`` mapping
to :meth:`Settings.from_env` to build settings for a sandbox (tests do).

The project root is the folder holding ``dbt_project.yml``: ``NCPM_PROJECT_DIR`` when set,
else the checkout this package was installed from (``make build`` installs it editable),
else the nearest parent of the working directory that has one.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent

#: Every environment variable the package reads, its default and meaning (``ncpm --help``
#: and docs/runbook.md list these).
VARIABLES: dict[str, tuple[str, str]] = {
    "NCPM_PROJECT_DIR": ("(the checkout)", "the dbt project folder"),
    "NCPM_DUCKDB_PATH": ("warehouse/ncpm.duckdb", "the DuckDB file dbt builds"),
    "NCPM_RAW_DIR": ("seeds/raw", "the landing folder, one sub-folder per raw feed"),
    "NCPM_PUBLICATIONS_DIR": ("publications", "where publications are written"),
    "NCPM_PUBLISHED_DUCKDB_PATH": (
        "warehouse/published/ncpm.duckdb",
        "the read-only copy BI tools open",
    ),
    "DBT_TARGET_PATH": ("target", "dbt's artefacts (manifest, run results)"),
    "NCPM_TARGET": ("duckdb", "the dbt target: duckdb, spark or spark_session"),
    "NCPM_REALDATA_DIR": ("(unset)", "genuine published files for the tests"),
    "NCPM_PG_HOST": ("127.0.0.1", "the PostgreSQL serving database's host (ncpm serve)"),
    "NCPM_PG_PORT": ("5433", "its port"),
    "NCPM_PG_DATABASE": ("ncpm", "its database"),
    "NCPM_PG_OWNER_PASSWORD": (
        "(generated)",
        "password of ncpm_owner, which loads publications (else in credentials.env)",
    ),
    "NCPM_PG_BI_PASSWORD": (
        "(generated)",
        "password of ncpm_bi, the read-only BI login (else in credentials.env)",
    ),
    "NCPM_PG_DIR": (
        "warehouse/postgres",
        "the local cluster ncpm serve up runs: data/, log/, credentials.env",
    ),
    "NCPM_SPARK_HOST": ("localhost", "the Spark Thrift server's host (dbt target spark)"),
    "NCPM_SPARK_PORT": ("10000", "the Spark Thrift server's port (ncpm spark up listens on it)"),
    "NCPM_SPARK_MASTER_PORT": ("7077", "the standalone master's port (ncpm spark up)"),
    "NCPM_SPARK_MASTER_UI_PORT": ("8080", "the master's web UI and JSON status (ncpm spark up)"),
    "NCPM_SPARK_WORKER_MEMORY": ("2g", "memory each of the two workers offers (ncpm spark up)"),
    "NCPM_SPARK_DIR": (
        "warehouse/spark",
        "the local cluster ncpm spark up runs: run/ (pids, logs), metastore/, tables/",
    ),
    "NCPM_SPARK_VENV": (".venv-spark", "the environment dbt-spark and pyspark are installed in"),
    "NCPM_SUPERSET_PORT": ("8088", "the port Superset listens on (ncpm dashboard up), 127.0.0.1"),
    "NCPM_SUPERSET_DIR": (
        "warehouse/superset",
        "Superset's metadata store, config, credentials.env, pid file and log",
    ),
    "NCPM_SUPERSET_VENV": (".venv-superset", "the environment Superset is installed in"),
    "NCPM_SUPERSET_ADMIN": ("admin", "the Superset admin user (else in credentials.env)"),
    "NCPM_SUPERSET_PASSWORD": ("(generated)", "its password (else in credentials.env)"),
}


class ProjectNotFoundError(RuntimeError):
    """No dbt project could be found for the package to work on."""


def _is_project(path: Path) -> bool:
    return (path / "dbt_project.yml").is_file()


def find_root(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> Path:
    """The project root (see the module docstring for the order searched)."""
    environ = os.environ if environ is None else environ
    explicit = environ.get("NCPM_PROJECT_DIR")
    if explicit:
        path = Path(explicit).resolve()
        if not _is_project(path):
            raise ProjectNotFoundError(
                f"NCPM_PROJECT_DIR={explicit} holds no dbt_project.yml: point it at the "
                "project folder, or unset it."
            )
        return path
    installed_from = PACKAGE_DIR.parents[1]  # <root>/scripts/ncpm
    if _is_project(installed_from):
        return installed_from
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if _is_project(folder):
            return folder
    raise ProjectNotFoundError(
        "no dbt project found: run ncpm inside the project folder or set NCPM_PROJECT_DIR."
    )


@dataclass(frozen=True)
class Settings:
    root: Path
    duckdb_path: Path
    raw_dir: Path
    publications_dir: Path
    published_duckdb_path: Path
    target_dir: Path
    dbt_target: str
    realdata_dir: Path | None
    pg_host: str = "127.0.0.1"
    pg_port: int = 5433
    pg_database: str = "ncpm"
    pg_dir: Path | None = None
    # None when unset: ncpm.serve then reads (or, for its own cluster, writes) credentials.env.
    pg_owner_password: str | None = field(default=None, repr=False)
    pg_bi_password: str | None = field(default=None, repr=False)
    spark_host: str = "localhost"
    spark_port: int = 10000
    spark_master_port: int = 7077
    spark_master_ui_port: int = 8080
    spark_worker_memory: str = "2g"
    spark_dir: Path | None = None
    spark_venv: Path | None = None
    superset_port: int = 8088
    superset_dir: Path | None = None
    superset_venv: Path | None = None

    @property
    def reference_dir(self) -> Path:
        return self.root / "seeds" / "reference"

    @property
    def models_dir(self) -> Path:
        return self.root / "models"

    @property
    def gx_dir(self) -> Path:
        return self.root / "gx" / "expectations"

    @property
    def bin_dir(self) -> Path:
        """The environment's executables (dbt, ...): those beside this Python."""
        return Path(sys.executable).parent

    @property
    def on_spark(self) -> bool:
        """The dbt target is a Spark one (spark, spark_session)."""
        return self.dbt_target.startswith("spark")

    @property
    def dbt(self) -> str:
        """dbt of this environment; on a Spark target, the Spark environment's (dbt-spark)."""
        if self.on_spark and self.spark_venv is not None:
            return str(self.spark_venv / "bin" / "dbt")
        return str(self.bin_dir / "dbt")

    def dbt_env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """The environment dbt runs with: this process's, with the project's paths fixed."""
        env = dict(os.environ)
        env.setdefault("DBT_PROFILES_DIR", str(self.root))
        env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
        env["NCPM_DUCKDB_PATH"] = str(self.duckdb_path)
        env["NCPM_RAW_DIR"] = str(self.raw_dir)
        env["NCPM_PUBLICATIONS_DIR"] = str(self.publications_dir)
        env["NCPM_TARGET"] = self.dbt_target
        env["NCPM_SPARK_HOST"] = self.spark_host
        env["NCPM_SPARK_PORT"] = str(self.spark_port)
        env.update(extra or {})
        return env

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        root = find_root(environ)

        def path(name: str, default: str) -> Path:
            value = Path(environ.get(name) or default)
            return value if value.is_absolute() else root / value

        realdata = environ.get("NCPM_REALDATA_DIR")
        return cls(
            root=root,
            duckdb_path=path("NCPM_DUCKDB_PATH", "warehouse/ncpm.duckdb"),
            raw_dir=path("NCPM_RAW_DIR", "seeds/raw"),
            publications_dir=path("NCPM_PUBLICATIONS_DIR", "publications"),
            published_duckdb_path=path(
                "NCPM_PUBLISHED_DUCKDB_PATH", "warehouse/published/ncpm.duckdb"
            ),
            target_dir=path("DBT_TARGET_PATH", "target"),
            dbt_target=environ.get("NCPM_TARGET") or "duckdb",
            realdata_dir=Path(realdata) if realdata else None,
            pg_host=environ.get("NCPM_PG_HOST") or "127.0.0.1",
            pg_port=_port(environ.get("NCPM_PG_PORT") or "5433"),
            pg_database=environ.get("NCPM_PG_DATABASE") or "ncpm",
            pg_dir=path("NCPM_PG_DIR", "warehouse/postgres"),
            pg_owner_password=environ.get("NCPM_PG_OWNER_PASSWORD") or None,
            pg_bi_password=environ.get("NCPM_PG_BI_PASSWORD") or None,
            spark_host=environ.get("NCPM_SPARK_HOST") or "localhost",
            spark_port=_port(environ.get("NCPM_SPARK_PORT") or "10000", "NCPM_SPARK_PORT"),
            spark_master_port=_port(
                environ.get("NCPM_SPARK_MASTER_PORT") or "7077", "NCPM_SPARK_MASTER_PORT"
            ),
            spark_master_ui_port=_port(
                environ.get("NCPM_SPARK_MASTER_UI_PORT") or "8080", "NCPM_SPARK_MASTER_UI_PORT"
            ),
            spark_worker_memory=environ.get("NCPM_SPARK_WORKER_MEMORY") or "2g",
            spark_dir=path("NCPM_SPARK_DIR", "warehouse/spark"),
            spark_venv=path("NCPM_SPARK_VENV", ".venv-spark"),
            superset_port=_port(environ.get("NCPM_SUPERSET_PORT") or "8088", "NCPM_SUPERSET_PORT"),
            superset_dir=path("NCPM_SUPERSET_DIR", "warehouse/superset"),
            superset_venv=path("NCPM_SUPERSET_VENV", ".venv-superset"),
        )


def _port(text: str, name: str = "NCPM_PG_PORT") -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"{name}={text} is not a TCP port number (1-65535)")
    return int(text)


@lru_cache(maxsize=1)
def get() -> Settings:
    """The settings of this process, read from the environment once."""
    return Settings.from_env()


def root() -> Path:
    """The project root (shorthand for ``get().root``)."""
    return get().root
