{#-
    The coverage window of every raw feed: the first and last period it holds,
    read from the data (or the coverage_start / coverage_end variables). The
    period dimension and the scorecard's default publication period come from
    here, never from dates written in SQL. Add a union branch per new feed.

    * police_recorded_crime, action_fraud_computer_misuse: quarterly feeds,
      first to last quarter held.
    * victim_survey (the respondent and victim-form files together): continuous
      interviewing, published quarterly as rolling years, so it is quarterly
      and bounds the default publication period. Its window runs from the first
      to the last quarter whose three months all hold interviews
      (int_victim_survey__interview_quarters): a partial quarter of fieldwork
      is not covered.
    * business_cyber_breaches_survey: annual; a survey year ends 31 March.
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
select * from victim_survey
union all
select * from business_cyber_breaches_survey
union all
select * from action_fraud_computer_misuse
