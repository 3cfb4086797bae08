"""Write the SYNTHETIC police.uk street-level crime files (one row per crime or ASB incident).

Shape as data.police.uk publishes it: one file per force and month,
``<YYYY-MM>/<YYYY-MM>-<force id>-street.csv`` with the header ``Crime ID,Month,Reported by,
Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome
category,Context``, or (``--zip``) monthly archives ``<YYYY-MM>.zip`` each holding the last
36 months, so archives overlap. Without ``--csv``/``--zip`` the files are landed: through
``ncpm land``'s own code at sample scale, written directly in the landed Parquet layout
(``<out>/street_level_crime/month=YYYY-MM/<force>.parquet``) at national scale.

With no option it regenerates the committed sample: city-of-london, greater-manchester,
cumbria, dyfed-powys and btp, 24 months 2018-07..2020-06, at sample scale (a tenth of
each force's volume), landed into seeds/raw/street_level_crime/.

The quirks of the genuine archive are reproduced (docs/street_level.md lists them): force
sizes from the Metropolitan Police's ~90,000 rows a month to the City of London's ~800,
about 520,000 a month nationally; LSOAs named as police.uk names them (from
ref_lsoas / ref_lsoa_district_names / ref_districts), a force's crimes mostly in its own
LSOAs; anti-social behaviour (about 30% of rows in 2013, falling) with blank Crime ID and
outcome; `No Location` rows with blank coordinates and LSOA (2-14% by force, 14% for
Greater Manchester); byte-identical duplicate rows and repeated Crime IDs; 2021 LSOA codes
from 2022 for the LSOAs the 2021 census changed; no Greater Manchester files from 2019-07
(and, in archives, one malformed 2022-03 file); a few other force-month gaps; the
September 2011 and May 2013 crime type changes; British Transport Police (LSOAs anywhere,
some rows outside England and Wales with no LSOA) and Northern Ireland (no LSOA).

Every row is drawn from hashes of (force, month, row number) in DuckDB SQL, so the same
arguments write the same bytes, and the national set (120 months, ~60 million rows) takes
minutes.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ncpm import periods
from ncpm import street_level as sl
from ncpm.synth.common import (
    EPILOG_EVERY_RECORD,
    RAW,
    REFERENCE,
    argument_parser,
    parse_year_month,
)

SAMPLE_FORCES = ["city-of-london", "greater-manchester", "cumbria", "dyfed-powys", "btp"]
SCALES = {"national": 1.0, "sample": 0.1}
NATIONAL_MONTHLY_ROWS = 520_000
# landing time written in the sample's landing log (a fixed one: identical bytes)
SAMPLE_LANDED_AT = datetime(2020, 7, 31, tzinfo=UTC)
ARCHIVE_MONTHS = 36
GMP_GAP_FROM = "2019-07"
MALFORMED = ("greater-manchester", "2022-03")  # the one file GMP published after its gap
LSOA21_FROM = "2022-01"  # from here the LSOAs the 2021 census changed carry 2021 codes
OTHER_GAPS = {  # force-months without a file (besides Greater Manchester's gap)
    ("dyfed-powys", "2019-11"),
    ("wiltshire", "2015-03"),
    ("lancashire", "2016-01"),
    ("north-wales", "2021-08"),
    ("btp", "2014-02"),
}

# force -> (rows a month at national scale, 2019 level, before rescaling to ~520,000;
#           longitude, latitude of its area's middle; spread in degrees)
FORCES = {
    "avon-and-somerset": (15000, -2.70, 51.35, 0.35),
    "bedfordshire": (5500, -0.45, 52.05, 0.2),
    "cambridgeshire": (7500, 0.05, 52.35, 0.3),
    "cheshire": (8000, -2.55, 53.20, 0.3),
    "city-of-london": (800, -0.092, 51.515, 0.01),
    "cleveland": (7500, -1.20, 54.57, 0.15),
    "cumbria": (3500, -2.95, 54.55, 0.4),
    "derbyshire": (8000, -1.60, 53.00, 0.3),
    "devon-and-cornwall": (11000, -4.20, 50.50, 0.6),
    "dorset": (5000, -2.20, 50.75, 0.3),
    "durham": (6000, -1.75, 54.70, 0.25),
    "dyfed-powys": (3500, -3.90, 52.10, 0.5),
    "essex": (15000, 0.55, 51.80, 0.3),
    "gloucestershire": (4500, -2.20, 51.85, 0.25),
    "greater-manchester": (32000, -2.25, 53.50, 0.2),
    "gwent": (5500, -3.00, 51.65, 0.15),
    "hampshire": (16000, -1.25, 51.05, 0.35),
    "hertfordshire": (9000, -0.25, 51.80, 0.2),
    "humberside": (9000, -0.50, 53.75, 0.35),
    "kent": (17000, 0.75, 51.20, 0.35),
    "lancashire": (15000, -2.60, 53.85, 0.3),
    "leicestershire": (9000, -1.15, 52.65, 0.25),
    "lincolnshire": (5500, -0.25, 53.10, 0.4),
    "merseyside": (13000, -2.95, 53.42, 0.12),
    "metropolitan": (90000, -0.12, 51.50, 0.22),
    "norfolk": (6500, 1.00, 52.65, 0.4),
    "north-wales": (6000, -3.60, 53.10, 0.35),
    "north-yorkshire": (5500, -1.50, 54.10, 0.45),
    "northamptonshire": (6500, -0.90, 52.30, 0.2),
    "northumbria": (14000, -1.70, 55.00, 0.3),
    "nottinghamshire": (10000, -1.10, 53.10, 0.2),
    "south-wales": (11000, -3.40, 51.55, 0.25),
    "south-yorkshire": (16000, -1.35, 53.50, 0.2),
    "staffordshire": (9000, -2.05, 52.85, 0.25),
    "suffolk": (5500, 1.00, 52.20, 0.3),
    "surrey": (7000, -0.40, 51.25, 0.2),
    "sussex": (12000, -0.30, 50.90, 0.35),
    "thames-valley": (17000, -1.00, 51.65, 0.4),
    "warwickshire": (3500, -1.55, 52.30, 0.2),
    "west-mercia": (10000, -2.60, 52.40, 0.45),
    "west-midlands": (26000, -1.90, 52.48, 0.15),
    "west-yorkshire": (27000, -1.65, 53.78, 0.2),
    "wiltshire": (4500, -1.90, 51.35, 0.25),
    "btp": (5000, -1.50, 52.50, 1.0),
    "northern-ireland": (9000, -6.50, 54.60, 0.6),
}
# share of rows without a location, by force (others get 2-6% from a hash of the force)
UNLOCATED = {"greater-manchester": 0.14, "city-of-london": 0.07, "metropolitan": 0.05}
# share of a force's located rows in other forces' LSOAs: the City of London's next door
# (CITY_NEIGHBOURS), British Transport Police's anywhere
OUTSIDE = {"city-of-london": 0.45, "btp": 1.0}
CITY_NEIGHBOURS = ["Camden", "Islington", "Hackney", "Tower Hamlets", "Westminster", "Southwark"]
# current crime types (May 2013 onwards) and their share of crimes (ASB apart)
CRIME_TYPES = [
    ("Violence and sexual offences", 0.33),
    ("Criminal damage and arson", 0.10),
    ("Other theft", 0.09),
    ("Burglary", 0.08),
    ("Vehicle crime", 0.08),
    ("Public order", 0.08),
    ("Shoplifting", 0.07),
    ("Drugs", 0.035),
    ("Other crime", 0.02),
    ("Theft from the person", 0.02),
    ("Bicycle theft", 0.02),
    ("Robbery", 0.02),
    ("Possession of weapons", 0.01),
]
BEFORE_2013_05 = {
    "Violence and sexual offences": "Violent crime",
    "Public order": "Public disorder and weapons",
    "Possession of weapons": "Public disorder and weapons",
    "Theft from the person": "Other theft",
    "Bicycle theft": "Other theft",
}
BEFORE_2011_09 = ["Criminal damage and arson", "Drugs", "Other theft", "Shoplifting"]
OUTCOMES = [
    ("Investigation complete; no suspect identified", 0.45),
    ("Unable to prosecute suspect", 0.22),
    ("Status update unavailable", 0.08),
    ("Court result unavailable", 0.06),
    ("Local resolution", 0.04),
    ("Offender given a caution", 0.03),
    ("Further investigation is not in the public interest", 0.03),
    ("Awaiting court outcome", 0.02),
    ("Offender given a drugs possession warning", 0.02),
    ("Formal action is not in the public interest", 0.015),
    ("Action to be taken by another organisation", 0.015),
    ("Offender fined", 0.01),
    ("Offender sent to prison", 0.01),
    ("Offender given community sentence", 0.005),
    ("Defendant found not guilty", 0.005),
]
PLACES = [
    "Supermarket", "Parking Area", "Petrol Station", "Nightclub", "Shopping Area",
    "Sports/Recreation Area", "Pedestrian Subway", "Police Station", "Hospital",
    "Further/Higher Educational Building", "Conference/Exhibition Centre", "Theatre/Concert Hall",
    "High Street", "Station Road", "Church Lane", "Mill Lane", "Victoria Road", "Park Avenue",
    "London Road", "Queens Road", "The Green", "Manor Road", "Kings Road", "School Lane",
    "Alderman'S Walk", "New Street", "Chapel Street", "North Street", "Green Lane", "Bridge Street",
]  # fmt: skip
DUPLICATE_SHARE = 0.02  # rows repeating the previous row byte for byte
REPEATED_ID_SHARE = 0.004  # crimes given the previous row's Crime ID


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _pick(u: str, choices: list[tuple[str, float]]) -> str:
    """A SQL CASE choosing among weighted ``choices`` with the uniform draw ``u``."""
    total = sum(w for _, w in choices)
    edge, parts = 0.0, []
    for value, weight in choices[:-1]:
        edge += weight / total
        parts.append(f"when {u} < {edge:.6f} then {_q(value)}")
    return f"case {' '.join(parts)} else {_q(choices[-1][0])} end"


def _u(salt: int, key: str = "key") -> str:
    """A uniform draw in [0, 1) from the row's hash with ``salt``."""
    return f"((hash(force_idx, m_idx, {key}, {salt}) % 1000003) / 1000003.0)"


