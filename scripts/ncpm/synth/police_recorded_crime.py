"""Write the SYNTHETIC sample of the police recorded crime force-area table.

The file has exactly the shape of the Home Office open data table
(``prc-pfa-mar2013-onwards-tables``) and reproduces the quirks of real releases
(see ../shared/realdata/README.md), so the warehouse is exercised by them on every
build:

* counts padded with spaces (`` 66776 ``), zero written as ``-00 ``, small negative
  back-record adjustments, float counts (``9.0``) in one year, thousands separators
  in another, fractional counts for UK Finance;
* homicide as one collapsed code ``1/4.1/4.10/4.2`` with four rows per force and
  quarter up to 2019/20, then four separate codes ``1``, ``4.1``, ``4.10``, ``4.2``;
* the 2023/24 burglary reclassification (``Residential burglary`` and
  ``Burglary business and community`` subgroups with their own codes);
* force and subgroup spellings that change between years, and the non-PFA
  reporting bodies (British Transport Police, Action Fraud, CIFAS/Cifas,
  UK Finance, Financial Fraud Action UK).

Every number is invented. Magnitudes are realistic orders of size (about 6 million
offences a year excluding fraud, 600-750 homicides a year) with trends that differ
by offence so charts have something to show. They are NOT official statistics.

The output is deterministic: the same arguments always write the same bytes.
"""

from __future__ import annotations

import random
from pathlib import Path

from ncpm.synth.common import (
    add_last_quarter_arguments,
    add_out_argument,
    add_seed_argument,
    argument_parser,
    financial_quarters,
    fy_label,
    load_pfas,
    load_population,
    poisson,
    read_reference,
    report_rows,
    sample_path,
    write_csv,
)

DEFAULT_OUT = sample_path("police_recorded_crime", "prc_pfa_2017_2026__synthetic_sample.csv")
HEADER = [
    "Financial Year",
    "Financial Quarter",
    "Force Name",
    "Offence Description",
    "Offence Group",
    "Offence Subgroup",
    "Offence Code",
    "Number of Offences",
]

# National offences a year in 2017/18 by subgroup, and the yearly trend factor.
SUBGROUP_VOLUME = {
    "Homicide": (600, -0.02),
    "Violence with injury": (500_000, 0.01),
    "Violence without injury": (620_000, 0.03),
    "Stalking and harassment": (380_000, 0.08),
    "Rape offences": (54_000, 0.04),
    "Other sexual offences": (100_000, 0.03),
    "Robbery of business property": (8_500, -0.01),
    "Robbery of personal property": (72_000, -0.02),
    "Domestic burglary": (280_000, -0.07),
    "Non-domestic burglary": (130_000, -0.05),
    "Bicycle theft": (95_000, -0.03),
    "Shoplifting": (380_000, 0.05),
    "Theft from the person": (110_000, 0.02),
    "Other theft offences": (500_000, -0.02),
    "Theft from a vehicle": (265_000, -0.04),
    "Theft of a motor vehicle": (110_000, 0.01),
    "Vehicle interference": (32_000, -0.02),
    "Criminal damage": (560_000, -0.02),
    "Arson": (25_000, -0.01),
    "Trafficking of drugs": (27_000, 0.04),
    "Possession of drugs": (110_000, 0.02),
    "Possession of weapons offences": (44_000, 0.04),
    "Public order offences": (400_000, 0.02),
    "Miscellaneous crimes": (70_000, 0.02),
}
# Subgroups that the 2023/24 reclassification renamed, with the codes used after it.
RECLASSIFIED = {
    "Domestic burglary": ("Residential burglary", ["28E", "28F", "28G", "28H", "29A"]),
    "Non-domestic burglary": ("Burglary business and community", ["30C", "30D", "31A"]),
}
PRE_RECLASSIFICATION_CODES = {
    "Domestic burglary": ["28A", "28B", "28C", "28D", "29"],
    "Non-domestic burglary": ["30A", "30B", "31"],
}
HOMICIDE_CODES = [
    ("1", "Murder", 0.85),
    ("4.1", "Manslaughter", 0.13),
    ("4.10", "Corporate manslaughter", 0.005),
    ("4.2", "Infanticide", 0.015),
]
COLLAPSED_HOMICIDE = "1/4.1/4.10/4.2"
# Relative crime intensity of the large urban forces, by subgroup family.
URBAN = {
    "E23000001": 1.6,
    "E23000005": 1.35,
    "E23000014": 1.35,
    "E23000010": 1.25,
    "E23000004": 1.2,
    "E23000034": 1.0,
}
FRAUD_BODIES = {  # reporting body: (code, description, subgroup, quarterly volume)
    "Action Fraud": (
        "AF",
        "Fraud offences recorded by Action Fraud",
        "Fraud: action fraud",
        70_000,
    ),
    "CIFAS": ("CIFAS", "Fraud offences recorded by CIFAS", "Fraud: CIFAS", 72_000),
    "UK Finance": (
        "UK Finance",
        "Fraud offences recorded by UK Finance",
        "Fraud: UK Finance",
        20_000,
    ),
}


