"""Every feed refuses bad input by name, on both paths, and changes no file.

One row of CASES is one damaged file. Each runs on the paths its row names:

* ``land``: ``ncpm land <feed> <file>`` (``--year`` for a wide seizures table) in a
  subprocess, against a sandbox landing folder holding the feed's good current file;
* ``build``: the file dropped straight into the sandbox landing folder, then ``ncpm build
  --select <staging model> --indirect-selection cautious`` (the staging model and its
  tests) on a copy of the session's warehouse. Several feeds' cases share one build: each
  staging model fails on its own, with its own message (see ``batches``).

Each case asserts: a non-zero exit; a message naming the file, the row or column, the
value and the rule in the project's words (the fragments of its row); no engine error
text (``ENGINE_ERRORS``); every file of the landing folder and of the publications folder
byte-identical afterwards (sha256 before and after).

To add a case, add one row: ``Case(id, landing folder, damage, fragments, paths)``.
``damage`` takes the feed's small good sample (header + rows, as lists) and returns the
damaged rows, or bytes for damage below the CSV level.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from reliability_support import (
    ENGINE_ERRORS,
    NCPM,
    RAW,
    ROOT,
    VARS,
    changed_files,
    sha256_tree,
    tally,
)

Rows = list[list[str]]
FIXTURE_WIDE = ROOT / "tests" / "python" / "fixtures" / "drug_seizures_wide_2018-19__synthetic.csv"
WIDE = "drug_seizures_wide"
WIDE_NAME = "drug_seizures_wide_2018-19.csv"

# landing folder -> the staging model that reads it
MODELS = {
    "police_recorded_crime": "stg_police_recorded_crime__offences",
    "homicide_index": "stg_homicide_index__victims",
    "weapon_returns": "stg_weapon_returns__offences",
    "hospital_admissions": "stg_hospital_admissions__admissions",
    "drug_seizures": "stg_drug_seizures__seizures",
    WIDE: "stg_drug_seizures__seizures",
    "drug_treatment_referrals": "stg_drug_treatment_referrals__referrals",
    "county_lines": "stg_county_lines__lines_closed",
    "action_fraud_computer_misuse": "stg_action_fraud_computer_misuse__offences",
    "victim_survey_respondents": "stg_victim_survey__respondents",
    "victim_survey_victim_forms": "stg_victim_survey__victim_forms",
    "business_cyber_breaches_survey": "stg_business_cyber_breaches_survey__size_bands",
}
# folders a staging model reads besides the case's own (filled with a good file)
COMPANIONS = {"drug_seizures": [WIDE], WIDE: ["drug_seizures"]}


# ---------------------------------------------------------------- good samples


def read_csv(path: Path) -> Rows:
    with path.open(newline="", encoding="utf-8-sig") as f:
        return list(csv.reader(f))


def sample(folder: str) -> Rows:
    """A small good file of the feed: its header and first 20 rows (the wide fixture for
    the wide folder; victim forms whose respondents are all in the respondents sample)."""
    if folder == WIDE:
        return read_csv(FIXTURE_WIDE)
    if folder == "victim_survey_victim_forms":
        respondents = {r[0] for r in sample("victim_survey_respondents")[1:]}
        rows = read_csv(next((RAW / folder).glob("*.csv")))
        return [rows[0], *[r for r in rows[1:] if r[0] in respondents][:20]]
    n = 300 if folder == "victim_survey_respondents" else 20
    with next((RAW / folder).glob("*.csv")).open(newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        return [row for _, row in zip(range(n + 1), reader, strict=False)]


def to_bytes(rows: Rows) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


# ---------------------------------------------------------------- kinds of damage


def cell(row: int, column: str, value: str) -> Callable[[Rows], Rows]:
    """Data row ``row`` (1 = first after the header), ``column`` set to ``value``."""

    def damage(rows: Rows) -> Rows:
        rows[row][rows[0].index(column)] = value
        return rows

    return damage


def cells(row: int, **values: str) -> Callable[[Rows], Rows]:
    def damage(rows: Rows) -> Rows:
        for column, value in values.items():
            rows[row][rows[0].index(column)] = value
        return rows

    return damage


def drop_column(column: str) -> Callable[[Rows], Rows]:
    def damage(rows: Rows) -> Rows:
        i = rows[0].index(column)
        return [r[:i] + r[i + 1 :] for r in rows]

    return damage


def rename_column(column: str, new: str) -> Callable[[Rows], Rows]:
    def damage(rows: Rows) -> Rows:
        rows[0][rows[0].index(column)] = new
        return rows

    return damage


def extra_column(name: str) -> Callable[[Rows], Rows]:
    return lambda rows: [rows[0] + [name]] + [[*r, "x"] for r in rows[1:]]


def header_only(rows: Rows) -> Rows:
    return rows[:1]


def not_utf8(row: int) -> Callable[[Rows], bytes]:
    """Byte 0x81 in data row ``row``: neither UTF-8 nor Windows-1252 (undefined there)."""

    def damage(rows: Rows) -> bytes:
        lines = to_bytes(rows).split(b"\n")
        lines[row] = lines[row].replace(b",", b",\x81", 1)
        return b"\n".join(lines)

    return damage


def wide_header(position: int, text: str) -> Callable[[Rows], Rows]:
    """Header cell ``position`` (1-based) of the wide table set to ``text``."""

    def damage(rows: Rows) -> Rows:
        rows[0][position - 1] = text
        return rows

    return damage


def wide_cell(force: str, column: str, value: str) -> Callable[[Rows], Rows]:
    def damage(rows: Rows) -> Rows:
        row = next(r for r in rows[1:] if r[0] == force)
        row[rows[0].index(column)] = value
        return rows

    return damage


def blank_column_valued_once(position: int, force: str) -> Callable[[Rows], Rows]:
    """Header cell ``position`` blank, its cells blank but in the row of ``force``."""

    def damage(rows: Rows) -> Rows:
        rows[0][position - 1] = ""
        for row in rows[1:]:
            if row[0] != force:
                row[position - 1] = ""
        return rows

    return damage


def swap_headers(a: str, b: str) -> Callable[[Rows], Rows]:
    def damage(rows: Rows) -> Rows:
        i, j = rows[0].index(a), rows[0].index(b)
        rows[0][i], rows[0][j] = rows[0][j], rows[0][i]
        return rows

    return damage


def orphan_form(rows: Rows) -> Rows:
    form = list(rows[1])
    form[0], form[1] = "R9999999", "V99999999"
    return [*rows, form]


# ---------------------------------------------------------------- the cases


@dataclass(frozen=True)
class Case:
    id: str
    folder: str  # the landing folder the file goes into
    damage: Callable[[Rows], Rows | bytes]
    expect: tuple[str, ...]  # fragments of the message: row or column, value, rule
    paths: tuple[str, ...] = ("build",)

    @property
    def feed(self) -> str:
        return "drug_seizures" if self.folder == WIDE else self.folder

    @property
    def file_name(self) -> str:
        return WIDE_NAME if self.folder == WIDE else f"{self.id}.csv"

    def content(self) -> bytes:
        made = self.damage(sample(self.folder))
        return made if isinstance(made, bytes) else to_bytes(made)


CONTRACT = "has exactly the columns its source declares"
BOTH = ("land", "build")
PRC, HOM, WEA, HOS = (
    "police_recorded_crime",
    "homicide_index",
    "weapon_returns",
    "hospital_admissions",
)
SEI, TRE, CTY, AFC = (
    "drug_seizures",
    "drug_treatment_referrals",
    "county_lines",
    "action_fraud_computer_misuse",
)
RES, FRM, BUS = (
    "victim_survey_respondents",
    "victim_survey_victim_forms",
    "business_cyber_breaches_survey",
)
ROW = "data row 7: "

CASES = [
    # --- the source contract: both paths
    Case("prc_missing_column", PRC, drop_column("Offence Code"),
         ("lacks column 'Offence Code'", CONTRACT), BOTH),
    Case("prc_header_only", PRC, header_only, ("holds a header and no data row",), BOTH),
    Case("hom_renamed_column", HOM, rename_column("victim_sex", "sex"),
         ("has column 'sex', which its source does not declare", "lacks column 'victim_sex'"),
         BOTH),
    Case("wea_header_only", WEA, header_only, ("holds a header and no data row",), BOTH),
    Case("hos_not_utf8", HOS, not_utf8(3), ("UTF-8",), BOTH),
    Case("sei_extra_column", SEI, extra_column("notes"),
         ("has column 'notes', which its source does not declare", CONTRACT), BOTH),
    Case("tre_missing_column", TRE, drop_column("referrals"),
         ("lacks column 'referrals'", CONTRACT), BOTH),
    Case("cty_header_only", CTY, header_only, ("holds a header and no data row",), BOTH),
    Case("afc_not_utf8", AFC, not_utf8(2), ("UTF-8",), BOTH),
    Case("res_renamed_column", RES, rename_column("household_weight", "hh_weight"),
         ("has column 'hh_weight'", "lacks column 'household_weight'"), BOTH),
    Case("frm_extra_column", FRM, extra_column("notes"),
         ("has column 'notes', which its source does not declare",), BOTH),
    Case("bus_missing_column", BUS, drop_column("unweighted_base"),
         ("lacks column 'unweighted_base'", CONTRACT), BOTH),
    # --- wide seizures tables refused when landed
    Case("wide_repeated_header", WIDE, wide_header(4, "Cocaine"),
         ("columns 3 ('Cocaine') and 4 ('Cocaine') are both Cocaine",
          "each drug type appears once"), ("land",)),
    Case("wide_blank_header", WIDE, wide_header(5, ""),
         ("blank column header in column(s) 5", "every column of a wide seizures table is named"),
         ("land",)),
    Case("wide_misplaced_header", WIDE, swap_headers("Cocaine", "Amphetamines"),
         ("column 3 ('Amphetamines') is a Class B drug but sits before 'Total Class A'",
          "each drug's column lies in its class's block"),
         ("land",)),
    Case("wide_unknown_header_land", WIDE, wide_header(3, "Cocaine powder"),
         ("unknown column header(s) 'Cocaine powder' (column 3)", "ref_drug_seizure_columns.csv"),
         ("land",)),
    # --- values: staging refuses each bad row (dropped in, then built)
    Case("prc_non_numeric", PRC, cell(7, "Number of Offences", "12a"),
         (ROW + "non-numeric count; rule: Number of Offences must be a number", 'value: "12a"')),
    Case("prc_fractional_force", PRC, cell(7, "Number of Offences", "56.5"),
         (ROW + "fractional count for a body that counts records", ': 56.5"',
          "counts of police forces and British Transport Police are whole numbers")),
    Case("prc_unknown_force", PRC, cell(7, "Force Name", "Kentshire"),
         (ROW + "unknown force name; rule: every force spelling must be listed",
          'value: "Kentshire"')),
    Case("prc_bad_year", PRC, cell(7, "Financial Year", "2019/21"),
         (ROW + "malformed financial year; rule: Financial Year must be YYYY/YY",
          'value: "2019/21"')),
    Case("prc_bad_quarter", PRC, cell(7, "Financial Quarter", "5"),
         (ROW + "financial quarter outside 1-4", 'value: "5"')),
    Case("hom_bad_date", HOM, cell(7, "date_recorded", "2019-13-01"),
         (ROW + "bad date recorded; rule: date_recorded must be a date YYYY-MM-DD",
          'value: "2019-13-01"')),
    Case("hom_unknown_force", HOM, cell(7, "force_name", "Gotham"),
         (ROW + "unknown force name", 'value: "Gotham"')),
    Case("hom_age_band", HOM, cell(7, "victim_age_band", "twelve"),
         (ROW + "victim age band not accepted", 'value: "twelve"')),
    Case("hom_flag", HOM, cell(7, "is_domestic", "maybe"),
         (ROW + "flag not Y/N; rule: is_domestic is Y or N", 'value: "maybe"')),
    Case("wea_negative", WEA, cell(7, "offences", "-3"),
         (ROW + "negative count; rule: offences cannot be negative in this feed", 'value: "-3"')),
    Case("wea_weapon_type", WEA, cell(7, "weapon_type", "crossbow"),
         (ROW + "unknown weapon type", 'value: "crossbow"')),
    Case("wea_non_numeric", WEA, cell(7, "offences", "ten"),
         (ROW + "non-numeric count; rule: offences must be a whole number", 'value: "ten"')),
    Case("wea_bad_quarter", WEA, cell(7, "financial_quarter", "Q1"),
         (ROW + "financial quarter outside 1-4", 'value: "Q1"')),
    Case("hos_bad_month", HOS, cell(7, "month", "2019-13"),
         (ROW + "malformed month; rule: month must be YYYY-MM", 'value: "2019-13"')),
    Case("hos_negative", HOS, cell(7, "admissions", "-1"),
         (ROW + "negative admission count; rule: admissions cannot be negative", 'value: "-1"')),
    Case("hos_age_band", HOS, cell(7, "age_band", "26-30"),
         (ROW + "age band not accepted", 'value: "26-30"')),
    Case("sei_unknown_drug", SEI, cell(7, "drug_type", "Moonrock"),
         (ROW + "unknown drug type", 'value: "Moonrock"')),
    Case("sei_negative", SEI, cell(7, "seizures", "-4"),
         (ROW + "negative seizure count; rule: seizures cannot be negative", 'value: "-4"')),
    Case("sei_bad_year", SEI, cell(7, "financial_year", "2018-19"),
         (ROW + "malformed financial year", 'value: "2018-19"')),
    Case("sei_unknown_force", SEI, cell(7, "force_name", "Atlantis"),
         (ROW + "unknown force name", 'value: "Atlantis"')),
    Case("wide_blank_header_build", WIDE, blank_column_valued_once(5, "Durham"),
         ("data row 1: value under a column without header", 'value: "50"')),
    Case("wide_unknown_header_build", WIDE, wide_header(3, "Cocaine powder"),
         ("header row, column 3: unknown column header", 'value: "Cocaine powder"')),
    Case("wide_negative_cell", WIDE, wide_cell("Durham", "Heroin", "-7"),
         ("data row 1: negative seizure count", 'value: "-7"')),
    Case("wide_total_below_largest", WIDE, wide_cell("Durham", "Total Class A", "300"),
         ("2018/19 Durham: Total Class A 300 is below its largest part (Cocaine 352)",
          "rule: a class total is at least its largest drug column")),
    Case("wide_total_above_all_drugs", WIDE, wide_cell("Durham", "Total Class B", "5000"),
         ("2018/19 Durham: Total Class B 5000 is above the table's All drugs (All drugs 3971)",
          "rule: a class total is at most All drugs")),
    Case("tre_non_numeric", TRE, cell(7, "referrals", "twelve"),
         (ROW + "non-numeric count; rule: referrals must be a whole number", 'value: "twelve"')),
    Case("tre_negative", TRE, cell(7, "referrals", "-2"),
         (ROW + "negative count; rule: referrals cannot be negative", 'value: "-2"')),
    Case("tre_unknown_force", TRE, cell(7, "force_name", "Narnia Police"),
         (ROW + "unknown force name", 'value: "Narnia Police"')),
    Case("cty_non_numeric", CTY, cell(7, "lines_closed", "4x3"),
         (ROW + "non-numeric count; rule: lines_closed must be a whole number", 'value: "4x3"')),
    Case("cty_fraction", CTY, cell(7, "lines_closed", "3.5"),
         (ROW + "non-numeric count; rule: lines_closed must be a whole number", 'value: "3.5"')),
    Case("cty_bad_year", CTY, cell(7, "financial_year", "2018"),
         (ROW + "malformed financial year", 'value: "2018"')),
    Case("afc_missing_type", AFC, cell(7, "offence_type", ""),
         (ROW + "missing offence type", 'value: "<blank>"')),
    Case("afc_negative", AFC, cell(7, "offences", "-9"),
         (ROW + "count not a whole number of 0 or more", 'value: "-9"')),
    Case("afc_bad_quarter", AFC, cell(7, "financial_quarter", "0"),
         (ROW + "financial quarter outside 1-4", 'value: "0"')),
    Case("res_weight_zero", RES, cell(7, "household_weight", "0"),
         (ROW + "survey weight not positive; rule: household_weight must be a number greater",
          'value: "0"')),
    Case("res_weight_negative", RES, cell(7, "individual_weight", "-5.2"),
         (ROW + "survey weight not positive; rule: individual_weight", 'value: "-5.2"')),
    Case("res_bad_date", RES, cell(7, "interview_date", "2019-02-30"),
         (ROW + "malformed interview date", 'value: "2019-02-30"')),
    Case("res_unknown_pfa", RES, cell(7, "pfa_code", "E99999999"),
         (ROW + "unknown police force area code", 'value: "E99999999"')),
    Case("frm_orphan", FRM, orphan_form,
         ("data row 21: orphan row; rule: every respondent_id must exist in "
          "victim_survey_respondents", 'value: "R9999999"')),
    Case("frm_series_count", FRM, cell(3, "incident_count", "7"),
         ("data row 3: series count outside 1-5", 'value: "7"')),
    Case("frm_unknown_offence", FRM, cell(3, "offence_classification", "space piracy"),
         ("data row 3: unknown offence classification", 'value: "space piracy"')),
    Case("frm_satisfaction", FRM, cells(1, satisfaction="7", reported_to_police="Y"),
         ("data row 1: satisfaction code not accepted", 'value: "7"')),
    Case("bus_percentage", BUS, cell(7, "pct_identifying_breach_or_attack", "120"),
         (ROW + "percentage outside 0-100", 'value: "120"')),
    Case("bus_size_band", BUS, cell(7, "size_band", "huge"),
         (ROW + "unknown size band", 'value: "huge"')),
    Case("bus_base_zero", BUS, cell(7, "unweighted_base", "0"),
         (ROW + "unweighted base not a positive whole number", 'value: "0"')),
    Case("bus_bad_year", BUS, cell(7, "survey_year", "17"),
         (ROW + "malformed survey year", 'value: "17"')),
]  # fmt: skip

# A whole count of a police force written 9.0 is accepted (built with the cases below).
ACCEPTED_PRC = cell(7, "Number of Offences", "9.0")


# ---------------------------------------------------------------- the drop-in builds


def is_contract(case: Case) -> bool:
    return "land" in case.paths


def batches() -> list[list[Case]]:
    """The build cases in as few builds as keep one case per staging model per build.

    Contract cases stop the build before any model runs (one message, one line per file),
    so they share builds of their own. The orphan form needs the respondents model to
    succeed, so no respondents case shares its build.
    """
    out: list[list[Case]] = []
    for contract in (True, False):
        chosen: list[list[Case]] = []
        for case in (c for c in CASES if "build" in c.paths and is_contract(c) == contract):
            for batch in chosen:
                # contract cases each name their own file in the one message
                models = set() if contract else {MODELS[c.folder] for c in batch}
                if any(c.id == "frm_orphan" for c in batch):
                    models.add(MODELS[RES])
                if MODELS[case.folder] in models:
                    continue
                if case.id == "frm_orphan" and MODELS[RES] in models:
                    continue
                batch.append(case)
                break
            else:
                chosen.append([case])
        out += chosen
    return out


@dataclass
class BatchRun:
    returncode: int
    output: str
    changed: list[str]
    statuses: dict[str, str]


def fill(raw: Path, batch: list[Case], accept_prc: bool) -> list[str]:
    """The landing folder for one build: each case's file, good companions; the models."""
    if raw.exists() or raw.is_symlink():
        shutil.rmtree(raw) if not raw.is_symlink() else raw.unlink()
    raw.mkdir()
    folders = {c.folder for c in batch}
    needed = set(folders)
    for c in batch:
        needed.update(COMPANIONS.get(c.folder, []))
        if c.id == "frm_orphan":
            needed.add(RES)
    if accept_prc and PRC not in folders:
        needed.add(PRC)
    for folder in sorted(needed):
        (raw / folder).mkdir()
    for c in batch:
        (raw / c.folder / c.file_name).write_bytes(c.content())
    for folder in sorted(needed - folders):
        if folder == WIDE:
            (raw / WIDE / "_no_wide_tables_landed__empty.csv").write_bytes(b"")
        elif folder == PRC and accept_prc:
            (raw / PRC / "accepted_whole_9_0.csv").write_bytes(to_bytes(ACCEPTED_PRC(sample(PRC))))
        else:
            (raw / folder / "good.csv").write_bytes(to_bytes(sample(folder)))
    return sorted({MODELS[f] for f in needed})