def _month_list(end: str, count: int) -> list[str]:
    year, month = periods.parse_year_month(end)
    index = year * 12 + month - 1 - (count - 1)
    return [f"{(index + k) // 12:04d}-{(index + k) % 12 + 1:02d}" for k in range(count)]


def _load_reference(con: duckdb.DuckDBPyConnection, forces: list[str]) -> None:
    """Tables ``forces`` (one per force chosen) and ``lsoa_pool`` (pool, k) -> LSOA."""
    scale_to = NATIONAL_MONTHLY_ROWS / sum(v[0] for v in FORCES.values())
    rows = []
    for index, force in enumerate(sorted(sl.forces())):
        size, lon, lat, spread = FORCES[force]
        rows.append(
            f"({index}, {_q(force)}, {size * scale_to:.1f}, {lon}, {lat}, {spread}, "
            f"{UNLOCATED.get(force, -1.0)}, {OUTSIDE.get(force, 0.0)}, "
            f"{'true' if force in forces else 'false'})"
        )
    con.execute(
        "create table all_forces as select v.*, f.force_name, f.pfa_code from (values "
        + ", ".join(rows)
        + ") v(force_idx, force_id, base_rows, lon, lat, spread, unlocated, outside, chosen) "
        f"join read_csv({_q(str(REFERENCE / sl.FORCES_SEED))}, all_varchar = true) f "
        "using (force_id)"
    )
    con.execute(
        "create table forces as select * replace (case when unlocated >= 0 then unlocated "
        "else 0.02 + (hash(force_id, 'unlocated') % 1000) / 25000.0 end as unlocated) "
        "from all_forces where chosen"
    )
    ref = {name: _q(str(REFERENCE / f"{name}.csv")) for name in ("ref_lsoas", "ref_districts")}
    names = _q(str(REFERENCE / "ref_lsoa_district_names.csv"))
    # Each LSOA: its force (district -> partnership -> force area), a point near the force's
    # middle, and for the ~5% the 2021 census changed a 2021 code and name (the current
    # district's name where the 2011 district has since merged).
    con.execute(
        f"""
        create table lsoas as
        with l as (select * from read_csv({ref["ref_lsoas"]}, all_varchar = true)),
        n as (select * from read_csv({names}, all_varchar = true)),
        d as (select * from read_csv({ref["ref_districts"]}, all_varchar = true)),
        parts as (select distinct csp_code, pfa_code from d),
        lads as (select distinct lad_code, lad_name from d)
        select l.lsoa_code, l.lsoa_name, f.force_id, f.force_idx,
            round(f.lon + f.spread * ((hash(l.lsoa_code, 1) % 20001) / 10000.0 - 1), 6) as lon,
            round(f.lat + f.spread * 0.6 * ((hash(l.lsoa_code, 2) % 20001) / 10000.0 - 1), 6)
                as lat,
            hash(l.lsoa_code, 3) % 100 < 5 as changed_2021,
            case when n.is_hand_mapped = 'true' and not starts_with(lads.lad_name, l.district_name)
                then lads.lad_name else l.district_name end
                || ' ' || regexp_extract(l.lsoa_name, ' (\\d{{3}})[A-Z]$', 1)
                || chr(70 + cast(hash(l.lsoa_code, 4) % 5 as integer)) as lsoa21_name
        from l join n using (district_name) join parts using (csp_code)
        join all_forces f using (pfa_code) left join lads on lads.lad_code = n.lad_code
        """
    )
    neighbours = ", ".join(_q(name) for name in CITY_NEIGHBOURS)
    con.execute(
        f"""
        create table lsoa_pool as
        select force_idx as pool, row_number() over (partition by force_idx order by
            hash(lsoa_code, 5), lsoa_code) - 1 as k, lsoa_code, lsoa_name, lon, lat,
            case when changed_2021 then left(lsoa_code, 3) || lpad(cast(35000 + row_number() over (
                order by lsoa_code) as varchar), 6, '0') end as lsoa21_code, lsoa21_name
        from lsoas
        union all
        select -1, row_number() over (order by hash(lsoa_code, 6), lsoa_code) - 1, lsoa_code,
            lsoa_name, lon, lat, null, null
        from lsoas
        union all
        select -2, row_number() over (order by hash(lsoa_code, 7), lsoa_code) - 1, lsoa_code,
            lsoa_name, lon, lat, null, null
        from lsoas where regexp_extract(lsoa_name, '^(.*) [0-9]{{3}}[A-Z]$', 1) in ({neighbours})
        """
    )
    con.execute(
        "update lsoa_pool p set lsoa21_code = q.lsoa21_code, lsoa21_name = q.lsoa21_name "
        "from lsoa_pool q where p.pool < 0 and q.pool >= 0 and q.lsoa_code = p.lsoa_code"
    )
    con.execute(
        "create table pool_size as select pool, count(*) as size from lsoa_pool group by pool"
    )


