{{ config(materialized="table", tags=["survey_estimation"]) }}
{#-
    Survey fieldwork by quarter: every calendar quarter of the victim survey's
    coverage window with the interviews it holds. Aggregates only (counts), so
    it may read the personal respondent rows (tag `survey_estimation`).

    A quarter is complete when each of its three months holds interviews. The
    coverage window runs from the first to the last complete quarter (or the
    coverage_start / coverage_end variables); an interview outside it fails the
    blocking test `within_feed_coverage` on the respondents. A quarter inside
    the window that is not complete makes every rolling year containing it a
    data gap (never an estimate from part of a year).
-#}

with

respondents as (

    select
        interview_date,
        interview_quarter_end_date
    from {{ ref('stg_victim_survey__respondents') }}

),

by_quarter as (

    select
        interview_quarter_end_date as quarter_end_date,
        count(*) as respondent_count,
        count(distinct extract(month from interview_date)) as interview_month_count
    from respondents
    group by interview_quarter_end_date

),

window_bounds as (

    select
        {{ coverage_bound('min(quarter_end_date)', 'coverage_start') }} as first_quarter_end_date,
        {{ coverage_bound('max(quarter_end_date)', 'coverage_end') }} as last_quarter_end_date
    from by_quarter
    where interview_month_count = 3

),

quarters as (

    select
        calendar.quarter_end_date,
        calendar.quarter_start_date
    from {{ ref('int_calendar_quarters') }} as calendar
    cross join window_bounds
    where
        calendar.quarter_end_date
        between window_bounds.first_quarter_end_date and window_bounds.last_quarter_end_date

)

select
    -- numerics
    coalesce(by_quarter.respondent_count, 0) as respondent_count,
    coalesce(by_quarter.interview_month_count, 0) as interview_month_count,

    -- booleans
    coalesce(by_quarter.interview_month_count, 0) = 3 as is_complete_quarter,

    -- dates
    quarters.quarter_end_date,
    quarters.quarter_start_date

from quarters
left join by_quarter
    on quarters.quarter_end_date = by_quarter.quarter_end_date
