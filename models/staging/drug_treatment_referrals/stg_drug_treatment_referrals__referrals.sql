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
        case
            when renamed.financial_quarter_text in ('1', '2', '3', '4')
                then cast(renamed.financial_quarter_text as integer)
        end as financial_quarter,
        {{ parse_published_count('renamed.referral_count_text') }} as referral_count
    from renamed
    left join area_aliases
        on {{ normalise_name('renamed.force_name') }} = area_aliases.area_name_key

),

validated as (

    select * from typed
    where {{ assert_rows([
        ("financial_year_start is null", input_error_message(
            feed, 'malformed financial year; rule: financial_year must be YYYY/YY with consecutive years',
            'financial_year', 'Correct the file and land it again.')),
        ("financial_quarter is null", input_error_message(
            feed, 'financial quarter outside 1-4; rule: financial_quarter must be 1, 2, 3 or 4',
            'financial_quarter_text', 'Correct the file and land it again.')),
        ("area_code is null", input_error_message(
            feed, 'unknown force name; rule: every force spelling must be listed in seeds/reference/ref_area_aliases.csv',
            'force_name', 'Add the spelling with its area code to that seed, or correct the file.')),
        ("referral_count is null or referral_count <> floor(referral_count)", input_error_message(
            feed, 'non-numeric count; rule: referrals must be a whole number',
            'referral_count_text', 'Correct the file and land it again.')),
        ("referral_count < 0", input_error_message(
            feed, 'negative count; rule: referrals cannot be negative',
            'referral_count_text', 'Correct the file and land it again.')),
    ]) }}

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