def _force_months(con: duckdb.DuckDBPyConnection, months: list[str], scale: float) -> None:
    """Table ``fm``: every force-month published, with its number of rows ``n``."""
    gaps = ", ".join(f"({_q(f)}, {_q(m)})" for f, m in sorted(OTHER_GAPS))
    con.execute(
        "create table months as select m_idx, month, cast(month || '-01' as date) as d from "
        "(values "
        + ", ".join(f"({i}, {_q(m)})" for i, m in enumerate(months))
        + ") v(m_idx, month)"
    )
    con.execute(
        f"""
        create table fm as
        select f.*, m.m_idx, m.month, m.d,
            greatest(1, cast(round(f.base_rows * {scale}
                * (1 + 0.08 * sin(2 * pi() * (month(m.d) - 4) / 12.0))
                * (1 + 0.012 * (year(m.d) - 2019))
                * (0.96 + 0.08 * (hash(f.force_id, m.month, 'n') % 1000) / 1000.0)) as bigint))
                as n,
            coalesce(p.size, 0) as own_lsoas,
            case when f.force_id = 'city-of-london' then -2 else -1 end as outside_pool,
            (select size from pool_size where pool = case when f.force_id = 'city-of-london'
                then -2 else -1 end) as outside_lsoas,
            greatest(0.15, 0.36 - 0.018 * (year(m.d) - 2011)) as asb_share
        from forces f cross join months m left join pool_size p on p.pool = f.force_idx
        where not (f.force_id = 'greater-manchester' and m.month >= {_q(GMP_GAP_FROM)})
          and (f.force_id, m.month) not in (select * from (values {gaps}))
        """
    )


