-- Regions compared for every metric published by region: the latest period
-- with a national figure, each region's value, rate per 1,000 and % change
-- against its own baseline, with the England and Wales figure beside it.
-- Diagnostic only: the measures are judged nationally.
with

measures as (

    select * from {{ ref('rpt_all_measures') }}
    where breakdown = 'all'

),

latest as (

    select
        metric_id,
        max(period_end_date) as period_end_date
    from measures
    where area_level = 'national' and value is not null
    group by metric_id

),

national as (

    select
        measures.metric_id,
        measures.period_end_date,
        measures.value as national_value,
        measures.rate_per_1000 as national_rate_per_1000,
        measures.pct_change_from_baseline as national_pct_change_from_baseline
    from measures
    inner join latest
        on
            measures.metric_id = latest.metric_id
            and measures.period_end_date = latest.period_end_date
    where measures.area_level = 'national'

)

select
    measures.metric_id,
    measures.metric_name,
    measures.period_end_date,
    measures.area_code,
    measures.area_name,
    measures.value,
    measures.rate_per_1000,
    measures.pct_change_from_baseline,
    measures.direction_of_travel,
    national.national_value,
    national.national_rate_per_1000,
    national.national_pct_change_from_baseline
from measures
inner join national
    on
        measures.metric_id = national.metric_id
        and measures.period_end_date = national.period_end_date
where measures.area_level = 'region'
order by measures.metric_id asc, measures.rate_per_1000 desc
