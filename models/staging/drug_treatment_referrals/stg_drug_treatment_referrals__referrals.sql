{{ config(materialized="table") }}
{#- A table, not a view: the raw file is read and checked once per build, not once per test. -#}
{#-
    Police referrals into drug treatment, typed and renamed: one row per force
    x financial quarter. Bad input stops the build naming the file, the data
    row, the value and the rule.
-#}
{%- set feed = 'drug_treatment_referrals' -%}

with

source as (

    select * from {{ source('drug_treatment_referrals', 'drug_treatment_referrals') }}

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
        referrals as referral_count_text

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
        {{ parse_published_count('renamed.referral_count_text') }} as referral_count
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
        + whole_count_checks(feed, 'referral_count', 'referral_count_text', 'referrals')
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
        financial_year,

        -- numerics
        financial_year_start,
        financial_quarter,
        cast(referral_count as integer) as referral_count,

        -- dates
        {{ financial_quarter_end('financial_year_start', 'financial_quarter') }} as quarter_end_date

    from validated

)

select * from final
