"""The lineage docs (`make docs`: dbt docs generate --static) render in a headless browser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from itertools import pairwise
from pathlib import Path

import pytest
from dbt_sandbox import run_dbt

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
BROWSER = next((shutil.which(name) for name in BROWSERS if shutil.which(name)), None)
FACT = "model.ncpm.fct_homicide"
RAW_SOURCE = "source.ncpm.police_recorded_crime.police_recorded_crime"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        BROWSER is None,
        reason="no chromium, chromium-browser or google-chrome on PATH "
        "(.ci/run installs Debian's chromium when it runs as root with apt-get)",
    ),
]


@pytest.fixture(scope="module")
def static_docs(built_sample) -> Path:
    """The single-file docs site, generated exactly as `make docs` does, from the sample build."""
    workdir = built_sample.parent
    result = run_dbt(["docs", "generate", "--static"], workdir)
    assert result.returncode == 0, result.output[-4000:]
    page = workdir / "target" / "static_index.html"
    assert page.exists()
    return page


def render(page: Path, route: str, tmp_path: Path) -> str:
    """The DOM of one route of the docs after the single-page app has run, without scripts."""
    proc = subprocess.run(
        [
            BROWSER,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            f"--user-data-dir={tmp_path / 'browser-profile'}",
            "--virtual-time-budget=20000",
            "--dump-dom",
            f"{page.as_uri()}#!/{route}",
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0 and "</html>" in proc.stdout, proc.stderr[-2000:]
    return re.sub(r"<script.*?</script>", "", proc.stdout, flags=re.S)


def embedded_manifest(page: Path) -> dict:
    """The manifest the static page carries (the lineage graph is drawn from it)."""
    text = page.read_text(encoding="utf-8")
    start = text.index("manifest:{") + len("manifest:")
    manifest, _ = json.JSONDecoder().raw_decode(text, start)
    return manifest


def test_fct_homicide_page_renders_with_its_description(static_docs, tmp_path):
    dom = render(static_docs, f"model/{FACT}", tmp_path)
    assert re.search(r'<span class="break[^"]*">fct_homicide</span>', dom), "no model heading"
    # The description, rendered from markdown (and its doc blocks), not the raw JSON text.
    description = re.search(r'class="model-markdown[^"]*"[^>]*>(.*?)</div>', dom, flags=re.S)
    assert description, "no rendered description"
    assert "Measure 1, reduce murder and other homicide." in description.group(1)
    assert "<strong>M1.1 Homicide offences recorded by the police</strong>" in description.group(1)
    assert "<strong>Rolling 12 months" in description.group(1)
    depends_on = dom[dom.index('id="depends_on"') :]
    assert "int_police_recorded_crime__rolling_12_months" in depends_on


def test_raw_source_page_renders_and_is_used_by_staging(static_docs, tmp_path):
    dom = render(static_docs, f"source/{RAW_SOURCE}", tmp_path)
    assert re.search(r'<span class="break[^"]*">police_recorded_crime\.police_recorded_crime', dom)
    assert "stg_police_recorded_crime__offences" in dom[dom.index('id="referenced_by"') :]


def test_lineage_of_fct_homicide_reaches_the_raw_police_recorded_crime_source(static_docs):
    manifest = embedded_manifest(static_docs)
    parents = manifest["parent_map"]
    chain = [
        FACT,
        "model.ncpm.int_police_recorded_crime__rolling_12_months",
        "model.ncpm.int_police_recorded_crime__area_quarter",
        "model.ncpm.int_police_recorded_crime__metric_rows",
        "model.ncpm.int_police_recorded_crime__classified",
        "model.ncpm.stg_police_recorded_crime__offences",
        RAW_SOURCE,
    ]
    for child, parent in pairwise(chain):
        assert parent in parents[child], f"{parent} is not a parent of {child}"
    # ... and the graph ends at the consumers: the exposures read the fact.
    consumers = {c for c in manifest["child_map"][FACT] if c.startswith("exposure.")}
    assert "exposure.ncpm.published_bi_copy" in consumers
    exposures = manifest["exposures"]
    assert {e["name"] for e in exposures.values()} >= {
        "quarterly_bulletin",
        "published_bi_copy",
        "board_dashboard",
    }


def test_exposure_page_renders_with_owner(static_docs, tmp_path):
    dom = render(static_docs, "exposure/exposure.ncpm.board_dashboard", tmp_path)
    assert "Crime and Policing Performance Board secretariat" in dom
    assert "rpt_measures_scorecard" in dom
