"""Write the SYNTHETIC sample of the victim survey microdata (respondents and victim forms).

The design is ours, after the Crime Survey for England and Wales (docs/survey.md). Two files
are written, one per raw feed:

* ``victim_survey_respondents``: one row per interview, with the household and individual
  weights, age band, sex and the self-completion module on domestic abuse (only ages 16-74
  are eligible; a blank means "not asked");
* ``victim_survey_victim_forms``: one row per incident series reported in the interview, with
  the offence classification, household or personal crime, the number of incidents in the
  series (capped at 5), whether the police came to know and the satisfaction with them
  (1 very satisfied .. 5 very dissatisfied, 9 don't know; blank when not reported).

About 34,000 interviews a year are spread evenly over the months from April 2017 to June 2026
and over the 43 police force areas roughly in proportion to population (a small floor keeps
the City of London in the sample). Over any 12 months of interviews the household weights
gross up to about 24.5 million households and the individual weights to about 47.5 million
adults, growing with the modelled population.

Every respondent, answer and number is invented. Rates are chosen so that national weighted
estimates land in realistic orders of size: neighbourhood crime about 2.0-2.5 million
incidents a year falling over time with a dip in 2020/21, computer misuse about 1 million,
victim satisfaction falling from about 68% to about 55%, domestic abuse about 5% of
self-completion respondents with about 20% of them reporting to the police and their
satisfaction rising from about 59% to about 71%. They are NOT official statistics.

The output is deterministic: the same arguments always write the same bytes.
"""

from __future__ import annotations

import argparse
import calendar
import math
import random
from datetime import date
from pathlib import Path

from ncpm.synth.common import (
    RAW,
    add_seed_argument,
    argument_parser,
    load_pfas,
    load_population,
    months,
    parse_year_month,
    poisson_knuth,
    sample_path,
    write_csv,
)

DEFAULT_OUT_DIR = RAW
RESPONDENTS_FEED = "victim_survey_respondents"
VICTIM_FORMS_FEED = "victim_survey_victim_forms"
RESPONDENTS_HEADER = [
    "respondent_id",
    "interview_date",
    "pfa_code",
    "household_weight",
    "individual_weight",
    "age_band",
    "sex",
    "self_completion_answered",
    "domestic_abuse_last_12_months",
    "da_reported_to_police",
    "da_satisfaction",
]
VICTIM_FORMS_HEADER = [
    "respondent_id",
    "victim_form_id",
    "offence_classification",
    "crime_type",
    "incident_count",
    "reported_to_police",
    "satisfaction",
]

FIRST_MONTH = (2017, 4)
# Households and adults of England and Wales in the population year 2021; other years move
# with the modelled population in ref_population.csv.
HOUSEHOLDS_2021 = 24_500_000
ADULTS_2021 = 47_500_000
MIN_PFA_SHARE = 0.0035  # floor on a force's share of the interviews (the City of London)

# age band: (share of adults in the population, share of the achieved sample). Older people
# answer more often, so the individual weight corrects by population share / sample share.
AGE_BANDS = {
    "16-24": (0.135, 0.090),
    "25-34": (0.170, 0.140),
    "35-44": (0.160, 0.155),
    "45-54": (0.165, 0.170),
    "55-64": (0.150, 0.170),
    "65-74": (0.120, 0.155),
    "75+": (0.100, 0.120),
}
SELF_COMPLETION_AGES = {"16-24", "25-34", "35-44", "45-54", "55-64", "65-74"}
SELF_COMPLETION_RESPONSE = 0.87
SEX = {"female": (0.515, 0.545), "male": (0.485, 0.455)}
ADULTS_IN_HOUSEHOLD = {1: 0.32, 2: 0.50, 3: 0.12, 4: 0.06}
HOUSEHOLD_WEIGHT_SPREAD = 0.35  # sigma of the log-normal non-response adjustment

