with

survey_estimates as (

    {{ survey_figures(ref('int_victim_survey__incidence_estimates'), ['M5.1']) }}

    union all

    {{ survey_figures(ref('int_business_cyber_breaches_survey__estimates')) }}

),

reported as (

    {{ count_figures(
        ref('int_action_fraud_computer_misuse__rolling_12_months'), always_complete=true
    ) }}

),

survey_fact as (

    {{ measure_fact('survey_estimates', survey=true) }}

),

reported_fact as (

    {{ measure_fact('reported') }}

),

fact as (

    select * from survey_fact
    union all
    select * from reported_fact

)

select * from fact
