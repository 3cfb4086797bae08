"""The numbered steps of a long command: plain lines in logs, a live display on a terminal."""

from __future__ import annotations

import pytest

from ncpm.console import Steps, say
from ncpm.publish.pipeline import Hooks


def test_plain_steps_print_one_line_when_each_starts_and_ends(capsys):
    with Steps("publish 2026-06", 2, live=False) as steps:
        with steps.step(1, "build"):
            say("    dbt output")
        with steps.step(2, "swap") as step:
            step.outcome = "swapped in"
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "==> [1/2] build"
    assert lines[1] == "    dbt output"
    assert lines[2].startswith("    done (") and lines[2].endswith(" s)")
    assert lines[3] == "==> [2/2] swap"
    assert lines[4].startswith("    swapped in (")


def test_live_steps_let_a_failure_through_and_stop_the_display(capsys):
    with pytest.raises(RuntimeError, match="boom"), Steps("publish", 2, live=True) as steps:
        with steps.step(1, "build [not markup]"):
            pass
        with steps.step(2, "export"):
            raise RuntimeError("boom")
    # after the display, lines go to standard output again
    say("after")
    assert capsys.readouterr().out.endswith("after\n")


def test_hooks_are_called_with_the_path_and_absent_ones_are_skipped(tmp_path):
    seen = []
    hooks = Hooks(after_export=seen.append)
    hooks.call("after_export", tmp_path)
    hooks.call("after_swap", tmp_path)
    assert seen == [tmp_path]
