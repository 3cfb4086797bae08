{{ config(materialized="table") }}
{#-
    Police recorded crime rows with the classification the measures need. Rows
    are matched on the (offence group, offence subgroup) the table states itself,
    normalised for case and spacing and through ref_offence_name_aliases for
    renamed ones. A pair missing from ref_offence_subgroups keeps its row (it
    still counts in its group) but feeds no measure: is_subgroup_classified is
    false and a warning names it (see report_unclassified_offences).
-#}

with

offences as (

    select * from {{ ref('stg_police_recorded_crime__offences') }}

),

name_aliases as (

    select
        name_level,
        {{ normalise_name('name_alias') }} as alias_key,
        canonical_name
    from {{ ref('ref_offence_name_aliases') }}

),

subgroups as (

    select
        {{ normalise_name('offence_group') }} as group_key,
        {{ normalise_name('offence_subgroup') }} as subgroup_key,
        offence_group,
        offence_subgroup,
        is_homicide,
        neighbourhood_crime_category,
        is_drug_trafficking,
        is_drug_possession,
        is_fraud
    from {{ ref('ref_offence_subgroups') }}

),

codes as (

    select offence_code from {{ ref('ref_offence_codes') }}

),

keyed as (

    select
        offences.*,
        {{ normalise_name("coalesce(group_alias.canonical_name, offences.offence_group)") }} as group_key,
        {{ normalise_name("coalesce(subgroup_alias.canonical_name, offences.offence_subgroup)") }}
            as subgroup_key
    from offences
    left join name_aliases as group_alias
        on
            group_alias.name_level = 'group'
            and {{ normalise_name('offences.offence_group') }} = group_alias.alias_key
    left join name_aliases as subgroup_alias
        on
            subgroup_alias.name_level = 'subgroup'
            and {{ normalise_name('offences.offence_subgroup') }} = subgroup_alias.alias_key

),

classified as (

    select
        -- ids
        keyed.source_file,
        keyed.source_row_number,
        keyed.area_code,
        keyed.offence_code,

        -- strings
        keyed.offence_group as published_offence_group,
        keyed.offence_subgroup as published_offence_subgroup,
        coalesce(subgroups.offence_group, keyed.offence_group) as offence_group,
        coalesce(subgroups.offence_subgroup, keyed.offence_subgroup) as offence_subgroup,
        subgroups.neighbourhood_crime_category,

        -- numerics
        keyed.offence_count,

        -- booleans
        subgroups.subgroup_key is not null as is_subgroup_classified,
        codes.offence_code is not null as is_code_known,
        coalesce(subgroups.is_homicide, false) as is_homicide,
        coalesce(subgroups.is_drug_trafficking, false) as is_drug_trafficking,
        coalesce(subgroups.is_drug_possession, false) as is_drug_possession,
        coalesce(subgroups.is_fraud, false) as is_fraud,

        -- dates
        keyed.quarter_end_date

    from keyed
    left join subgroups
        on
            keyed.group_key = subgroups.group_key
            and keyed.subgroup_key = subgroups.subgroup_key
    left join codes
        on keyed.offence_code = codes.offence_code

)

select * from classified
