"""The source contract of each landed feed, read from the dbt source YAML.

The columns a landed file must have are declared once, in the feed's source YAML
(``models/staging/<feed>/_<feed>__sources.yml``). ``ncpm land`` checks a new file against
them here; ``dbt build`` checks every file already in the landing folder against the same
declaration before any model runs (macro ``check_source_contracts``), with the same rules
and the same wording:

* every declared column is present, and no other (the reader's own ``filename`` and
  ``ordinality`` are not file columns);
* no column is repeated;
* the file holds at least one data row;
* the file is UTF-8 text.

A headerless source (the wide seizures tables, ``meta.headerless_columns``) has no column
list: its header row is checked cell by cell when it is landed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from ncpm import settings

READER_COLUMNS = ("filename", "ordinality")


@dataclass(frozen=True)
class SourceContract:
    folder: str  # the landing folder (= the source table's name)
    columns: tuple[str, ...]  # empty for a headerless source
    yaml_path: str  # the YAML that declares it, relative to the project

    def problems(self, path: Path | str, header: list[str], data_rows: int) -> list[str]:
        """Every way a file with ``header`` and ``data_rows`` breaks the contract."""
        found = []
        rule = (
            f"rule: a landed file of {self.folder} has exactly the columns its source "
            f"declares in {self.yaml_path}"
        )
        if self.columns:
            cells = [cell.strip() for cell in header]
            found += [f"{path} lacks column '{c}' ({rule})" for c in self.columns if c not in cells]
            found += [
                f"{path} has column '{c}', which its source does not declare ({rule})"
                for c in dict.fromkeys(cells)
                if c not in self.columns
            ]
            found += [
                f"{path} repeats column '{c}' ({rule})"
                for c in dict.fromkeys(cells)
                if c and cells.count(c) > 1
            ]
        if data_rows == 0:
            found.append(
                f"{path} holds a header and no data row "
                "(rule: a landed file holds at least one data row)"
            )
        return found


def not_utf8_problem(path: Path | str, folder: str) -> str:
    """The message for a file that is not UTF-8 text (the same as the build's)."""
    return (
        f"{path} is not UTF-8 text (rule: raw files are UTF-8 CSV; save it as UTF-8 and "
        f"land it with `ncpm land {folder} <file>`)"
    )


@lru_cache(maxsize=4)
def contracts(models_dir: Path | None = None) -> dict[str, SourceContract]:
    """Every landed source's contract, by landing folder."""
    root = settings.root()
    folder = models_dir or root / "models"
    found = {}
    for path in sorted(folder.glob("staging/*/_*__sources.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for source in document.get("sources", []):
            source_meta = source.get("meta") or {}
            for table in source.get("tables", []):
                meta = {**source_meta, **(table.get("meta") or {})}
                if not meta.get("landing_folder"):
                    continue
                columns = (
                    ()
                    if meta.get("headerless_columns")
                    else tuple(
                        c["name"]
                        for c in table.get("columns", [])
                        if c["name"] not in READER_COLUMNS
                    )
                )
                relative = path.relative_to(root) if path.is_relative_to(root) else path
                found[table["name"]] = SourceContract(table["name"], columns, str(relative))
    return found
