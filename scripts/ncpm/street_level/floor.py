"""The floors of the street-level benchmark (``ncpm bench --scale``): hand SQL over the landed
Parquet, run by DuckDB alone, in a child process of its own so that its time and memory are
measured like a build's.

Three queries, each one statement:

* ``counts``: LSOA x crime type x month counts of the located rows (the issue's reference);
* ``rolling``: the same, then the rolling 12 months over the sparse rows (a range window);
* ``all``: every aggregation the street-level dbt models compute, as one query. The rows per
  force, month, crime type and file (``int_street_level_crime__force_month_types``); each
  LSOA's name and its route to district, partnership and force
  (``int_street_level_crime__lsoa_geography``); each LSOA's located crimes per month in each
  category, their rolling 12 months and YE Jun 2019 baseline (``fct_local_crime_lsoa``); the
  districts, partnerships, forces (every crime of the file's force) and the forces' IMD
  deciles, per month and rolling (``int_street_level_crime__area_month`` and
  ``_area_rolling``); regions and England and Wales summed from the forces. It leaves out
  what is not an aggregation: the data gaps and their notes, the rates, change and
  % change, writing the tables, the data tests and dbt itself.

The categories, the crime types' mapping, the forces and the geography come from the same
reference seeds the build reads (seeds/reference), the baseline from the project's
``street_level_baseline_period_end_date``. Each query returns its parts' row counts and sums
of every computed column (so DuckDB cannot skip a column).

Two more floors sit beside the other steps of the benchmark:

* ``all --since YYYY-MM``: the same aggregations over the months an incremental build after
  landing month YYYY-MM reads: that month, the 11 before it (its rolling years) and the
  baseline year. It reads them from the landed rows; the build reads its own stored monthly
  counts instead, so this floor does more reading than the build needs to.
* ``land --csv DIR``: the published CSV files under DIR to month-partitioned Parquet as one
  ``COPY``, with the landed columns (force from the file name, file and row), into a folder
  it then deletes. No checks, no landing log, no archive.

    python -m ncpm.street_level.floor <raw dir> {counts,rolling,all} [--since YYYY-MM]
    python -m ncpm.street_level.floor <raw dir> land --csv DIR
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

import duckdb

from ncpm import periods, settings, street_level
from ncpm.trace.survey import project_vars

QUERIES = ("counts", "rolling", "all", "land")
MEMORY_LIMIT = "3GB"  # the build's (profiles.yml)


def _label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _rows(raw: Path, since: str | None = None) -> str:
    """The landed rows; with ``since``, those an incremental build after that month reads."""
    folder = raw / street_level.FEED
    rows = f"read_parquet('{folder}/month=*/*.parquet', hive_partitioning = true)"
    if since is None:
        return rows
    first, last = baseline_month_indexes()
    year, month = periods.parse_year_month(since)
    start = year * 12 + month - 1 - 11
    return (
        f"(select * from {rows} where month >= '{_label(start)}' "
        f"or month between '{_label(first)}' and '{_label(last)}')"
    )


def _seed(name: str) -> str:
    return f"read_csv('{settings.root() / 'seeds' / 'reference' / name}.csv', header = true)"


def baseline_month_indexes() -> tuple[int, int]:
    """First and last month index (12 x year + month - 1) of the baseline rolling year."""
    end = date.fromisoformat(str(project_vars()["street_level_baseline_period_end_date"]))
    last = end.year * 12 + end.month - 1
    return last - 11, last


def land_sql(csv: Path, out: Path) -> str:
    """The landing floor: every published CSV file under ``csv`` to Parquet under ``out``."""
    return f"""
