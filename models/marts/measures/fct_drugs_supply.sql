with

quarterly_metrics as (

    {{ count_figures(ref('int_quarterly_measures__rolling_12_months'), ['M3.1', 'M3.2', 'M3.4']) }}

),

seizures as (

    {{ count_figures(ref('int_drug_seizures__area_year'), ['M3.3']) }}

),

figures as (

    select * from quarterly_metrics
    union all
    select * from seizures

),

fact as (

    {{ measure_fact('figures') }}

)

select * from fact
