"""Write the SYNTHETIC sample of the homicide index records (one row per victim).

The shape is our design, after the Home Office homicide index: ``homicide_id``
(``H000001``...), ``date_recorded`` (YYYY-MM-DD), ``force_name`` (the ONS name from
seeds/reference/ref_areas.csv; ``British Transport Police`` for the few railway cases),
``victim_age_band`` (under 16, 16-24, 25-34, 35-44, 45-54, 55-64, 65 and over),
``victim_sex`` (male/female), ``method_of_killing`` (sharp instrument, blunt instrument,
hitting and kicking, shooting, strangulation, other), ``is_domestic`` and
``is_drug_related`` (Y/N). Coverage is April 2017 to June 2026.

The victim counts are derived from the synthetic police recorded crime sample
(seeds/raw/police_recorded_crime/, written by generate_police_recorded_crime.py, which must
be run first): for every force and financial quarter the number of victims is the police
recorded homicide count (Offence Subgroup ``Homicide``, counts trimmed, commas removed,
``-00`` read as 0) plus a small random difference of -2 to +2, never below zero. The two
sources are therefore close but not identical, as the real homicide index (victims, revised
as cases conclude) and police recorded crime (offences) are. Force spellings of the
police-recorded table are mapped to ONS names through seeds/reference/ref_area_aliases.csv.

Every record is invented; no real person or case is described. Proportions are realistic
orders of size (about 40% killed with a sharp instrument, about 20% of victims under 25,
about 25% domestic, 30-40% drug-related). They are NOT official statistics.

The output is deterministic: the same arguments always write the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from ncpm.synth.common import (
    EPILOG_EVERY_RECORD,
    add_out_argument,
    add_seed_argument,
    argument_parser,
    read_reference,
    sample_path,
    write_csv,
)
from ncpm.synth.police_recorded_crime import DEFAULT_OUT as DEFAULT_PRC

#: Its victims follow the police recorded homicides, so that sample is written first.
AFTER = ("police_recorded_crime",)
DEFAULT_OUT = sample_path("homicide_index")
HEADER = [
    "homicide_id",
    "date_recorded",
    "force_name",
    "victim_age_band",
    "victim_sex",
    "method_of_killing",
    "is_domestic",
    "is_drug_related",
]
FIRST_YEAR = 2017
# Difference between victims and recorded offences in one force-quarter, with its weight.
DIFFERENCE = [(-2, 0.03), (-1, 0.12), (0, 0.70), (1, 0.12), (2, 0.03)]
DIFFERENCE_WHEN_ZERO = [(0, 0.96), (1, 0.04)]
AGE_BANDS = [
    ("under 16", 0.06),
    ("16-24", 0.14),
    ("25-34", 0.20),
    ("35-44", 0.18),
    ("45-54", 0.17),
    ("55-64", 0.11),
    ("65 and over", 0.14),
]
# Method of killing, by whether the case is domestic.
METHODS = {
    "N": [
        ("sharp instrument", 0.44),
        ("blunt instrument", 0.07),
        ("hitting and kicking", 0.20),
        ("shooting", 0.05),
        ("strangulation", 0.03),
        ("other", 0.21),
    ],
    "Y": [
        ("sharp instrument", 0.30),
        ("blunt instrument", 0.12),
        ("hitting and kicking", 0.12),
        ("shooting", 0.01),
        ("strangulation", 0.20),
        ("other", 0.25),
    ],
}
P_MALE = 0.71
P_DOMESTIC = {"male": 0.12, "female": 0.56}
P_DRUG_RELATED = {"N": 0.48, "Y": 0.10}


def parse_fy(label: str) -> int:
    return int(label.strip()[:4])


def parse_count(text: str) -> float:
    """A police-recorded count: padded, '-00' for zero, floats, thousands separators."""
    value = text.strip().replace(",", "")
    if value in {"", "-00"}:
        return 0.0
    return float(value)


def quarter_dates(fy: int, quarter: int) -> tuple[dt.date, int]:
    """First day of a financial quarter and its number of days."""
    month = 3 * quarter + 1  # Q1 -> April, Q2 -> July, Q3 -> October, Q4 -> January
    year = fy
    if month > 12:
        month -= 12
        year += 1
    start = dt.date(year, month, 1)
    end_month, end_year = month + 3, year
    if end_month > 12:
        end_month -= 12
        end_year += 1
    return start, (dt.date(end_year, end_month, 1) - start).days


def pick(rng: random.Random, weighted: list[tuple]) -> object:
    x = rng.random() * sum(w for _, w in weighted)
    acc = 0.0
    for value, weight in weighted:
        acc += weight
        if x < acc:
            return value
    return weighted[-1][0]


def load_force_names() -> dict[str, str]:
    """Map every known force spelling to its ONS (reference) name."""
    names = {r["area_code"]: r["area_name"] for r in read_reference("ref_areas.csv")}
    aliases = {
        r["area_name_alias"]: names[r["area_code"]] for r in read_reference("ref_area_aliases.csv")
    }
    for name in names.values():
        aliases.setdefault(name, name)
    return aliases


def recorded_homicides(prc: Path) -> dict[tuple[int, int, str], int]:
    """Police recorded homicides by (financial year, quarter, ONS force name)."""
    if not prc.exists():
        raise SystemExit(f"{prc} not found: run: ncpm synth --feed police_recorded_crime")
    aliases = load_force_names()
    counts: dict[tuple[int, int, str], float] = {}
    with prc.open(newline="", encoding="utf-8") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            if row["Offence Subgroup"].strip() != "Homicide":
                continue
            force = row["Force Name"].strip()
            if force not in aliases:
                raise SystemExit(f"{prc}:{line}: unknown force spelling {force!r}")
            key = (parse_fy(row["Financial Year"]), int(row["Financial Quarter"]), aliases[force])
            counts[key] = counts.get(key, 0.0) + parse_count(row["Number of Offences"])
    return {key: max(0, round(value)) for key, value in counts.items()}


def generate(out: Path, prc: Path, seed: int) -> tuple[int, int]:
    rng = random.Random(seed)
    recorded = recorded_homicides(prc)
    victims = []
    for fy, quarter, force in sorted(recorded):
        if fy < FIRST_YEAR:
            continue
        offences = recorded[(fy, quarter, force)]
        n = max(0, offences + pick(rng, DIFFERENCE if offences else DIFFERENCE_WHEN_ZERO))
        start, days = quarter_dates(fy, quarter)
        for _ in range(n):
            date = start + dt.timedelta(days=rng.randrange(days))
            sex = "male" if rng.random() < P_MALE else "female"
            age = pick(rng, AGE_BANDS)
            domestic = "Y" if rng.random() < P_DOMESTIC[sex] else "N"
            method = pick(rng, METHODS[domestic])
            if age == "under 16" and method == "shooting":
                method = "other"
            drug = "Y" if rng.random() < P_DRUG_RELATED[domestic] else "N"
            if age in {"under 16", "65 and over"} and drug == "Y" and rng.random() < 0.6:
                drug = "N"
            victims.append([date.isoformat(), force, age, sex, method, domestic, drug])
    victims.sort(key=lambda v: (v[0], v[1]))
    rows = ([f"H{i:06d}", *victim] for i, victim in enumerate(victims, start=1))
    return write_csv(out, HEADER, rows), sum(recorded.values())


def main(argv: list[str] | None = None) -> int:
    parser = argument_parser(__doc__, EPILOG_EVERY_RECORD)
    add_out_argument(parser, DEFAULT_OUT)
    parser.add_argument(
        "--prc",
        type=Path,
        default=DEFAULT_PRC,
        help="synthetic police recorded crime sample to follow (default: %(default)s)",
    )
    add_seed_argument(parser)
    args = parser.parse_args(argv)
    n, recorded = generate(args.out, args.prc, args.seed)
    print(f"wrote {n:,} victims to {args.out} ({recorded:,} police recorded homicides)")
    return 0
