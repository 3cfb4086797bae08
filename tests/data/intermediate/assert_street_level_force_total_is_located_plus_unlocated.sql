-- Every landed row of a force and month is counted once in the LSOA counts: the
-- force's rows (force_month_types) = its located rows + its unlocated rows
-- (lsoa_month, crimes + ASB), and the located ones agree. Failing rows name the
-- force and month with both totals.
with

landed as (

    select
        force_id,
        month_start_date,
        sum(row_count) as landed_rows,
        sum(located_count) as landed_located
    from {{ ref('int_street_level_crime__force_month_types') }}
    group by force_id, month_start_date

),

counted as (

    select
        force_id,
        month_start_date,
        sum(all_crime_count + anti_social_behaviour_count) as counted_rows,
        sum(case when is_located then all_crime_count + anti_social_behaviour_count else 0 end)
            as counted_located
    from {{ ref('int_street_level_crime__lsoa_month') }}
    group by force_id, month_start_date

)

select
    coalesce(landed.force_id, counted.force_id) as force_id,
    coalesce(landed.month_start_date, counted.month_start_date) as month_start_date,
    landed.landed_rows,
    counted.counted_rows,
    landed.landed_located,
    counted.counted_located
from landed
full outer join counted
    on
        landed.force_id = counted.force_id
        and landed.month_start_date = counted.month_start_date
where
    landed.landed_rows is null
    or counted.counted_rows is null
    or landed.landed_rows <> counted.counted_rows
    or landed.landed_located <> counted.counted_located