# Relative crime intensity of the large urban forces.
URBAN = {
    "E23000001": 1.45,
    "E23000005": 1.3,
    "E23000014": 1.3,
    "E23000010": 1.2,
    "E23000004": 1.15,
    "E23000034": 1.1,
}

SINGLE = (0.85, 0.09, 0.03, 0.015, 0.015)  # P(1..5 incidents in a series), 5 = "5 or more"
REPEAT = (0.70, 0.15, 0.06, 0.04, 0.05)
# classification: (crime type, incidents a year in 2017/18, yearly trend, factor for
# interviews in 2020/21, series-length distribution, share reported to the police)
CLASSIFICATIONS = {
    "domestic burglary": ("household", 740_000, -0.040, 0.90, SINGLE, 0.65),
    "personal robbery": ("personal", 300_000, -0.020, 0.85, SINGLE, 0.50),
    "theft from the person": ("personal", 530_000, -0.010, 0.80, SINGLE, 0.30),
    "vehicle-related theft": ("household", 950_000, -0.025, 0.90, SINGLE, 0.45),
    "computer misuse": ("personal", 1_050_000, -0.015, 1.08, REPEAT, 0.12),
    "other household": ("household", 2_600_000, -0.020, 0.90, REPEAT, 0.32),
    "other personal": ("personal", 2_200_000, -0.015, 0.85, REPEAT, 0.35),
}
# Relative incidence of personal crime by age band (normalised to the adult population).
PERSONAL_AGE = {
    "16-24": 2.2,
    "25-34": 1.5,
    "35-44": 1.1,
    "45-54": 0.9,
    "55-64": 0.7,
    "65-74": 0.5,
    "75+": 0.4,
}
CYBER_AGE = {
    "16-24": 1.1,
    "25-34": 1.1,
    "35-44": 1.05,
    "45-54": 1.0,
    "55-64": 0.95,
    "65-74": 0.9,
    "75+": 0.8,
}
DA_AGE = {
    "16-24": 1.8,
    "25-34": 1.4,
    "35-44": 1.1,
    "45-54": 0.9,
    "55-64": 0.6,
    "65-74": 0.4,
}
DA_SEX = {"female": 1.4, "male": 0.6}
DA_PREVALENCE_2017 = 0.054
DA_PREVALENCE_TREND = -0.015
SURVEY_YEARS = 9.25  # April 2017 to June 2026, for the linear trends below
SATISFIED = (0.68, 0.55)  # very or fairly satisfied among answers 1-5, start and end
DA_REPORTED = (0.18, 0.23)
DA_SATISFIED = (0.59, 0.71)
DONT_KNOW = 0.04
VERY_WITHIN_SATISFIED = 0.42
DISSATISFIED_SPLIT = ((3, 0.35), (4, 0.30), (5, 0.35))


def pick(rng: random.Random, options: dict) -> object:
    x, acc = rng.random(), 0.0
    for value, weight in options.items():
        acc += weight
        if x < acc:
            return value
    return value


def normalised(factors: dict[str, float], shares: dict[str, float]) -> dict[str, float]:
    mean = sum(factors[k] * shares[k] for k in factors) / sum(shares[k] for k in factors)
    return {k: v / mean for k, v in factors.items()}


def linear(span: tuple[float, float], years_on: float) -> float:
    start, end = span
    return start + (end - start) * min(years_on, SURVEY_YEARS) / SURVEY_YEARS


def covid_factor(year: int, month: int, factor: float) -> float:
    """Interviews in 2020/21 recall a year of lockdowns; recovery by autumn 2021."""
    if (2020, 4) <= (year, month) <= (2021, 3):
        return factor
    if (2021, 4) <= (year, month) <= (2021, 9):
        return (1 + factor) / 2
    return 1.0


def satisfaction(rng: random.Random, p_satisfied: float) -> str:
    if rng.random() < DONT_KNOW:
        return "9"
    if rng.random() < p_satisfied:
        return "1" if rng.random() < VERY_WITHIN_SATISFIED else "2"
    return str(pick(rng, dict(DISSATISFIED_SPLIT)))


