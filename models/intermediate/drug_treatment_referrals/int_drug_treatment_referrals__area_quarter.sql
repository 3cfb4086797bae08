{{ config(materialized="table") }}
{#-
    Quarterly police referrals into drug treatment (M3.2) per police force area,
    for every quarter of the feed's coverage window: the sums of
    int_drug_treatment_referrals__metric_rows. A force with no row for a
    quarter has no figure (null): an accepted gap when listed in
    ref_known_data_gaps, otherwise the coverage test has already stopped the
    build. Regions and England and Wales are rolled up after the rolling year.
-#}

with

referrals as (

    select * from {{ ref('stg_drug_treatment_referrals__referrals') }}

),

{# Which rows feed which series: the rule is in the metric rows model only. #}
metric_rows as (

    select * from {{ ref('int_drug_treatment_referrals__metric_rows') }}

),

series as (

    select distinct
        metric_id,
        breakdown
    from metric_rows

),

counts as (

    select
        metric_id,
        breakdown,
        area_code,
        quarter_end_date,
        sum(value) as referral_count
    from metric_rows
    group by metric_id, breakdown, area_code, quarter_end_date

),

quarters as (

    {{ coverage_quarters('referrals') }}

),

areas as (

    select
        area_code,
        area_level
    from {{ ref('ref_areas') }}
    where
        area_level = 'pfa'
        or (area_level = 'reporting_body' and area_code in (select referrals.area_code from referrals))

),

known_gaps as (

    select
        area_code,
        first_quarter_end_date,
        last_quarter_end_date,
        reason
    from {{ ref('ref_known_data_gaps') }}
    where
        source_feed = 'drug_treatment_referrals'
        and coalesce(return_part, '') = ''

)

select
    series.metric_id,
    series.breakdown,
    areas.area_code,
    areas.area_level,
    quarters.quarter_end_date,
    counts.referral_count as quarter_value,
    counts.area_code is null and known_gaps.area_code is not null as is_known_gap,
    false as is_incomplete,
    case
        when counts.area_code is null then coalesce(known_gaps.reason, 'No return for the quarter')
    end as quality_note
from series
cross join areas
cross join quarters
left join counts
    on
        series.metric_id = counts.metric_id
        and series.breakdown = counts.breakdown
        and areas.area_code = counts.area_code
        and quarters.quarter_end_date = counts.quarter_end_date
left join known_gaps
    on
        areas.area_code = known_gaps.area_code
        and quarters.quarter_end_date between known_gaps.first_quarter_end_date and known_gaps.last_quarter_end_date
