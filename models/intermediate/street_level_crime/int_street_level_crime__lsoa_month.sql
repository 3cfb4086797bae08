{{ config(**street_level_incremental_config()) }}
{#-
    Crimes and anti-social behaviour per month, force (the file's force) and LSOA, one
    count column per category (macro street_level_categories): the one pass over the
    landed rows that every local figure is summed from. Rows without an LSOA (`No
    Location`, blank LSOA) are kept in one row per force and month with lsoa_code null,
    so a force's total = located + unlocated. ASB is counted in its own column and
    never in all_crime. Sparse: an LSOA with nothing in a month has no row (no dense
    LSOA x month spine). No LSOA name: storing 4.7 million copies of it cost a
    third of this model's time at national scale (int_street_level_crime__lsoa_geography
    reads the names). Incremental on month: only the months landed since the last
    build are read (the filter on month_label prunes the Parquet partitions) and
    replaced whole, so a re-landed month replaces its rows.
-#}
{%- set months = street_level_changed_months(ref('stg_street_level_crime__landing_log')) %}

with

crimes as (

    select
        month_start_date,
        month_index,
        force_id,
        lsoa_code,
        crime_type
    from {{ ref('stg_street_level_crime__crimes') }}
    where {{ street_level_month_filter('month_label', months, as_label=true) }}

),

landings as (

    select
        month_start_date,
        max(landed_at) as landed_at
    from {{ ref('stg_street_level_crime__landing_log') }}
    where {{ street_level_month_filter('month_index', months) }}
    group by month_start_date

),

types as (

    select
        crime_type,
        category_code,
        is_neighbourhood_crime
    from {{ ref('ref_street_crime_types') }}

),

classified as (

    select
        crimes.month_start_date,
        crimes.month_index,
        crimes.force_id,
        crimes.lsoa_code,
        {#- An unknown type is a crime of no neighbourhood category (warned upstream). #}
        coalesce(types.category_code, 'other_crime') as category_code,
        coalesce(types.is_neighbourhood_crime, false) as is_neighbourhood_crime
    from crimes
    left join types
        on crimes.crime_type = types.crime_type

),

counted as (

    select
        month_start_date,
        month_index,
        force_id,
        lsoa_code,
        {#- count(case ...), not sum(case ... 1 else 0): a count is a bigint, where DuckDB
            sums integers into HUGEINT (128-bit), 1 CPU s more over 60 million rows. #}
        {%- for category in ['burglary', 'robbery', 'vehicle_crime', 'theft_from_the_person', 'other_crime', 'anti_social_behaviour'] %}
            count(case when category_code = '{{ category }}' then 1 end) as {{ category }}_count,
        {%- endfor %}
        count(case when is_neighbourhood_crime then 1 end) as neighbourhood_crime_count,
        count(case when category_code <> 'anti_social_behaviour' then 1 end) as all_crime_count
    from classified
    group by month_start_date, month_index, force_id, lsoa_code

)

select
    -- ids
    counted.force_id,
    counted.lsoa_code,

    -- numerics
    counted.month_index,
    {#- bigint, stated: the type every later model sums #}
    {%- for category in street_level_categories() %}
        cast(counted.{{ category }}_count as {{ dbt.type_bigint() }}) as {{ category }}_count,
    {%- endfor %}

    -- flags
    counted.lsoa_code is not null as is_located,

    -- dates
    counted.month_start_date,
    landings.landed_at

from counted
left join landings
    on counted.month_start_date = landings.month_start_date
