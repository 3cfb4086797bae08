{{ config(materialized="table") }}
{#-
    Rolling 12-month ("year ending") police recorded counts for every metric,
    breakdown and area, at every quarter end from the first full year of the
    feed's coverage window. A year with a missing quarter is null and flagged.
-#}

with

quarterly as (

    select * from {{ ref('int_police_recorded_crime__area_quarter') }}

),

rolling as (

    select
        metric_id,
        breakdown,
        area_code,
        area_level,
        quarter_end_date as period_end_date,
        {{ rolling_12_months('quarter_value', ['metric_id', 'breakdown', 'area_code'], 'quarter_end_date') }}
            as rolling_value,
        {{ rolling_window_quarters(['metric_id', 'breakdown', 'area_code'], 'quarter_end_date') }}
            as window_quarters,
        {{ rolling_window_missing('quarter_value', ['metric_id', 'breakdown', 'area_code'], 'quarter_end_date') }}
            as missing_quarters
    from quarterly

)

select
    metric_id,
    breakdown,
    area_code,
    area_level,
    period_end_date,
    'rolling_12_months' as period_type,
    rolling_value as value,
    missing_quarters,
    missing_quarters > 0 as is_data_gap,
    case
        when missing_quarters > 0
            then {{ dbt.concat([
                "cast(missing_quarters as " ~ dbt.type_string() ~ ")",
                "' of the four quarters have no data: the rolling year is not published'",
            ]) }}
    end as quality_note
from rolling
where window_quarters = 4
