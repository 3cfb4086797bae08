"""Write the SYNTHETIC sample of the weapon returns (knife and firearm offences).

The shape is our design, after the published knife or sharp instrument and firearm
offence tables: one row per police force area x financial quarter x weapon type x
offence type x flags, April 2017 (2017/18 Q1) to June 2026 (2026/27 Q1). Columns:

* ``financial_year`` (``2017/18``), ``financial_quarter`` (1-4), ``force_name`` (the ONS
  name of the 43 police force areas, from seeds/reference/ref_areas.csv);
* ``weapon_type``: ``knife or sharp instrument`` or ``firearm``;
* ``offence_type``: seven types for knives (homicide ... sexual assault), eight for
  firearms;
* ``is_discharged`` and ``is_air_weapon`` (``Y``/``N``): meaningful for firearms only and
  left blank on knife rows; every firearm offence type has all four flag combinations;
* ``offences``: an integer >= 0 (zero rows are written, so a missing row is a gap).

Realism kept on purpose: Greater Manchester (E23000005) did not supply knife returns for
2019/20 Q3 to 2020/21 Q1 after its records-system change, so the file has NO knife rows for
it in those three quarters (its firearm rows are present). A rolling 12-month knife total
for Greater Manchester, and the national knife total in those quarters, must come out as a
data gap rather than a partial sum.

Every number is invented. Magnitudes are realistic orders of size (about 45-50 thousand
knife offences a year nationally; about 6 thousand firearm offences a year, of which 2-3
thousand involve the discharge of a firearm other than an air weapon). They are NOT
official statistics.

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

DEFAULT_OUT = sample_path("weapon_returns")
HEADER = [
    "financial_year",
    "financial_quarter",
    "force_name",
    "weapon_type",
    "offence_type",
    "is_discharged",
    "is_air_weapon",
    "offences",
]
KNIFE = "knife or sharp instrument"
FIREARM = "firearm"
GREATER_MANCHESTER = "E23000005"
# (financial year start, quarter) with no knife returns from Greater Manchester.
GMP_KNIFE_GAP = [(2019, 3), (2019, 4), (2020, 1)]

# National knife offences a year by financial year (the last year is Q1 only).
KNIFE_NATIONAL = {
    2017: 44_000,
    2018: 47_000,
    2019: 48_500,
    2020: 44_500,
    2021: 46_500,
    2022: 49_000,
    2023: 50_000,
    2024: 48_500,
    2025: 47_000,
    2026: 46_500,
}
# Knife offence type: share of the national knife total.
KNIFE_TYPES = [
    ("homicide", 0.0055),
    ("attempted murder", 0.0065),
    ("threats to kill", 0.10),
    ("assault with injury and assault with intent to cause serious harm", 0.445),
    ("robbery", 0.430),
    ("rape", 0.009),
    ("sexual assault", 0.003),
]
# Firearm offence type: (national offences a year in 2017/18, share that are air weapons,
# share discharged among air weapons, share discharged among other firearms).
FIREARM_TYPES = [
    ("homicide", 30, 0.03, 0.9, 0.95),
    ("attempted murder", 60, 0.05, 0.9, 0.85),
    ("other violence against the person", 2_400, 0.15, 0.7, 0.50),
    ("robbery", 1_000, 0.05, 0.1, 0.06),
    ("burglary", 150, 0.10, 0.1, 0.10),
    ("criminal damage", 1_850, 0.45, 0.95, 0.95),
    ("public fear, alarm or distress", 800, 0.15, 0.5, 0.40),
    ("other offences", 250, 0.30, 0.4, 0.30),
]
FIREARM_TREND = -0.01  # yearly change in firearm offences
# Relative intensity of the large urban forces (knife, firearm).
URBAN = {
    "E23000001": (2.0, 1.8),  # Metropolitan Police
    "E23000014": (1.6, 2.0),  # West Midlands
    "E23000005": (1.3, 1.8),  # Greater Manchester
    "E23000004": (1.2, 2.0),  # Merseyside
    "E23000010": (1.2, 1.3),  # West Yorkshire
    "E23000034": (1.0, 0.5),  # London, City of
}
SEASONAL = {1: 1.00, 2: 1.04, 3: 1.01, 4: 0.95}
COVID = {(2020, 1): 0.72, (2020, 3): 0.92, (2020, 4): 0.85}


def force_weights(pfas, pop, rng: random.Random, which: int, year: int) -> dict[str, float]:
    """Share of the national total for each force: population x urban x a fixed bias."""
    raw = {}
    for p in pfas:
        code = p["area_code"]
        bias = rng.uniform(0.75, 1.15)
        urban = URBAN.get(code, (1.0, 1.0))[which]
        raw[code] = pop[(code, min(max(year, 2017), 2026))] * urban * bias
    total = sum(raw.values())
    return {code: value / total for code, value in raw.items()}


def generate(out: Path, last_year: int, last_quarter: int, seed: int) -> int:
    rng = random.Random(seed)
    pfas = sorted(load_pfas(), key=lambda p: p["area_name"])
    pop = load_population()
    knife_share = force_weights(pfas, pop, rng, 0, 2019)
    firearm_share = force_weights(pfas, pop, rng, 1, 2019)
    knife_type_total = sum(share for _, share in KNIFE_TYPES)

    rows = []
    for fy, q in financial_quarters(2017, last_year, last_quarter):
        years_on = fy - 2017 + (q - 1) / 4
        covid = COVID.get((fy, q), 1.0)
        knife_quarter = KNIFE_NATIONAL[min(fy, max(KNIFE_NATIONAL))] / 4 * SEASONAL[q] * covid
        for p in pfas:
            code, name = p["area_code"], p["area_name"]
            if not (code == GREATER_MANCHESTER and (fy, q) in GMP_KNIFE_GAP):
                for offence, share in KNIFE_TYPES:
                    lam = knife_quarter * knife_share[code] * share / knife_type_total
                    n = poisson(rng, lam * rng.uniform(0.93, 1.07))
                    rows.append([fy_label(fy), str(q), name, KNIFE, offence, "", "", str(n)])
            firearm_level = firearm_share[code] * SEASONAL[q] * covid
            firearm_level *= (1 + FIREARM_TREND) ** years_on
            for offence, annual, air, air_discharged, other_discharged in FIREARM_TYPES:
                lam = annual / 4 * firearm_level
                for is_discharged in ("N", "Y"):
                    for is_air in ("N", "Y"):
                        p_air = air if is_air == "Y" else 1 - air
                        p_dis = air_discharged if is_air == "Y" else other_discharged
                        if is_discharged == "N":
                            p_dis = 1 - p_dis
                        n = poisson(rng, lam * p_air * p_dis)
                        rows.append(
                            [
                                fy_label(fy),
                                str(q),
                                name,
                                FIREARM,
                                offence,
                                is_discharged,
                                is_air,
                                str(n),
                            ]
                        )

    return write_csv(out, HEADER, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argument_parser(__doc__, EPILOG_EVERY_NUMBER)
    add_out_argument(parser, DEFAULT_OUT)
    add_last_quarter_arguments(parser, years=sorted(KNIFE_NATIONAL))
    add_seed_argument(parser)
    args = parser.parse_args(argv)
    n = generate(args.out, args.last_year, args.last_quarter, args.seed)
    report_rows(n, args.out)
    return 0
