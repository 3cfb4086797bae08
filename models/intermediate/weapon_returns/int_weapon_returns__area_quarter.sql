{{ config(materialized="table") }}
{#-
    Quarterly weapon offences per police force area for M2.2 (offences involving
    the discharge of a firearm, excluding air weapons) and M2.3 (offences
    involving a knife or sharp instrument), for every quarter of the feed's
    coverage window: the sums of int_weapon_returns__metric_rows.

    A force that made the return (the weapon type's rows exist) but had none of
    the offences has 0. A force with no rows for the weapon type in a quarter
    has no figure (null): when the gap is listed in ref_known_data_gaps it is an
    accepted gap (is_known_gap, with the reason in quality_note), otherwise the
    coverage test on the staging model has already stopped the build.
    Regions and England and Wales are rolled up after the rolling year
    (int_quarterly_measures__rolling_12_months).
-#}

with

offences as (

    select * from {{ ref('stg_weapon_returns__offences') }}

),

{#
    Which rows feed which metric: the rules are in the metric rows model only.
    return_part is the weapon type whose return a metric's rows are part of.
#}
metric_rows as (

    select * from {{ ref('int_weapon_returns__metric_rows') }}

),

metrics as (

    select distinct
        metric_id,
        breakdown,
        weapon_type as return_part
    from metric_rows

),

quarters as (

    {{ coverage_quarters('offences') }}

),

{# Every PFA, and any reporting body that appears in the feed. #}
areas as (

    select
        area_code,
        area_level
    from {{ ref('ref_areas') }}
    where
        area_level = 'pfa'
        or (area_level = 'reporting_body' and area_code in (select offences.area_code from offences))

),

returns_made as (

    select distinct
        area_code,
        weapon_type as return_part,
        quarter_end_date
    from offences

),

counts as (

    select
        metric_id,
        breakdown,
        area_code,
        quarter_end_date,
        sum(value) as offence_count
    from metric_rows
    group by metric_id, breakdown, area_code, quarter_end_date

),

known_gaps as (

    select
        area_code,
        coalesce(return_part, '') as return_part,
        first_quarter_end_date,
        last_quarter_end_date,
        reason
    from {{ ref('ref_known_data_gaps') }}
    where source_feed = 'weapon_returns'

)

select
    metrics.metric_id,
    metrics.breakdown,
    areas.area_code,
    areas.area_level,
    quarters.quarter_end_date,
    case
        when returns_made.area_code is not null then coalesce(counts.offence_count, 0)
    end as quarter_value,
    returns_made.area_code is null and known_gaps.area_code is not null as is_known_gap,
    false as is_incomplete,
    case
        when returns_made.area_code is null
            then coalesce(known_gaps.reason, 'No return for the quarter')
    end as quality_note
from metrics
cross join areas
cross join quarters
left join returns_made
    on
        areas.area_code = returns_made.area_code
        and metrics.return_part = returns_made.return_part
        and quarters.quarter_end_date = returns_made.quarter_end_date
left join counts
    on
        metrics.metric_id = counts.metric_id
        and metrics.breakdown = counts.breakdown
        and areas.area_code = counts.area_code
        and quarters.quarter_end_date = counts.quarter_end_date
left join known_gaps
    on
        areas.area_code = known_gaps.area_code
        and known_gaps.return_part in ('', metrics.return_part)
        and quarters.quarter_end_date between known_gaps.first_quarter_end_date and known_gaps.last_quarter_end_date
