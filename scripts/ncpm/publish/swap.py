"""Step 5: the work folder becomes publications/<period>/ in one atomic rename.

An existing publication of the period is refused unless the run revises it; then the
earlier one is kept as publications/<period>.revision-<n>/. A lock file in
publications/.staging/ allows one publish at a time per publications folder; the work
folders of a run that was killed are cleared by the next run, which holds the lock.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from pathlib import Path

from ncpm.periods import PublicationPeriod
from ncpm.publish.common import STAGING, UsageError, fsync_dir, say


class PublishLock:
    """One publish at a time per publications folder (released when the process dies)."""

    def __init__(self, publications: Path):
        self.staging = publications / STAGING
        self.staging.mkdir(parents=True, exist_ok=True)
        self.path = self.staging / "publish.lock"
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)

    def __enter__(self) -> PublishLock:
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(self.fd, 64, 0).decode(errors="replace").strip()
            os.close(self.fd)
            raise UsageError(
                f"another publish is running (pid {holder or 'unknown'}); wait for it to finish."
            ) from None
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, str(os.getpid()).encode(), 0)
        return self

    def __exit__(self, *exc) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)

    def clear_stale_work(self) -> None:
        """Work folders left by a run that was killed (we hold the lock, so none is live)."""
        for stale in self.staging.iterdir():
            if stale.is_dir():
                say(f"    removing the work folder of an interrupted run: {stale.name}")
                shutil.rmtree(stale)

    def work_folder(self, period: PublicationPeriod) -> Path:
        """This run's work folder (not created): .staging/<period>-<pid>."""
        return self.staging / f"{period.label}-{os.getpid()}"


def existing_revisions(publications: Path, period: PublicationPeriod) -> list[int]:
    revisions = []
    current = publications / period.label / "manifest.json"
    if current.exists():
        revisions.append(json.loads(current.read_text())["publication"]["revision"])
    for kept in publications.glob(f"{period.label}.revision-*"):
        suffix = kept.name.rsplit("-", 1)[-1]
        if suffix.isdigit():
            revisions.append(int(suffix))
    return revisions


def next_revision(publications: Path, period: PublicationPeriod) -> int:
    return max(existing_revisions(publications, period), default=0) + 1


def refuse_overwrite(publications: Path, period: PublicationPeriod) -> None:
    if (publications / period.label).exists():
        raise UsageError(
            f"publication {period.label} already exists ({publications / period.label}). It is "
            "never overwritten silently: to publish a revision run make publish "
            f"PERIOD={period.label} REVISE=1 (ncpm publish --period {period.label} "
            "--revise); the earlier one is kept as a numbered revision."
        )


def move_into_place(
    work: Path, publications: Path, period: PublicationPeriod, revise: bool
) -> Path | None:
    """Rename the work folder to publications/<period>; keep an earlier one as a revision."""
    final = publications / period.label
    kept = None
    if final.exists():
        if not revise:
            refuse_overwrite(publications, period)
        previous = json.loads((final / "manifest.json").read_text())["publication"]["revision"]
        kept = publications / f"{period.label}.revision-{previous}"
        os.rename(final, kept)
    os.rename(work, final)
    fsync_dir(publications)
    return kept
