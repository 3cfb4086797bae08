"""Bad victim survey input stops the build with a message naming the file, the
row, the value and the rule.

Each case corrupts one row of a private copy of the committed sample raw files
and builds the survey staging models (and what the case needs) with dbt
against a private warehouse file.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from dbt_sandbox import RAW, copy_feed, run_dbt

RESPONDENTS = "victim_survey_respondents"
VICTIM_FORMS = "victim_survey_victim_forms"
ROW = 1234  # the data row corrupted (1 = first row after the header)


def corrupt_row(path: Path, data_row: int, column: str, value: str) -> str:
    """Set `column` of data row `data_row` to `value`; return the value it had."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    index = rows[0].index(column)
    before = rows[data_row][index]
    rows[data_row][index] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return before


def build(tmp_path: Path, raw_dir: Path, *selection: str):
    return run_dbt(["build", "--select", *selection], tmp_path, raw_dir)


@pytest.mark.parametrize(
    ("column", "bad_value", "rule"),
    [
        ("household_weight", "-12.5", "survey weight not positive"),
        ("interview_date", "2019-02-30", "malformed interview date"),
        ("self_completion_answered", "maybe", "invalid flag"),
    ],
)
def test_bad_respondent_fails_naming_file_row_value_and_rule(tmp_path, column, bad_value, rule):
    raw_dir = tmp_path / "raw"
    path = copy_feed(RESPONDENTS, raw_dir)
    corrupt_row(path, ROW, column, bad_value)
    result = build(tmp_path, raw_dir, "stg_victim_survey__respondents", "ref_areas")
    assert result.returncode != 0
    assert f"{path.name} data row {ROW}: {rule}" in result.output, result.output[-3000:]
    assert f'(value: "{bad_value}")' in result.output, result.output[-3000:]


@pytest.mark.parametrize(
    ("column", "bad_value", "rule"),
    [
        ("offence_classification", "burglary of a shed", "unknown offence classification"),
        ("incident_count", "6", "series count outside 1-5"),
        ("crime_type", "Corporate", "crime type does not match the offence classification"),
    ],
)
def test_bad_victim_form_fails_naming_file_row_value_and_rule(tmp_path, column, bad_value, rule):
    raw_dir = tmp_path / "raw"
    path = copy_feed(VICTIM_FORMS, raw_dir)
    corrupt_row(path, ROW, column, bad_value)
    result = build(
        tmp_path, raw_dir, "stg_victim_survey__victim_forms", "ref_victim_survey_offences"
    )
    assert result.returncode != 0
    assert f"{path.name} data row {ROW}: {rule}" in result.output, result.output[-3000:]
    assert f'(value: "{bad_value}")' in result.output, result.output[-3000:]


def test_satisfaction_code_outside_accepted_set_fails(tmp_path):
    raw_dir = tmp_path / "raw"
    path = copy_feed(VICTIM_FORMS, raw_dir)
    with path.open(newline="", encoding="utf-8") as f:
        reported = next(
            i for i, row in enumerate(csv.DictReader(f), start=1) if row["satisfaction"]
        )
    corrupt_row(path, reported, "satisfaction", "7")
    result = build(
        tmp_path, raw_dir, "stg_victim_survey__victim_forms", "ref_victim_survey_offences"
    )
    assert result.returncode != 0
    assert f"{path.name} data row {reported}: satisfaction code not accepted" in result.output
    assert '(value: "7")' in result.output


def test_orphan_victim_form_fails_naming_file_row_and_respondent(tmp_path):
    raw_dir = tmp_path / "raw"
    copy_feed(RESPONDENTS, raw_dir)
    path = copy_feed(VICTIM_FORMS, raw_dir)
    corrupt_row(path, ROW, "respondent_id", "R9999999")
    result = build(
        tmp_path,
        raw_dir,
        "stg_victim_survey__respondents",
        "stg_victim_survey__victim_forms",
        "ref_areas",
        "ref_victim_survey_offences",
    )
    assert result.returncode != 0
    assert "every_row_has_parent" in result.output, result.output[-3000:]
    message = (
        f"{path.name} data row {ROW}: orphan row; "
        f'rule: every respondent_id must exist in {RESPONDENTS} (value: "R9999999")'
    )
    assert message in result.explained, result.explained


def test_interview_outside_the_coverage_window_fails(tmp_path):
    """A year typed wrong puts an interview in a quarter with no fieldwork."""
    raw_dir = tmp_path / "raw"
    path = copy_feed(RESPONDENTS, raw_dir)
    # int_feed_coverage reads every feed: bring the other feeds' samples
    for feed_dir in sorted(RAW.iterdir()):
        if feed_dir.is_dir() and feed_dir.name != RESPONDENTS and any(feed_dir.glob("*.csv")):
            copy_feed(feed_dir.name, raw_dir)
    corrupt_row(path, ROW, "interview_date", "2091-05-14")
    result = build(tmp_path, raw_dir, "+int_feed_coverage")
    assert result.returncode != 0
    assert "within_feed_coverage" in result.output, result.output[-3000:]
    assert f"{path.name} data row {ROW}: date outside the coverage window" in result.explained
    assert '(value: "2091-05-14")' in result.explained