copy (
    select
        regexp_extract(filename, '([0-9]{{4}}-[0-9]{{2}})-(.+)-street[.]csv$', 2) as force_id,
        "Crime ID" as crime_id, "Reported by" as reported_by, "Falls within" as falls_within,
        cast("Longitude" as double) as longitude, cast("Latitude" as double) as latitude,
        "Location" as location, "LSOA code" as lsoa_code, "LSOA name" as lsoa_name,
        "Crime type" as crime_type, "Last outcome category" as last_outcome_category,
        "Context" as context, filename as source_file, cast(ordinality as bigint) as source_row,
        "Month" as month
    from read_csv('{csv}/**/*.csv', header = true, all_varchar = true, filename = true)
        with ordinality
) to '{out}' (format parquet, compression zstd, partition_by (month))
"""


def sql(raw: Path, query: str, categories: list[str], since: str | None = None) -> str:
    """The floor query ``query`` over the street-level Parquet landed under ``raw``."""
    if query == "land":
        raise ValueError("the landing floor is land_sql(), over CSV files, not landed rows")
    if query not in QUERIES:
        raise ValueError(f"unknown floor query {query!r}: one of {', '.join(QUERIES)}")
    rows = _rows(raw, since)
    counts = f"""
        select lsoa_code, crime_type, cast(month || '-01' as date) as month_start, count(*) as n
        from {rows} where lsoa_code is not null group by all
    """
    if query == "counts":
        return f"select 'counts' as part, count(*) as row_count, sum(n) from ({counts})"
    if query == "rolling":
        return f"""
            select 'rolling' as part, count(*) as row_count, sum(rolling) from (
                select sum(n) over (partition by lsoa_code, crime_type order by month_start
                    range between interval 11 month preceding and current row) as rolling
                from ({counts}))
        """
    first, last = baseline_month_indexes()
    by_category = ",\n".join(
        f"count(*) filter (where coalesce(types.category_code, 'other_crime') = '{code}') as {code}"
        for code in categories
    )
    measures = "* exclude (month, force_pfa, lsoa_code, m)"
    located_measures = "* exclude (month, force_pfa, lsoa_code, m, lad_code, csp_code, decile)"
    return f"""
with
force_types as (
    select month, force_id, falls_within, crime_type, source_file, count(*) as n,
        count(lsoa_code) as located, min(source_row) as first_row
    from {rows} group by all
),
types as (select * from {_seed("ref_street_crime_types")}),
forces as (select * from {_seed("ref_police_uk_forces")} where is_england_wales),
names as (
    select lsoa_code, max(lsoa_name) as lsoa_name from {rows}
    where lsoa_code is not null group by all
),
geography as (
    select names.lsoa_code, lsoas.imd_decile, district_names.lad_code, district_names.csp_code,
        districts.pfa_code
    from names
    left join {_seed("ref_lsoas")} as lsoas on names.lsoa_code = lsoas.lsoa_code
    left join {_seed("ref_lsoa_district_names")} as district_names
        on coalesce(
            lsoas.district_name, trim(regexp_replace(names.lsoa_name, ' [0-9]{{3}}[A-Z]$', ''))
        ) = district_names.district_name
    left join (select distinct lad_code, pfa_code from {_seed("ref_districts")}) as districts
        on district_names.lad_code = districts.lad_code
),
months as (
    select crimes.month, forces.pfa_code as force_pfa, crimes.lsoa_code,
        cast(substring(crimes.month, 1, 4) as integer) * 12
            + cast(substring(crimes.month, 6, 2) as integer) - 1 as m,
        {by_category},
        count(*) filter (where types.is_neighbourhood_crime) as neighbourhood_crime,
        count(*) filter (where coalesce(types.category_code, '') <> 'anti_social_behaviour')
            as all_crime
    from {rows} as crimes
    inner join forces on crimes.force_id = forces.force_id
    left join types on crimes.crime_type = types.crime_type
    group by all
),
lsoa as (
    select lsoa_code, m, sum(columns({measures})) from months
    where lsoa_code is not null group by all
),
lsoa_rolled as (
    select *, sum(columns(* exclude (lsoa_code, m))) over (
        partition by lsoa_code order by m range between 11 preceding and current row)
    from lsoa
),
lsoa_baseline as (
    select lsoa_code, sum(columns(* exclude (lsoa_code, m))) from lsoa
    where m between {first} and {last} group by all
),
located as (
    select months.*, geography.lad_code, geography.csp_code,
        coalesce('imd decile ' || geography.imd_decile, 'imd decile unknown') as decile
    from months left join geography on months.lsoa_code = geography.lsoa_code
    where months.lsoa_code is not null
),
areas as (
    select 'district' as level, lad_code as area, 'all' as breakdown, m,
        sum(columns({located_measures}))
    from located where lad_code is not null group by all
    union all by name
    select 'csp' as level, csp_code as area, 'all' as breakdown, m,
        sum(columns({located_measures}))
    from located where csp_code is not null group by all
    union all by name
    select 'pfa' as level, force_pfa as area, 'all' as breakdown, m,
        sum(columns({measures})),
        sum(all_crime) filter (where lsoa_code is null) as unlocated_crime
    from months group by all
    union all by name
    select 'pfa' as level, force_pfa as area, decile as breakdown, m,
        sum(columns({located_measures}))
    from located group by all
),
areas_rolled as (
    select *, sum(columns(* exclude (level, area, breakdown, m))) over (
        partition by area, breakdown order by m range between 11 preceding and current row)
    from areas
),
parents as (
    select parent, breakdown, m, sum(columns(* exclude (level, area, breakdown, m, parent)))
    from (
        select areas_rolled.*, ref_areas.parent_area_code as parent
        from areas_rolled
        inner join {_seed("ref_areas")} as ref_areas on areas_rolled.area = ref_areas.area_code
        where areas_rolled.level = 'pfa'
        union all by name
        select areas_rolled.*, national.area_code as parent
        from areas_rolled
        cross join (
            select area_code from {_seed("ref_areas")} where area_level = 'national'
        ) as national
        where areas_rolled.level = 'pfa'
    )
    group by all
)
select 'lsoa' as part, count(*) as row_count, sum(columns(* exclude (lsoa_code, m)))
from lsoa_rolled
union all by name
select 'lsoa baseline' as part, count(*) as row_count, sum(columns(* exclude (lsoa_code)))
from lsoa_baseline
union all by name
select 'areas' as part, count(*) as row_count,
    sum(columns(* exclude (level, area, breakdown, m)))