def _buckets(choices: list[tuple[str, float]]) -> list[str]:
    """``choices`` spread over 1,000 buckets in proportion to their weights."""
    total = sum(w for _, w in choices)
    out, edge = [], 0.0
    for value, weight in choices:
        edge += weight / total
        out += [value] * (round(edge * 1000) - len(out))
    return out


def _lookup_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Small tables the rows join to: crime types (with the names of earlier periods) and
    outcomes by bucket 0-999 of a draw, and places."""
    rows = []
    for bucket, current in enumerate(_buckets(CRIME_TYPES)):
        before_2013 = BEFORE_2013_05.get(current, current)
        before_2011 = (
            "Other crime"
            if before_2013 in [*BEFORE_2011_09, "Public disorder and weapons"]
            else before_2013
        )
        rows.append(f"({bucket}, {_q(current)}, {_q(before_2013)}, {_q(before_2011)})")
    con.execute(
        "create table crime_types as select * from (values "
        + ", ".join(rows)
        + ") v(type_bucket, current_type, type_2011_09, type_2010_12)"
    )
    con.execute(
        "create table outcomes as select * from (values "
        + ", ".join(f"({n}, {_q(o)})" for n, o in enumerate(_buckets(OUTCOMES)))
        + ") v(outcome_bucket, outcome)"
    )
    con.execute(
        "create table places as select * from (values "
        + ", ".join(f"({n}, {_q('On or near ' + p)})" for n, p in enumerate(PLACES))
        + ") v(place_idx, location)"
    )


def _rows_sql(month_index: int, version_index: int) -> str:
    """The rows of one month, every column text as published, in file order; ``version_index``
    is the month the files were published (recent months' outcomes are still open)."""
    hexes = ", ".join(f"hash(force_idx, m_idx, id_key, {100 + n})" for n in range(4))
    return f"""
    with n as (
        select force_idx as n_force, n as n_rows from fm where m_idx = {month_index}
    ), r as (
        select fm.*, i, i - case when i > 0 and {_u(1, "i")} < {DUPLICATE_SHARE} then 1 else 0 end
            as key
        from n, range(n.n_rows) t(i) join fm on fm.force_idx = n.n_force
        where fm.m_idx = {month_index}
    ), drawn as (
        select *, {_u(2)} < asb_share as is_asb,
            key - case when key > 0 and {_u(3)} < {REPEATED_ID_SHARE} then 1 else 0 end as id_key,
            force_id = 'northern-ireland' or {_u(4)} >= unlocated as located,
            case when force_id = 'btp' and {_u(5)} < 0.03 then 'outside' when {_u(6)} < outside
                then 'national' else 'own' end as area,
            {_u(7)} as u_lsoa, {_u(8)} as u_place, {_u(9)} as u_jitter_lon,
            {_u(10)} as u_jitter_lat, {_u(13)} as u_open,
            cast(hash(force_idx, m_idx, key, 11) % 1000 as integer) as type_bucket,
            cast(hash(force_idx, m_idx, key, 12) % 1000 as integer) as outcome_bucket
        from r
    ), keyed as (
        select *,
            case when located and area <> 'outside' and force_id <> 'northern-ireland' then
                case when area = 'own' and own_lsoas > 0 then force_idx else outside_pool end
            end as pool_key,
            case when area = 'own' and own_lsoas > 0
                then cast(floor(own_lsoas * pow(u_lsoa, 1.6)) as bigint)
                else cast(floor(outside_lsoas * u_lsoa) as bigint) end as k_key
        from drawn
    ), placed as (
        select d.* exclude (lon, lat), p.lsoa_code, p.lsoa_name, p.lsoa21_code, p.lsoa21_name,
            coalesce(p.lon, case when force_id = 'northern-ireland' then d.lon else -3.19 end
                + (u_lsoa - 0.5) * spread) as plon,
            coalesce(p.lat, case when force_id = 'northern-ireland' then d.lat else 55.95 end
                + (u_place - 0.5) * spread * 0.5) as plat,
            cast(hash(coalesce(p.lsoa_code, d.force_id), cast(floor(u_place * 4) as integer))
                % {len(PLACES)} as integer) as place_idx
        from keyed d left join lsoa_pool p on p.pool = d.pool_key and p.k = d.k_key
    )
    select force_id, m_idx, i,
        case when is_asb then null else printf('%016x%016x%016x%016x', {hexes}) end
            as "Crime ID",
        month as "Month", force_name as "Reported by", force_name as "Falls within",
        case when located then printf('%.6f', plon + (u_jitter_lon - 0.5) * 0.004) end
            as "Longitude",
        case when located then printf('%.6f', plat + (u_jitter_lat - 0.5) * 0.003) end
            as "Latitude",
        case when located then pl.location else 'No Location' end as "Location",
        case when month >= {_q(LSOA21_FROM)} and lsoa21_code is not null then lsoa21_code
            else lsoa_code end as "LSOA code",
        case when month >= {_q(LSOA21_FROM)} and lsoa21_code is not null then lsoa21_name
            else lsoa_name end as "LSOA name",
        case when is_asb then 'Anti-social behaviour'
            when d < date '2011-09-01' then ct.type_2010_12
            when d < date '2013-05-01' then ct.type_2011_09
            else ct.current_type end as "Crime type",
        case when is_asb then null
            when {version_index} - m_idx < 3 and u_open < 0.6 - 0.2 * ({version_index} - m_idx)
                then 'Under investigation'
            else outcome end as "Last outcome category",
        cast(null as varchar) as "Context"
    from placed
    join crime_types ct using (type_bucket)
    join outcomes using (outcome_bucket)
    join places pl using (place_idx)
    """


# --------------------------------------------------------------------------- writers


def _setup(months: list[str], forces: list[str], scale: float) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("set preserve_insertion_order = true")
    _load_reference(con, forces)
    _lookup_tables(con)
    _force_months(con, months, scale)
    return con


def _write_month_csv(con, month_index: int, version_index: int, folder: Path) -> list[Path]:
    """The month's street files, one per force, in ``folder/<YYYY-MM>/``."""
    con.execute(
        "create or replace temp table m as "
        + _rows_sql(month_index, version_index)
        + " order by force_id, i"
    )
    month = con.execute("select month from months where m_idx = ?", [month_index]).fetchone()[0]
    written = []
    for (force,) in con.execute("select distinct force_id from m order by 1").fetchall():
        path = folder / month / f"{month}-{force}-street.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        con.execute(
            f"copy (select * exclude (force_id, m_idx, i) from m where force_id = {_q(force)} "
            f"order by i) to {_q(str(path))} (format csv, header true, quote '\"')"
        )
        written.append(path)
    return written


