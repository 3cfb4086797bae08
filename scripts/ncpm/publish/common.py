"""What every step of the publication shares: its errors, its output, file digests."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ncpm.console import say

STAGING = ".staging"  # publications/.staging/: work folders and the lock, never published
FAILED_RUNS = "failed-runs"  # publications/failed-runs/: validation reports of runs that failed
SCORECARD = "rpt_measures_scorecard"
REVISIONS = "rpt_revisions"
# The marts a publication carries beside its measure facts and the scorecard, for BI: the
# conformed dimensions (names of areas, metrics and periods) and the stacked measures with
# names. They are what the board dashboard (exposure board_dashboard) reads; the serving
# database loads them with the facts. rpt_revisions, the revision history as of the
# publication, is exported later (step 4, ncpm.publish.record), once its log is written.
REFERENCE_TABLES = ("dim_area", "dim_metric", "dim_period", "rpt_all_measures")

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
