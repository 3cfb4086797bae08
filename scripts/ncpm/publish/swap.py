"""Step 5: the work folder becomes publications/<period>/ in one atomic rename.

An existing publication of the period is refused unless the run revises it; then the
earlier one is kept as publications/<period>.revision-<n>/. A lock file in
publications/.staging/ allows one publish at a time per publications folder: the pipeline
takes it before anything else (before the build), and a second run is refused at once,
naming the holder. The work folders of a run that was killed are cleared by the next run,
which holds the lock.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shlex
import shutil
import socket
import sys
from pathlib import Path

from ncpm.periods import PublicationPeriod
from ncpm.publish.common import STAGING, UsageError, fsync_dir, say

LOCK_ADVICE = (
    "wait for it to finish, then run this again; a lock left by a run that was killed dies "
    "with its process and is taken over automatically by the next run"
)


def _holder_text(raw: bytes) -> str:
    """Who holds the lock, from what the holder wrote into the lock file, in words."""
    try:
        holder = json.loads(raw.decode())
        return (
            f"pid {holder['pid']} on {holder['host']}, started {holder['started']}, "
            f"command: {holder['command']}"
        )
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        text = raw.decode(errors="replace").strip()
        return f"pid {text}" if text else "a process that has not written its details yet"


class PublishLock:
    """One publish at a time per publications folder.

    An exclusive ``fcntl.flock`` on publications/.staging/publish.lock, taken without
    waiting. The holder writes its pid, host, start time and command line into the file; a
    second run is refused at once, naming them. The kernel releases a flock when its
    process dies (a SIGKILL included), so a lock left by a killed run is never stale: the
    next run simply takes it (and overwrites the details).
    """

    def __init__(self, publications: Path):
        self.staging = publications / STAGING
        self.staging.mkdir(parents=True, exist_ok=True)
        self.path = self.staging / "publish.lock"
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)

    def __enter__(self) -> PublishLock:
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder_text(os.pread(self.fd, 4096, 0))
            os.close(self.fd)
            raise UsageError(
                f"another publish is running ({holder}); it holds the lock {self.path}, so "
                f"nothing was done: {LOCK_ADVICE}."
            ) from None
        details = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "command": " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv])[:300],
        }
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, json.dumps(details).encode(), 0)
        os.fsync(self.fd)
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
