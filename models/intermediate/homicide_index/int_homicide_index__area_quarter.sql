{{ config(materialized="table") }}
{#-
    Quarterly homicide victims from the homicide index, by quarter recorded, for
    every PFA and the reporting bodies the index names (British Transport
    Police), for every quarter of the feed's coverage window:

    * M1.2 homicide victims: `all`, and the breakdowns `sharp instrument`
      (method of killing), `victim under 25` (age bands under 16 and 16-24) and
      `domestic`;
    * M3.1 drug-related homicides: victims whose homicide is flagged
      drug-related (victim or suspect involved in illicit drugs).

    The index is one record per victim, so an area with no record in a quarter
    had no victim: 0, not a gap (the coverage test checks the feed has records
    in every quarter of its window). Regions and England and Wales are rolled
    up after the rolling year.
-#}

with

victims as (

    select * from {{ ref('stg_homicide_index__victims') }}

),

metric_rows as (

    select
        'M1.2' as metric_id,
        'all' as breakdown,
        area_code,
        quarter_end_date
    from victims

    union all

    select
        'M1.2' as metric_id,
        'sharp instrument' as breakdown,
        area_code,
        quarter_end_date
    from victims
    where is_sharp_instrument

    union all

    select
        'M1.2' as metric_id,
        'victim under 25' as breakdown,
        area_code,
        quarter_end_date
    from victims
    where is_victim_under_25

    union all

    select
        'M1.2' as metric_id,
        'domestic' as breakdown,
        area_code,
        quarter_end_date
    from victims
    where is_domestic

    union all

    select
        'M3.1' as metric_id,
        'all' as breakdown,
        area_code,
        quarter_end_date
    from victims
    where is_drug_related

),

series as (

    select
        'M1.2' as metric_id,
        'all' as breakdown
    union all
    select
        'M1.2' as metric_id,
        'sharp instrument' as breakdown
    union all
    select
        'M1.2' as metric_id,
        'victim under 25' as breakdown
    union all
    select
        'M1.2' as metric_id,
        'domestic' as breakdown
    union all
    select
        'M3.1' as metric_id,
        'all' as breakdown

),

quarters as (

    {{ coverage_quarters('victims') }}

),

areas as (

    select
        area_code,
        area_level
    from {{ ref('ref_areas') }}
    where
        area_level = 'pfa'
        or (area_level = 'reporting_body' and area_code in (select victims.area_code from victims))

),

counts as (

    select
        metric_id,
        breakdown,
        area_code,
        quarter_end_date,
        count(*) as victim_count
    from metric_rows
    group by metric_id, breakdown, area_code, quarter_end_date

)

select
    series.metric_id,
    series.breakdown,
    areas.area_code,
    areas.area_level,
    quarters.quarter_end_date,
    coalesce(counts.victim_count, 0) as quarter_value,
    false as is_known_gap,
    false as is_incomplete,
    cast(null as {{ dbt.type_string() }}) as quality_note
from series
cross join areas
cross join quarters
left join counts
    on
        series.metric_id = counts.metric_id
        and series.breakdown = counts.breakdown
        and areas.area_code = counts.area_code
        and quarters.quarter_end_date = counts.quarter_end_date
