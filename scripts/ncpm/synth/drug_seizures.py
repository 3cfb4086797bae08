"""Write the SYNTHETIC sample of drug seizures, long shape, and two small wide fixtures.

1. The sample seed (seeds/raw/drug_seizures/), LONG shape, modelled on the Home Office
   seizures of drugs open data: one row per financial year (2017/18 to 2025/26) x reporting
   force x drug type. Columns: ``financial_year``, ``force_name`` (the 43 police force areas
   with their ONS names from seeds/reference/ref_areas.csv, then ``British Transport
   Police`` and ``Border Force``), ``drug_type``, ``drug_class`` (A/B/C), ``seizures`` (an
   integer >= 0), ``quantity`` (a decimal with two places; doses and plants are whole
   numbers written ``120.00``) and ``quantity_unit`` (kg, litres, doses, plants).

   Drug types follow the published wide tables (Cocaine ... Other Class C; cannabis is
   split into Herbal cannabis, Cannabis resin and Cannabis plants as in the quantities
   table; the tables' ``Unknown`` column is not reproduced). Quantity and unit are both
   blank where the tables publish no quantity (Other Class A/B/C, Mephedrone) and where
   Border Force reports none (not available: Methadone, Barbiturates, Benzodiazepines, GHB,
   Temazepam). GHB is Class C up to 2021/22 and Class B from 2022/23 (it was reclassified in
   April 2022), so drug class must be read from the row, not derived from the drug type.

   One seizure can hold several drugs, so a class total is NOT the sum of its drug rows.
   Each force and year therefore also has four total rows carrying the counts the table
   states: ``Total Class A``, ``Total Class B``, ``Total Class C`` (drug_class A/B/C) and
   ``All drugs`` (drug_class blank), with quantity and unit blank. They obey the rule:
   a class total lies between its largest drug count and the sum of its drug counts, and
   ``All drugs`` lies between the largest class total and the sum of the class totals (so
   also between the largest drug count and the sum of all drug counts).

2. Two test fixtures (tests/python/fixtures/) that mimic the real published WIDE layout of
   one year (2018/19) for a few forces: the seizures table (one column per drug, ``All
   drugs``, ``Total Class A/B/C`` and ``Unknown``; totals are not sums of the drug columns)
   and the quantities table. They reproduce the quirks of the genuine files: UTF-8
   byte-order mark, CRLF line ends and no line end after the last row, header cells with a
   line break (``"Mephedrone\\n(non-injection)"``, ``"Anabolic \\nsteroids"``), quantity
   headers and force names padded with spaces, a footnote marker glued to a force name
   (`` Kent 4``), the real force spellings (``London, City of``, ``Avon & Somerset``), rows
   for ``British Transport Police`` and ``Border Force``, and blank cells meaning not
   available.

Every number is invented. Magnitudes are realistic orders of size (about 150-200 thousand
seizures a year nationally, most of them cannabis). They are NOT official statistics.

The output is deterministic: the same arguments always write the same bytes.
"""

from __future__ import annotations

import csv
import io
import math
import random
from pathlib import Path

from ncpm.synth.common import (
    EPILOG_EVERY_NUMBER,
    ROOT,
    add_out_argument,
    add_seed_argument,
    argument_parser,
    fy_label,
    load_pfas,
    load_population,
    poisson,
    report_rows,
    sample_path,
    write_csv,
)

DEFAULT_OUT = sample_path("drug_seizures")
FIXTURES = ROOT / "tests" / "python" / "fixtures"
DEFAULT_WIDE_OUT = FIXTURES / "drug_seizures_wide_2018-19__synthetic.csv"
DEFAULT_WIDE_QUANTITIES_OUT = FIXTURES / "drug_quantities_wide_2018-19__synthetic.csv"
HEADER = [
    "financial_year",
    "force_name",
    "drug_type",
    "drug_class",
    "seizures",
    "quantity",
    "quantity_unit",
]
BTP = "British Transport Police"
BORDER_FORCE = "Border Force"

