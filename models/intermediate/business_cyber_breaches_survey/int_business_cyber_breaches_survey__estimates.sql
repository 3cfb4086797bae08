{#-
    M5.3 percentage of businesses identifying a cyber breach or attack, by
    survey year and size band ('all' = all businesses, as published), with the
    survey statistics the mart contract needs.

    The published table gives the weighted percentage and the unweighted base
    but no weights, so the effective sample size is taken as the unweighted base
    and the design factor (survey_design_factor) stands for the weighting and
    design effect: SE = deft x sqrt(p (100 - p) / n); 95% CI = p +/- 1.96 SE.
    A base under survey_min_unweighted_base is suppressed. The survey covers the
    UK: its national figure is published against England and Wales
    (K04000001), the measures' national area, and says so in quality_note.
-#}

with

results as (

    select * from {{ ref('stg_business_cyber_breaches_survey__size_bands') }}

),

national as (

    select
        area_code,
        area_level
    from {{ ref('ref_areas') }}
    where area_level = 'national'

),

estimates as (

    select
        'M5.3' as metric_id,
        size_band as breakdown,
        survey_year,
        survey_period_end_date as period_end_date,
        unweighted_base,
        unweighted_base as effective_sample_size,
        percentage_identifying_breach as percentage,
        {{ standard_error_proportion('percentage_identifying_breach', 'unweighted_base', scale=100) }}
            as standard_error
    from results

)

select
    -- ids
    estimates.metric_id,
    estimates.breakdown,
    national.area_code,

    -- strings
    national.area_level,
    'survey_year' as period_type,
    {{ disclosure_suppression_reason('estimates.unweighted_base', 'businesses') }} as suppression_reason,
    'UK survey: published as the national (England and Wales) figure of the measure' as quality_note,

    -- numerics
    estimates.survey_year,
    estimates.unweighted_base,
    estimates.effective_sample_size,
    {{ disclosure_controlled('estimates.percentage', 'estimates.unweighted_base') }} as value,
    {{ disclosure_controlled('estimates.standard_error', 'estimates.unweighted_base') }} as standard_error,
    {{ disclosure_controlled(
        confidence_interval_lower('estimates.percentage', 'estimates.standard_error'),
        'estimates.unweighted_base',
    ) }} as ci_lower,
    {{ disclosure_controlled(
        confidence_interval_upper('estimates.percentage', 'estimates.standard_error'),
        'estimates.unweighted_base',
    ) }} as ci_upper,

    -- booleans
    coalesce({{ is_below_disclosure_threshold('estimates.unweighted_base') }}, false) as is_suppressed,
    false as is_data_gap,
    false as is_incomplete,

    -- dates
    estimates.period_end_date

from estimates
cross join national
