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
        {{ financial_quarter_number('renamed.financial_quarter_text') }} as financial_quarter,
        {{ parse_published_count('renamed.lines_closed_text') }} as lines_closed_count
    from renamed

),

validated as (

    select * from typed
    where {{ assert_rows(
        financial_year_check(feed)
        + financial_quarter_check(feed)
        + whole_count_checks(feed, 'lines_closed_count', 'lines_closed_text', 'lines_closed')
    ) }}

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
