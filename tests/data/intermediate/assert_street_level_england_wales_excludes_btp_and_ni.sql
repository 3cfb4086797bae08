-- England and Wales in a month = the landed rows of the England and Wales forces of
-- ref_police_uk_forces only (crimes + ASB): British Transport Police and Northern
-- Ireland are reported but kept out. Failing rows name the month and both totals.
with

england_wales as (

    select
        month_start_date,
        all_crime_count + anti_social_behaviour_count as counted_rows
    from {{ ref('int_street_level_crime__area_rolling') }}
    where area_level = 'national' and breakdown = 'all' and not is_month_data_gap

),

landed as (

    select
        types.month_start_date,
        sum(types.row_count) as landed_rows
    from {{ ref('int_street_level_crime__force_month_types') }} as types
    inner join {{ ref('ref_police_uk_forces') }} as forces
        on types.force_id = forces.force_id
    where forces.is_england_wales
    group by types.month_start_date

)

select
    england_wales.month_start_date,
    england_wales.counted_rows,
    landed.landed_rows
from england_wales
left join landed
    on england_wales.month_start_date = landed.month_start_date
where landed.landed_rows is null or england_wales.counted_rows <> landed.landed_rows
