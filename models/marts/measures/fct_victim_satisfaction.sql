with

estimates as (

    {{ survey_figures(ref('int_victim_survey__satisfaction_estimates')) }}

),

fact as (

    {{ measure_fact('estimates', survey=true) }}

)

select * from fact
