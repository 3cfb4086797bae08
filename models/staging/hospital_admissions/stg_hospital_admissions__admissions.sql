{{ config(materialized="table") }}
{#- A table, not a view: the raw file is read and checked once per build, not once per test. -#}
{#-
    Hospital admissions for assault by a sharp object (England), typed and
    renamed: one row per month x age band. Bad input stops the build naming the
    file, the data row, the value and the rule: a malformed month, a month
    outside the window (before the calendar_start variable, or not yet ended on
    the day of the build), an age band not accepted, a non-numeric or negative
    admission count.
-#}
{%- set feed = 'hospital_admissions' -%}
{%- set age_bands = ['under 18', '18-24', '25 and over'] -%}

with

source as (

    select * from {{ source('hospital_admissions', 'hospital_admissions') }}

),

renamed as (

    select
        -- lineage
        filename as source_file,
        cast(ordinality as integer) as source_row_number,

        -- strings as published
        trim(month) as month_text,
        lower(trim(age_band)) as age_band,
        admissions as admission_count_text

    from source

),

typed as (

    select
        renamed.*,
        case
            when {{ matches_pattern('renamed.month_text', '[0-9]{4}-(0[1-9]|1[0-2])') }}
                then cast({{ dbt.concat(['renamed.month_text', "'-01'"]) }} as date)
        end as month_start_date,
        {{ parse_published_count('renamed.admission_count_text') }} as admission_count
    from renamed

),

validated as (

    select * from typed
    where {{ assert_rows([
        ("month_start_date is null", input_error_message(
            feed, 'malformed month; rule: month must be YYYY-MM with a month 01-12',
            'month_text', 'Correct the file and land it again.')),
        ("month_start_date < cast('" ~ var('calendar_start') ~ "' as date)"
            ~ " or " ~ dbt.last_day('month_start_date', 'month') ~ " > current_date", input_error_message(
            feed, 'month outside the window; rule: a month must have ended by the day of the build and start on or after '
            ~ var('calendar_start') ~ ' (variable calendar_start)',
            'month_text', 'Correct the file and land it again.')),
        ("coalesce(age_band, '') not in ('" ~ age_bands | join("', '") ~ "')", input_error_message(
            feed, 'age band not accepted; rule: age_band is one of ' ~ age_bands | join(', '),
            'age_band', 'Correct the file and land it again.')),
        ("admission_count is null or admission_count <> floor(admission_count)", input_error_message(
            feed, 'non-numeric admission count; rule: admissions must be a whole number',
            'admission_count_text', 'Correct the file and land it again.')),
        ("admission_count < 0", input_error_message(
            feed, 'negative admission count; rule: admissions cannot be negative',
            'admission_count_text', 'Correct the file and land it again.')),
    ]) }}

),

final as (

    select
        -- lineage
        source_file,
        source_row_number,

        -- strings
        month_text as admission_month,
        age_band,

        -- numerics
        cast(admission_count as integer) as admission_count,

        -- booleans
        age_band in ('under 18', '18-24') as is_under_25,

        -- dates
        month_start_date,
        cast({{ dbt.last_day('month_start_date', 'month') }} as date) as month_end_date,
        -- financial quarters are calendar quarters (Q1 = Apr-Jun ends 30 June)
        cast({{ dbt.last_day('month_start_date', 'quarter') }} as date) as quarter_end_date

    from validated

)

select * from final
