{{ config(materialized="table") }}
{#-
    Victim forms with what estimation needs from their respondent and their
    classification: the interview quarter, the weight the series is estimated
    with (household weight for household crimes, individual weight for personal
    crimes), the measure it feeds and whether the victim was satisfied.
    PERSONAL DATA (tag `personal`): read only by the survey estimation models.
    An orphan form is stopped earlier by the blocking test on the staging model;
    the inner join here never drops one silently (the test would have failed).
-#}

with

victim_forms as (

    select * from {{ ref('stg_victim_survey__victim_forms') }}

),

respondents as (

    select * from {{ ref('stg_victim_survey__respondents') }}

),

classifications as (

    select * from {{ ref('ref_victim_survey_offences') }}

)

select
    -- ids
    victim_forms.victim_form_id,
    victim_forms.respondent_id,

    -- strings
    victim_forms.offence_classification,
    victim_forms.crime_type,
    classifications.neighbourhood_crime_category,

    -- numerics
    victim_forms.incident_count,
    victim_forms.satisfaction_code,
    case
        when victim_forms.crime_type = 'household' then respondents.household_weight
        else respondents.individual_weight
    end as form_weight,

    -- booleans
    classifications.is_computer_misuse,
    victim_forms.is_reported_to_police,
    victim_forms.satisfaction_code in (1, 2) as is_satisfied,
    victim_forms.satisfaction_code between 1 and 5 as has_satisfaction_answer,

    -- dates
    respondents.interview_date,
    respondents.interview_quarter_end_date

from victim_forms
inner join respondents
    on victim_forms.respondent_id = respondents.respondent_id
inner join classifications
    on victim_forms.offence_classification = classifications.offence_classification
