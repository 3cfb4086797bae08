{#-
    M3.4 county lines closed, England and Wales, by quarter, for every quarter
    of the feed's coverage window (null, a gap, for a quarter with no row: the
    coverage test has then already stopped the build).
-#}

with

lines_closed as (

    select * from {{ ref('stg_county_lines__lines_closed') }}

),

quarters as (

    {{ coverage_quarters('lines_closed') }}

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
