"""What every step of the publication shares: its errors, its output, file digests."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ncpm import published
from ncpm.console import say

STAGING = ".staging"  # publications/.staging/: work folders and the lock, never published
FAILED_RUNS = "failed-runs"  # publications/failed-runs/: validation reports of runs that failed
SCORECARD = published.SCORECARD
REVISIONS = published.REVISIONS
REFERENCE_TABLES = published.REFERENCE_TABLES  # the serving database loads them too

__all__ = [
    "FAILED_RUNS",
    "REFERENCE_TABLES",
    "REVISIONS",
    "SCORECARD",
    "STAGING",
    "PublishError",
    "UsageError",
    "say",
]


class PublishError(Exception):
    """A step failed: the message says what and what to do next (exit 1)."""


class UsageError(Exception):
    """Bad arguments or a refusal (exit 2)."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
