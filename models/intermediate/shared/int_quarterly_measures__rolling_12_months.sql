{{ config(materialized="table") }}
{#-
    Rolling 12-month ("year ending") figures of every quarterly metric outside
    police recorded crime: M1.2 and M3.1 (homicide index), M2.1 (hospital
    admissions), M2.2 and M2.3 (weapon returns), M3.2 (drug treatment
    referrals), M3.4 (county lines).

    1. The quarterly series of each feed (PFAs and reporting bodies, or the
       national figure for national-only feeds) are stacked.
    2. Each series is summed over the four quarters ending at each quarter end,
       only when all four have a value (never a partial sum). A year missing
       only quarters that are ACCEPTED gaps is itself an accepted gap.
    3. Regions and England and Wales are then summed from the PFAs' and
       reporting bodies' rolling years (roll_up_areas with known gaps): a part
       that is an accepted gap is left out and the parent flagged incomplete
       with the reason, so a national figure "excluding Greater Manchester"
       reconciles exactly with the published PFA figures. Rolling up after the
       rolling year (rather than before) means a force with a gap is left out of
       the whole year, never counted for only some of its quarters.
-#}

with

quarterly as (

    {%- for model in [
        'int_homicide_index__area_quarter',
        'int_hospital_admissions__quarters',
        'int_weapon_returns__area_quarter',
        'int_drug_treatment_referrals__area_quarter',
        'int_county_lines__quarters',
    ] %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            metric_id,
            breakdown,
            area_code,
            area_level,
            quarter_end_date,
            quarter_value,
            is_known_gap,
            is_incomplete,
            quality_note
        from {{ ref(model) }}
    {%- endfor %}

),

{%- set series = ['metric_id', 'breakdown', 'area_code'] %}

rolling as (

    select
        metric_id,
        breakdown,
        area_code,
        area_level,
        quarter_end_date as period_end_date,
        {{ rolling_12_months('quarter_value', series, 'quarter_end_date') }} as rolling_value,
        {{ rolling_window_quarters(series, 'quarter_end_date') }} as window_quarters,
        {{ rolling_window_missing('quarter_value', series, 'quarter_end_date') }} as missing_quarters,
        sum(case when quarter_value is null and not is_known_gap then 1 else 0 end)
            {{ ncpm._rolling_window(series, 'quarter_end_date') }} as unknown_missing_quarters,
        max(case when is_incomplete then 1 else 0 end)
            {{ ncpm._rolling_window(series, 'quarter_end_date') }} as incomplete_quarters,
        max(quality_note) {{ ncpm._rolling_window(series, 'quarter_end_date') }} as window_note
    from quarterly

),

base_years as (

    select
        metric_id,
        breakdown,
        area_code,
        area_level,
        period_end_date,
        rolling_value as value,
        missing_quarters > 0 and unknown_missing_quarters = 0 as is_known_gap,
        rolling_value is not null and incomplete_quarters > 0 as is_incomplete,
        case
            when missing_quarters > 0
                then {{ dbt.concat([
                    "cast(missing_quarters as " ~ dbt.type_string() ~ ")",
                    "' of the four quarters have no data: the rolling year is not published'",
                    "case when window_note is null then '' else " ~ dbt.concat(["' ('", "window_note", "')'"]) ~ " end",
                ]) }}
            when incomplete_quarters > 0 then window_note
        end as quality_note
    from rolling
    where window_quarters = 4

),

rolled_up as (

    {{ roll_up_areas('base_years', 'value', ['metric_id', 'breakdown', 'period_end_date'], known_gaps=true) }}

)

select
    metric_id,
    breakdown,
    area_code,
    area_level,
    period_end_date,
    'rolling_12_months' as period_type,
    value,
    value is null as is_data_gap,
    is_known_gap,
    is_incomplete,
    quality_note
from rolled_up
