{#-
    Which weapon return rows feed which metric: one row per raw row and each
    metric it counts in, with its offence count.

    * M2.2 offences involving the discharge of a firearm, excluding air
      weapons: firearm rows flagged discharged and not air weapon;
    * M2.3 offences involving a knife or sharp instrument: every knife or
      sharp instrument row.

    This is the only place these rules are written: the quarterly counts
    (int_weapon_returns__area_quarter) are sums of these rows (and a force's
    return for a metric is its rows of the metric's weapon type), and ncpm
    trace reads them to list the raw rows behind a published figure.
-#}

with

offences as (

    select * from {{ ref('stg_weapon_returns__offences') }}

),

series_rows as (

    select
        'M2.2' as metric_id,
        'all' as breakdown,
        offences.*
    from offences
    where
        weapon_type = 'firearm'
        and is_discharged
        and not is_air_weapon

    union all

    select
        'M2.3' as metric_id,
        'all' as breakdown,
        offences.*
    from offences
    where weapon_type = 'knife or sharp instrument'

)

select
    -- the series and the cell it counts in
    metric_id,
    breakdown,
    area_code,
    quarter_end_date,
    offence_count as value,
    -- where the row is, as published
    source_file,
    source_row_number,
    'offences' as published_columns,
    -- what the row is
    force_name,
    financial_year,
    financial_quarter,
    weapon_type,
    offence_type
from series_rows
