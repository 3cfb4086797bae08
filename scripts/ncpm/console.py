"""Progress and messages on the terminal, the way the ecosystem shows them (rich).

Progress bars draw only on a terminal; in CI and in pipes they fall back to one plain line
per step, so logs stay readable. :class:`Steps` shows the numbered steps of a long command
(``ncpm publish``), and :func:`say` prints a line of its output either way.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from rich.console import Console
from rich.markup import escape
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


# --------------------------------------------------------------------------- numbered steps

_steps: Progress | None = None  # the live display of the running Steps, if any


def say(message: str) -> None:
    """One line of a command's output: above the live step display on a terminal, else stdout."""
    if _steps is not None:
        _steps.console.print(message, markup=False, highlight=False, soft_wrap=True)
    else:
        print(message, flush=True)


class Step:
    """A running step of :class:`Steps`; set ``outcome`` to say how it ended (default done)."""

    def __init__(self, number: int, text: str):
        self.number = number
        self.text = text
        self.outcome = "done"


class Steps:
    """The numbered steps of a long command (``ncpm publish``), shown the ecosystem's way.

    On a terminal: a rich display with one line per step (a spinner and a pulsing bar while it
    runs, a tick, how it ended and its time when done, a cross when it failed) under an
    overall bar.
    Elsewhere (CI logs, pipes, tests): plain lines, ``==> [2/7] export ...`` when a step starts
    and ``    done (3.1 s)`` when it ends. ``live`` forces one or the other.
    """

    def __init__(self, title: str, total: int, live: bool | None = None):
        self.title = title
        self.total = total
        self.live = console.is_terminal if live is None else live
        self._progress: Progress | None = None
        self._overall = None

    def __enter__(self) -> Steps:
        global _steps
        if self.live:
            self._progress = Progress(
                SpinnerColumn(finished_text=" "),  # the step's line carries its own mark
                TextColumn("{task.description}"),
                BarColumn(),
                TimeElapsedColumn(),
                console=console,
            )
            self._overall = self._progress.add_task(f"[bold]{self.title}", total=self.total)
            self._progress.start()
            _steps = self._progress
        return self

    def __exit__(self, *exc) -> None:
        global _steps
        if self._progress is not None:
            self._progress.stop()
            _steps = None

    @contextmanager
    def step(self, number: int, text: str) -> Iterator[Step]:
        """Run one step: ``with steps.step(2, "export ...") as step: ...``."""
        current = Step(number, text)
        label = f"[{number}/{self.total}] {text}"
        started = time.perf_counter()
        progress = self._progress
        if progress is None:
            say(f"==> {label}")
            yield current
            say(f"    {current.outcome} ({time.perf_counter() - started:.1f} s)")
            return
        task = progress.add_task(escape(label), total=None)
        try:
            yield current
        except BaseException:
            failed = f"[red]✗ {escape(label)}: failed[/]"
            progress.update(task, description=failed, total=1, completed=1)
            raise
        done = f"[green]✓[/] {escape(label)}: {escape(current.outcome)}"
        progress.update(task, description=done, total=1, completed=1)
        progress.advance(self._overall)
