{{ config(materialized="table") }}
{#- A table, not a view: the raw file is read and checked once per build, not once per test. -#}
{#-
    Weapon returns (knife or sharp instrument and firearm offences), typed and
    renamed: one row per raw row (force x quarter x weapon type x offence type x
    flags). Counts are whole numbers >= 0 (this feed has no back-record
    adjustments). Bad input stops the build naming the file, the data row, the
    value and the rule.
-#}
{%- set feed = 'weapon_returns' -%}

with

source as (

    select * from {{ source('weapon_returns', 'weapon_returns') }}

),

renamed as (

    select
        -- lineage
        filename as source_file,
        cast(ordinality as integer) as source_row_number,

        -- strings as published
        trim(financial_year) as financial_year,
        trim(financial_quarter) as financial_quarter_text,
        trim(force_name) as force_name,
        lower(trim(weapon_type)) as weapon_type,
        lower(trim(offence_type)) as offence_type,
        trim(coalesce(is_discharged, '')) as is_discharged_text,
        trim(coalesce(is_air_weapon, '')) as is_air_weapon_text,
        offences as offence_count_text

    from source

),

area_aliases as (

    select
        {{ normalise_name('area_name_alias') }} as area_name_key,
        area_code
    from {{ ref('ref_area_aliases') }}

),

typed as (

    select
        renamed.*,
        area_aliases.area_code,
        {{ financial_year_start('renamed.financial_year') }} as financial_year_start,
        {{ financial_quarter_number('renamed.financial_quarter_text') }} as financial_quarter,
        {{ parse_published_count('renamed.offence_count_text') }} as offence_count
    from renamed
    left join area_aliases
        on {{ normalise_name('renamed.force_name') }} = area_aliases.area_name_key

),

validated as (

    select * from typed
    where {{ assert_rows(
        financial_year_check(feed)
        + financial_quarter_check(feed)
        + force_name_check(feed)
        + [
            ("weapon_type not in ('knife or sharp instrument', 'firearm')", input_error_message(
                feed, 'unknown weapon type; rule: weapon_type is `knife or sharp instrument` or `firearm`',
                'weapon_type', 'Correct the file and land it again.')),
            ("weapon_type = 'firearm' and (upper(is_discharged_text) not in ('Y', 'N') or upper(is_air_weapon_text) not in ('Y', 'N'))",
                input_error_message(
                feed, 'firearm flag not Y/N; rule: is_discharged and is_air_weapon are Y or N on firearm rows',
                dbt.concat(["is_discharged_text", "'/'", "is_air_weapon_text"]), 'Correct the file and land it again.')),
            ("weapon_type <> 'firearm' and (is_discharged_text <> '' or is_air_weapon_text <> '')",
                input_error_message(
                feed, 'firearm flag on a knife row; rule: is_discharged and is_air_weapon are blank on knife rows',
                dbt.concat(["is_discharged_text", "'/'", "is_air_weapon_text"]), 'Correct the file and land it again.')),
        ]
        + whole_count_checks(
            feed, 'offence_count', 'offence_count_text', 'offences',
            negative_rule='offences cannot be negative in this feed')
    ) }}

),

final as (

    select
        -- ids
        source_file,
        source_row_number,
        area_code,

        -- strings
        force_name,
        weapon_type,
        offence_type,
        financial_year,

        -- numerics
        financial_year_start,
        financial_quarter,
        cast(offence_count as integer) as offence_count,

        -- booleans
        case upper(is_discharged_text) when 'Y' then true when 'N' then false end as is_discharged,
        case upper(is_air_weapon_text) when 'Y' then true when 'N' then false end as is_air_weapon,

        -- dates
        {{ financial_quarter_end('financial_year_start', 'financial_quarter') }} as quarter_end_date

    from validated

)

select * from final
