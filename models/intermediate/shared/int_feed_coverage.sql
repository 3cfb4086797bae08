{#-
    The coverage window of every raw feed: the first and last period it holds,
    read from the data (or the coverage_start / coverage_end variables for the
    quarterly feeds). The period dimension and the scorecard's default
    publication period come from here, never from dates written in SQL. Add one
    feed_coverage() branch (macros/measures/feed_coverage.sql) per new feed.
-#}

with

{# Monthly, rolled to quarters: its last period is the last quarter with all three months. #}
hospital_admission_quarters as (

    select quarter_end_date
    from {{ ref('stg_hospital_admissions__admissions') }}
    group by quarter_end_date
    having count(distinct month_start_date) = 3

),

coverage as (

    {{ feed_coverage('police_recorded_crime', ref('stg_police_recorded_crime__offences')) }}
    union all
    {{ feed_coverage('weapon_returns', ref('stg_weapon_returns__offences')) }}
    union all
    {{ feed_coverage('homicide_index', ref('stg_homicide_index__victims')) }}
    union all
    {{ feed_coverage('hospital_admissions', 'hospital_admission_quarters', period_grain='month') }}
    union all
    {{ feed_coverage('drug_seizures', ref('stg_drug_seizures__seizures'), period_grain='financial_year',
        is_quarterly=false, period_column='period_end_date', overridable=false) }}
    union all
    {{ feed_coverage('drug_treatment_referrals', ref('stg_drug_treatment_referrals__referrals')) }}
    union all
    {{ feed_coverage('county_lines', ref('stg_county_lines__lines_closed')) }}
    union all
    {{ feed_coverage('victim_survey', ref('int_victim_survey__interview_quarters'),
        period_grain='interview_date', overridable=false) }}
    union all
    {{ feed_coverage('business_cyber_breaches_survey', ref('stg_business_cyber_breaches_survey__size_bands'),
        period_grain='survey_year', is_quarterly=false, period_column='survey_period_end_date',
        overridable=false) }}
    union all
    {{ feed_coverage('action_fraud_computer_misuse', ref('stg_action_fraud_computer_misuse__offences')) }}

)

select * from coverage