# drug type: (class, police seizures a year nationally in 2017/18, yearly trend, unit,
# mean quantity a police seizure, Border Force seizures a year, Border Force mean quantity).
# A unit of None means the tables publish no quantity for the drug.
DRUGS = {
    "Cocaine": ("A", 13_000, 0.05, "kg", 0.03, 600, 6.0),
    "Crack": ("A", 3_800, 0.04, "kg", 0.004, 20, 0.5),
    "Ecstasy": ("A", 3_200, -0.05, "doses", 20, 350, 900),
    "Heroin": ("A", 6_200, -0.02, "kg", 0.03, 80, 2.5),
    "LSD": ("A", 250, 0.00, "doses", 15, 15, 100),
    "Methadone": ("A", 600, -0.03, "litres", 0.1, 3, None),
    "Morphine": ("A", 300, -0.03, "kg", 0.01, 6, 0.05),
    "Other Class A": ("A", 800, 0.03, None, None, 350, None),
    "Herbal cannabis": ("B", 92_000, 0.00, "kg", 0.12, 2_800, 9.0),
    "Cannabis resin": ("B", 9_500, -0.06, "kg", 0.04, 450, 15.0),
    "Cannabis plants": ("B", 9_000, -0.04, "plants", 15, 40, 1),
    "Amphetamines": ("B", 5_000, -0.03, "kg", 0.04, 110, 8.0),
    "Barbiturates": ("B", 30, 0.00, "doses", 20, 1, None),
    "Ketamine": ("B", 1_500, 0.08, "kg", 0.02, 80, 1.5),
    "Mephedrone": ("B", 300, -0.05, None, None, 5, None),
    "Other Class B": ("B", 1_500, 0.02, None, None, 120, None),
    "Anabolic steroids": ("C", 800, 0.02, "doses", 150, 500, 3_000),
    "Benzodiazepines": ("C", 4_000, 0.03, "doses", 60, 15, None),
    "GHB": ("C", 500, 0.03, "litres", 0.2, 2, None),
    "Temazepam": ("C", 300, -0.03, "doses", 30, 2, None),
    "Other Class C": ("C", 1_200, 0.03, None, None, 1_000, None),
}
GHB_CLASS_B_FROM = 2022  # GHB (with GBL and 1,4-BD) moved to Class B in April 2022
# Police activity (stop and search) by financial year, shared by all drugs.
YEAR_FACTOR = {
    2017: 1.00,
    2018: 1.03,
    2019: 1.10,
    2020: 1.12,
    2021: 1.06,
    2022: 1.02,
    2023: 1.00,
    2024: 1.02,
    2025: 1.03,
}
URBAN = {"E23000001": 1.7, "E23000014": 1.2, "E23000005": 1.2, "E23000004": 1.3}
BTP_SHARE = 0.008  # British Transport Police share of police seizures
CLASSES = ["A", "B", "C"]

# The published wide layout (header cells exactly as the genuine files spell them).
WIDE_SEIZURES_HEADER = [
    "Police force",
    "All drugs",
    "Cocaine",
    "Crack",
    "Ecstasy",
    "Heroin",
    "LSD",
    "Methadone",
    "Morphine",
    "Other Class A",
    "Total Class A",
    "All Cannabis",
    "Amphetamines",
    "Barbiturates",
    "Ketamine",
    "Mephedrone\n(non-injection)",
    "Other Class B",
    "Total Class B",
    "Anabolic-steroids",
    "Benzodiazepines",
    "GHB",
    "Temazepam",
    "Other Class C",
    "Total Class C",
    "Unknown",
]
WIDE_QUANTITIES_HEADER = [
    "Police Force",
    " Cocaine ",
    " Crack ",
    " Ecstasy ",
    " Heroin ",
    " LSD ",
    " Methadone ",
    " Morphine ",
    " Herbal Cannabis ",
    " Cannabis Resin ",
    " Cannabis Plants ",
    "Amphetamines",
    "Barbiturates ",
    " Ketamine ",
    "Anabolic \nsteroids",
    " Benzodiazepines ",
    " GHB ",
    " Temazepam ",
]
# Wide quantity column -> long drug type.
WIDE_QUANTITY_DRUGS = [
    "Cocaine",
    "Crack",
    "Ecstasy",
    "Heroin",
    "LSD",
    "Methadone",
    "Morphine",
    "Herbal cannabis",
    "Cannabis resin",
    "Cannabis plants",
    "Amphetamines",
    "Barbiturates",
    "Ketamine",
    "Anabolic steroids",
    "Benzodiazepines",
    "GHB",
    "Temazepam",
]
# Fixture rows: (name in the seizures table, name in the quantities table, relative size).
WIDE_FORCES = [
    ("Durham", " Durham ", 0.020),
    ("Greater Manchester", " Greater Manchester ", 0.055),
    ("Kent", " Kent 4", 0.030),
    ("London, City of", " London, City of ", 0.002),
    ("Metropolitan Police", " Metropolitan Police ", 0.250),
    ("Avon & Somerset", " Avon & Somerset ", 0.025),
    (BTP, f" {BTP} ", BTP_SHARE),
    (BORDER_FORCE, f" {BORDER_FORCE} ", None),
]
# Border Force seizure cells left blank (not available) in the fixture; its quantity cells
# are blank wherever the long sample has no Border Force quantity.
WIDE_BLANK_SEIZURES = ["Methadone", "Barbiturates"]
FIXTURE_YEAR = 2018


