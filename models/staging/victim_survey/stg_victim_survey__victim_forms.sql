{{ config(materialized="table") }}
{#- A table, not a view: the raw file is read and checked once per build, not once per test. -#}
{#-
    Victim survey victim forms (one row per incident series), typed and renamed,
    the offence classification matched to ref_victim_survey_offences.
    PERSONAL DATA (tag `personal`): read only by the survey estimation models.
    Bad input stops the build with a message naming the file, the data row, the
    value and the rule. A form whose respondent is missing from the respondent
    file (an orphan) is caught by the blocking test `every_row_has_parent`.
-#}
{%- set feed = 'victim_survey_victim_forms' -%}
{%- set hint = 'Correct the file and land it again.' -%}

with

source as (

    select * from {{ source('victim_survey', 'victim_survey_victim_forms') }}

),

renamed as (

    select
        -- lineage
        filename as source_file,
        cast(ordinality as integer) as source_row_number,

        -- ids
        nullif(trim(respondent_id), '') as respondent_id,
        nullif(trim(victim_form_id), '') as victim_form_id,

        -- strings as delivered (trimmed; flags and types are matched ignoring case)
        nullif(trim(offence_classification), '') as offence_classification_text,
        nullif(trim(crime_type), '') as crime_type_text,
        nullif(trim(incident_count), '') as incident_count_text,
        nullif(trim(reported_to_police), '') as reported_to_police_text,
        nullif(trim(satisfaction), '') as satisfaction_text

    from source

),

classifications as (

    select
        {{ normalise_name('offence_classification') }} as classification_key,
        offence_classification,
        crime_type
    from {{ ref('ref_victim_survey_offences') }}

),

typed as (

    select
        renamed.*,
        lower(renamed.crime_type_text) as crime_type,
        upper(renamed.reported_to_police_text) as reported_to_police_flag,
        classifications.offence_classification,
        classifications.crime_type as classification_crime_type,
        case
            when renamed.incident_count_text in ('1', '2', '3', '4', '5')
                then cast(renamed.incident_count_text as integer)
        end as incident_count,
        case
            when renamed.satisfaction_text in ('1', '2', '3', '4', '5', '9')
                then cast(renamed.satisfaction_text as integer)
        end as satisfaction_code
    from renamed
    left join classifications
        on {{ normalise_name('renamed.offence_classification_text') }} = classifications.classification_key

),

validated as (

    select * from typed
    where {{ assert_rows([
        ("respondent_id is null", input_error_message(
            feed, 'missing respondent id; rule: every victim form names its respondent_id',
            'respondent_id', hint)),
        ("victim_form_id is null", input_error_message(
            feed, 'missing victim form id; rule: every victim form has a victim_form_id',
            'victim_form_id', hint)),
        ("offence_classification is null", input_error_message(
            feed, 'unknown offence classification; rule: offence_classification must be listed in seeds/reference/ref_victim_survey_offences.csv',
            'offence_classification_text',
            'Add the classification (with its crime type and measure) to that seed, or correct the file.')),
        ("crime_type is null or crime_type <> classification_crime_type", input_error_message(
            feed, 'crime type does not match the offence classification; rule: crime_type must be the one ref_victim_survey_offences gives the classification (household or personal)',
            'crime_type_text', hint)),
        ("incident_count is null", input_error_message(
            feed, 'series count outside 1-5; rule: incident_count must be a whole number from 1 to 5 (series are capped at 5)',
            'incident_count_text', hint)),
        ("reported_to_police_flag is null or reported_to_police_flag not in ('Y', 'N')", input_error_message(
            feed, 'invalid flag; rule: reported_to_police must be Y or N',
            'reported_to_police_text', hint)),
        ("(reported_to_police_flag = 'Y' and satisfaction_code is null)"
            ~ " or (reported_to_police_flag = 'N' and satisfaction_text is not null)", input_error_message(
            feed, 'satisfaction code not accepted; rule: satisfaction must be 1-5 or 9 (do not know) when reported to the police, blank when not',
            'satisfaction_text', hint)),
    ]) }}

),

final as (

    select
        -- ids
        source_file,
        source_row_number,
        victim_form_id,
        respondent_id,

        -- strings
        offence_classification,
        crime_type,

        -- numerics
        incident_count,
        satisfaction_code,

        -- booleans
        {{ yes_no_flag('reported_to_police_text') }} as is_reported_to_police

    from validated

)

select * from final
