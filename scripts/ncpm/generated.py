"""Files generated from the feed registry and the metric catalogue: write them, or check them.

`ncpm semantic` (the dbt-side files) and `ncpm gx` (the Great Expectations suites) each
render a mapping of path -> text and hand it to :func:`write_or_check`. The files are
committed; ``--check`` (and tests/python/test_generated.py) fail when one is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path


def stale(files: dict[Path, str]) -> list[Path]:
    """The files whose text on disk differs from what would be written."""
    return [
        path
        for path, text in files.items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]


def write_or_check(files: dict[Path, str], root: Path, command: str, check: bool) -> int:
    """Write every file (exit code 0), or with ``check`` exit 1 naming each stale one."""
    if check:
        out_of_date = stale(files)
        for path in out_of_date:
            print(
                f"{path.relative_to(root)} is out of date with seeds/reference/ref_feeds.csv "
                f"and ref_metric_catalogue.csv: run `{command}` and commit it.",
                file=sys.stderr,
            )
        if not out_of_date:
            print(f"{len(files)} generated files are up to date.")
        return 1 if out_of_date else 0
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(root)}")
        else:
            print(f"unchanged {path.relative_to(root)}")
    return 0
