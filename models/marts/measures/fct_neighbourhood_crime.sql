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
