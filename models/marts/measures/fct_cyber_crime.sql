{#-
    Measure 5: tackle cyber crime. One row per metric, area, period end and
    breakdown (the mart contract, MEASURES.md section 8), national only.

    M5.1 computer misuse incidents estimated by the victim survey (survey
    rolling year, with 95% CI and significance).
    M5.2 computer misuse offences reported to Action Fraud (its own feed),
    rolling 12 months (a count: direction by the sign of the change).
    M5.3 percentage of businesses identifying a cyber breach or attack, by
    survey year and size band (with 95% CI and significance).
-#}

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