def force_spelling(name: str, fy: int) -> str:
    """Spellings drift between releases, as they do in the real table."""
    if name == "Avon and Somerset" and fy >= 2020:
        return "Avon & Somerset"
    if name == "Devon & Cornwall":
        return "Devon and Cornwall" if fy < 2022 else "Devon & Cornwall"
    if name == "London, City of" and fy in (2019, 2024):
        return "City of London"
    if name == "Metropolitan Police" and fy >= 2023:
        return "Metropolitan Police Service"
    return name


def format_count(value: float, fy: int, rng: random.Random, fractional: bool = False) -> str:
    if fractional:
        return f" {value:.1f} "
    value = int(value)
    if value == 0:
        return "-00 "
    if fy == 2021:  # one release exported every count as a float
        return f" {value}.0 "
    if fy == 2022 and value >= 1000:  # a spreadsheet export with thousands separators
        return f" {value:,} "
    return f" {value} "


def generate(
    out: Path, last_year: int, last_quarter: int, seed: int, first_year: int = 2017
) -> int:
    rng = random.Random(seed)
    pfas, pop, codes = load_pfas(), load_population(), read_reference("ref_offence_codes.csv")
    by_subgroup: dict[str, list[dict]] = {}
    for c in codes:
        if c["offence_subgroup"] in SUBGROUP_VOLUME and c["offence_code"] not in {
            "1",
            "4.1",
            "4.10",
            "4.2",
            COLLAPSED_HOMICIDE,
        }:
            by_subgroup.setdefault(c["offence_subgroup"], []).append(c)
    # fixed share of each code within its subgroup
    code_share = {}
    for lst in by_subgroup.values():
        weights = [rng.uniform(0.2, 3.0) for _ in lst]
        total = sum(weights)
        for c, w in zip(lst, weights, strict=True):
            code_share[c["offence_code"]] = w / total
    total_pop_2019 = sum(pop[(p["area_code"], 2019)] for p in pfas)
    force_bias = {p["area_code"]: rng.uniform(0.8, 1.2) for p in pfas}
    forces = [(p["area_name"], p["area_code"]) for p in pfas] + [
        ("British Transport Police", "BTP")
    ]
    seasonal = {1: 1.02, 2: 1.05, 3: 0.98, 4: 0.95}

    rows = []
    for fy, q in financial_quarters(first_year, last_year, last_quarter):
        years_on = fy - 2017 + (q - 1) / 4
        covid = 0.7 if (fy, q) in {(2020, 1)} else (0.9 if (fy, q) in {(2020, 3), (2020, 4)} else 1)
        for name, code in sorted(forces, key=lambda f: force_spelling(f[0], fy)):
            spelled = force_spelling(name, fy)
            if code == "BTP":
                share, bias = 0.012, 1.0
            else:
                share = pop.get((code, min(max(2017, fy), 2026)), 0) / total_pop_2019
                bias = force_bias[code] * URBAN.get(code, 1.0)
            force_rows = []
            for sub, (annual, trend) in SUBGROUP_VOLUME.items():
                level = annual / 4 * share * bias * seasonal[q] * (1 + trend) ** years_on
                if sub in {
                    "Domestic burglary",
                    "Robbery of personal property",
                    "Theft from the person",
                    "Theft from a vehicle",
                    "Theft of a motor vehicle",
                    "Shoplifting",
                }:
                    level *= covid
                group = next(c for c in codes if c["offence_subgroup"] == sub)["offence_group"]
                subgroup_name = sub
                if sub == "Miscellaneous crimes" and fy >= 2020:
                    group = subgroup_name = "Miscellaneous crimes against society"
                if sub == "Homicide":
                    total = poisson(rng, level)
                    parts = [0, 0, 0, 0]
                    for _ in range(total):
                        x, acc = rng.random(), 0.0
                        for i, (_, _, w) in enumerate(HOMICIDE_CODES):
                            acc += w
                            if x <= acc:
                                parts[i] += 1
                                break
                        else:
                            parts[0] += 1
                    for i, (hcode, hdesc, _) in enumerate(HOMICIDE_CODES):
                        if fy <= 2019:
                            force_rows.append(
                                ("Homicide", group, sub, COLLAPSED_HOMICIDE, parts[i])
                            )
                        else:
                            force_rows.append((hdesc, group, sub, hcode, parts[i]))
                    continue
                sub_codes = by_subgroup[sub]
                if sub in RECLASSIFIED:
                    if fy >= 2023:
                        subgroup_name, keep = RECLASSIFIED[sub]
                    else:
                        keep = PRE_RECLASSIFICATION_CODES[sub]
                    sub_codes = [c for c in sub_codes if c["offence_code"] in keep]
                    weight = sum(code_share[c["offence_code"]] for c in sub_codes)
                else:
                    weight = 1.0
                for c in sub_codes:
                    n = poisson(rng, level * code_share[c["offence_code"]] / weight)
                    if n <= 3 and rng.random() < 0.004:
                        n = -rng.choice([1, 1, 1, 2, 4])  # back-record adjustment
                    force_rows.append(
                        (c["offence_description"], group, subgroup_name, c["offence_code"], n)
                    )
            for desc, group, sub, ocode, n in sorted(force_rows, key=lambda r: r[0]):
                rows.append(
                    [
                        fy_label(fy),
                        str(q),
                        spelled,
                        desc,
                        group,
                        sub,
                        ocode,
                        format_count(n, fy, rng),
                    ]
                )
        # national fraud reporting bodies
        for body, (fcode, desc, sub, volume) in FRAUD_BODIES.items():
            body_name, sub_name, desc_name = body, sub, desc
            if body == "UK Finance" and (fy, q) == (2017, 1):
                body_name, fcode = "Financial Fraud Action UK", "FFA UK"
                sub_name = "Fraud: Financial Fraud Action UK"
                desc_name = "Fraud offences recorded by Financial Fraud Action UK"
            if body == "CIFAS" and fy >= 2021:
                body_name, sub_name = "Cifas", "Fraud: Cifas"
            if body == "Action Fraud" and fy >= 2021:
                sub_name = "Fraud: Action Fraud"
            value = volume * (1 + 0.05) ** years_on * rng.uniform(0.95, 1.05)
            fractional = body == "UK Finance" and fy >= 2019
            if fractional:
                value = round(value * 2) / 2 + 0.5
            rows.append(
                [
                    fy_label(fy),
                    str(q),
                    body_name,
                    desc_name,
                    "Fraud offences",
                    sub_name,
                    fcode,
                    format_count(value, fy, rng, fractional=fractional),
                ]
            )

    return write_csv(out, HEADER, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argument_parser(__doc__)
    add_out_argument(parser, DEFAULT_OUT)
    parser.add_argument(
        "--first-year",
        type=int,
        default=2017,
        help="start year of the first financial year written (default: %(default)s)",
    )
    add_last_quarter_arguments(parser)
    add_seed_argument(parser)
    args = parser.parse_args(argv)
    n = generate(args.out, args.last_year, args.last_quarter, args.seed, args.first_year)
    report_rows(n, args.out)
    return 0
