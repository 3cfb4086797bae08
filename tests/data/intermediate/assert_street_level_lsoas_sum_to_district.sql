-- Within located crimes, a district's month is the sum of the LSOAs routed to it
-- (a district in a gap month has null counts and is not compared). Failing rows
-- name the district, month and both sums.
with

lsoa_sums as (

    select
        geography.lad_code,
        lsoas.month_start_date,
        sum(lsoas.all_crime_count) as lsoa_all_crime,
        sum(lsoas.anti_social_behaviour_count) as lsoa_anti_social_behaviour
    from {{ ref('int_street_level_crime__area_month') }} as lsoas
    inner join {{ ref('int_street_level_crime__lsoa_geography') }} as geography
        on lsoas.area_code = geography.lsoa_code
    where lsoas.area_level = 'lsoa' and geography.lad_code is not null
    group by geography.lad_code, lsoas.month_start_date

),

districts as (

    select
        area_code as lad_code,
        month_start_date,
        all_crime_count,
        anti_social_behaviour_count
    from {{ ref('int_street_level_crime__area_month') }}
    where area_level = 'district' and not is_data_gap

)

select
    districts.lad_code,
    districts.month_start_date,
    districts.all_crime_count,
    coalesce(lsoa_sums.lsoa_all_crime, 0) as lsoa_all_crime,
    districts.anti_social_behaviour_count,
    coalesce(lsoa_sums.lsoa_anti_social_behaviour, 0) as lsoa_anti_social_behaviour
from districts
left join lsoa_sums
    on
        districts.lad_code = lsoa_sums.lad_code
        and districts.month_start_date = lsoa_sums.month_start_date
where
    districts.all_crime_count <> coalesce(lsoa_sums.lsoa_all_crime, 0)
    or districts.anti_social_behaviour_count <> coalesce(lsoa_sums.lsoa_anti_social_behaviour, 0)
