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
