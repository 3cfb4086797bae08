{#-
    Measure 4: reduce neighbourhood crime. One row per metric, area, period end
    and breakdown (the mart contract, MEASURES.md section 8).

    M4.1 neighbourhood crime incidents estimated by the victim survey: national,
    survey rolling year, by category and 'all', with 95% CI and the significance
    of the change from the baseline (measure_fact survey path).
    M4.2 neighbourhood crime offences recorded by the police: rolling 12 months
    for every PFA, region, England and Wales and British Transport Police, by
    category and 'all' (measure_fact count path).
-#}

with

recorded as (

    {{ count_figures(
        ref('int_police_recorded_crime__rolling_12_months'), ['M4.2'], always_complete=true
    ) }}

),

estimated as (

    {{ survey_figures(ref('int_victim_survey__incidence_estimates'), ['M4.1']) }}

),

recorded_fact as (

    {{ measure_fact('recorded') }}

),

estimated_fact as (

    {{ measure_fact('estimated', survey=true) }}

),

fact as (

    select * from estimated_fact
    union all
    select * from recorded_fact

)

select * from fact
