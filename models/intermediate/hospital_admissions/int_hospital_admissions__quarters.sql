{#-
    M2.1 hospital admissions of under-25s for assault with a sharp object, by
    quarter: the monthly source rolled up to financial quarters, for the bands
    `under 18` and `18-24` and their total `all` (under 25). A quarter has a
    value only when all three of its months are present for every band it
    sums; otherwise it is null (a gap) with the number of months missing.

    The source covers English hospitals only, so the figure is published as the
    national (England and Wales) figure flagged incomplete: Welsh admissions
    are not in it.
-#}

with

admissions as (

    select * from {{ ref('stg_hospital_admissions__admissions') }}
    where is_under_25

),

band_rows as (

    select
        age_band as breakdown,
        age_band,
        month_start_date,
        quarter_end_date,
        admission_count
    from admissions

    union all

    select
        'all' as breakdown,
        age_band,
        month_start_date,
        quarter_end_date,
        admission_count
    from admissions

),

{# Bands each breakdown sums: itself, or both under-25 bands for `all`. #}
needed_bands as (

    select
        'under 18' as breakdown,
        1 as band_count
    union all
    select
        '18-24' as breakdown,
        1 as band_count
    union all
    select
        'all' as breakdown,
        2 as band_count

),

quarters as (

    {{ coverage_quarters('admissions') }}

),

quarter_sums as (

    select
        breakdown,
        quarter_end_date,
        count(*) as band_month_count,
        sum(admission_count) as admission_count
    from band_rows
    group by breakdown, quarter_end_date

),

national as (

    select area_code from {{ ref('ref_areas') }} where area_level = 'national'

)

select
    'M2.1' as metric_id,
    needed_bands.breakdown,
    national.area_code,
    'national' as area_level,
    quarters.quarter_end_date,
    case
        when quarter_sums.band_month_count = 3 * needed_bands.band_count then quarter_sums.admission_count
    end as quarter_value,
    false as is_known_gap,
    coalesce(quarter_sums.band_month_count, 0) = 3 * needed_bands.band_count as is_incomplete,
    case
        when coalesce(quarter_sums.band_month_count, 0) = 3 * needed_bands.band_count
            then 'England only: the hospital episode statistics cover English hospitals; admissions in Wales are not included'
        else {{ dbt.concat([
            "cast(3 * needed_bands.band_count - coalesce(quarter_sums.band_month_count, 0) as " ~ dbt.type_string() ~ ")",
            "' month and age band rows of the quarter have no data'",
        ]) }}
    end as quality_note
from needed_bands
cross join quarters
cross join national
left join quarter_sums
    on
        needed_bands.breakdown = quarter_sums.breakdown
        and quarters.quarter_end_date = quarter_sums.quarter_end_date