def _malform(path: Path) -> None:
    """GMP's one file after its gap: the header and every row lose their last column."""
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n", encoding="utf-8")


def write_csv_files(con, months: list[str], out: Path) -> int:
    files = 0
    for index in range(len(months)):
        files += len(_write_month_csv(con, index, len(months) - 1, out))
    return files


def write_archives(con, months: list[str], out: Path, forces: list[str]) -> int:
    """One ``<YYYY-MM>.zip`` a month, each holding the last 36 months as published then."""
    out.mkdir(parents=True, exist_ok=True)
    for version in range(len(months)):
        with tempfile.TemporaryDirectory(dir=out, prefix="_zip-") as tmp:
            names = []
            for index in range(max(0, version - ARCHIVE_MONTHS + 1), version + 1):
                for path in _write_month_csv(con, index, version, Path(tmp)):
                    names.append(path)
            month, force = MALFORMED[1], MALFORMED[0]
            if force in forces and month in months[max(0, version - 35) : version + 1]:
                index = months.index(month)
                path = _write_gmp_malformed(con, index, version, Path(tmp), month)
                names.append(path)
            target = out / f"{months[version]}.zip"
            with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
                for path in sorted(names):
                    info = zipfile.ZipInfo(path.relative_to(tmp).as_posix(), (2020, 1, 1, 0, 0, 0))
                    info.compress_type = zipfile.ZIP_DEFLATED
                    z.writestr(info, path.read_bytes())
    return len(months)


