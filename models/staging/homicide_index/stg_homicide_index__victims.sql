{{ config(materialized="table") }}
{#- A table, not a view: the raw file is read and checked once per build, not once per test. -#}
{#-
    Homicide index records, typed and renamed: one row per victim. The quarter
    recorded is the financial quarter containing date_recorded. Age band, sex
    and method must be in their accepted sets and the flags Y or N; bad input
    stops the build naming the file, the data row, the value and the rule.
-#}
{%- set feed = 'homicide_index' -%}
{%- set age_bands = ['under 16', '16-24', '25-34', '35-44', '45-54', '55-64', '65 and over'] -%}
{%- set methods = ['sharp instrument', 'blunt instrument', 'hitting and kicking', 'shooting', 'strangulation', 'other'] -%}

with

source as (

    select * from {{ source('homicide_index', 'homicide_index') }}

),

renamed as (

    select
        -- lineage
        filename as source_file,
        cast(ordinality as integer) as source_row_number,

        -- strings as published
        trim(homicide_id) as homicide_id,
        trim(date_recorded) as date_recorded_text,
        trim(force_name) as force_name,
        lower(trim(victim_age_band)) as victim_age_band,
        lower(trim(victim_sex)) as victim_sex,
        lower(trim(method_of_killing)) as method_of_killing,
        trim(coalesce(is_domestic, '')) as is_domestic_text,
        trim(coalesce(is_drug_related, '')) as is_drug_related_text

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
        case
            when {{ matches_pattern('renamed.date_recorded_text', '[0-9]{4}-[0-9]{2}-[0-9]{2}') }}
                then {{ try_cast('renamed.date_recorded_text', 'date') }}
        end as date_recorded
    from renamed
    left join area_aliases
        on {{ normalise_name('renamed.force_name') }} = area_aliases.area_name_key

),

validated as (

    select * from typed
    where {{ assert_rows([
        ("coalesce(homicide_id, '') = ''", input_error_message(
            feed, 'missing homicide id; rule: every record has a homicide_id',
            'homicide_id', 'Correct the file and land it again.')),
        ("date_recorded is null", input_error_message(
            feed, 'bad date recorded; rule: date_recorded must be a date YYYY-MM-DD',
            'date_recorded_text', 'Correct the file and land it again.')),
    ]
    + force_name_check(feed)
    + [
        ("coalesce(victim_age_band, '') not in ('" ~ age_bands | join("', '") ~ "')", input_error_message(
            feed, 'victim age band not accepted; rule: victim_age_band is one of ' ~ age_bands | join(', '),
            'victim_age_band', 'Correct the file and land it again.')),
        ("coalesce(victim_sex, '') not in ('male', 'female')", input_error_message(
            feed, 'victim sex not accepted; rule: victim_sex is male or female',
            'victim_sex', 'Correct the file and land it again.')),
        ("coalesce(method_of_killing, '') not in ('" ~ methods | join("', '") ~ "')", input_error_message(
            feed, 'method of killing not accepted; rule: method_of_killing is one of ' ~ methods | join(', '),
            'method_of_killing', 'Correct the file and land it again.')),
        ("upper(is_domestic_text) not in ('Y', 'N')", input_error_message(
            feed, 'flag not Y/N; rule: is_domestic is Y or N',
            'is_domestic_text', 'Correct the file and land it again.')),
        ("upper(is_drug_related_text) not in ('Y', 'N')", input_error_message(
            feed, 'flag not Y/N; rule: is_drug_related is Y or N',
            'is_drug_related_text', 'Correct the file and land it again.')),
    ]) }}

),

final as (

    select
        -- ids
        source_file,
        source_row_number,
        homicide_id,
        area_code,

        -- strings
        force_name,
        victim_age_band,
        victim_sex,
        method_of_killing,

        -- booleans
        upper(is_domestic_text) = 'Y' as is_domestic,
        upper(is_drug_related_text) = 'Y' as is_drug_related,
        method_of_killing = 'sharp instrument' as is_sharp_instrument,
        victim_age_band in ('under 16', '16-24') as is_victim_under_25,

        -- dates
        date_recorded,
        -- financial quarters are calendar quarters (Q1 = Apr-Jun ends 30 June)
        cast({{ dbt.last_day('date_recorded', 'quarter') }} as date) as quarter_end_date

    from validated

)

select * from final
