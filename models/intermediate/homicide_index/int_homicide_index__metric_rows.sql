{#-
    Which homicide index records feed which metric and breakdown: one row per
    victim record and each (metric, breakdown) it counts in, each counting 1.

    * M1.2 homicide victims: `all` (every victim), `sharp instrument` (method
      of killing), `victim under 25` (age bands under 16 and 16-24) and
      `domestic`;
    * M3.1 drug-related homicides: victims whose homicide is flagged
      drug-related (victim or suspect involved in illicit drugs).

    This is the only place these rules are written: the quarterly counts
    (int_homicide_index__area_quarter) are sums of these rows, and ncpm trace
    reads them to list the raw rows behind a published figure.
-#}

with

victims as (

    select * from {{ ref('stg_homicide_index__victims') }}

),

series_rows as (

    select
        'M1.2' as metric_id,
        'all' as breakdown,
        victims.*
    from victims

    union all

    select
        'M1.2' as metric_id,
        'sharp instrument' as breakdown,
        victims.*
    from victims
    where is_sharp_instrument

    union all

    select
        'M1.2' as metric_id,
        'victim under 25' as breakdown,
        victims.*
    from victims
    where is_victim_under_25

    union all

    select
        'M1.2' as metric_id,
        'domestic' as breakdown,
        victims.*
    from victims
    where is_domestic

    union all

    select
        'M3.1' as metric_id,
        'all' as breakdown,
        victims.*
    from victims
    where is_drug_related

)

select
    -- the series and the cell it counts in
    metric_id,
    breakdown,
    area_code,
    quarter_end_date,
    1 as value,
    -- where the row is, as published (a record counts 1: its id is what is published)
    source_file,
    source_row_number,
    'date_recorded;force_name;homicide_id' as published_columns,
    -- what the row is
    homicide_id,
    force_name,
    victim_age_band,
    method_of_killing
from series_rows