def drug_class(drug: str, fy: int) -> str:
    if drug == "GHB" and fy >= GHB_CLASS_B_FROM:
        return "B"
    return DRUGS[drug][0]


def combined_total(rng: random.Random, counts: list[int]) -> int:
    """Seizures holding any of the drugs: between the largest count and the sum of counts."""
    if not counts:
        return 0
    largest, total = max(counts), sum(counts)
    return largest + round((total - largest) * rng.uniform(0.88, 0.97))


def quantity(rng: random.Random, seizures: int, mean: float, unit: str) -> str:
    """Quantity seized, two decimals; doses and plants are whole numbers (``120.00``)."""
    if seizures == 0:
        return "0.00"
    value = seizures * mean * math.exp(rng.gauss(0, 0.35))
    if unit in {"doses", "plants"}:
        value = max(1, round(value))
    return f"{value:.2f}"


def load_forces() -> list[tuple[str, str]]:
    """(area code, ONS name) of the 43 police force areas, in the reference sort order."""
    pfas = sorted(load_pfas(), key=lambda r: int(r["sort_order"]))
    return [(r["area_code"], r["area_name"]) for r in pfas]


def total_rows(rng: random.Random, fy: int, counts: dict[str, int]) -> dict[str, int]:
    """The class totals and All drugs that the table states for one force and year."""
    totals = {}
    for cls in CLASSES:
        totals[cls] = combined_total(
            rng, [n for drug, n in counts.items() if drug_class(drug, fy) == cls]
        )
    totals["all"] = combined_total(rng, [totals[cls] for cls in CLASSES])
    return totals


def generate_long(out: Path, last_year: int, seed: int) -> tuple[int, dict[int, int]]:
    rng = random.Random(seed)
    forces = load_forces()
    pop = load_population()
    total_pop = sum(pop[(code, 2019)] for code, _ in forces)
    activity = {code: rng.uniform(0.75, 1.25) * URBAN.get(code, 1.0) for code, _ in forces}
    weight_total = sum(pop[(code, 2019)] / total_pop * activity[code] for code, _ in forces)
    drug_bias = {(code, drug): rng.uniform(0.6, 1.4) for code, _ in forces for drug in DRUGS}
    reporters = [*forces, ("BTP", BTP), ("BF", BORDER_FORCE)]

    rows = []
    national: dict[int, int] = {}
    for fy in range(2017, last_year + 1):
        years_on = fy - 2017
        for code, name in reporters:
            counts: dict[str, int] = {}
            amounts: dict[str, str] = {}
            for drug, (_, annual, trend, unit, mean, bf_annual, bf_mean) in DRUGS.items():
                noise = rng.uniform(0.88, 1.12)
                if code == "BF":
                    lam = bf_annual * (1 + trend / 2) ** years_on * noise
                    mean = bf_mean
                else:
                    lam = annual * (1 + trend) ** years_on * YEAR_FACTOR[fy] * noise
                    if code == "BTP":
                        lam *= BTP_SHARE
                    else:
                        share = pop[(code, min(max(fy, 2017), 2026))] / total_pop
                        lam *= share * activity[code] * drug_bias[(code, drug)] / weight_total
                        lam *= 1 - BTP_SHARE
                counts[drug] = poisson(rng, lam)
                if unit is None or mean is None:
                    amounts[drug] = ""
                else:
                    amounts[drug] = quantity(rng, counts[drug], mean, unit)
            totals = total_rows(rng, fy, counts)
            national[fy] = national.get(fy, 0) + totals["all"]
            label = fy_label(fy)
            rows.append([label, name, "All drugs", "", str(totals["all"]), "", ""])
            for cls in CLASSES:
                for drug in DRUGS:
                    if drug_class(drug, fy) != cls:
                        continue
                    unit = DRUGS[drug][3] if amounts[drug] else ""
                    rows.append(
                        [label, name, drug, cls, str(counts[drug]), amounts[drug], unit or ""]
                    )
                rows.append([label, name, f"Total Class {cls}", cls, str(totals[cls]), "", ""])

    return write_csv(out, HEADER, rows), national


