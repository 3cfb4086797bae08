{#-
    Measure 6: improve victim satisfaction, with a focus on domestic abuse. One
    row per metric, area, period end and breakdown (the mart contract,
    MEASURES.md section 8), national only.

    M6.1 victims very or fairly satisfied with the police handling, and M6.2
    the same for domestic abuse victims who reported to the police: weighted
    percentages over the survey rolling year, with 95% CI and the significance
    of the change from the baseline (desired direction up).
-#}

with

estimates as (

    {{ survey_figures(ref('int_victim_survey__satisfaction_estimates')) }}

),

fact as (

    {{ measure_fact('estimates', survey=true) }}

)

select * from fact
