#!/usr/bin/env python3
"""Write the SYNTHETIC sample of police referrals into drug treatment.

The shape is our design (drug treatment monitoring returns): one row per police force area
x financial quarter, April 2017 (2017/18 Q1) to June 2026 (2026/27 Q1). Columns:
``financial_year`` (``2017/18``), ``financial_quarter`` (1-4), ``force_name`` (the ONS name
of the 43 police force areas, from seeds/reference/ref_areas.csv) and ``referrals`` (an
integer >= 0). Every force has a row for every quarter.

Every number is invented. Magnitudes are realistic orders of size (about 10 thousand
referrals a year nationally in 2017/18, rising to about 15 thousand by 2025/26, with a dip
in the spring 2020 lockdown). They are NOT official statistics.

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
REFERENCE = ROOT / "seeds" / "reference"
DEFAULT_OUT = (
    ROOT
    / "seeds"
    / "raw"
    / "drug_treatment_referrals"
    / "drug_treatment_referrals__synthetic_sample.csv"
)
HEADER = ["financial_year", "financial_quarter", "force_name", "referrals"]
NATIONAL_2017 = 10_000  # referrals a year nationally in 2017/18
GROWTH = 0.035  # yearly growth
SEASONAL = {1: 1.00, 2: 1.02, 3: 1.01, 4: 0.97}
COVID = {(2020, 1): 0.70, (2020, 2): 0.90, (2020, 4): 0.92}


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


def load_reference():
    with (REFERENCE / "ref_areas.csv").open(newline="", encoding="utf-8") as f:
        pfas = [r for r in csv.DictReader(f) if r["area_level"] == "pfa"]
    with (REFERENCE / "ref_population.csv").open(newline="", encoding="utf-8") as f:
        pop = {
            (r["area_code"], int(r["population_year"])): int(r["population"])
            for r in csv.DictReader(f)
        }
    return pfas, pop


def generate(out: Path, last_year: int, last_quarter: int, seed: int) -> int:
    rng = random.Random(seed)
    pfas, pop = load_reference()
    pfas = sorted(pfas, key=lambda p: p["area_name"])
    # Forces differ in how actively they refer (a fixed bias) and in how fast that grows.
    bias = {p["area_code"]: rng.uniform(0.6, 1.4) for p in pfas}
    growth = {p["area_code"]: GROWTH + rng.uniform(-0.03, 0.03) for p in pfas}
    weight_total = sum(pop[(p["area_code"], 2017)] * bias[p["area_code"]] for p in pfas)

    rows = []
    for fy, q in financial_quarters(2017, last_year, last_quarter):
        years_on = fy - 2017 + (q - 1) / 4
        for p in pfas:
            code = p["area_code"]
            share = pop[(code, min(max(fy, 2017), 2026))] * bias[code] / weight_total
            level = NATIONAL_2017 / 4 * share * SEASONAL[q] * COVID.get((fy, q), 1.0)
            level *= (1 + growth[code]) ** years_on
            rows.append([fy_label(fy), str(q), p["area_name"], str(poisson(rng, level))])

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
        choices=range(2017, 2027),
        metavar="{2017..2026}",
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
