"""The landed raw files: where a source_file is, and its rows as published."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from typing import Any

from ncpm import settings
from ncpm.trace.model import Trace


def read_raw_rows(path: Path, row_numbers: set[int]) -> dict[int, dict[str, str]]:
    """The given data rows (1 = first row after the header) of a landed CSV file, as published."""
    found: dict[int, dict[str, str]] = {}
    with path.open(newline="", encoding="utf-8-sig") as f:
        for number, row in enumerate(csv.DictReader(f), start=1):
            if number in row_numbers:
                found[number] = row
                if len(found) == len(row_numbers):
                    break
    return found


def resolve_raw_file(source_file: str) -> Path:
    path = Path(source_file)
    return path if path.is_absolute() else settings.root() / path


def attach_published_text(
    trace: Trace, rows: list[dict[str, Any]], columns: list[tuple[str, ...]]
) -> None:
    """Each row's cells as published in its landed file (read from the file itself).

    ``columns[i]`` are the landed file's columns printed for ``rows[i]``; the last one
    holds the text its value was read from (``published_text``).
    """
    by_file: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        by_file[row["source_file"]].add(row["source_row_number"])
    cells: dict[tuple[str, int], dict[str, str]] = {}
    for source_file, numbers in sorted(by_file.items()):
        trace.raw_files.append(source_file)
        path = resolve_raw_file(source_file)
        if not path.exists():
            trace.notes.append(f"raw file {source_file} is no longer in place (archived?)")
            continue
        for number, raw in read_raw_rows(path, numbers).items():
            cells[(source_file, number)] = raw
    for row, wanted in zip(rows, columns, strict=True):
        raw = cells.get((row["source_file"], row["source_row_number"]), {})
        row["published"] = {c: raw.get(c) for c in wanted}
        row["published_text"] = raw.get(wanted[-1])
