"""Write the SYNTHETIC sample of the business cyber breaches survey table.

The shape is modelled on the annual UK Cyber Security Breaches Survey (docs/feeds.md):
one row per survey year and business size band (micro, small, medium, large, and ``all``
businesses), with the percentage of businesses identifying a cyber security breach or attack
in the last 12 months (one decimal) and the unweighted base of businesses interviewed.

Every number is invented. Percentages fall over time with sampling noise and a bump in the
2020 survey: about 44% of all businesses at the start and about 34% at the end, large
businesses higher (about 73% falling to about 65%). The ``all`` row is the average of the
size bands weighted by their share of the business population, and its base is the sum of
the band bases. They are NOT official statistics.

The output is deterministic: the same arguments always write the same bytes.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

from ncpm.synth.common import (
    add_out_argument,
    add_seed_argument,
    argument_parser,
    report_rows,
    sample_path,
    write_csv,
)

FEED = "business_cyber_breaches_survey"
DEFAULT_OUT = sample_path(FEED)
HEADER = ["survey_year", "size_band", "pct_identifying_breach_or_attack", "unweighted_base"]
FIRST_YEAR = 2017

# size band: (share of the business population, % in the first survey, % in the last
# survey, typical unweighted base)
SIZE_BANDS = {
    "micro": (0.82, 42.0, 31.0, 700),
    "small": (0.14, 50.0, 40.0, 400),
    "medium": (0.03, 67.0, 58.0, 250),
    "large": (0.01, 73.0, 65.0, 150),
}
YEAR_EFFECT = {2020: 3.0}  # percentage points: the first survey year of remote working
# Published figures move less than simple random sampling at these bases would suggest
# (larger real samples, weighting), so the sampling noise is damped.
NOISE = 0.6


def generate(out: Path, last_year: int, seed: int) -> int:
    rng = random.Random(seed)
    rows = []
    span = max(last_year - FIRST_YEAR, 1)
    for year in range(FIRST_YEAR, last_year + 1):
        years_on = year - FIRST_YEAR
        weighted, total_base = 0.0, 0
        for band, (share, start, end, base) in SIZE_BANDS.items():
            n = max(30, round(base * rng.uniform(0.85, 1.15)))
            expected = start + (end - start) * years_on / span + YEAR_EFFECT.get(year, 0.0)
            se = 100 * math.sqrt(expected / 100 * (1 - expected / 100) / n)
            pct = min(99.9, max(0.1, rng.gauss(expected, NOISE * se)))
            rows.append([str(year), band, f"{pct:.1f}", str(n)])
            weighted += share * round(pct, 1)
            total_base += n
        rows.append([str(year), "all", f"{weighted:.1f}", str(total_base)])

    return write_csv(out, HEADER, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argument_parser(__doc__)
    add_out_argument(parser, DEFAULT_OUT)
    parser.add_argument(
        "--last-year", type=int, default=2026, help="last survey year (default: %(default)s)"
    )
    add_seed_argument(parser)
    args = parser.parse_args(argv)
    if args.last_year < FIRST_YEAR:
        parser.error(f"--last-year must be {FIRST_YEAR} or later")
    n = generate(args.out, args.last_year, args.seed)
    report_rows(n, args.out)
    return 0
