"""Opening the warehouse file, and saying plainly who holds it when it is locked.

DuckDB allows one writer per file (or any number of readers when nobody writes). A second
process that tries to open a file another holds gets DuckDB's lock error; every command
that opens the warehouse turns it into one sentence naming the holder (pid, command, start
time), the file, and where BI tools must read instead.
"""

from __future__ import annotations

import os
import re
import socket
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

LOCK_ERROR = re.compile(
    r'Could not set lock on file "(?P<file>[^"]+)": Conflicting lock is held in '
    r"(?P<executable>.+?) \(PID (?P<pid>\d+)\)"
)
PUBLISHED_COPY_HINT = "warehouse/published/ncpm.duckdb"


@dataclass(frozen=True)
class LockHolder:
    pid: int
    executable: str
    command: str | None  # its command line, when this machine can read it
    started: str | None  # its start time (local), when this machine can read it


class WarehouseLockedError(RuntimeError):
    """The warehouse file is locked by another process; the message says by whom."""

    exit_code = 2


def _process_details(pid: int) -> tuple[str | None, str | None]:
    """(command line, start time) of a local process, from /proc; Nones when unreadable."""
    proc = Path("/proc") / str(pid)
    try:
        command = " ".join((proc / "cmdline").read_bytes().replace(b"\0", b" ").decode().split())
        if len(command) > 160:
            command = command[:157] + "..."
        ticks = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        boot = datetime.now().timestamp() - uptime
        started = datetime.fromtimestamp(boot + ticks / os.sysconf("SC_CLK_TCK"))
        return command or None, started.strftime("%Y-%m-%d %H:%M:%S")
    except (OSError, ValueError, IndexError):
        return None, None


def holder_from_error(text: str) -> tuple[str, LockHolder] | None:
    """(locked file, holder) from DuckDB's lock error text, or None if it is not one."""
    match = LOCK_ERROR.search(text or "")
    if not match:
        return None
    pid = int(match.group("pid"))
    command, started = _process_details(pid)
    return match.group("file"), LockHolder(pid, match.group("executable"), command, started)


def lock_message(file: str, holder: LockHolder) -> str:
    """The one sentence every command prints for a locked warehouse file."""
    who = f"process {holder.pid} on {socket.gethostname()}"
    details = [f"command: {holder.command or holder.executable}"]
    if holder.started:
        details.append(f"started {holder.started}")
    return (
        f"{file} is locked by {who} ({'; '.join(details)}), so nothing was done: wait for it "
        f"to finish or stop it, then run this again; BI tools must read {PUBLISHED_COPY_HINT} "
        "(the published copy), never the build file."
    )


def locked_error(error_text: str) -> WarehouseLockedError | None:
    """A WarehouseLockedError for DuckDB's lock error text, or None if it is not one."""
    found = holder_from_error(error_text)
    return WarehouseLockedError(lock_message(*found)) if found else None


def connect(path: Path | str, read_only: bool = False):
    """duckdb.connect, raising WarehouseLockedError (naming the holder) on a lock conflict."""
    import duckdb

    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as error:
        locked = locked_error(str(error))
        if locked is None:
            raise
        raise locked from None


def check_not_locked(path: Path) -> None:
    """Raise WarehouseLockedError if another process holds ``path`` (a missing file is free)."""
    if Path(path).exists():
        connect(path, read_only=False).close()
