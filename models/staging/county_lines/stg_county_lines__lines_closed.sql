{{ config(materialized="table") }}
{#- A table, not a view: the raw file is read and checked once per build, not once per test. -#}
{#-
    County lines closed, England and Wales, typed and renamed: one row per
    financial quarter. Bad input stops the build naming the file, the data row,
    the value and the rule.
-#}
{%- set feed = 'county_lines' -%}

with

source as (

    select * from {{ source('county_lines', 'county_lines') }}

),

renamed as (

    select
        -- lineage
        filename as source_file,
        cast(ordinality as integer) as source_row_number,

        -- strings as published
        trim(financial_year) as financial_year,
        trim(financial_quarter) as financial_quarter_text,
        lines_closed as lines_closed_text

    from source

),

typed as (

    select
        renamed.*,
        {{ financial_year_start('renamed.financial_year') }} as financial_year_start,
        case
            when renamed.financial_quarter_text in ('1', '2', '3', '4')
                then cast(renamed.financial_quarter_text as integer)
        end as financial_quarter,
        {{ parse_published_count('renamed.lines_closed_text') }} as lines_closed_count
    from renamed

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
        ("lines_closed_count is null or lines_closed_count <> floor(lines_closed_count)", input_error_message(
            feed, 'non-numeric count; rule: lines_closed must be a whole number',
            'lines_closed_text', 'Correct the file and land it again.')),
        ("lines_closed_count < 0", input_error_message(
            feed, 'negative count; rule: lines_closed cannot be negative',
            'lines_closed_text', 'Correct the file and land it again.')),
    ]) }}

),

final as (

    select
        -- ids
        source_file,
        source_row_number,

        -- strings
        financial_year,

        -- numerics
        financial_year_start,
        financial_quarter,
        cast(lines_closed_count as integer) as lines_closed_count,

        -- dates
        {{ financial_quarter_end('financial_year_start', 'financial_quarter') }} as quarter_end_date

    from validated

)

select * from final
