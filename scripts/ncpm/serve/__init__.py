"""The PostgreSQL serving database: BI tools connect to it as the read-only login ncpm_bi.

* :mod:`ncpm.serve.cluster`: ``ncpm serve up | down | status``, a local PostgreSQL cluster
  the project owns (``warehouse/postgres/``), its roles, grants and credentials;
* :mod:`ncpm.serve.load`: :func:`load_publication`, which copies one publication folder into
  a new schema and swaps it in as ``marts`` in one transaction (``ncpm serve load``).

Connection settings come from ``ncpm.settings`` (``NCPM_PG_*``); see docs/bi.md.
"""

from __future__ import annotations

from ncpm.serve.load import LoadError, LoadResult, load_publication

__all__ = ["LoadError", "LoadResult", "load_publication"]
