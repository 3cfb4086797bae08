{#-
    Local diagnostics of the police.uk street-level data: one row per area, month end,
    crime category and breakdown, with the month's count and the rolling 12 months
    ending that month, the YE Jun 2019 baseline, change, % change and rate per 1,000.
    Area levels district, CSP, PFA, region and England and Wales (LSOAs are in
    fct_local_crime_lsoa, wide, to keep the table small). NOT a National Measure and
    not in the catalogue or rpt_all_measures: see docs/local_diagnostics.md.
-#}
{%- set categories = [
    ('burglary', 'crimes'),
    ('robbery', 'crimes'),
    ('vehicle_crime', 'crimes'),
    ('theft_from_the_person', 'crimes'),
    ('neighbourhood_crime', 'crimes'),
    ('all_crime', 'crimes'),
    ('anti_social_behaviour', 'incidents'),
] %}

with

rolling as (

    select * from {{ ref('int_street_level_crime__area_rolling') }}

),

long as (

    {%- for category, unit in categories %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            area_code,
            area_level,
            breakdown,
            period_end_date,
            '{{ category }}' as crime_category,
            '{{ unit }}' as unit,
            cast({{ category }}_count as double) as month_value,
            cast({{ category }}_rolling_12_months as double) as value,
            case
                when area_level = 'pfa' and breakdown = 'all' and all_crime_rolling_12_months > 0
                    then
                        100.0 * cast(unlocated_crime_rolling_12_months as double)
                        / all_crime_rolling_12_months
            end as unlocated_crime_pct,
            is_month_data_gap,
            is_data_gap,
            is_incomplete,
            quality_note,
            month_quality_note
        from rolling
    {%- endfor %}

),

area_names as (

    select area_code, area_name from {{ ref('ref_areas') }}
    union all
    select distinct lad_code as area_code, lad_name as area_name from {{ ref('ref_districts') }}
    union all
    select distinct csp_code as area_code, csp_name as area_name from {{ ref('ref_districts') }}

),

{#- The force area each district, partnership and force lies in (the bulletin groups
    partnerships by it). #}

area_forces as (

    select lad_code as area_code, pfa_code from {{ ref('ref_districts') }}
    union
    select csp_code as area_code, pfa_code from {{ ref('ref_districts') }}
    union
    select area_code, area_code as pfa_code from {{ ref('ref_areas') }} where area_level = 'pfa'

),

district_population as (

    select
        population.lad_code as area_code,
        population.population_year,
        population.population
    from {{ ref('ref_district_population') }} as population

),

{#- A partnership's population is the sum of its districts' only when each of them lies
    in that partnership alone. The seven districts merged since 2011 span several
    partnerships and the mid-year estimates are by LAD23 district, so a partnership
    holding part of one has no population here and no rate. #}

shared_district_csps as (

    select districts.csp_code
    from {{ ref('ref_districts') }} as districts
    inner join (
        select lad_code
        from {{ ref('ref_districts') }}
        group by lad_code
        having count(*) > 1
    ) as shared
        on districts.lad_code = shared.lad_code

),

population as (

    select area_code, population_year, population from district_population

    union all

    select
        districts.csp_code as area_code,
        district_population.population_year,
        sum(district_population.population) as population
    from district_population
    inner join {{ ref('ref_districts') }} as districts
        on district_population.area_code = districts.lad_code
    where districts.csp_code not in (select csp_code from shared_district_csps)
    group by districts.csp_code, district_population.population_year

    union all

    select
        area_code,
        population_year,
        population
    from {{ ref('int_area_population') }}
    where area_level in ('pfa', 'region', 'national')

),

baseline as (

    select
        area_code,
        breakdown,
        crime_category,
        value as baseline_value
    from long
    where period_end_date = cast('{{ var("street_level_baseline_period_end_date") }}' as date)

),

figures as (

    select
        long.*,
        baseline.baseline_value,
        case
            when long.breakdown = 'all'
                then 1000.0 * long.value / nullif(population.population, 0)
        end as rate_per_1000
    from long
    left join baseline
        on
            long.area_code = baseline.area_code
            and long.breakdown = baseline.breakdown
            and long.crime_category = baseline.crime_category
    left join population
        on
            long.area_code = population.area_code
            and population.population_year
            = extract(year from {{ dbt.dateadd('month', -6, 'long.period_end_date') }})

)

select
    figures.area_code,
    area_names.area_name,
    figures.area_level,
    area_forces.pfa_code,
    figures.period_end_date,
    'rolling_12_months' as period_type,
    figures.crime_category,
    figures.breakdown,
    figures.value,
    figures.month_value,
    figures.unit,
    figures.rate_per_1000,
    figures.baseline_value,
    figures.value - figures.baseline_value as change_from_baseline,
    case
        when figures.baseline_value <> 0
            then 100.0 * (figures.value - figures.baseline_value) / figures.baseline_value
    end as pct_change_from_baseline,
    figures.unlocated_crime_pct,
    figures.is_data_gap,
    figures.is_month_data_gap,
    figures.is_incomplete,
    figures.quality_note,
    figures.month_quality_note,
    '{{ var("street_level_figure_status") }}' as figure_status
from figures
left join area_names
    on figures.area_code = area_names.area_code
left join area_forces
    on figures.area_code = area_forces.area_code
