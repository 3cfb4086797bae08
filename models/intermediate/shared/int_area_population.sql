{#-
    Mid-year population by area and year: PFAs from ref_population, regions and
    England and Wales as the sums of their PFAs (null when a PFA is missing), and
    each area of level `country` (England) as the sum of the PFAs that lie in it.
-#}

with

pfa_population as (

    select
        population.area_code,
        areas.area_level,
        areas.country_code,
        population.population_year,
        population.population
    from {{ ref('ref_population') }} as population
    inner join {{ ref('ref_areas') }} as areas
        on population.area_code = areas.area_code
    where areas.area_level = 'pfa'

),

rolled_up as (

    {{ roll_up_areas('pfa_population', 'population', ['population_year']) }}

),

countries as (

    select area_code from {{ ref('ref_areas') }} where area_level = 'country'

),

country_population as (

    select
        pfa_population.population_year,
        countries.area_code,
        'country' as area_level,
        sum(pfa_population.population) as population
    from pfa_population
    inner join countries
        on pfa_population.country_code = countries.area_code
    group by pfa_population.population_year, countries.area_code

)

select population_year, area_code, area_level, population from rolled_up

union all

select population_year, area_code, area_level, population from country_population
