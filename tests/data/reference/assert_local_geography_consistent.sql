-- The local geography chain holds together: every district lies in one police
-- force area of ref_areas (area_level pfa, same name), and every district name
-- that names a partnership names one of its district's partnerships. One row
-- per broken rule and key, with the rule.
with

force_areas as (

    select
        area_code,
        area_name
    from {{ ref('ref_areas') }}
    where area_level = 'pfa'

),

district_forces as (

    select
        lad_code,
        count(distinct pfa_code) as pfa_count
    from {{ ref('ref_districts') }}
    group by lad_code

)

select
    districts.lad_code as key_value,
    districts.pfa_code as other_value,
    'pfa_code is not a force area of ref_areas, or its name differs' as rule
from {{ ref('ref_districts') }} as districts
left join force_areas
    on districts.pfa_code = force_areas.area_code
where
    force_areas.area_code is null
    or force_areas.area_name <> districts.pfa_name

union all

select
    lad_code as key_value,
    cast(pfa_count as {{ dbt.type_string() }}) as other_value,
    'a district lies in more than one force area' as rule
from district_forces
where pfa_count > 1

union all

select
    names.district_name as key_value,
    names.csp_code as other_value,
    'csp_code is not a partnership of the name''s district in ref_districts' as rule
from {{ ref('ref_lsoa_district_names') }} as names
left join {{ ref('ref_districts') }} as districts
    on
        names.lad_code = districts.lad_code
        and names.csp_code = districts.csp_code
where
    names.csp_code is not null
    and districts.lad_code is null
