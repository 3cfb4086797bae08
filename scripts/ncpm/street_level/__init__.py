"""The police.uk street-level crime feed (``street_level_crime``): its published shape and
its landed layout, shared by the landing (:mod:`ncpm.street_level.land`), the synthetic
generator (``ncpm.synth.street_level_crime``) and the benchmark.

Published: one CSV file per force and month, ``<YYYY-MM>-<force_id>-street.csv`` with the
header :data:`HEADER`, alone or in a monthly archive zip (``<YYYY-MM>/<file>``).

Landed (read by the dbt source; docs/street_level.md): hive-partitioned Parquet,
``<raw dir>/street_level_crime/month=YYYY-MM/<force_id>.parquet``, columns
:data:`LANDED_COLUMNS`; replaced files under ``_archive/<UTC time>/``; one line per
force-month landed in ``_landing_log.csv``.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

from ncpm import settings

FEED = "street_level_crime"
HEADER = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
]
# landed column -> DuckDB type, in file order
LANDED_COLUMNS = {
    "force_id": "VARCHAR",
    "crime_id": "VARCHAR",
    "reported_by": "VARCHAR",
    "falls_within": "VARCHAR",
    "longitude": "DOUBLE",
    "latitude": "DOUBLE",
    "location": "VARCHAR",
    "lsoa_code": "VARCHAR",
    "lsoa_name": "VARCHAR",
    "crime_type": "VARCHAR",
    "last_outcome_category": "VARCHAR",
    "context": "VARCHAR",
    "source_file": "VARCHAR",
    "source_row": "BIGINT",
}
LOG_NAME = "_landing_log.csv"
LOG_HEADER = ["month", "force_id", "source_file", "row_count", "landed_at", "superseded_landed_at"]
ARCHIVE_DIR_NAME = "_archive"
# Spark never reads a file whose name starts with "_" (a hidden file to Hadoop), so the
# landing log is read there from a copy: <raw dir>/_spark_visible/street_level_crime/landing_log.csv
# (the folder is the table's location; stage_raw_feeds makes the table over it).
SPARK_VISIBLE_DIR = "_spark_visible"


def copy_landing_log_for_spark(raw_dir) -> None:
    """Copy the feed's landing log where Spark reads it (before ``stage_raw_feeds``)."""
    import shutil
    from pathlib import Path

    source = Path(raw_dir) / "street_level_crime" / LOG_NAME
    if source.is_file():
        target = Path(raw_dir) / SPARK_VISIBLE_DIR / "street_level_crime"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target / LOG_NAME.lstrip("_"))


# <YYYY-MM>-<force id>-street.csv; the other datasets of an archive are not this feed
STREET_FILE = re.compile(r"^(?P<month>\d{4}-\d{2})-(?P<force>[a-z0-9-]+?)-street\.csv$")
OTHER_DATASET = re.compile(r"^\d{4}-\d{2}-[a-z0-9-]+?-(outcomes|stop-and-search)\.csv$")
LSOA_CODE = r"[EW]01\d{6}"
FORCES_SEED = "ref_police_uk_forces.csv"


@lru_cache(maxsize=4)
def forces(reference_dir: Path | None = None) -> dict[str, dict[str, str]]:
    """Every police.uk force by id (rows of ``seeds/reference/ref_police_uk_forces.csv``)."""
    folder = reference_dir or settings.get().reference_dir
    with (folder / FORCES_SEED).open(newline="", encoding="utf-8") as f:
        return {row["force_id"]: row for row in csv.DictReader(f)}


def partition(feed_dir: Path, month: str, force_id: str) -> Path:
    """The landed file of one force and month."""
    return feed_dir / f"month={month}" / f"{force_id}.parquet"
