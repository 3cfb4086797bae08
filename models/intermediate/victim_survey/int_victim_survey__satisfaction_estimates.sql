{{ config(materialized="table", tags=["survey_estimation"]) }}

{%- set series_keys = ['metric_id', 'breakdown'] -%}

with

respondents as (

    select * from {{ ref('stg_victim_survey__respondents') }}

),

victim_forms as (

    select * from {{ ref('int_victim_survey__victim_forms') }}

),

interview_quarters as (

    select * from {{ ref('int_victim_survey__interview_quarters') }}

),

national as (

    select
        area_code,
        area_level
    from {{ ref('ref_areas') }}
    where area_level = 'national'

),

{# The base of each estimate: one row per answer, its weight and y = 1 when very or fairly satisfied. #}
answers as (

    select
        'M6.1' as metric_id,
        'all' as breakdown,
        interview_quarter_end_date as quarter_end_date,
        form_weight as answer_weight,
        case when is_satisfied then 1 else 0 end as is_satisfied_flag
    from victim_forms
    where is_reported_to_police and has_satisfaction_answer

    union all

    select
        'M6.2' as metric_id,
        'all' as breakdown,
        interview_quarter_end_date as quarter_end_date,
        individual_weight as answer_weight,
        case when da_satisfaction_code in (1, 2) then 1 else 0 end as is_satisfied_flag
    from respondents
    where is_domestic_abuse_reported and da_satisfaction_code between 1 and 5

),

answer_sums as (

    select
        metric_id,
        breakdown,
        quarter_end_date,
        count(*) as answer_count,
        sum(answer_weight) as sum_weight,
        sum(answer_weight * answer_weight) as sum_weight_squared,
        sum(answer_weight * is_satisfied_flag) as sum_weight_satisfied
    from answers
    group by metric_id, breakdown, quarter_end_date

),

series as (

    select
        'M6.1' as metric_id,
        'all' as breakdown,
        'victim forms reported to the police' as estimate_base
    union all
    select
        'M6.2' as metric_id,
        'all' as breakdown,
        'domestic abuse victims who reported to the police' as estimate_base

),

{# One row per series and quarter of the coverage window; null sums for an incomplete quarter. #}
quarterly as (

    select
        series.metric_id,
        series.breakdown,
        series.estimate_base,
        interview_quarters.quarter_end_date,
        case
            when interview_quarters.is_complete_quarter then coalesce(answer_sums.answer_count, 0)
        end as answer_count,
        case
            when interview_quarters.is_complete_quarter then coalesce(answer_sums.sum_weight, 0)
        end as sum_weight,
        case
            when interview_quarters.is_complete_quarter then coalesce(answer_sums.sum_weight_squared, 0)
        end as sum_weight_squared,
        case
            when interview_quarters.is_complete_quarter then coalesce(answer_sums.sum_weight_satisfied, 0)
        end as sum_weight_satisfied
    from series
    cross join interview_quarters
    left join answer_sums
        on
            series.metric_id = answer_sums.metric_id
            and series.breakdown = answer_sums.breakdown
            and interview_quarters.quarter_end_date = answer_sums.quarter_end_date

),

rolling as (

    select
        metric_id,
        breakdown,
        estimate_base,
        quarter_end_date as period_end_date,
        cast({{ rolling_12_months('answer_count', series_keys, 'quarter_end_date') }} as {{ dbt.type_int() }})
            as unweighted_base,
        {{ rolling_12_months('sum_weight', series_keys, 'quarter_end_date') }} as sum_weight,
        {{ rolling_12_months('sum_weight_squared', series_keys, 'quarter_end_date') }} as sum_weight_squared,
        {{ rolling_12_months('sum_weight_satisfied', series_keys, 'quarter_end_date') }} as sum_weight_satisfied,
        {{ rolling_window_quarters(series_keys, 'quarter_end_date') }} as window_quarters,
        {{ rolling_window_missing('answer_count', series_keys, 'quarter_end_date') }} as missing_quarters
    from quarterly

),

proportions as (

    select
        metric_id,
        breakdown,
        estimate_base,
        period_end_date,
        unweighted_base,
        missing_quarters,
        {{ kish_effective_sample_size('sum_weight', 'sum_weight_squared') }} as effective_sample_size,
        {{ weighted_percentage('sum_weight_satisfied', 'sum_weight') }} as percentage_satisfied
    from rolling
    where window_quarters = 4

),

estimates as (

    select
        proportions.*,
        {{ standard_error_proportion('percentage_satisfied', 'effective_sample_size', scale=100) }}
            as standard_error
    from proportions

)

select
    -- ids
    estimates.metric_id,
    estimates.breakdown,
    national.area_code,

    -- strings
    national.area_level,
    'survey_rolling_year' as period_type,
    estimates.estimate_base,
    {{ disclosure_suppression_reason('estimates.unweighted_base', 'answers') }} as suppression_reason,
    case
        when estimates.missing_quarters > 0
            then {{ dbt.concat([
                "cast(estimates.missing_quarters as " ~ dbt.type_string() ~ ")",
                "' of the four quarters of interviews are missing or incomplete: no estimate is published'",
            ]) }}
    end as quality_note,

    -- numerics
    estimates.unweighted_base,
    estimates.missing_quarters,
    estimates.effective_sample_size,
    {{ disclosure_controlled('estimates.percentage_satisfied', 'estimates.unweighted_base') }} as value,
    {{ disclosure_controlled('estimates.standard_error', 'estimates.unweighted_base') }} as standard_error,
    {{ disclosure_controlled(
        confidence_interval_lower('estimates.percentage_satisfied', 'estimates.standard_error'),
        'estimates.unweighted_base',
    ) }} as ci_lower,
    {{ disclosure_controlled(
        confidence_interval_upper('estimates.percentage_satisfied', 'estimates.standard_error'),
        'estimates.unweighted_base',
    ) }} as ci_upper,

    -- booleans
    coalesce({{ is_below_disclosure_threshold('estimates.unweighted_base') }}, false) as is_suppressed,
    estimates.missing_quarters > 0 as is_data_gap,
    false as is_incomplete,

    -- dates
    estimates.period_end_date

from estimates
cross join national
