{{ config(materialized="table", tags=["survey_estimation"]) }}

{%- set series_keys = ['metric_id', 'breakdown'] -%}

with

respondents as (

    select
        interview_quarter_end_date as quarter_end_date,
        household_weight,
        individual_weight
    from {{ ref('stg_victim_survey__respondents') }}

),

victim_forms as (

    select * from {{ ref('int_victim_survey__victim_forms') }}

),

interview_quarters as (

    select * from {{ ref('int_victim_survey__interview_quarters') }}

),

classifications as (

    select * from {{ ref('ref_victim_survey_offences') }}

),

national as (

    select
        area_code,
        area_level
    from {{ ref('ref_areas') }}
    where area_level = 'national'

),

{# Which classifications feed which estimate (the metric catalogue's breakdowns). #}
series_classifications as (

    select
        'M4.1' as metric_id,
        neighbourhood_crime_category as breakdown,
        offence_classification,
        crime_type
    from classifications
    where neighbourhood_crime_category is not null

    union all

    select
        'M5.1' as metric_id,
        'all' as breakdown,
        offence_classification,
        crime_type
    from classifications
    where is_computer_misuse

),

series as (

    select distinct
        metric_id,
        breakdown,
        crime_type
    from series_classifications

),

{# x = incidents of the series per victim respondent (all their forms of it). #}
respondent_incidents as (

    select
        series_classifications.metric_id,
        series_classifications.breakdown,
        victim_forms.interview_quarter_end_date as quarter_end_date,
        victim_forms.respondent_id,
        victim_forms.form_weight,
        sum(victim_forms.incident_count) as incidents
    from victim_forms
    inner join series_classifications
        on victim_forms.offence_classification = series_classifications.offence_classification
    group by
        series_classifications.metric_id,
        series_classifications.breakdown,
        victim_forms.interview_quarter_end_date,
        victim_forms.respondent_id,
        victim_forms.form_weight

),

victim_sums as (

    select
        metric_id,
        breakdown,
        quarter_end_date,
        sum(form_weight * incidents) as sum_weighted_incidents,
        sum(form_weight * incidents * incidents) as sum_weighted_incidents_squared
    from respondent_incidents
    group by metric_id, breakdown, quarter_end_date

),

{# Every respondent counts in the base (non-victims have x = 0), with the weight of the crime type. #}
base_sums as (

    select
        quarter_end_date,
        'household' as crime_type,
        count(*) as respondent_count,
        sum(household_weight) as sum_weight,
        sum(household_weight * household_weight) as sum_weight_squared
    from respondents
    group by quarter_end_date

    union all

    select
        quarter_end_date,
        'personal' as crime_type,
        count(*) as respondent_count,
        sum(individual_weight) as sum_weight,
        sum(individual_weight * individual_weight) as sum_weight_squared
    from respondents
    group by quarter_end_date

),

{# One row per series and quarter of the coverage window; null sums for an incomplete quarter. #}
quarterly as (

    select
        series.metric_id,
        series.breakdown,
        series.crime_type,
        interview_quarters.quarter_end_date,
        case when interview_quarters.is_complete_quarter then base_sums.respondent_count end as respondent_count,
        case when interview_quarters.is_complete_quarter then base_sums.sum_weight end as sum_weight,
        case
            when interview_quarters.is_complete_quarter then base_sums.sum_weight_squared
        end as sum_weight_squared,
        case
            when interview_quarters.is_complete_quarter
                then coalesce(victim_sums.sum_weighted_incidents, 0)
        end as sum_weighted_incidents,
        case
            when interview_quarters.is_complete_quarter
                then coalesce(victim_sums.sum_weighted_incidents_squared, 0)
        end as sum_weighted_incidents_squared
    from series
    cross join interview_quarters
    left join base_sums
        on
            series.crime_type = base_sums.crime_type
            and interview_quarters.quarter_end_date = base_sums.quarter_end_date
    left join victim_sums
        on
            series.metric_id = victim_sums.metric_id
            and series.breakdown = victim_sums.breakdown
            and interview_quarters.quarter_end_date = victim_sums.quarter_end_date

),

rolling as (

    select
        metric_id,
        breakdown,
        crime_type,
        quarter_end_date as period_end_date,
        cast({{ rolling_12_months('respondent_count', series_keys, 'quarter_end_date') }} as {{ dbt.type_int() }})
            as unweighted_base,
        {{ rolling_12_months('sum_weight', series_keys, 'quarter_end_date') }} as sum_weight,
        {{ rolling_12_months('sum_weight_squared', series_keys, 'quarter_end_date') }} as sum_weight_squared,
        {{ rolling_12_months('sum_weighted_incidents', series_keys, 'quarter_end_date') }}
            as sum_weighted_incidents,
        {{ rolling_12_months('sum_weighted_incidents_squared', series_keys, 'quarter_end_date') }}
            as sum_weighted_incidents_squared,
        {{ rolling_window_quarters(series_keys, 'quarter_end_date') }} as window_quarters,
        {{ rolling_window_missing('respondent_count', series_keys, 'quarter_end_date') }} as missing_quarters
    from quarterly

),

rates as (

    select
        metric_id,
        breakdown,
        crime_type,
        period_end_date,
        unweighted_base,
        missing_quarters,
        sum_weight as population_base,
        {{ kish_effective_sample_size('sum_weight', 'sum_weight_squared') }} as effective_sample_size,
        {{ incidence_rate_per_1000('sum_weighted_incidents', 'sum_weight') }} as incidence_rate_per_1000,
        1000 * {{ standard_error_mean(
            'sum_weighted_incidents', 'sum_weighted_incidents_squared', 'sum_weight',
            kish_effective_sample_size('sum_weight', 'sum_weight_squared'),
        ) }} as rate_standard_error
    from rolling
    where window_quarters = 4

),

categories as (

    select
        rates.*,
        {{ estimated_incidents('incidence_rate_per_1000', 'population_base') }} as estimated_incidents,
        {{ estimated_incidents('rate_standard_error', 'population_base') }} as standard_error
    from rates

),

{# Neighbourhood crime in total: the four categories summed (households and adults mixed: no rate). #}
neighbourhood_total as (

    select
        metric_id,
        'all' as breakdown,
        'household and personal' as crime_type,
        period_end_date,
        max(unweighted_base) as unweighted_base,
        max(missing_quarters) as missing_quarters,
        cast(null as {{ type_double() }}) as population_base,
        cast(null as {{ type_double() }}) as effective_sample_size,
        cast(null as {{ type_double() }}) as incidence_rate_per_1000,
        cast(null as {{ type_double() }}) as rate_standard_error,
        case
            when count(*) = count(estimated_incidents) then sum(estimated_incidents)
        end as estimated_incidents,
        {{ standard_error_of_sum('standard_error') }} as standard_error
    from categories
    where metric_id = 'M4.1'
    group by metric_id, period_end_date

),

estimates as (

    select * from categories
    union all
    select * from neighbourhood_total

)

select
    -- ids
    estimates.metric_id,
    estimates.breakdown,
    national.area_code,

    -- strings
    national.area_level,
    'survey_rolling_year' as period_type,
    estimates.crime_type,
    {{ disclosure_suppression_reason('estimates.unweighted_base') }} as suppression_reason,
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
    estimates.population_base,
    estimates.effective_sample_size,
    {{ disclosure_controlled('estimates.incidence_rate_per_1000', 'estimates.unweighted_base') }}
        as incidence_rate_per_1000,
    {{ disclosure_controlled('estimates.rate_standard_error', 'estimates.unweighted_base') }}
        as rate_standard_error,
    {{ disclosure_controlled('estimates.estimated_incidents', 'estimates.unweighted_base') }} as value,
    {{ disclosure_controlled('estimates.standard_error', 'estimates.unweighted_base') }} as standard_error,
    {{ disclosure_controlled(
        confidence_interval_lower('estimates.estimated_incidents', 'estimates.standard_error'),
        'estimates.unweighted_base',
    ) }} as ci_lower,
    {{ disclosure_controlled(
        confidence_interval_upper('estimates.estimated_incidents', 'estimates.standard_error'),
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
