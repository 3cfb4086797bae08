{#-
    Every calendar quarter between the project variables calendar_start and
    calendar_end (a generous frame; published periods are cut from it by each
    feed's own coverage), with its financial-year labels.
-#}

with

months as (

    {{ dbt.date_spine(
        'month',
        "cast('" ~ var('calendar_start') ~ "' as date)",
        "cast('" ~ var('calendar_end') ~ "' as date)",
    ) }}

),

quarter_months as (

    select cast(date_month as date) as quarter_last_month_start_date
    from months
    where extract(month from date_month) in (3, 6, 9, 12)

),

quarters as (

    select
        cast({{ dbt.last_day('quarter_last_month_start_date', 'month') }} as date) as quarter_end_date,
        cast({{ dbt.dateadd('month', -2, 'quarter_last_month_start_date') }} as date) as quarter_start_date,
        extract(year from quarter_last_month_start_date) as calendar_year,
        extract(month from quarter_last_month_start_date) as quarter_end_month
    from quarter_months

)

select
    quarter_end_date,
    quarter_start_date,
    cast(calendar_year as integer) as calendar_year,
    cast(case when quarter_end_month = 3 then calendar_year - 1 else calendar_year end as integer)
        as financial_year_start,
    cast(case when quarter_end_month = 3 then 4 else quarter_end_month / 3 - 1 end as integer)
        as financial_quarter
from quarters
