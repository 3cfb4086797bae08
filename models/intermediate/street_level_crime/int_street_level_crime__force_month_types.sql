{{ config(**street_level_incremental_config()) }}
{#-
    Rows per force, month, crime type and landed file, with the category the type maps
    to through ref_street_crime_types and whether the type is valid in that month
    (validity dates: the 2013 split of violent crime and of public disorder and
    weapons; theft from the person only from May 2013). An unknown type or a type
    outside its validity keeps its rows (an unknown type counts as other crime) and a
    warning test names them (file, first row, count). Small at any scale (force x
    month x type), so the checks of every landed row run here, not on the raw rows.
    Incremental on month (macros/street_level/street_level.sql): only the months
    landed since the last build are read and replaced.
-#}
{%- set months = street_level_changed_months(ref('stg_street_level_crime__landing_log')) %}

with

crimes as (

    select * from {{ ref('stg_street_level_crime__crimes') }}
    where {{ street_level_month_filter('month_label', months, as_label=true) }}

),

landings as (

    select
        month_start_date,
        force_id,
        max(landed_at) as landed_at
    from {{ ref('stg_street_level_crime__landing_log') }}
    where {{ street_level_month_filter('month_index', months) }}
    group by month_start_date, force_id

),

types as (

    select
        crime_type,
        category_code,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to
    from {{ ref('ref_street_crime_types') }}

),

counted as (

    select
        month_start_date,
        month_index,
        force_id,
        falls_within,
        crime_type,
        source_file,
        count(*) as row_count,
        sum(case when is_located then 1 else 0 end) as located_count,
        min(source_row_number) as first_source_row_number
    from crimes
    group by month_start_date, month_index, force_id, falls_within, crime_type, source_file

),

final as (

    select
        -- ids
        counted.force_id,
        counted.falls_within,
        counted.crime_type,
        counted.source_file,

        -- classification
        coalesce(types.category_code, 'other_crime') as category_code,
        case
            when types.crime_type is null then 'unknown crime type'
            when
                counted.month_start_date < types.valid_from
                or counted.month_start_date > types.valid_to
                then 'outside validity'
            else 'mapped'
        end as mapping_status,

        -- numerics
        counted.month_index,
        cast(counted.row_count as {{ dbt.type_bigint() }}) as row_count,
        cast(counted.located_count as {{ dbt.type_bigint() }}) as located_count,
        cast(counted.row_count - counted.located_count as {{ dbt.type_bigint() }}) as unlocated_count,
        counted.first_source_row_number,

        -- dates
        counted.month_start_date,
        landings.landed_at

    from counted
    left join types
        on counted.crime_type = types.crime_type
    left join landings
        on
            counted.month_start_date = landings.month_start_date
            and counted.force_id = landings.force_id

)

select * from final
