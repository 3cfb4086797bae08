"""Helpers shared by the synthetic sample generators (``ncpm.synth.<feed>``).

Each generator writes one invented raw feed (or two) into ``seeds/raw/`` and must write the
same bytes for the same arguments: every helper here is deterministic given its inputs and
draws from the caller's ``random.Random`` in a fixed order. Changing how a helper draws
(how many random numbers it takes, or in which order) changes every sample that uses it;
``make synth`` followed by ``git status`` shows whether it did.

The generators are modules of this package, run through ``ncpm synth --feed <feed>``.

What is here:

* paths: ``ROOT``, ``REFERENCE`` (``seeds/reference``), ``RAW`` (``seeds/raw``),
  :func:`sample_path` (the default output file of a feed);
* financial periods: :func:`fy_label`, :func:`financial_quarters`, :func:`months`,
  :func:`parse_year_month`;
* random counts: :func:`poisson`, :func:`poisson_knuth`;
* reference data: :func:`read_reference`, :func:`load_pfas`, :func:`load_population`;
* output: :func:`write_csv`, :func:`report_rows`;
* the command line: :func:`argument_parser` and the ``add_*_argument`` functions for the
  options every generator has in common (``--out``, ``--last-year`` / ``--last-quarter``,
  ``--seed``).
"""

from __future__ import annotations

import argparse
import csv
import math
import random
from collections.abc import Iterable, Sequence
from pathlib import Path

from ncpm import periods, settings
from ncpm.periods import financial_quarters, fy_label, months  # noqa: F401 (re-exported)

ROOT = settings.root()
REFERENCE = ROOT / "seeds" / "reference"
RAW = ROOT / "seeds" / "raw"

#: The program name generators show in their usage line (set by :func:`ncpm.synth.run`).
PROG = "ncpm synth"
DEFAULT_SEED = 20190630
"""The seed every generator uses unless ``--seed`` says otherwise."""

EPILOG_NUMBERS = "Synthetic data: never present these numbers as published."
EPILOG_EVERY_NUMBER = "Synthetic data: every number is invented; never present them as published."
EPILOG_EVERY_RECORD = "Synthetic data: every record is invented; never present them as published."

POISSON_NORMAL_ABOVE = 50
"""Above this mean :func:`poisson` draws from the normal approximation instead."""


# --- paths -----------------------------------------------------------------------------


def sample_path(feed: str, file_name: str | None = None, raw_dir: Path = RAW) -> Path:
    """The sample file of a feed: ``<raw_dir>/<feed>/<feed>__synthetic_sample.csv``.

    ``file_name`` replaces the file name where a feed's sample is named otherwise;
    ``raw_dir`` (default ``seeds/raw``) is the landing folder that holds one folder a feed.
    """
    return raw_dir / feed / (file_name or f"{feed}__synthetic_sample.csv")


# --- financial periods (one definition, in ncpm.periods) --------------------------------


def parse_year_month(text: str) -> tuple[int, int]:
    """Read ``YYYY-MM`` as (year, month) for argparse; an argparse type error otherwise."""
    try:
        return periods.parse_year_month(text)
    except periods.PeriodError as exc:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM, got {text!r}") from exc


# --- random counts ---------------------------------------------------------------------


def poisson_knuth(rng: random.Random, lam: float) -> int:
    """A Poisson draw with mean ``lam`` by Knuth's product of uniforms (exact, slow for large
    ``lam``). It always takes at least one number from ``rng``, even when ``lam`` is 0.
    """
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def poisson(rng: random.Random, lam: float) -> int:
    """A count with mean ``lam``: Poisson, by the normal approximation above
    ``POISSON_NORMAL_ABOVE`` (rounded, never below 0); 0 without a draw when ``lam <= 0``.
    """
    if lam <= 0:
        return 0
    if lam > POISSON_NORMAL_ABOVE:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    return poisson_knuth(rng, lam)


# --- reference data --------------------------------------------------------------------


def read_reference(file_name: str) -> list[dict[str, str]]:
    """The rows of ``seeds/reference/<file_name>`` as dictionaries (every value text)."""
    with (REFERENCE / file_name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def load_pfas() -> list[dict[str, str]]:
    """The rows of ``ref_areas.csv`` for the 43 police force areas, in file order."""
    return [r for r in read_reference("ref_areas.csv") if r["area_level"] == "pfa"]


def load_population() -> dict[tuple[str, int], int]:
    """Population by (area code, year) from ``ref_population.csv``."""
    return {
        (r["area_code"], int(r["population_year"])): int(r["population"])
        for r in read_reference("ref_population.csv")
    }


# --- output ----------------------------------------------------------------------------


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    """Write ``header`` and ``rows`` as UTF-8 CSV with ``\\n`` line ends (creating the folder);
    return the number of rows written, header not counted.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def report_rows(count: int, path: Path) -> None:
    """Print the generators' usual closing line: ``wrote 1,234 rows to <path>``."""
    print(f"wrote {count:,} rows to {path}")


# --- the command line ------------------------------------------------------------------


def argument_parser(doc: str, epilog: str = EPILOG_NUMBERS) -> argparse.ArgumentParser:
    """The parser of a generator: the first paragraph of its docstring ``doc`` as the
    description, and ``epilog`` (one of the ``EPILOG_*`` warnings) below the options.
    """
    return argparse.ArgumentParser(
        prog=PROG,
        description=doc.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=epilog,
    )


def add_out_argument(
    parser: argparse.ArgumentParser, default: Path, what: str = "CSV to write"
) -> None:
    """``--out``: the file to write (``what`` describes it in the help), ``default`` if unset."""
    parser.add_argument("--out", type=Path, default=default, help=f"{what} (default: %(default)s)")


def add_last_quarter_arguments(
    parser: argparse.ArgumentParser,
    years: Sequence[int] | None = None,
    metavar: str | None = None,
) -> None:
    """``--last-year`` (start year of the last financial year, default 2026) and
    ``--last-quarter`` (1-4, default 1 = April-June): where a quarterly sample ends.

    ``years`` limits ``--last-year`` to those years (``metavar`` names them in the usage
    line); without it any year is accepted and the generator checks it.
    """
    parser.add_argument(
        "--last-year",
        type=int,
        default=2026,
        choices=years,
        metavar=metavar,
        help="start year of the last financial year written (default: %(default)s)",
    )
    parser.add_argument(
        "--last-quarter",
        type=int,
        default=1,
        choices=[1, 2, 3, 4],
        help="last financial quarter of that year (default: %(default)s, Apr-Jun)",
    )


def add_seed_argument(parser: argparse.ArgumentParser) -> None:
    """``--seed``: the random seed, ``DEFAULT_SEED`` unless given."""
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help="random seed (default: %(default)s)"
    )
