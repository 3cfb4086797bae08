{{ config(severity='warn') }}
-- Warning, not an error: the homicide index (victims, M1.2) and police recorded
-- homicide (offences, M1.1) are different sources and are expected to be close,
-- not identical (see the doc block homicide_index_vs_police_recorded). A force
-- whose financial-year figures differ by more than 5 and by more than a quarter
-- of the police recorded count is named here, to be checked with the force.
with

calendar as (

    select
        quarter_end_date,
        financial_year_start
    from {{ ref('int_calendar_quarters') }}

),

victims as (

    select
        index_quarters.area_code,
        calendar.financial_year_start,
        sum(index_quarters.quarter_value) as victim_count,
        count(*) as quarter_count
    from {{ ref('int_homicide_index__area_quarter') }} as index_quarters
    inner join calendar
        on index_quarters.quarter_end_date = calendar.quarter_end_date
    where
        index_quarters.metric_id = 'M1.2'
        and index_quarters.breakdown = 'all'
    group by index_quarters.area_code, calendar.financial_year_start

),

offences as (

    select
        recorded.area_code,
        calendar.financial_year_start,
        sum(recorded.quarter_value) as offence_count,
        count(recorded.quarter_value) as quarter_count
    from {{ ref('int_police_recorded_crime__area_quarter') }} as recorded
    inner join calendar
        on recorded.quarter_end_date = calendar.quarter_end_date
    where
        recorded.metric_id = 'M1.1'
        and recorded.area_level in ('pfa', 'reporting_body')
    group by recorded.area_code, calendar.financial_year_start

)

select
    victims.area_code,
    victims.financial_year_start,
    victims.victim_count,
    offences.offence_count,
    {{ dbt.concat([
        "'[homicide_index] '", "victims.area_code", "' financial year starting '",
        "cast(victims.financial_year_start as " ~ dbt.type_string() ~ ")", "': '",
        "cast(victims.victim_count as " ~ dbt.type_string() ~ ")",
        "' homicide index victims against '", "cast(offences.offence_count as " ~ dbt.type_string() ~ ")",
        "' police recorded homicides (rule: the two sources stay within 5 and within 25% of each other). Check the returns with the force.'",
    ]) }} as failure_message
from victims
inner join offences
    on
        victims.area_code = offences.area_code
        and victims.financial_year_start = offences.financial_year_start
        and victims.quarter_count = offences.quarter_count
where
    abs(victims.victim_count - offences.offence_count) > 5
    and abs(victims.victim_count - offences.offence_count) > 0.25 * offences.offence_count
