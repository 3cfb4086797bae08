-- The published LSOA figures add up to the published district figures: within
-- located crimes, each district's month (fct_local_crime) is the sum of the months of
-- the LSOAs routed to it (fct_local_crime_lsoa), crimes and ASB alike (a district in
-- a gap month has no figure and is not compared). Failing rows name the district,
-- month, category and both sums.
with

lsoa_sums as (

    select
        lad_code,
        period_end_date,
        sum(all_crime_month_value) as all_crime,
        sum(anti_social_behaviour_month_value) as anti_social_behaviour
    from {{ ref('fct_local_crime_lsoa') }}
    where lad_code is not null
    group by lad_code, period_end_date

),

districts as (

    select
        area_code as lad_code,
        period_end_date,
        crime_category,
        month_value
    from {{ ref('fct_local_crime') }}
    where
        area_level = 'district'
        and breakdown = 'all'
        and crime_category in ('all_crime', 'anti_social_behaviour')
        and not is_month_data_gap

)

select
    districts.lad_code,
    districts.period_end_date,
    districts.crime_category,
    districts.month_value,
    case
        when districts.crime_category = 'all_crime' then coalesce(lsoa_sums.all_crime, 0)
        else coalesce(lsoa_sums.anti_social_behaviour, 0)
    end as lsoa_sum
from districts
left join lsoa_sums
    on
        districts.lad_code = lsoa_sums.lad_code
        and districts.period_end_date = lsoa_sums.period_end_date
where
    districts.month_value <> case
        when districts.crime_category = 'all_crime' then coalesce(lsoa_sums.all_crime, 0)
        else coalesce(lsoa_sums.anti_social_behaviour, 0)
    end
