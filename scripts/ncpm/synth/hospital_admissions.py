"""Write the SYNTHETIC sample of hospital admissions for assault by a sharp object.

The shape is modelled on NHS hospital episode statistics for England (finished admission
episodes with an external cause of ICD-10 X99, assault by sharp object): one row per month x
age band, England only, April 2017 to June 2026. Columns: ``month`` (YYYY-MM),
``age_band`` (``under 18``, ``18-24``, ``25 and over``) and ``admissions`` (an integer
>= 0). Metric M2.1 (admissions of under-25s) is the sum of the first two bands.

Every number is invented. Magnitudes are realistic orders of size (low thousands of
admissions a year in all; about 1,000-1,500 a year for under-25s, peaking in 2018/19, dipping
in the spring 2020 lockdown and drifting down afterwards, with more admissions in summer).
They are NOT official statistics.

The output is deterministic: the same arguments always write the same bytes.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from ncpm.synth.common import (
    EPILOG_EVERY_NUMBER,
    add_out_argument,
    add_seed_argument,
    argument_parser,
    months,
    parse_year_month,
    poisson,
    report_rows,
    sample_path,
    write_csv,
)

DEFAULT_OUT = sample_path("hospital_admissions")
HEADER = ["month", "age_band", "admissions"]
# Admissions a year by age band and financial year (the last year is April-June only).
ANNUAL = {
    "under 18": {
        2017: 390,
        2018: 440,
        2019: 420,
        2020: 360,
        2021: 380,
        2022: 370,
        2023: 350,
        2024: 335,
        2025: 320,
        2026: 315,
    },
    "18-24": {
        2017: 960,
        2018: 1_010,
        2019: 950,
        2020: 820,
        2021: 870,
        2022: 840,
        2023: 800,
        2024: 770,
        2025: 740,
        2026: 730,
    },
    "25 and over": {
        2017: 2_450,
        2018: 2_520,
        2019: 2_480,
        2020: 2_250,
        2021: 2_380,
        2022: 2_400,
        2023: 2_360,
        2024: 2_330,
        2025: 2_300,
        2026: 2_290,
    },
}
# Relative monthly level (summer high, winter low); averages about 1.
SEASONAL = {
    1: 0.92,
    2: 0.88,
    3: 0.97,
    4: 1.00,
    5: 1.05,
    6: 1.06,
    7: 1.09,
    8: 1.08,
    9: 1.02,
    10: 1.00,
    11: 0.96,
    12: 0.97,
}
LOCKDOWN = {(2020, 4): 0.62, (2020, 5): 0.78, (2020, 6): 0.90, (2021, 1): 0.85}


def generate(out: Path, last_month: tuple[int, int], seed: int) -> int:
    rng = random.Random(seed)
    seasonal_mean = sum(SEASONAL.values()) / 12
    rows = []
    for year, month in months((2017, 4), last_month):
        fy = year if month >= 4 else year - 1
        for band, annual in ANNUAL.items():
            level = annual[min(fy, max(annual))] / 12 * SEASONAL[month] / seasonal_mean
            level *= LOCKDOWN.get((year, month), 1.0)
            rows.append([f"{year}-{month:02d}", band, str(poisson(rng, level))])

    return write_csv(out, HEADER, rows)


def year_month(text: str) -> tuple[int, int]:
    """``--last-month``: YYYY-MM, a month of 2017 to 2027."""
    year, month = parse_year_month(text)
    if not (2017 <= year <= 2027 and 1 <= month <= 12):
        raise argparse.ArgumentTypeError(f"month out of range: {text!r}")
    return year, month


def main(argv: list[str] | None = None) -> int:
    parser = argument_parser(__doc__, EPILOG_EVERY_NUMBER)
    add_out_argument(parser, DEFAULT_OUT)
    parser.add_argument(
        "--last-month",
        type=year_month,
        default=(2026, 6),
        help="last month written, YYYY-MM (default: 2026-06)",
    )
    add_seed_argument(parser)
    args = parser.parse_args(argv)
    n = generate(args.out, args.last_month, args.seed)
    report_rows(n, args.out)
    return 0