def allocate(pfas: list[str], pop: dict, per_year: int) -> dict[str, float]:
    """Interviews a year by force: in proportion to population, with a floor."""
    total = sum(pop[(p, 2021)] for p in pfas)
    share = {p: pop[(p, 2021)] / total for p in pfas}
    floored = {p for p in pfas if share[p] < MIN_PFA_SHARE}
    rest = sum(share[p] for p in pfas if p not in floored)
    free = 1 - MIN_PFA_SHARE * len(floored)
    return {p: per_year * (MIN_PFA_SHARE if p in floored else share[p] / rest * free) for p in pfas}


def generate(out_dir: Path, last: tuple[int, int], per_year: int, seed: int) -> tuple[int, int]:
    rng = random.Random(seed)
    pfas = sorted(p["area_code"] for p in load_pfas())
    pop = load_population()
    national = {y: sum(pop[(p, y)] for p in pfas) for y in range(2017, 2027)}
    allocation = allocate(pfas, pop, per_year)

    pop_age = {a: s[0] for a, s in AGE_BANDS.items()}
    sample_age = {a: s[1] for a, s in AGE_BANDS.items()}
    age_weight = {a: pop_age[a] / sample_age[a] for a in AGE_BANDS}
    sex_weight = {s: v[0] / v[1] for s, v in SEX.items()}
    mean_adults = sum(k * p for k, p in ADULTS_IN_HOUSEHOLD.items())
    personal_age = normalised(PERSONAL_AGE, pop_age)
    cyber_age = normalised(CYBER_AGE, pop_age)
    da_age = normalised(DA_AGE, pop_age)
    da_sex = normalised(DA_SEX, {s: v[0] for s, v in SEX.items()})
    bias = {p: URBAN.get(p, 1.0) * rng.uniform(0.85, 1.15) for p in pfas}
    pfa_crime = normalised(bias, {p: pop[(p, 2021)] for p in pfas})
    mean_series = {
        c: sum((i + 1) * q for i, q in enumerate(spec[4])) for c, spec in CLASSIFICATIONS.items()
    }

    respondents, forms = [], []
    for index, (year, month) in enumerate(months(FIRST_MONTH, last)):
        years_on = index / 12 + 1 / 24
        pop_year = min(max(year, 2017), 2026)
        scale = national[pop_year] / national[2021]
        households, adults = HOUSEHOLDS_2021 * scale, ADULTS_2021 * scale
        days = calendar.monthrange(year, month)[1]
        # series a year per household or adult, before the age and force factors
        base_rate = {}
        for c, (kind, volume, trend, covid, _, _) in CLASSIFICATIONS.items():
            incidents = volume * (1 + trend) ** years_on * covid_factor(year, month, covid)
            base = households if kind == "household" else adults
            base_rate[c] = incidents / base / mean_series[c]
        p_satisfied = linear(SATISFIED, years_on)
        p_da = DA_PREVALENCE_2017 * (1 + DA_PREVALENCE_TREND) ** years_on
        p_da_reported = linear(DA_REPORTED, years_on)
        p_da_satisfied = linear(DA_SATISFIED, years_on)

        month_rows = []
        for p in pfas:
            expected = allocation[p] / 12
            count = math.floor((index + 1) * expected + 0.5) - math.floor(index * expected + 0.5)
            pfa_households = households * pop[(p, pop_year)] / national[pop_year]
            pfa_adults = adults * pop[(p, pop_year)] / national[pop_year]
            for _ in range(count):
                day = rng.randint(1, days)
                age = pick(rng, sample_age)
                sex = pick(rng, {s: v[1] for s, v in SEX.items()})
                n_adults = pick(rng, ADULTS_IN_HOUSEHOLD)
                sigma = HOUSEHOLD_WEIGHT_SPREAD
                noise = math.exp(rng.gauss(-sigma * sigma / 2, sigma))
                hh_weight = pfa_households / allocation[p] * noise
                ind_weight = (
                    pfa_adults
                    / allocation[p]
                    * noise
                    * (n_adults / mean_adults)
                    * age_weight[age]
                    * sex_weight[sex]
                )
                answered = da = da_reported = da_sat = ""
                if age in SELF_COMPLETION_AGES and rng.random() < SELF_COMPLETION_RESPONSE:
                    answered = "Y"
                    is_da = rng.random() < p_da * da_age[age] * da_sex[sex]
                    da = "Y" if is_da else "N"
                    if is_da:
                        reported = rng.random() < p_da_reported
                        da_reported = "Y" if reported else "N"
                        if reported:
                            da_sat = satisfaction(rng, p_da_satisfied)
                else:
                    answered = "N"
                series = []
                for c, (kind, _, _, _, lengths, p_reported) in CLASSIFICATIONS.items():
                    rate = base_rate[c] * pfa_crime[p]
                    if c == "computer misuse":
                        rate *= cyber_age[age]
                    elif kind == "personal":
                        rate *= personal_age[age]
                    # Knuth's draw, not poisson(): these small rates never need its shortcuts,
                    # and a shortcut would change the random stream (and every respondent).
                    for _ in range(poisson_knuth(rng, rate)):
                        n = pick(rng, {i + 1: q for i, q in enumerate(lengths)})
                        reported = rng.random() < p_reported
                        sat = satisfaction(rng, p_satisfied) if reported else ""
                        series.append([c, kind, str(n), "Y" if reported else "N", sat])
                interview = date(year, month, day).isoformat()
                month_rows.append(
                    (
                        interview,
                        [
                            p,
                            f"{hh_weight:.2f}",
                            f"{ind_weight:.2f}",
                            age,
                            sex,
                            answered,
                            da,
                            da_reported,
                            da_sat,
                        ],
                        series,
                    )
                )
        month_rows.sort(key=lambda r: r[0])  # stable: force order within a day
        for interview, fields, series in month_rows:
            rid = f"R{len(respondents) + 1:07d}"
            respondents.append([rid, interview, *fields])
            for s in series:
                forms.append([rid, f"V{len(forms) + 1:08d}", *s])

    return (
        write_csv(sample_path(RESPONDENTS_FEED, raw_dir=out_dir), RESPONDENTS_HEADER, respondents),
        write_csv(sample_path(VICTIM_FORMS_FEED, raw_dir=out_dir), VICTIM_FORMS_HEADER, forms),
    )


