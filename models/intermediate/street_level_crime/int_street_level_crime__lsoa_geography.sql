{{ config(materialized="table") }}
{#-
    Every LSOA police.uk used (in any landed row), routed up the geography: LSOA ->
    local authority district (LAD23) -> community safety partnership -> police force
    area -> region.
    * A 2011 LSOA code (in ref_lsoas) takes its district name from ref_lsoas and its
      IMD 2019 decile (English LSOAs only).
    * Any other code (police.uk uses 2021 codes in later years) is routed by its name:
      `<district name> NNNX` less the suffix. Its IMD decile is unknown.
    * The district name maps to a LAD23 code and its community safety partnership
      through ref_lsoa_district_names (2011 and 2021 names, including the districts
      merged or renamed since 2011, whose partnership can outlive them).
    An LSOA that cannot be routed stays here with null codes, counts in its LSOA row
    only, and a warning test names it.
-#}

with

{#- Two columns of every landed row: 1 s at national scale (60 million rows), against
    3 s for carrying the name through int_street_level_crime__lsoa_month. #}
lsoas_seen as (

    select
        lsoa_code,
        max(lsoa_name) as lsoa_name
    from {{ ref('stg_street_level_crime__crimes') }}
    where lsoa_code is not null
    group by lsoa_code

),

reference_lsoas as (

    select
        lsoa_code,
        district_name,
        cast(imd_decile as integer) as imd_decile
    from {{ ref('ref_lsoas') }}

),

district_names as (

    select
        district_name,
        lad_code,
        csp_code
    from {{ ref('ref_lsoa_district_names') }}

),

districts as (

    {#- ref_districts is keyed on (lad_code, csp_code): one row per district here. #}
    select distinct
        lad_code,
        lad_name,
        pfa_code
    from {{ ref('ref_districts') }}

),

csps as (

    select distinct
        csp_code,
        csp_name
    from {{ ref('ref_districts') }}

),

pfas as (

    select
        area_code,
        parent_area_code
    from {{ ref('ref_areas') }}
    where area_level = 'pfa'

),

named as (

    select
        lsoas_seen.lsoa_code,
        lsoas_seen.lsoa_name,
        reference_lsoas.imd_decile,
        case
            when reference_lsoas.lsoa_code is not null then '2011 LSOA code'
            else 'LSOA name'
        end as routed_by,
        coalesce(
            reference_lsoas.district_name,
            trim(regexp_replace(lsoas_seen.lsoa_name, ' [0-9]{3}[A-Z]$', ''))
        ) as district_name
    from lsoas_seen
    left join reference_lsoas
        on lsoas_seen.lsoa_code = reference_lsoas.lsoa_code

)

select
    -- ids
    named.lsoa_code,
    named.lsoa_name,
    named.district_name,
    district_names.lad_code,
    districts.lad_name,
    {#- The partnership of the 2011 district (Allerdale stays a CSP inside Cumberland). #}
    district_names.csp_code,
    csps.csp_name,
    districts.pfa_code,
    pfas.parent_area_code as region_code,

    -- strings
    case when districts.lad_code is null then 'not routed' else named.routed_by end as routed_by,
    case
        when named.imd_decile is null then 'imd decile unknown'
        else {{ dbt.concat(["'imd decile '", "cast(named.imd_decile as " ~ dbt.type_string() ~ ")"]) }}
    end as imd_breakdown,

    -- numerics
    named.imd_decile

from named
left join district_names
    on named.district_name = district_names.district_name
left join districts
    on district_names.lad_code = districts.lad_code
left join csps
    on district_names.csp_code = csps.csp_code
left join pfas
    on districts.pfa_code = pfas.area_code
