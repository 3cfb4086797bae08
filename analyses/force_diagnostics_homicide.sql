-- Force-level diagnostics for M1.1 (homicide offences recorded by the police):
-- every PFA's latest rolling year against its own June 2019 baseline, with the
-- rate per 1,000 population, largest rises first. Diagnostic, not a target:
-- success is judged nationally. Compile with `dbt compile -s
-- force_diagnostics_homicide` and run the SQL in target/compiled, or paste it
-- into a BI tool (replace the refs with marts.<table>).
with

latest as (

    select max(period_end_date) as period_end_date
    from {{ ref('fct_homicide') }}
    where metric_id = 'M1.1' and value is not null

)

select
    areas.area_name,
    areas.region_name,
    homicide.period_end_date,
    homicide.value,
    homicide.baseline_value,
    homicide.change_from_baseline,
    homicide.pct_change_from_baseline,
    homicide.rate_per_1000,
    homicide.direction_of_travel
from {{ ref('fct_homicide') }} as homicide
inner join latest
    on homicide.period_end_date = latest.period_end_date
inner join {{ ref('dim_area') }} as areas
    on homicide.area_code = areas.area_code
where
    homicide.metric_id = 'M1.1'
    and homicide.area_level = 'pfa'
    and homicide.breakdown = 'all'
order by homicide.change_from_baseline desc, areas.area_name asc
