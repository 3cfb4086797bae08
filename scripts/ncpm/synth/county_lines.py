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

import random
from pathlib import Path

from ncpm.synth.common import (
    EPILOG_EVERY_NUMBER,
    add_last_quarter_arguments,
    add_out_argument,
    add_seed_argument,
    argument_parser,
    financial_quarters,
    fy_label,
    poisson,
    report_rows,
    sample_path,
    write_csv,
)

DEFAULT_OUT = sample_path("county_lines")
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


def generate(out: Path, last_year: int, last_quarter: int, seed: int) -> int:
    rng = random.Random(seed)
    rows = []
    for fy, q in financial_quarters(2017, last_year, last_quarter):
        level = QUARTERLY_LEVEL[fy]
        if fy == 2019:  # the programme ramps up through its first year
            level *= (0.8, 0.95, 1.1, 1.15)[q - 1]
        rows.append([fy_label(fy), str(q), str(poisson(rng, level * rng.uniform(0.9, 1.1)))])

    return write_csv(out, HEADER, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argument_parser(__doc__, EPILOG_EVERY_NUMBER)
    add_out_argument(parser, DEFAULT_OUT)
    add_last_quarter_arguments(parser, years=sorted(QUARTERLY_LEVEL))
    add_seed_argument(parser)
    args = parser.parse_args(argv)
    n = generate(args.out, args.last_year, args.last_quarter, args.seed)
    report_rows(n, args.out)
    return 0
