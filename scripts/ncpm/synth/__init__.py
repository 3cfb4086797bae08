"""Deterministic generators of the SYNTHETIC sample raw files, one module per feed.

Each module ``ncpm.synth.<feed>`` writes the invented sample of the feed it is named after
(``victim_survey`` writes both victim survey feeds) and must write the same bytes for the same
arguments. A module whose sample is derived from another feed's names it in ``AFTER``.
Generators are found by module name, so adding one is adding a module: there is no list.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from ncpm.synth import common

_NOT_GENERATORS = {"common"}


def generators() -> dict[str, ModuleType]:
    """Every generator module by feed name, in an order where each comes after its ``AFTER``."""
    found = {
        info.name: importlib.import_module(f"{__name__}.{info.name}")
        for info in pkgutil.iter_modules(__path__)
        if info.name not in _NOT_GENERATORS and not info.name.startswith("_")
    }
    ordered: dict[str, ModuleType] = {}

    def visit(name: str) -> None:
        if name in ordered:
            return
        for before in getattr(found[name], "AFTER", ()):
            visit(before)
        ordered[name] = found[name]

    for name in sorted(found):
        visit(name)
    return ordered


def summary(module: ModuleType) -> str:
    """The first line of a generator's docstring."""
    return (module.__doc__ or "").strip().splitlines()[0]


def run(feed: str, args: list[str] | tuple[str, ...] = ()) -> int:
    """Run the generator of ``feed`` with its own options ``args`` (``--help`` lists them)."""
    module = generators()[feed]
    common.PROG = f"ncpm synth --feed {feed} --"
    return module.main(list(args))
