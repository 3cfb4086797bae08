"""An interrupted `ncpm spark-check` stops the whole step it was running, children included.

A step such as `ncpm publish --target spark` runs dbt as its child. Interrupting the check
used to kill the step's own process only: its dbt went on, against a Thrift server the
check had just stopped. No Spark here: the step is a Python process whose child ignores
SIGINT and SIGTERM, as a dbt stuck on a dead server would. A SIGTERM to the check (a CI
timeout) stops the step the same way (ncpm.spark_check.sigterm_as_exit).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

import pytest

from ncpm import spark_check
from ncpm.serve.cluster import process_alive

CHILD = (
    "import signal, time\n"
    "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
    "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "time.sleep(300)\n"
)


def step_script(pid_file: Path) -> str:
    return (
        "import subprocess, sys, time\n"
        f"child = subprocess.Popen([sys.executable, '-c', {CHILD!r}])\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(300)\n"
    )


def interrupt(signum, frame):
    raise KeyboardInterrupt


@pytest.mark.parametrize(
    ("sent", "raised"),
    [(signal.SIGUSR1, KeyboardInterrupt), (signal.SIGTERM, SystemExit)],
    ids=["ctrl-c", "sigterm"],
)
def test_an_interrupted_step_stops_its_child_too(tmp_path, monkeypatch, sent, raised):
    """Ctrl-C (SIGUSR1 raising KeyboardInterrupt here, as SIGINT would) or a SIGTERM."""
    monkeypatch.setattr(spark_check, "STEP_STOP_SECONDS", 2.0)
    pid_file = tmp_path / "child.pid"
    previous = signal.signal(signal.SIGUSR1, interrupt)
    try:
        with spark_check.sigterm_as_exit():
            timer = threading.Timer(3.0, os.kill, (os.getpid(), sent))
            timer.start()
            try:
                with pytest.raises(raised):
                    spark_check.run_step(
                        [sys.executable, "-c", step_script(pid_file)],
                        tmp_path,
                        dict(os.environ),
                        "a step with a child",
                        tmp_path / "step.log",
                    )
            finally:
                timer.cancel()
    finally:
        signal.signal(signal.SIGUSR1, previous)
    child = int(pid_file.read_text())  # written before the interrupt: the child ran
    assert not process_alive(child), "the step's child survived the interrupted check"