def year_month(text: str) -> tuple[int, int]:
    """``--last-month``: YYYY-MM, from FIRST_MONTH on."""
    year, month = parse_year_month(text)
    if not 1 <= month <= 12 or (year, month) < FIRST_MONTH:
        raise argparse.ArgumentTypeError(f"expected a month from 2017-04, got {text!r}")
    return year, month


def main(argv: list[str] | None = None) -> int:
    parser = argument_parser(__doc__)
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=DEFAULT_OUT_DIR,
        help=(
            f"raw seed folder; writes <out-dir>/{RESPONDENTS_FEED}/... and "
            f"<out-dir>/{VICTIM_FORMS_FEED}/... (default: %(default)s)"
        ),
    )
    parser.add_argument(
        "--last-month",
        type=year_month,
        default=(2026, 6),
        metavar="YYYY-MM",
        help="last month of interviews (default: 2026-06)",
    )
    parser.add_argument(
        "--interviews-per-year",
        type=int,
        default=34_000,
        help="achieved interviews a year (default: %(default)s)",
    )
    add_seed_argument(parser)
    args = parser.parse_args(argv)
    n_respondents, n_forms = generate(
        args.out_dir, args.last_month, args.interviews_per_year, args.seed
    )
    print(f"wrote {n_respondents:,} respondents and {n_forms:,} victim forms under {args.out_dir}")
    return 0
