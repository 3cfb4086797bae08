{{ config(materialized="table") }}
{#- A table, not a view: the raw file is read and checked once per build, not once per test. -#}
{#-
    Victim survey respondents (one row per interview), typed and renamed.
    PERSONAL DATA (tag `personal`): read only by the survey estimation models.
    Bad input stops the build with a message naming the file, the data row, the
    value and the rule.
-#}
{%- set feed = 'victim_survey_respondents' -%}
{%- set hint = 'Correct the file and land it again.' -%}

with

source as (

    select * from {{ source('victim_survey', 'victim_survey_respondents') }}

),

renamed as (

    select
        -- lineage
        filename as source_file,
        cast(ordinality as integer) as source_row_number,

        -- ids
        nullif(trim(respondent_id), '') as respondent_id,
        nullif(trim(pfa_code), '') as pfa_code,

        -- strings as delivered (trimmed; flags are matched ignoring case)
        nullif(trim(age_band), '') as age_band,
        lower(nullif(trim(sex), '')) as sex,
        nullif(trim(interview_date), '') as interview_date_text,
        nullif(trim(household_weight), '') as household_weight_text,
        nullif(trim(individual_weight), '') as individual_weight_text,
        nullif(trim(self_completion_answered), '') as self_completion_answered_text,
        nullif(trim(domestic_abuse_last_12_months), '') as domestic_abuse_text,
        nullif(trim(da_reported_to_police), '') as da_reported_text,
        nullif(trim(da_satisfaction), '') as da_satisfaction_text

    from source

),

pfas as (

    select area_code
    from {{ ref('ref_areas') }}
    where area_level = 'pfa'

),

typed as (

    select
        renamed.*,
        pfas.area_code,
        case
            when {{ matches_pattern('renamed.interview_date_text', '[0-9]{4}-[0-9]{2}-[0-9]{2}') }}
                then {{ try_cast('renamed.interview_date_text', 'date') }}
        end as interview_date,
        {{ try_cast('renamed.household_weight_text', type_double()) }} as household_weight,
        {{ try_cast('renamed.individual_weight_text', type_double()) }} as individual_weight,
        case
            when renamed.da_satisfaction_text in ('1', '2', '3', '4', '5', '9')
                then cast(renamed.da_satisfaction_text as integer)
        end as da_satisfaction_code
    from renamed
    left join pfas
        on renamed.pfa_code = pfas.area_code

),

validated as (

    select * from typed
    where {{ assert_rows([
        ("respondent_id is null", input_error_message(
            feed, 'missing respondent id; rule: every interview has a respondent_id',
            'respondent_id', hint)),
        ("interview_date is null", input_error_message(
            feed, 'malformed interview date; rule: interview_date must be a date YYYY-MM-DD',
            'interview_date_text', hint)),
        ("area_code is null", input_error_message(
            feed, 'unknown police force area code; rule: pfa_code must be a PFA code in seeds/reference/ref_areas.csv',
            'pfa_code', hint)),
        ("household_weight is null or household_weight <= 0", input_error_message(
            feed, 'survey weight not positive; rule: household_weight must be a number greater than 0',
            'household_weight_text', hint)),
        ("individual_weight is null or individual_weight <= 0", input_error_message(
            feed, 'survey weight not positive; rule: individual_weight must be a number greater than 0',
            'individual_weight_text', hint)),
        ("self_completion_answered_text is null or upper(self_completion_answered_text) not in ('Y', 'N')",
            input_error_message(
                feed, 'invalid flag; rule: self_completion_answered must be Y or N',
                'self_completion_answered_text', hint)),
        ("upper(domestic_abuse_text) not in ('Y', 'N')", input_error_message(
            feed, 'invalid flag; rule: domestic_abuse_last_12_months must be Y, N or blank',
            'domestic_abuse_text', hint)),
        ("upper(da_reported_text) not in ('Y', 'N')", input_error_message(
            feed, 'invalid flag; rule: da_reported_to_police must be Y, N or blank',
            'da_reported_text', hint)),
        ("da_satisfaction_text is not null and da_satisfaction_code is null", input_error_message(
            feed, 'satisfaction code not accepted; rule: da_satisfaction must be 1-5, 9 (do not know) or blank',
            'da_satisfaction_text', hint)),
    ]) }}

),

final as (

    select
        -- ids
        source_file,
        source_row_number,
        respondent_id,
        area_code as pfa_code,

        -- strings
        age_band,
        sex,

        -- numerics
        household_weight,
        individual_weight,
        da_satisfaction_code,

        -- booleans
        {{ yes_no_flag('self_completion_answered_text') }} as is_self_completion_answered,
        {{ yes_no_flag('domestic_abuse_text') }} as is_domestic_abuse_victim,
        {{ yes_no_flag('da_reported_text') }} as is_domestic_abuse_reported,

        -- dates
        interview_date,
        cast({{ dbt.last_day('interview_date', 'quarter') }} as date) as interview_quarter_end_date

    from validated

)

select * from final
