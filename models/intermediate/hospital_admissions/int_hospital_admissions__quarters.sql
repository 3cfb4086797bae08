{#-
    M2.1 hospital admissions of under-25s for assault with a sharp object, by
    quarter: the monthly rows of int_hospital_admissions__metric_rows (which
    holds the rules: `under 18`, `18-24` and their total `all`) summed to
    financial quarters. A quarter has a value only when all three of its
    months are present for every band its breakdown sums (the bands the
    breakdown's rows hold); otherwise it is null (a gap) with the number of
    months missing.

    The source covers English hospitals only, and the figure is England's
    (area and level from the metric rows: E92000001, `country`), complete for
    that area: a quarter with all its months is not flagged incomplete.
-#}

with

metric_rows as (

    select * from {{ ref('int_hospital_admissions__metric_rows') }}

),

{# Bands each breakdown sums: itself, or both under-25 bands for `all`. #}
needed_bands as (

    select
        metric_id,
        breakdown,
        area_code,
        count(distinct age_band) as band_count
    from metric_rows
    group by metric_id, breakdown, area_code

),

quarters as (

    {{ coverage_quarters('metric_rows') }}

),

quarter_sums as (

    select
        metric_id,
        breakdown,
        quarter_end_date,
        count(*) as band_month_count,
        sum(value) as admission_count
    from metric_rows
    group by metric_id, breakdown, quarter_end_date

)

select
    needed_bands.metric_id,
    needed_bands.breakdown,
    needed_bands.area_code,
    areas.area_level,
    quarters.quarter_end_date,
    case
        when quarter_sums.band_month_count = 3 * needed_bands.band_count then quarter_sums.admission_count
    end as quarter_value,
    false as is_known_gap,
    false as is_incomplete,
    case
        when coalesce(quarter_sums.band_month_count, 0) < 3 * needed_bands.band_count
            then {{ dbt.concat([
                "cast(3 * needed_bands.band_count - coalesce(quarter_sums.band_month_count, 0) as " ~ dbt.type_string() ~ ")",
                "' month and age band rows of the quarter have no data'",
            ]) }}
    end as quality_note
from needed_bands
inner join {{ ref('ref_areas') }} as areas
    on needed_bands.area_code = areas.area_code
cross join quarters
left join quarter_sums
    on
        needed_bands.metric_id = quarter_sums.metric_id
        and needed_bands.breakdown = quarter_sums.breakdown
        and quarters.quarter_end_date = quarter_sums.quarter_end_date
