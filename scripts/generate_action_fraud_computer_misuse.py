#!/usr/bin/env python3
"""Write the SYNTHETIC sample of computer misuse offences reported to Action Fraud.

The shape is our design (MEASURES.md 5.10): national quarterly counts of computer misuse
offences reported to Action Fraud by offence type (hacking, viruses and malware, denial of
service, other computer misuse), one row per financial year, financial quarter (1 = Apr-Jun)
and offence type, from April 2017 to June 2026. These are not the fraud rows of the police
recorded crime table, which carry no computer misuse.

Every number is invented. Magnitudes are realistic orders of size (about 24,000 offences a
year at the start, tens of thousands a year throughout) with trends that differ by type:
hacking holds level apart from a spike in 2020/21, viruses and malware fall steadily, so the
total falls from about 24,000 to about 20,000 a year with a peak in 2020/21. They are NOT
official statistics.

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
FEED = "action_fraud_computer_misuse"
DEFAULT_OUT = ROOT / "seeds" / "raw" / FEED / f"{FEED}__synthetic_sample.csv"
HEADER = ["financial_year", "financial_quarter", "offence_type", "offences"]
FIRST_YEAR = 2017

# offence type: (offences a year in 2017/18, yearly trend, factor in 2020/21)
OFFENCE_TYPES = {
    "hacking": (13_000, 0.0, 1.35),
    "viruses and malware": (7_500, -0.08, 1.10),
    "denial of service": (700, -0.04, 1.0),
    "other computer misuse": (2_800, 0.01, 1.15),
}
SEASONAL = {1: 0.97, 2: 0.98, 3: 1.03, 4: 1.02}
# After the 2020/21 spike, hacking falls back over two years rather than at once.
AFTERMATH = {2021: 1.15, 2022: 1.05}


def fy_label(start: int) -> str:
    return f"{start}/{(start + 1) % 100:02d}"


def quarters(last_year: int, last_quarter: int):
    for year in range(FIRST_YEAR, last_year + 1):
        for quarter in range(1, 5):
            if year == last_year and quarter > last_quarter:
                return
            yield year, quarter


def generate(out: Path, last_year: int, last_quarter: int, seed: int) -> int:
    rng = random.Random(seed)
    rows = []
    for year, quarter in quarters(last_year, last_quarter):
        years_on = year - FIRST_YEAR + (quarter - 1) / 4
        for offence, (annual, trend, covid) in OFFENCE_TYPES.items():
            level = annual / 4 * (1 + trend) ** years_on * SEASONAL[quarter]
            if year == 2020:
                level *= covid
            elif offence == "hacking":
                level *= AFTERMATH.get(year, 1.0)
            count = max(0, round(rng.gauss(level, 2 * math.sqrt(level))))
            rows.append([fy_label(year), str(quarter), offence, str(count)])

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
        epilog="Synthetic data: never present these numbers as published.",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="CSV to write (default: %(default)s)"
    )
    parser.add_argument(
        "--last-year",
        type=int,
        default=2026,
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
    if args.last_year < FIRST_YEAR:
        parser.error(f"--last-year must be {FIRST_YEAR} or later")
    n = generate(args.out, args.last_year, args.last_quarter, args.seed)
    print(f"wrote {n:,} rows to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