@pytest.fixture(scope="session")
def dropin(built) -> dict[str, tuple[BatchRun, Case]]:
    """Run every drop-in build once; each case's result by case id."""
    results: dict[str, tuple[BatchRun, Case]] = {}
    publications = built.root / "publications"
    (publications / "2026-03").mkdir(parents=True, exist_ok=True)
    (publications / "2026-03" / "manifest.json").write_text('{"stand-in": true}\n')
    accepted_done = False
    for batch in batches():
        accept_prc = not accepted_done and not is_contract(batch[0])
        accept_prc = accept_prc and all(c.folder != PRC for c in batch)
        models = fill(built.raw, batch, accept_prc)
        accepted_done = accepted_done or accept_prc
        warehouse = built.root / "case.duckdb"
        shutil.copyfile(built.warehouse, warehouse)
        before = sha256_tree(built.raw, publications)
        proc = subprocess.run(
            [
                str(NCPM),
                "build",
                "--select",
                *models,
                "--indirect-selection",
                "cautious",
                "--vars",
                VARS,
            ],
            cwd=ROOT,
            env=built.env({"NCPM_DUCKDB_PATH": str(warehouse)}),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        changed = changed_files(before, sha256_tree(built.raw, publications))
        results_file = built.target / "run_results.json"
        statuses = {}
        if results_file.exists():
            for r in json.loads(results_file.read_text())["results"]:
                statuses[r["unique_id"].split(".")[-1]] = r["status"]
        run = BatchRun(proc.returncode, proc.stdout + proc.stderr, changed, statuses)
        if accept_prc:
            results["__accepted_prc__"] = (run, batch[0])
        for case in batch:
            results[case.id] = (run, case)
    return results


def message_lines(output: str, needle: str) -> list[str]:
    return [line for line in output.splitlines() if needle in line]


def assert_named(output: str, case: Case, file_ref: str) -> None:
    for engine in ENGINE_ERRORS:
        assert engine not in output, f"engine text {engine!r} shown:\n{output[-3000:]}"
    lines = message_lines(output, file_ref)
    assert lines, f"no message names {file_ref}:\n{output[-4000:]}"
    missing = [f for f in case.expect if not any(f in line for line in lines)]
    assert not missing, f"no line naming {file_ref} says {missing}:\n" + "\n".join(lines[:12])


BUILD_CASES = [c for c in CASES if "build" in c.paths]
LAND_CASES = [c for c in CASES if "land" in c.paths]


@pytest.mark.parametrize("case", BUILD_CASES, ids=[c.id for c in BUILD_CASES])
def test_dropped_in_file_is_refused_by_name(dropin, built, case):
    run, _ = dropin[case.id]
    tally("changed", len(run.changed))
    assert run.returncode != 0, run.output[-3000:]
    assert run.changed == [], f"files changed: {run.changed}"
    assert_named(run.output, case, str(built.raw / case.folder / case.file_name))
    tally("refused")


def test_whole_count_written_9_0_is_accepted_for_a_force(dropin):
    run, _ = dropin["__accepted_prc__"]
    assert run.statuses.get(MODELS[PRC]) == "success", run.output[-3000:]


@pytest.mark.parametrize("case", LAND_CASES, ids=[c.id for c in LAND_CASES])
def test_landed_file_is_refused_by_name(tmp_path, case):
    raw = tmp_path / "raw"
    for folder in {case.feed, WIDE}:
        (raw / folder).mkdir(parents=True, exist_ok=True)
    (raw / case.feed / "current.csv").write_bytes(to_bytes(sample(case.feed)))
    publications = tmp_path / "publications" / "2026-03"
    publications.mkdir(parents=True)
    (publications / "manifest.json").write_text('{"stand-in": true}\n')
    incoming = tmp_path / "incoming" / case.file_name
    incoming.parent.mkdir()
    incoming.write_bytes(case.content())
    year = ["--year", "2018/19"] if case.folder == WIDE else []
    before = sha256_tree(raw, tmp_path / "publications")
    proc = subprocess.run(
        [str(NCPM), "land", case.feed, str(incoming), *year, "--raw-dir", str(raw)],
        cwd=ROOT,
        env={**os.environ, "NCPM_RAW_DIR": str(raw)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    changed = changed_files(before, sha256_tree(raw, tmp_path / "publications"))
    tally("changed", len(changed))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert changed == [], f"files changed: {changed}"
    assert not list(raw.rglob("*.tmp")) and not list(raw.rglob("archive"))
    assert_named(proc.stdout + proc.stderr, case, str(incoming))
    tally("refused")


# ---------------------------------------------------------------- street-level files (Parquet)
# `ncpm land street_level_crime` refuses a damaged police.uk street file before anything
# landed changes. The good file is 20 rows of the committed sample written back as police.uk
# CSV; each case damages one thing and is landed over a landing folder holding a good month.

STREET = "street_level_crime"
STREET_GOOD = "2019-06-city-of-london-street.csv"


def street_sample() -> Rows:
    """A good police.uk street file: the header and 20 rows of the committed sample."""
    from ncpm import street_level

    part = street_level.partition(RAW / STREET, "2019-06", "city-of-london")
    rows = duckdb.sql(
        "select crime_id, '2019-06', reported_by, falls_within, longitude, latitude, location, "
        "lsoa_code, lsoa_name, crime_type, last_outcome_category, context "
        f"from read_parquet('{part}', hive_partitioning = false) order by source_row limit 20"
    ).fetchall()
    text = [["" if v is None else (f"{v:.6f}" if isinstance(v, float) else str(v)) for v in r]
            for r in rows]  # fmt: skip
    return [list(street_level.HEADER), *text]


@dataclass(frozen=True)
class StreetCase:
    id: str
    file_name: str
    damage: Callable[[Rows], Rows | bytes]
    expect: tuple[str, ...]

    def content(self) -> bytes:
        made = self.damage(street_sample())
        return made if isinstance(made, bytes) else to_bytes(made)


def street_extra_field(row: int) -> Callable[[Rows], Rows]:
    def damage(rows: Rows) -> Rows:
        rows[row] = [*rows[row], "spare"]
        return rows

    return damage


STREET_CASES = [
    StreetCase("street_unknown_force", "2019-06-kentshire-street.csv", lambda rows: rows,
               ("unknown force id 'kentshire' in the file name", "ref_police_uk_forces.csv")),
    StreetCase("street_bad_file_name", "2019-06-city-of-london.csv", lambda rows: rows,
               ("does not follow police.uk's pattern",
                "rule: a street file is named <YYYY-MM>-<force id>-street.csv")),
    StreetCase("street_month_disagrees", STREET_GOOD, cell(7, "Month", "2019-05"),
               ("data row 7: Month differs from the month of the file name (2019-06)",
                'value: "2019-05"')),
    StreetCase("street_header_drifted", STREET_GOOD, rename_column("LSOA code", "LSOA Code"),
               ("the header drifted", "missing columns: 'LSOA code'",
                "unexpected columns: 'LSOA Code'", "rule: a street file's header is exactly")),
    StreetCase("street_lsoa_not_a_code", STREET_GOOD, cell(7, "LSOA code", "Camden 024C"),
               ("data row 7: LSOA code is not a code", "E01/W01 and six digits",
                'value: "Camden 024C"')),
    StreetCase("street_longitude_not_a_number", STREET_GOOD, cell(7, "Longitude", "-0.11x"),
               ("data row 7: Longitude is not a number", 'value: "-0.11x"',
                "rule: coordinates are blank or decimal degrees")),
    StreetCase("street_extra_field", STREET_GOOD, street_extra_field(7),
               ("data row 7: 13 fields", "rule: every row has the header's 12 columns")),
    StreetCase("street_not_utf8", STREET_GOOD, not_utf8(3),
               ("data row 3: bytes that are not UTF-8 text", "rule: street files are UTF-8 CSV")),
    StreetCase("street_header_only", STREET_GOOD, header_only,
               ("holds a header and no data row",)),
]  # fmt: skip


def _land_street(path: Path, raw: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(NCPM), "land", STREET, str(path), "--raw-dir", str(raw)],
        cwd=ROOT,
        env={**os.environ, "NCPM_RAW_DIR": str(raw)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("case", STREET_CASES, ids=[c.id for c in STREET_CASES])
def test_landed_street_file_is_refused_by_name(tmp_path, case):
    raw = tmp_path / "raw"
    raw.mkdir()
    good = tmp_path / "good" / STREET_GOOD
    good.parent.mkdir()
    good.write_bytes(to_bytes(street_sample()))
    assert _land_street(good, raw).returncode == 0
    incoming = tmp_path / "incoming" / case.file_name
    incoming.parent.mkdir()
    incoming.write_bytes(case.content())
    before = sha256_tree(raw)
    proc = _land_street(incoming, raw)
    changed = changed_files(before, sha256_tree(raw))
    tally("changed", len(changed))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert changed == [], f"files changed: {changed}"
    assert not list(raw.rglob("_staging*")) and not list(raw.rglob("_archive"))
    assert_named(proc.stdout + proc.stderr, case, str(incoming))
    tally("refused")
