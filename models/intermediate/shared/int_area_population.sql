{#-
    Mid-year population by area and year: PFAs from ref_population, regions and
    England and Wales as the sums of their PFAs (null when a PFA is missing).
-#}

with

pfa_population as (

    select
        population.area_code,
        areas.area_level,
        population.population_year,
        population.population
    from {{ ref('ref_population') }} as population
    inner join {{ ref('ref_areas') }} as areas
        on population.area_code = areas.area_code
    where areas.area_level = 'pfa'

)

{{ roll_up_areas('pfa_population', 'population', ['population_year']) }}