def write_published_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    """Write like the genuine files: BOM, CRLF, no line end after the last row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    text = buffer.getvalue().removesuffix("\r\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))


def generate_wide(seizures_out: Path, quantities_out: Path, seed: int) -> int:
    """The two wide fixtures for FIXTURE_YEAR (a separate random stream from the sample)."""
    rng = random.Random(seed + FIXTURE_YEAR)
    cannabis = ["Herbal cannabis", "Cannabis resin", "Cannabis plants"]
    other_b = ["Amphetamines", "Barbiturates", "Ketamine", "Mephedrone", "Other Class B"]
    seizure_rows, quantity_rows = [], []
    for seizures_name, quantities_name, size in WIDE_FORCES:
        border = size is None
        counts: dict[str, int] = {}
        amounts: dict[str, str] = {}
        for drug, (_, annual, _, unit, mean, bf_annual, bf_mean) in DRUGS.items():
            lam = bf_annual if border else annual * size * rng.uniform(0.6, 1.4)
            counts[drug] = poisson(rng, lam * YEAR_FACTOR[FIXTURE_YEAR])
            mean = bf_mean if border else mean
            if unit is not None and mean is not None:
                amounts[drug] = quantity(rng, counts[drug], mean, unit)
        blanks = WIDE_BLANK_SEIZURES if border else []
        for drug in blanks:
            counts[drug] = 0
        # The columns as published: cannabis is one column, itself a combined count.
        columns = {
            "A": [counts[d] for d in DRUGS if DRUGS[d][0] == "A"],
            "B": [combined_total(rng, [counts[d] for d in cannabis])]
            + [counts[d] for d in other_b],
            "C": [counts[d] for d in DRUGS if DRUGS[d][0] == "C"],
        }
        totals = {cls: combined_total(rng, columns[cls]) for cls in CLASSES}
        unknown = poisson(rng, max(totals.values()) * rng.uniform(0.03, 0.15))
        stated_all = combined_total(rng, [*totals.values(), unknown])

        def cells(drugs: list[str], values: list[int], blanks=blanks) -> list[str]:
            return ["" if d in blanks else str(v) for d, v in zip(drugs, values, strict=True)]

        seizure_rows.append(
            [
                seizures_name,
                str(stated_all),
                *cells([d for d in DRUGS if DRUGS[d][0] == "A"], columns["A"]),
                str(totals["A"]),
                *cells(["All Cannabis", *other_b], columns["B"]),
                str(totals["B"]),
                *cells([d for d in DRUGS if DRUGS[d][0] == "C"], columns["C"]),
                str(totals["C"]),
                str(unknown),
            ]
        )
        quantity_rows.append(
            [
                quantities_name,
                *(amounts.get(drug, "") for drug in WIDE_QUANTITY_DRUGS),
            ]
        )
    write_published_csv(seizures_out, WIDE_SEIZURES_HEADER, seizure_rows)
    write_published_csv(quantities_out, WIDE_QUANTITIES_HEADER, quantity_rows)
    return len(seizure_rows)


def main(argv: list[str] | None = None) -> int:
    parser = argument_parser(__doc__, EPILOG_EVERY_NUMBER)
    add_out_argument(parser, DEFAULT_OUT, "long CSV to write")
    parser.add_argument(
        "--wide-out",
        type=Path,
        default=DEFAULT_WIDE_OUT,
        help="wide seizures fixture to write (default: %(default)s)",
    )
    parser.add_argument(
        "--wide-quantities-out",
        type=Path,
        default=DEFAULT_WIDE_QUANTITIES_OUT,
        help="wide quantities fixture to write (default: %(default)s)",
    )
    parser.add_argument(
        "--last-year",
        type=int,
        default=2025,
        choices=sorted(YEAR_FACTOR),
        help="start year of the last financial year written (default: %(default)s)",
    )
    add_seed_argument(parser)
    args = parser.parse_args(argv)
    n, national = generate_long(args.out, args.last_year, args.seed)
    report_rows(n, args.out)
    for fy, total in national.items():
        print(f"  {fy_label(fy)}: {total:,} seizures (All drugs)")
    wide = generate_wide(args.wide_out, args.wide_quantities_out, args.seed)
    print(f"wrote {wide} forces to {args.wide_out} and {args.wide_quantities_out}")
    return 0
