with

figures as (

    {{ count_figures(ref('int_quarterly_measures__rolling_12_months'), ['M2.1', 'M2.2', 'M2.3']) }}

),

fact as (

    {{ measure_fact('figures') }}

)

select * from fact
