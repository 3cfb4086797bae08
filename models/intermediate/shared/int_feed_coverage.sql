{#-
    The coverage window of every raw feed: the first and last period it holds,
    read from the data (or the coverage_start / coverage_end variables). The
    period dimension and the scorecard's default publication period come from
    here, never from dates written in SQL. Add a union branch per new feed.
-#}

with

police_recorded_crime as (

    select
        'police_recorded_crime' as source_feed,
        'quarter' as period_grain,
        true as is_quarterly,
        {{ coverage_bound('min(quarter_end_date)', 'coverage_start') }} as first_period_end_date,
        {{ coverage_bound('max(quarter_end_date)', 'coverage_end') }} as last_period_end_date
    from {{ ref('stg_police_recorded_crime__offences') }}

),

weapon_returns as (

    select
        'weapon_returns' as source_feed,
        'quarter' as period_grain,
        true as is_quarterly,
        {{ coverage_bound('min(quarter_end_date)', 'coverage_start') }} as first_period_end_date,
        {{ coverage_bound('max(quarter_end_date)', 'coverage_end') }} as last_period_end_date
    from {{ ref('stg_weapon_returns__offences') }}

),

homicide_index as (

    select
        'homicide_index' as source_feed,
        'quarter' as period_grain,
        true as is_quarterly,
        {{ coverage_bound('min(quarter_end_date)', 'coverage_start') }} as first_period_end_date,
        {{ coverage_bound('max(quarter_end_date)', 'coverage_end') }} as last_period_end_date
    from {{ ref('stg_homicide_index__victims') }}

),

{# Monthly, rolled to quarters: its last period is the last quarter with all three months. #}
hospital_admission_quarters as (

    select quarter_end_date
    from {{ ref('stg_hospital_admissions__admissions') }}
    group by quarter_end_date
    having count(distinct month_start_date) = 3

),

hospital_admissions as (

    select
        'hospital_admissions' as source_feed,
        'month' as period_grain,
        true as is_quarterly,
        {{ coverage_bound('min(quarter_end_date)', 'coverage_start') }} as first_period_end_date,
        {{ coverage_bound('max(quarter_end_date)', 'coverage_end') }} as last_period_end_date
    from hospital_admission_quarters

),

drug_seizures as (

    select
        'drug_seizures' as source_feed,
        'financial_year' as period_grain,
        false as is_quarterly,
        min(period_end_date) as first_period_end_date,
        max(period_end_date) as last_period_end_date
    from {{ ref('stg_drug_seizures__seizures') }}

),

drug_treatment_referrals as (

    select
        'drug_treatment_referrals' as source_feed,
        'quarter' as period_grain,
        true as is_quarterly,
        {{ coverage_bound('min(quarter_end_date)', 'coverage_start') }} as first_period_end_date,
        {{ coverage_bound('max(quarter_end_date)', 'coverage_end') }} as last_period_end_date
    from {{ ref('stg_drug_treatment_referrals__referrals') }}

),

county_lines as (

    select
        'county_lines' as source_feed,
        'quarter' as period_grain,
        true as is_quarterly,
        {{ coverage_bound('min(quarter_end_date)', 'coverage_start') }} as first_period_end_date,
        {{ coverage_bound('max(quarter_end_date)', 'coverage_end') }} as last_period_end_date
    from {{ ref('stg_county_lines__lines_closed') }}

),

victim_survey as (

    select
        'victim_survey' as source_feed,
        'interview_date' as period_grain,
        true as is_quarterly,
        min(quarter_end_date) as first_period_end_date,
        max(quarter_end_date) as last_period_end_date
    from {{ ref('int_victim_survey__interview_quarters') }}

),

business_cyber_breaches_survey as (

    select
        'business_cyber_breaches_survey' as source_feed,
        'survey_year' as period_grain,
        false as is_quarterly,
        min(survey_period_end_date) as first_period_end_date,
        max(survey_period_end_date) as last_period_end_date
    from {{ ref('stg_business_cyber_breaches_survey__size_bands') }}

),

action_fraud_computer_misuse as (

    select
        'action_fraud_computer_misuse' as source_feed,
        'quarter' as period_grain,
        true as is_quarterly,
        {{ coverage_bound('min(quarter_end_date)', 'coverage_start') }} as first_period_end_date,
        {{ coverage_bound('max(quarter_end_date)', 'coverage_end') }} as last_period_end_date
    from {{ ref('stg_action_fraud_computer_misuse__offences') }}

)

select * from police_recorded_crime
union all
select * from weapon_returns
union all
select * from homicide_index
union all
select * from hospital_admissions
union all
select * from drug_seizures
union all
select * from drug_treatment_referrals
union all
select * from county_lines
union all
select * from victim_survey
union all
select * from business_cyber_breaches_survey
union all
select * from action_fraud_computer_misuse
