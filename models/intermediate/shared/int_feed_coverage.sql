{#-
    The coverage window of every raw feed: the first and last period it holds,
    read from the data (or the coverage_start / coverage_end variables). The
    period dimension and the scorecard's default publication period come from
    here, never from dates written in SQL. Add a union branch per new feed.
-#}

with

police_recorded_crime as (

    select
        'police_recorded_crime' as source_feed,
        'quarter' as period_grain,
        true as is_quarterly,
        {{ coverage_bound('min(quarter_end_date)', 'coverage_start') }} as first_period_end_date,
        {{ coverage_bound('max(quarter_end_date)', 'coverage_end') }} as last_period_end_date
    from {{ ref('stg_police_recorded_crime__offences') }}

)

select * from police_recorded_crime
