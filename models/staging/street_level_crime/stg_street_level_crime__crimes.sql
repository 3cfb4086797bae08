{#-
    Every landed police.uk street-level row, typed and renamed: one row per raw row
    (byte-identical rows are separate crimes, Crime IDs repeat: nothing is
    de-duplicated). A view: at national scale (60 million rows) the Parquet files are
    read in place, and a filter on month_label reaches the hive partitions, so an
    incremental build reads only the months it rebuilds. Landing (`ncpm land`) has
    already refused malformed files (unknown force id, Month against file name,
    header drift, an LSOA code that is not a code), so no row check is repeated here.
    Row-level and `personal`: crime ids and locations never leave the intermediate
    layer (only aggregate models read it).
-#}

with

source as (

    select * from {{ source('street_level_crime', 'street_level_crime') }}

),

final as (

    select
        -- lineage
        source_file,
        cast(source_row as bigint) as source_row_number,

        -- ids
        force_id,
        crime_id,

        -- period (month_label is the partition column: filter on it to prune files)
        month as month_label,
        cast({{ dbt.concat(["month", "'-01'"]) }} as date) as month_start_date,
        cast(
            cast(substring(month, 1, 4) as integer) * 12 + cast(substring(month, 6, 2) as integer) - 1
            as integer
        ) as month_index,

        -- strings as published
        reported_by,
        falls_within,
        location,
        lsoa_code,
        lsoa_name,
        crime_type,
        last_outcome_category,
        context,

        -- numerics
        longitude,
        latitude,

        -- flags
        lsoa_code is not null as is_located

    from source

)

select * from final
