{#-
    One row per day: the time spine of the MetricFlow semantic layer (metric_time
    joins here) and a calendar BI tools can join on any date, with the quarter
    end and financial year it belongs to.
-#}

with

days as (

    select * from {{ ref('int_calendar_days') }}

)

select
    -- dates
    date_day,
    quarter_end_date,

    -- strings
    {{ financial_year_label('financial_year_start') }} as financial_year,

    -- numerics
    calendar_year,
    financial_quarter,

    -- booleans
    date_day = quarter_end_date as is_quarter_end

from days
