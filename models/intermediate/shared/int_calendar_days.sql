{#-
    Every day between the project variables calendar_start and calendar_end
    (the same generous frame as int_calendar_quarters), with the quarter it
    falls in. The MetricFlow time spine (dim_date) is cut from it.
-#}

with

days as (

    {{ dbt.date_spine(
        'day',
        "cast('" ~ var('calendar_start') ~ "' as date)",
        "cast('" ~ var('calendar_end') ~ "' as date)",
    ) }}

),

quarters as (

    select * from {{ ref('int_calendar_quarters') }}

)

select
    cast(days.date_day as date) as date_day,
    quarters.quarter_end_date,
    quarters.calendar_year,
    quarters.financial_year_start,
    quarters.financial_quarter
from days
inner join quarters
    on cast(days.date_day as date) between quarters.quarter_start_date and quarters.quarter_end_date
