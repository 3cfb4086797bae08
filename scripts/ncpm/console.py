"""Progress and messages on the terminal, the way the ecosystem shows them (rich).

Progress bars draw only on a terminal; in CI and in pipes they fall back to one plain line
per step, so logs stay readable.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

T = TypeVar("T")

console = Console(stderr=True, highlight=False)


def progress() -> Progress:
    """A rich progress display for long steps (transient off: the finished bars stay)."""
    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not console.is_terminal,
    )


def progress_over(items: Iterable[T], what: str, enabled: bool = True) -> Iterator[T]:
    """Yield ``items``, showing a bar of ``what`` on a terminal and a line per item elsewhere."""
    items = list(items)
    if not enabled:
        yield from items
        return
    with progress() as bar:
        task = bar.add_task(what, total=len(items))
        for number, item in enumerate(items, 1):
            bar.update(task, description=f"{what}: {item}")
            if not console.is_terminal:
                print(f"==> [{number}/{len(items)}] {what}: {item}", file=sys.stderr, flush=True)
            yield item
            bar.advance(task)
