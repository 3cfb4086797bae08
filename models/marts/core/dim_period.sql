{#-
    Conformed periods: one row per period end date and period type, over the
    span the feeds cover. Quarterly rows carry the rolling-year label
    ("YE Jun 2019"), financial-year rows the financial year ("2018/19");
    is_baseline marks the baseline periods of the metric catalogue.
-#}

with

calendar as (

    select * from {{ ref('int_calendar_quarters') }}

),

coverage as (

    select
        min(first_period_end_date) as first_period_end_date,
        max(last_period_end_date) as last_period_end_date
    from {{ ref('int_feed_coverage') }}

),

baselines as (

    select distinct
        baseline_period_type,
        baseline_period_end_date
    from {{ ref('dim_metric') }}

),

quarter_ends as (

    select calendar.*
    from calendar
    cross join coverage
    where calendar.quarter_end_date between coverage.first_period_end_date and coverage.last_period_end_date

),

period_types as (

    select 'rolling_12_months' as period_type
    union all
    select 'survey_rolling_year' as period_type
    union all
    select 'financial_year' as period_type
    union all
    select 'survey_year' as period_type

),

periods as (

    select
        quarter_ends.quarter_end_date as period_end_date,
        period_types.period_type,
        quarter_ends.quarter_start_date,
        quarter_ends.calendar_year,
        quarter_ends.financial_year_start,
        quarter_ends.financial_quarter
    from quarter_ends
    cross join period_types
    where
        period_types.period_type in ('rolling_12_months', 'survey_rolling_year')
        or quarter_ends.financial_quarter = 4

)

select
    -- ids
    periods.period_end_date,
    periods.period_type,

    -- strings
    case
        when periods.period_type in ('rolling_12_months', 'survey_rolling_year')
            then {{ dbt.concat([
                "'YE '",
                "case extract(month from periods.period_end_date)"
                ~ " when 3 then 'Mar' when 6 then 'Jun' when 9 then 'Sep' else 'Dec' end",
                "' '",
                "cast(periods.calendar_year as " ~ dbt.type_string() ~ ")",
            ]) }}
        when periods.period_type = 'financial_year'
            then {{ financial_year_label('periods.financial_year_start') }}
        else {{ dbt.concat(["cast(periods.calendar_year as " ~ dbt.type_string() ~ ")", "' survey'"]) }}
    end as period_label,
    {{ financial_year_label('periods.financial_year_start') }} as financial_year,

    -- numerics
    periods.calendar_year,
    periods.financial_quarter,

    -- booleans
    baselines.baseline_period_end_date is not null as is_baseline,

    -- dates
    -- every period type is twelve months long, ending at period_end_date
    cast({{ dbt.dateadd('day', 1, dbt.dateadd('month', -12, 'periods.period_end_date')) }} as date)
        as period_start_date

from periods
left join baselines
    on
        periods.period_type = baselines.baseline_period_type
        and periods.period_end_date = baselines.baseline_period_end_date
