{#-
    Conformed geography: England and Wales, regions, the country England, police
    force areas and the non-PFA reporting bodies, with each area's parent, region
    and country (Wales is reached as a country through its region, W92000004).
-#}

with

areas as (

    select * from {{ ref('ref_areas') }}

),

regions as (

    select
        area_code as region_code,
        area_name as region_name
    from areas
    where area_level = 'region'

)

select
    -- ids
    areas.area_code,
    areas.parent_area_code,
    areas.region_code,
    areas.country_code,

    -- strings
    areas.area_name,
    areas.area_level,
    regions.region_name,
    areas.country_name,
    areas.notes,

    -- numerics
    areas.sort_order,

    -- booleans
    areas.area_level = 'pfa' as is_police_force_area,
    areas.area_level = 'reporting_body' as is_reporting_body

from areas
left join regions
    on areas.region_code = regions.region_code
