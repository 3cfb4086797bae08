{#-
    Measure 3: disrupt drugs supply and county lines. One row per metric, area,
    period end and breakdown (the mart contract, MEASURES.md section 8).

    Quarterly metrics, rolling 12 months: M3.1 drug-related homicides (homicide
    index), M3.2 police referrals into drug treatment, M3.4 county lines closed
    (national). Annual metric, financial year (period_type `financial_year`,
    period end 31 March): M3.3 drug seizures by police forces and Border Force,
    breakdowns `all` (the table's own All drugs count) and Class A, B, C (the
    table's class totals). Annual and quarterly figures sit side by side, told
    apart by period_type; no annual figure is ever summed into a rolling year.
-#}

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
