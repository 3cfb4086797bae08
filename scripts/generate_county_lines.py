#!/usr/bin/env python3
"""Write the SYNTHETIC sample of county lines closed (national, quarterly).

The shape is our design (county lines coordination returns): one row per financial
quarter for England and Wales as a whole, April 2017 (2017/18 Q1) to June 2026 (2026/27
Q1). Columns: ``financial_year`` (``2017/18``), ``financial_quarter`` (1-4) and
``lines_closed`` (an integer >= 0). There is no force column: the feed is national.

Every number is invented. Magnitudes are realistic orders of size: a few dozen lines closed
a quarter before the national county lines programme began in 2019/20, then a few hundred a
quarter, growing and levelling off. They are NOT official statistics.

The output is deterministic: the same arguments always write the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "seeds" / "raw" / "county_lines" / "county_lines__synthetic_sample.csv"
HEADER = ["financial_year", "financial_quarter", "lines_closed"]
# Expected lines closed a quarter, by financial year (the last year is Q1 only).
QUARTERLY_LEVEL = {
    2017: 35,
    2018: 60,
    2019: 240,
    2020: 300,
    2021: 340,
    2022: 360,
    2023: 375,
    2024: 380,
    2025: 370,
    2026: 365,
}


def financial_quarters(first: int, last_year: int, last_quarter: int):
    for year in range(first, last_year + 1):
        for quarter in range(1, 5):
            if year == last_year and quarter > last_quarter:
                return
            yield year, quarter


def fy_label(start: int) -> str:
    return f"{start}/{(start + 1) % 100:02d}"


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 50:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def generate(out: Path, last_year: int, last_quarter: int, seed: int) -> int:
    rng = random.Random(seed)
    rows = []
    for fy, q in financial_quarters(2017, last_year, last_quarter):
        level = QUARTERLY_LEVEL[fy]
        if fy == 2019:  # the programme ramps up through its first year
            level *= (0.8, 0.95, 1.1, 1.15)[q - 1]
        rows.append([fy_label(fy), str(q), str(poisson(rng, level * rng.uniform(0.9, 1.1)))])

    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Synthetic data: every number is invented; never present them as published.",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="CSV to write (default: %(default)s)"
    )
    parser.add_argument(
        "--last-year",
        type=int,
        default=2026,
        choices=sorted(QUARTERLY_LEVEL),
        help="start year of the last financial year written (default: %(default)s)",
    )
    parser.add_argument(
        "--last-quarter",
        type=int,
        default=1,
        choices=[1, 2, 3, 4],
        help="last financial quarter of that year (default: %(default)s, Apr-Jun)",
    )
    parser.add_argument(
        "--seed", type=int, default=20190630, help="random seed (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    n = generate(args.out, args.last_year, args.last_quarter, args.seed)
    print(f"wrote {n:,} rows to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
