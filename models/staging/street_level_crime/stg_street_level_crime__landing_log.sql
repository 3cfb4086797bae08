{#-
    The landing log of the street-level feed, typed: one row per force-month landed
    (a re-landed force-month has one row per landing). The incremental models compare
    its landed_at with the newest they hold to find the months to rebuild.
-#}

with

source as (

    select * from {{ source('street_level_crime', 'street_level_crime_landing_log') }}

),

final as (

    select
        -- ids
        trim(month) as month_label,
        trim(force_id) as force_id,
        source_file,

        -- numerics
        cast(row_count as bigint) as row_count,
        cast(
            cast(substring(trim(month), 1, 4) as integer) * 12
            + cast(substring(trim(month), 6, 2) as integer) - 1
            as integer
        ) as month_index,

        -- dates
        cast({{ dbt.concat(["trim(month)", "'-01'"]) }} as date) as month_start_date,
        cast(replace(replace(trim(landed_at), 'T', ' '), 'Z', '') as {{ dbt.type_timestamp() }}) as landed_at,
        cast(
            replace(replace(nullif(trim(superseded_landed_at), ''), 'T', ' '), 'Z', '')
            as {{ dbt.type_timestamp() }}
        ) as superseded_landed_at

    from source

)

select * from final
