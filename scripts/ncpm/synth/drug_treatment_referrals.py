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
    load_pfas,
    load_population,
    poisson,
    report_rows,
    sample_path,
    write_csv,
)

DEFAULT_OUT = sample_path("drug_treatment_referrals")
HEADER = ["financial_year", "financial_quarter", "force_name", "referrals"]
NATIONAL_2017 = 10_000  # referrals a year nationally in 2017/18
GROWTH = 0.035  # yearly growth
SEASONAL = {1: 1.00, 2: 1.02, 3: 1.01, 4: 0.97}
COVID = {(2020, 1): 0.70, (2020, 2): 0.90, (2020, 4): 0.92}


def generate(out: Path, last_year: int, last_quarter: int, seed: int) -> int:
    rng = random.Random(seed)
    pfas = sorted(load_pfas(), key=lambda p: p["area_name"])
    pop = load_population()
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

    return write_csv(out, HEADER, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argument_parser(__doc__, EPILOG_EVERY_NUMBER)
    add_out_argument(parser, DEFAULT_OUT)
    add_last_quarter_arguments(parser, years=range(2017, 2027), metavar="{2017..2026}")
    add_seed_argument(parser)
    args = parser.parse_args(argv)
    n = generate(args.out, args.last_year, args.last_quarter, args.seed)
    report_rows(n, args.out)
    return 0
