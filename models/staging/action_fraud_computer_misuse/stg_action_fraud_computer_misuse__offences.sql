{#-
    Computer misuse offences reported to Action Fraud, typed and renamed: one
    row per quarter and offence type, national. Unlike police recorded crime,
    this feed has no back-record adjustments: a negative count is rejected.
    Bad input stops the build with a message naming the file, the data row,
    the value and the rule.
-#}
{%- set feed = 'action_fraud_computer_misuse' -%}
{%- set hint = 'Correct the file and land it again.' -%}

with

source as (

    select * from {{ source('action_fraud_computer_misuse', 'action_fraud_computer_misuse') }}

),

renamed as (

    select
        -- lineage
        filename as source_file,
        cast(ordinality as integer) as source_row_number,

        -- strings as published
        trim(financial_year) as financial_year,
        trim(financial_quarter) as financial_quarter_text,
        lower(nullif(trim(offence_type), '')) as offence_type,
        offences as offence_count_text

    from source

),

national as (

    select area_code
    from {{ ref('ref_areas') }}
    where area_level = 'national'

),

typed as (

    select
        renamed.*,
        national.area_code,
        {{ financial_year_start('renamed.financial_year') }} as financial_year_start,
        {{ financial_quarter_number('renamed.financial_quarter_text') }} as financial_quarter,
        {{ parse_published_count('renamed.offence_count_text') }} as offence_count
    from renamed
    cross join national

),

validated as (

    select * from typed
    where {{ assert_rows(
        financial_year_check(feed)
        + financial_quarter_check(feed)
        + [
            ("offence_type is null", input_error_message(
                feed, 'missing offence type; rule: every row names its computer misuse offence_type',
                'offence_type', hint)),
            ("offence_count is null or offence_count < 0 or offence_count <> floor(offence_count)", input_error_message(
                feed, 'count not a whole number of 0 or more; rule: offences must be a whole number, not negative',
                'offence_count_text', hint)),
        ]
    ) }}

),

final as (

    select
        -- ids
        source_file,
        source_row_number,
        area_code,

        -- strings
        offence_type,
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
