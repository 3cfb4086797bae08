{#-
    Measure 2: reduce serious violence. One row per metric, area, period end
    and breakdown (the mart contract, MEASURES.md section 8), rolling 12 months:

    M2.1 hospital admissions of under-25s for assault with a sharp object
    (England only, published as the national figure flagged incomplete;
    breakdowns under 18 and 18-24); M2.2 offences involving the discharge of a
    firearm, excluding air weapons; M2.3 offences involving a knife or sharp
    instrument (PFA, region, national; national and regional figures exclude a
    force with an accepted gap and say so).
-#}

with

figures as (

    {{ count_figures(ref('int_quarterly_measures__rolling_12_months'), ['M2.1', 'M2.2', 'M2.3']) }}

),

fact as (

    {{ measure_fact('figures') }}

)

select * from fact
