{#-
    M3.4 county lines closed, England and Wales, by quarter, for every quarter
    of the feed's coverage window: the sums of int_county_lines__metric_rows
    (null, a gap, for a quarter with no row: the coverage test has then already
    stopped the build).
-#}

with

lines_closed as (

    select * from {{ ref('stg_county_lines__lines_closed') }}

),

{# Which rows feed which series: the rule is in the metric rows model only. #}
metric_rows as (

    select * from {{ ref('int_county_lines__metric_rows') }}

),

series as (

    select distinct
        metric_id,
        breakdown,
        area_code
    from metric_rows

),

counts as (

    select
        metric_id,
        breakdown,
        area_code,
        quarter_end_date,
        sum(value) as lines_closed_count
    from metric_rows
    group by metric_id, breakdown, area_code, quarter_end_date

),

quarters as (

    {{ coverage_quarters('lines_closed') }}

)

select
    series.metric_id,
    series.breakdown,
    series.area_code,
    'national' as area_level,
    quarters.quarter_end_date,
    counts.lines_closed_count as quarter_value,
    false as is_known_gap,
    false as is_incomplete,
    case when counts.quarter_end_date is null then 'No return for the quarter' end as quality_note
from series
cross join quarters
left join counts
    on
        series.metric_id = counts.metric_id
        and series.breakdown = counts.breakdown
        and series.area_code = counts.area_code
        and quarters.quarter_end_date = counts.quarter_end_date
