"""Write the SYNTHETIC sample of computer misuse offences reported to Action Fraud.

The shape is our design (docs/feeds.md): national quarterly counts of computer misuse
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

import math
import random
from pathlib import Path

from ncpm.synth.common import (
    add_last_quarter_arguments,
    add_out_argument,
    add_seed_argument,
    argument_parser,
    financial_quarters,
    fy_label,
    report_rows,
    sample_path,
    write_csv,
)

FEED = "action_fraud_computer_misuse"
DEFAULT_OUT = sample_path(FEED)
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


def generate(out: Path, last_year: int, last_quarter: int, seed: int) -> int:
    rng = random.Random(seed)
    rows = []
    for year, quarter in financial_quarters(FIRST_YEAR, last_year, last_quarter):
        years_on = year - FIRST_YEAR + (quarter - 1) / 4
        for offence, (annual, trend, covid) in OFFENCE_TYPES.items():
            level = annual / 4 * (1 + trend) ** years_on * SEASONAL[quarter]
            if year == 2020:
                level *= covid
            elif offence == "hacking":
                level *= AFTERMATH.get(year, 1.0)
            count = max(0, round(rng.gauss(level, 2 * math.sqrt(level))))
            rows.append([fy_label(year), str(quarter), offence, str(count)])

    return write_csv(out, HEADER, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argument_parser(__doc__)
    add_out_argument(parser, DEFAULT_OUT)
    add_last_quarter_arguments(parser)
    add_seed_argument(parser)
    args = parser.parse_args(argv)
    if args.last_year < FIRST_YEAR:
        parser.error(f"--last-year must be {FIRST_YEAR} or later")
    n = generate(args.out, args.last_year, args.last_quarter, args.seed)
    report_rows(n, args.out)
    return 0