from areas_rolled
union all by name
select 'regions and national' as part, count(*) as row_count,
    sum(columns(* exclude (parent, breakdown, m)))
from parents
union all by name
select 'force types' as part, count(*) as row_count, sum(n) as n, sum(located) as located,
    sum(first_row) as first_row
from force_types
union all by name
select 'geography' as part, count(*) as row_count, count(lad_code) as lad_code,
    count(pfa_code) as pfa_code, sum(imd_decile) as imd_decile
from geography
"""


def run(
    raw: Path, query: str, since: str | None = None, csv: Path | None = None
) -> dict[str, dict]:
    """Run one floor query; each part's row count and column sums, by part."""
    con = duckdb.connect()
    con.execute(f"set memory_limit = '{MEMORY_LIMIT}'")
    if query == "land":
        out = Path(tempfile.mkdtemp(prefix="floor-land-", dir=raw.parent))
        try:
            con.execute(land_sql(csv, out / street_level.FEED))
            rows = con.execute(
                f"select count(*) from read_parquet('{out}/{street_level.FEED}/*/*.parquet')"
            ).fetchone()[0]
        finally:
            shutil.rmtree(out)
        return {"landed": {"row_count": rows}}
    categories = [
        row[0]
        for row in con.execute(
            f"select distinct category_code from {_seed('ref_street_crime_types')} order by 1"
        ).fetchall()
    ]
    cursor = con.execute(sql(raw, query, categories, since))
    columns = [column[0] for column in cursor.description]
    return {row[0]: dict(zip(columns[1:], row[1:], strict=True)) for row in cursor.fetchall()}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m ncpm.street_level.floor")
    parser.add_argument("raw", type=Path, help="the raw folder the feed landed in")
    parser.add_argument("query", choices=QUERIES)
    parser.add_argument("--since", help="all: the months an incremental build after YYYY-MM reads")
    parser.add_argument("--csv", type=Path, help="land: the folder of published CSV files")
    args = parser.parse_args(argv)
    if (args.query == "land") != (args.csv is not None):
        parser.error("--csv goes with land, and land needs it")
    if args.since is not None and args.query != "all":
        parser.error("--since goes with all")
    if args.since is not None:
        try:
            periods.parse_year_month(args.since)
        except periods.PeriodError as error:
            parser.error(f"--since: {error}")
    parts = run(args.raw, args.query, since=args.since, csv=args.csv)
    print("; ".join(f"{part} {values['row_count']:,} rows" for part, values in parts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