def _write_gmp_malformed(con, index: int, version: int, folder: Path, month: str) -> Path:
    """Greater Manchester's malformed file: its rows as they would be, last column dropped."""
    con.execute("create or replace temp table fm_saved as select * from fm")
    con.execute("delete from fm")
    con.execute(
        "insert into fm select f.*, m.m_idx, m.month, m.d, greatest(1, cast(f.base_rows * 0.3 "
        "as bigint)), coalesce(p.size, 0), -1, (select size from pool_size where pool = -1), 0.2 "
        "from forces f cross join months m left join pool_size p on p.pool = f.force_idx "
        f"where f.force_id = {_q(MALFORMED[0])} and m.m_idx = {index}"
    )
    (path,) = _write_month_csv(con, index, version, folder)
    con.execute("delete from fm")
    con.execute("insert into fm select * from fm_saved")
    _malform(path)
    return path


def write_landed_direct(con, months: list[str], raw_dir: Path, landed_at: datetime) -> int:
    """The landed Parquet layout written straight from the generator (national scale)."""
    feed_dir = raw_dir / sl.FEED
    feed_dir.mkdir(parents=True, exist_ok=True)
    stamp = landed_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    log_rows = []
    version = len(months) - 1
    for index, month in enumerate(months):
        con.execute(
            "create or replace temp table m as "
            + _rows_sql(index, version)
            + " order by force_id, i"
        )
        for force, count in con.execute(
            "select force_id, count(*) from m group by 1 order by 1"
        ).fetchall():
            label = f"{month}/{month}-{force}-street.csv"
            target = sl.partition(feed_dir, month, force)
            target.parent.mkdir(parents=True, exist_ok=True)
            con.execute(
                f'copy (select force_id, "Crime ID" as crime_id, "Reported by" as reported_by, '
                '"Falls within" as falls_within, cast("Longitude" as double) as longitude, '
                'cast("Latitude" as double) as latitude, "Location" as location, '
                '"LSOA code" as lsoa_code, "LSOA name" as lsoa_name, "Crime type" as crime_type, '
                '"Last outcome category" as last_outcome_category, "Context" as context, '
                f"{_q(label)} as source_file, i + 1 as source_row from m "
                f"where force_id = {_q(force)} order by i) to {_q(str(target))} "
                "(format parquet, compression zstd)"
            )
            log_rows.append(f"{month},{force},{label},{count},{stamp},")
        print(f"  {month}: {sum(1 for r in log_rows if r.startswith(month))} files", flush=True)
    log = feed_dir / sl.LOG_NAME
    log.write_text(",".join(sl.LOG_HEADER) + "\n" + "\n".join(log_rows) + "\n", encoding="utf-8")
    return sum(int(r.split(",")[3]) for r in log_rows)


