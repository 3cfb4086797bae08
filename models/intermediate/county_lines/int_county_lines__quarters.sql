{#-
    M3.4 county lines closed, England and Wales, by quarter, for every quarter
    of the feed's coverage window (null, a gap, for a quarter with no row: the
    coverage test has then already stopped the build).
-#}

with

lines_closed as (

    select * from {{ ref('stg_county_lines__lines_closed') }}

),

window_bounds as (

    select
        {{ coverage_bound('min(quarter_end_date)', 'coverage_start') }} as first_quarter_end_date,
        {{ coverage_bound('max(quarter_end_date)', 'coverage_end') }} as last_quarter_end_date
    from lines_closed

),

quarters as (

    select calendar.quarter_end_date
    from {{ ref('int_calendar_quarters') }} as calendar
    cross join window_bounds
    where
        calendar.quarter_end_date
        between window_bounds.first_quarter_end_date and window_bounds.last_quarter_end_date

),

national as (

    select area_code from {{ ref('ref_areas') }} where area_level = 'national'

)

select
    'M3.4' as metric_id,
    'all' as breakdown,
    national.area_code,
    'national' as area_level,
    quarters.quarter_end_date,
    lines_closed.lines_closed_count as quarter_value,
    false as is_known_gap,
    false as is_incomplete,
    case when lines_closed.quarter_end_date is null then 'No return for the quarter' end as quality_note
from quarters
cross join national
left join lines_closed
    on quarters.quarter_end_date = lines_closed.quarter_end_date
