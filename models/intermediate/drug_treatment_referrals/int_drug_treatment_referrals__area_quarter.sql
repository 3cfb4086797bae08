{{ config(materialized="table") }}
{#-
    Quarterly police referrals into drug treatment (M3.2) per police force area,
    for every quarter of the feed's coverage window. A force with no row for a
    quarter has no figure (null): an accepted gap when listed in
    ref_known_data_gaps, otherwise the coverage test has already stopped the
    build. Regions and England and Wales are rolled up after the rolling year.
-#}

with

referrals as (

    select * from {{ ref('stg_drug_treatment_referrals__referrals') }}

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
    'M3.2' as metric_id,
    'all' as breakdown,
    areas.area_code,
    areas.area_level,
    quarters.quarter_end_date,
    referrals.referral_count as quarter_value,
    referrals.area_code is null and known_gaps.area_code is not null as is_known_gap,
    false as is_incomplete,
    case
        when referrals.area_code is null then coalesce(known_gaps.reason, 'No return for the quarter')
    end as quality_note
from areas
cross join quarters
left join referrals
    on
        areas.area_code = referrals.area_code
        and quarters.quarter_end_date = referrals.quarter_end_date
left join known_gaps
    on
        areas.area_code = known_gaps.area_code
        and quarters.quarter_end_date between known_gaps.first_quarter_end_date and known_gaps.last_quarter_end_date
