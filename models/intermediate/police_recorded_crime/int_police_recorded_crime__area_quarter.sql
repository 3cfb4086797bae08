{{ config(materialized="table") }}
{#-
    Quarterly police recorded counts for every metric and breakdown the feed
    supplies (M1.1 homicide, M4.2 neighbourhood crime by category), for every
    PFA, region, England and Wales, and the reporting bodies that record such
    offences, for every quarter of the feed's coverage window.

    A PFA or reporting body with no rows at all in a quarter has a null value
    (a data gap: the coverage test blocks the build on it); an area that reported
    but had none of the offences has 0. Regions sum their PFAs and England and
    Wales sums PFAs and reporting bodies; a parent with a missing part is a gap.
-#}

with

classified as (

    select * from {{ ref('int_police_recorded_crime__classified') }}

),

{# Which rows feed which metric and breakdown (one row per raw row and metric). #}
metric_rows as (

    select * from {{ ref('int_police_recorded_crime__metric_rows') }}

),

quarters as (

    {{ coverage_quarters('classified') }}

),

series as (

    select distinct
        metric_id,
        breakdown
    from metric_rows

),

areas as (

    select
        area_code,
        area_level,
        parent_area_code
    from {{ ref('ref_areas') }}
    where area_level in ('pfa', 'reporting_body')

),

{# PFAs always; a reporting body only for the metrics it records. #}
series_areas as (

    select
        series.metric_id,
        series.breakdown,
        areas.area_code,
        areas.area_level
    from series
    cross join areas
    where
        areas.area_level = 'pfa'
        or exists (
            select 1 from metric_rows
            where
                metric_rows.metric_id = series.metric_id
                and metric_rows.area_code = areas.area_code
        )

),

reported_quarters as (

    select distinct
        area_code,
        quarter_end_date
    from classified

),

counts as (

    select
        metric_id,
        breakdown,
        area_code,
        quarter_end_date,
        sum(offence_count) as offence_count
    from metric_rows
    group by metric_id, breakdown, area_code, quarter_end_date

),

base_areas as (

    select
        series_areas.metric_id,
        series_areas.breakdown,
        series_areas.area_code,
        series_areas.area_level,
        quarters.quarter_end_date,
        case
            when reported_quarters.area_code is not null
                then coalesce(counts.offence_count, 0)
        end as quarter_value
    from series_areas
    cross join quarters
    left join reported_quarters
        on
            series_areas.area_code = reported_quarters.area_code
            and quarters.quarter_end_date = reported_quarters.quarter_end_date
    left join counts
        on
            series_areas.metric_id = counts.metric_id
            and series_areas.breakdown = counts.breakdown
            and series_areas.area_code = counts.area_code
            and quarters.quarter_end_date = counts.quarter_end_date

),

rolled_up as (

    {{ roll_up_areas('base_areas', 'quarter_value', ['metric_id', 'breakdown', 'quarter_end_date']) }}

)

select
    metric_id,
    breakdown,
    area_code,
    area_level,
    quarter_end_date,
    quarter_value,
    quarter_value is null as is_data_gap
from rolled_up
