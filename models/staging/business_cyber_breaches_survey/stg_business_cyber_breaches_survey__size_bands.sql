{#-
    Business cyber breaches survey results by survey year and size band, typed
    and renamed. Bad input stops the build with a message naming the file, the
    data row, the value and the rule.
-#}
{%- set feed = 'business_cyber_breaches_survey' -%}
{%- set hint = 'Correct the file and land it again.' -%}

with

source as (

    select * from {{ source('business_cyber_breaches_survey', 'business_cyber_breaches_survey') }}

),

renamed as (

    select
        -- lineage
        filename as source_file,
        cast(ordinality as integer) as source_row_number,

        -- strings as published
        nullif(trim(survey_year), '') as survey_year_text,
        lower(nullif(trim(size_band), '')) as size_band,
        nullif(trim(pct_identifying_breach_or_attack), '') as percentage_text,
        nullif(trim(unweighted_base), '') as unweighted_base_text

    from source

),

typed as (

    select
        renamed.*,
        case
            when {{ matches_pattern('renamed.survey_year_text', '[0-9]{4}') }}
                then cast(renamed.survey_year_text as integer)
        end as survey_year,
        {{ try_cast('renamed.percentage_text', type_double()) }} as percentage_identifying_breach,
        case
            when {{ matches_pattern('renamed.unweighted_base_text', '[0-9]+') }}
                then cast(renamed.unweighted_base_text as integer)
        end as unweighted_base
    from renamed

),

validated as (

    select * from typed
    where {{ assert_rows([
        ("survey_year is null", input_error_message(
            feed, 'malformed survey year; rule: survey_year must be a four-digit year',
            'survey_year_text', hint)),
        ("size_band is null or size_band not in ('micro', 'small', 'medium', 'large', 'all')", input_error_message(
            feed, 'unknown size band; rule: size_band must be micro, small, medium, large or all',
            'size_band', hint)),
        ("percentage_identifying_breach is null or percentage_identifying_breach < 0"
            ~ " or percentage_identifying_breach > 100", input_error_message(
            feed, 'percentage outside 0-100; rule: pct_identifying_breach_or_attack must be a number from 0 to 100',
            'percentage_text', hint)),
        ("unweighted_base is null or unweighted_base = 0", input_error_message(
            feed, 'unweighted base not a positive whole number; rule: unweighted_base must be a whole number above 0',
            'unweighted_base_text', hint)),
    ]) }}

),

final as (

    select
        -- ids
        source_file,
        source_row_number,

        -- strings
        size_band,

        -- numerics
        survey_year,
        percentage_identifying_breach,
        unweighted_base,

        -- dates
        -- the survey year ends on 31 March (the catalogue's `survey_year` period: 2019 survey -> 2019-03-31)
        cast({{ dbt.concat(["cast(survey_year as " ~ dbt.type_string() ~ ")", "'-03-31'"]) }} as date)
            as survey_period_end_date

    from validated

)

select * from final
