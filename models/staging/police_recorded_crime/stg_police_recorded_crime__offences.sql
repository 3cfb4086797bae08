{{ config(materialized="table") }}
{#- A table, not a view: the raw file is read and checked once per build, not once per test. -#}
{#-
    Police recorded crime, typed and renamed. One row per raw row (the raw grain
    is not unique and nothing is de-duplicated here). Bad input stops the build
    with a message naming the file, the data row, the value and the rule. A
    negative count is a back-record adjustment, kept as published.
-#}
{%- set feed = 'police_recorded_crime' -%}

with

source as (

    select * from {{ source('police_recorded_crime', 'police_recorded_crime') }}

),

renamed as (

    select
        -- lineage
        filename as source_file,
        cast(ordinality as integer) as source_row_number,

        -- strings as published
        trim({{ adapter.quote('Financial Year') }}) as financial_year,
        trim({{ adapter.quote('Financial Quarter') }}) as financial_quarter_text,
        trim({{ adapter.quote('Force Name') }}) as force_name,
        trim({{ adapter.quote('Offence Description') }}) as offence_description,
        trim({{ adapter.quote('Offence Group') }}) as offence_group,
        trim({{ adapter.quote('Offence Subgroup') }}) as offence_subgroup,
        trim({{ adapter.quote('Offence Code') }}) as offence_code,
        {{ adapter.quote('Number of Offences') }} as offence_count_text

    from source

),

area_aliases as (

    select
        {{ normalise_name('area_name_alias') }} as area_name_key,
        area_code
    from {{ ref('ref_area_aliases') }}

),

fractional_count_bodies as (

    select area_code from {{ ref('ref_fractional_count_bodies') }}

),

typed as (

    select
        renamed.*,
        area_aliases.area_code,
        fractional_count_bodies.area_code is not null as may_be_fractional,
        {{ financial_year_start('renamed.financial_year') }} as financial_year_start,
        {{ financial_quarter_number('renamed.financial_quarter_text') }} as financial_quarter,
        {{ parse_published_count('renamed.offence_count_text') }} as offence_count
    from renamed
    left join area_aliases
        on {{ normalise_name('renamed.force_name') }} = area_aliases.area_name_key
    left join fractional_count_bodies
        on area_aliases.area_code = fractional_count_bodies.area_code

),

validated as (

    select * from typed
    where {{ assert_rows(
        financial_year_check(feed, header='Financial Year')
        + financial_quarter_check(feed, header='Financial Quarter')
        + force_name_check(feed)
        + [
            ("offence_count is null", input_error_message(
                feed, 'non-numeric count; rule: Number of Offences must be a number',
                'offence_count_text', 'Correct the file and land it again.')),
            ("offence_count <> floor(offence_count) and not may_be_fractional", input_error_message(
                feed, 'fractional count for a body that counts records; rule: counts of police forces and British Transport Police are whole numbers (9.0 is whole), fractions only for the estimating bodies in seeds/reference/ref_fractional_count_bodies.csv',
                dbt.concat(["force_name", "': '", "offence_count_text"]),
                'Correct the file and land it again, or list the body in that seed if it publishes estimates.')),
        ]
    ) }}

),

final as (

    select
        -- ids
        source_file,
        source_row_number,
        area_code,
        offence_code,

        -- strings
        force_name,
        offence_description,
        offence_group,
        offence_subgroup,
        financial_year,

        -- numerics
        financial_year_start,
        financial_quarter,
        offence_count,

        -- dates
        {{ financial_quarter_end('financial_year_start', 'financial_quarter') }} as quarter_end_date

    from validated

)

select * from final
