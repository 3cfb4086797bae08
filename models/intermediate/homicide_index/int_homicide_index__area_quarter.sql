{{ config(materialized="table") }}
{#-
    Quarterly homicide victims from the homicide index, by quarter recorded, for
    every PFA and the reporting bodies the index names (British Transport
    Police), for every quarter of the feed's coverage window, for each series
    of int_homicide_index__metric_rows (M1.2 `all`, `sharp instrument`,
    `victim under 25`, `domestic`; M3.1 drug-related homicides), the sum of
    its rows.

    The index is one record per victim, so an area with no record in a quarter
    had no victim: 0, not a gap (the coverage test checks the feed has records
    in every quarter of its window). Regions and England and Wales are rolled
    up after the rolling year.
-#}

with

victims as (

    select * from {{ ref('stg_homicide_index__victims') }}

),

{# Which victims count in which series: the rules are in the metric rows model only. #}
metric_rows as (

    select * from {{ ref('int_homicide_index__metric_rows') }}

),

series as (

    select distinct
        metric_id,
        breakdown
    from metric_rows

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
        sum(value) as victim_count
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
