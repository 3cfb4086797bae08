"""`make publish` refuses what must not be published, and leaves the last publication whole.

Each case runs `ncpm publish` as a separate process in a private sandbox (tests/python/
dbt_sandbox.py, ``Sandbox``) holding a copy of one real publication, 2026-06, made once for
the module by the publish pipeline (``previous``), and proves its files and the BI copy are
left byte-for-byte unchanged. These cases do not need the publication history of test_publish.py,
so they form their own xdist group and run beside it on the other worker.
"""

from __future__ import annotations

import csv
import io
import subprocess

import pytest
from dbt_sandbox import Sandbox, copy_feed, copy_other_feeds, publish_program, sample_build


def out(result: subprocess.CompletedProcess) -> str:
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def previous(tmp_path_factory) -> Sandbox:
    """A sandbox in which 2026-06 has been published, and the BI copy made, by the publish
    pipeline. Its step 1 copies the sample build of the test run (``sample_build``: built for
    the latest quarter every feed covers, 2026-06) instead of building again; steps 2 to 8
    run as in production."""
    box = Sandbox(tmp_path_factory.mktemp("publish_previous") / "box")
    sample = sample_build(tmp_path_factory, with_results=True)
    result = box.publish("--period", "2026-06", program=publish_program(reuse_build=sample))
    assert result.returncode == 0, out(result)[-5000:]
    assert (box.publications / "2026-06" / "manifest.json").exists()
    assert box.published.exists()
    return box


@pytest.mark.slow
def test_blocking_test_failure_publishes_nothing(previous, tmp_path):
    box = previous.copy(tmp_path / "box")
    raw = tmp_path / "raw"
    path = copy_feed("police_recorded_crime", raw)
    copy_other_feeds("police_recorded_crime", raw)
    # Kent sends no return for 2019/20 quarter 2: a force missing a quarter (blocking)
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    kept = [r for r in rows if not (r[2] == "Kent" and r[0] == "2019/20" and r[1] == "2")]
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(kept)
    path.write_text(text.getvalue(), encoding="utf-8")
    box.raw_dir = raw
    before = box.snapshot()
    result = box.publish("--period", "2025-12")
    assert result.returncode == 1
    assert "step 1 (dbt build) failed" in out(result)
    assert "complete_quarter_coverage" in out(result)
    assert "no rows for area E23000032 in the quarter ending 2019-09-30" in out(result)
    assert box.snapshot() == before


BAD_VALUE_HOOKS = """
import pyarrow.parquet as pq, pyarrow as pa

def after_export(folder):
    path = folder / "data" / "fct_homicide.parquet"
    table = pq.read_table(path)
    values = table.column("value").to_pylist()
    values[0] = -5.0  # a negative count, after export, before validation
    table = table.set_column(table.schema.get_field_index("value"), "value", pa.array(values))
    pq.write_table(table, path)

HOOKS = {"after_export": after_export}
"""


@pytest.mark.slow
def test_expectation_failure_on_exported_files_publishes_nothing(previous, tmp_path):
    box = previous.copy(tmp_path / "box")
    before = box.snapshot()
    result = box.publish("--period", "2025-12", program=publish_program(BAD_VALUE_HOOKS))
    assert result.returncode == 1, out(result)[-3000:]
    assert "FAIL data/fct_homicide.parquet" in out(result)
    assert "expect_column_values_to_be_between(column=value, min_value=0" in out(result)
    assert "ok   data/fct_homicide.csv" in out(result)
    assert not (box.publications / "2025-12").exists()
    failed = list((box.publications / "failed-runs").glob("2025-12-*"))
    assert len(failed) == 1
    assert (failed[0] / "validation" / "index.html").exists()
    assert "NOT published" in (failed[0] / "NOT-PUBLISHED.txt").read_text()
    after = {
        k: v
        for k, v in box.snapshot().items()
        if "/failed-runs/" not in k and "/.staging/" not in k
    }
    assert after == {k: v for k, v in before.items() if "/.staging/" not in k}


@pytest.mark.parametrize("period", ["2026-6", "2026-05", "June 2026", "2026-13", "", "2026-06-30"])
def test_malformed_period_is_refused_before_anything_is_written(tmp_path, period):
    box = Sandbox(tmp_path / "box")
    result = box.publish("--period", period)
    assert result.returncode == 2
    assert "PERIOD" in out(result) and "YYYY-MM" in out(result)
    assert not box.root.exists() or list(box.root.rglob("*")) == []


@pytest.mark.slow
def test_period_later_than_the_data_is_refused_and_nothing_published(previous, tmp_path):
    box = previous.copy(tmp_path / "box")
    before = box.snapshot()
    result = box.publish("--period", "2026-09")
    assert result.returncode == 1
    assert "assert_publication_period_within_feed_coverage" in out(result)
    assert "later (or earlier) than the data" in out(result)
    assert "police_recorded_crime (it covers 2017-06-30 to 2026-06-30)" in out(result)
    assert box.snapshot() == before
    assert not (box.publications / "2026-09").exists()