def _replace_sample(staged_raw: Path, out_raw: Path) -> None:
    """Put a freshly landed sample in place of the generator's previous output."""
    target = out_raw / sl.FEED
    if target.exists():
        shutil.rmtree(target)  # the generator's own previous output (as every generator does)
    (staged_raw / sl.FEED).rename(target)


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    parser = argument_parser(__doc__, EPILOG_EVERY_RECORD)
    parser.add_argument(
        "--months",
        type=int,
        default=None,
        help="months written (default 24; 120 at national scale)",
    )
    parser.add_argument(
        "--end",
        type=parse_year_month,
        default=None,
        metavar="YYYY-MM",
        help="last month written (default 2020-06; 2022-12 at national scale)",
    )
    parser.add_argument(
        "--forces",
        nargs="+",
        default=None,
        metavar="FORCE",
        help="police.uk force ids (default: the sample's five; all 45 at national scale)",
    )
    parser.add_argument(
        "--scale",
        choices=sorted(SCALES),
        default="sample",
        help="national: every force at full volume; sample: a tenth (default)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="folder written: a raw dir for landed files (default seeds/raw), "
        "else the folder of the CSV files or archives",
    )
    shape = parser.add_mutually_exclusive_group()
    shape.add_argument("--csv", action="store_true", help="write police.uk CSV files, not landed")
    shape.add_argument(
        "--zip", action="store_true", help="write monthly archive zips (36 months each)"
    )
    parser.add_argument("--threads", type=int, default=None, help="DuckDB threads (default all)")
    args = parser.parse_args(argv)  # fmt: skip

    national = args.scale == "national"
    count = args.months or (120 if national else 24)
    end = "{:04d}-{:02d}".format(*args.end) if args.end else ("2022-12" if national else "2020-06")
    forces = args.forces or (sorted(FORCES) if national else SAMPLE_FORCES)
    unknown = sorted(set(forces) - set(FORCES))
    if unknown:
        parser.error(
            f"unknown force id(s) {', '.join(unknown)}; known: {', '.join(sorted(FORCES))}"
        )
    months = _month_list(end, count)
    started = time.perf_counter()
    con = _setup(months, forces, SCALES[args.scale])
    if args.threads:
        con.execute(f"set threads = {args.threads}")
    if args.csv or args.zip:
        if args.out is None:
            parser.error("--csv and --zip need --out DIR (the sample in seeds/raw is landed)")
        if args.zip:
            n = write_archives(con, months, args.out, forces)
            print(f"wrote {n} monthly archives to {args.out}")
        else:
            n = write_csv_files(con, months, args.out)
            print(f"wrote {n} street files to {args.out}")
        return 0
    out = args.out or RAW
    if national:
        rows = write_landed_direct(con, months, out, datetime.now(UTC))
    else:
        from ncpm.street_level import land as street_land

        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="ncpm-street-") as tmp:
            csv_dir, staged = Path(tmp) / "files", Path(tmp) / "raw"
            staged.mkdir()
            write_csv_files(con, months, csv_dir)
            result = street_land.land(csv_dir, staged, now=SAMPLE_LANDED_AT, show_progress=False)
            rows = result.rows
            _replace_sample(staged, out)
    print(
        f"wrote {rows:,} rows ({len(forces)} forces, {months[0]}..{months[-1]}) to "
        f"{out / sl.FEED} in {time.perf_counter() - started:.0f} s"
    )
    return 0
