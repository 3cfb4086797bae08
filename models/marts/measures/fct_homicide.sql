{#-
    Measure 1: reduce murder and other homicide. One row per metric, area,
    period end and breakdown (the mart contract, MEASURES.md section 8).

    M1.1 homicide offences recorded by the police, rolling 12 months, for every
    PFA, region, England and Wales and British Transport Police.
    M1.2 homicide victims from the homicide index, rolling 12 months, with the
    breakdowns sharp instrument, victim under 25 and domestic, for the same
    areas. The two differ on purpose (offences vs victims, different sources).
-#}

with

recorded_homicide as (

    {{ count_figures(
        ref('int_police_recorded_crime__rolling_12_months'), ['M1.1'], always_complete=true
    ) }}

),

homicide_victims as (

    {{ count_figures(ref('int_quarterly_measures__rolling_12_months'), ['M1.2']) }}

),

figures as (

    select * from recorded_homicide
    union all
    select * from homicide_victims

),

fact as (

    {{ measure_fact('figures') }}

)

select * from fact
