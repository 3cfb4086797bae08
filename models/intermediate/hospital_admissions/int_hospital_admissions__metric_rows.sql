{#-
    Which hospital admission rows feed which breakdown of M2.1 (admissions of
    under-25s for assault with a sharp object): one row per month x age band
    row and each breakdown it counts in, with its admission count.

    * `under 18` and `18-24`: the rows of that age band;
    * `all`: every under-25 row (both bands).

    The source covers English hospitals only, so every row's area is England
    (E92000001, level `country`): the figure is never published as England and
    Wales.
    This is the only place these rules are written: the quarterly sums
    (int_hospital_admissions__quarters) are sums of these rows, and ncpm trace
    reads them to list the raw rows behind a published figure.
-#}

with

admissions as (

    select * from {{ ref('stg_hospital_admissions__admissions') }}

),

england as (

    select area_code from {{ ref('ref_areas') }} where area_code = 'E92000001'

),

series_rows as (

    select
        'M2.1' as metric_id,
        'under 18' as breakdown,
        admissions.*
    from admissions
    where age_band = 'under 18'

    union all

    select
        'M2.1' as metric_id,
        '18-24' as breakdown,
        admissions.*
    from admissions
    where age_band = '18-24'

    union all

    select
        'M2.1' as metric_id,
        'all' as breakdown,
        admissions.*
    from admissions
    where is_under_25

)

select
    -- the series and the cell it counts in
    series_rows.metric_id,
    series_rows.breakdown,
    england.area_code,
    series_rows.quarter_end_date,
    series_rows.admission_count as value,
    -- where the row is, as published
    series_rows.source_file,
    series_rows.source_row_number,
    'admissions' as published_columns,
    -- what the row is
    series_rows.admission_month,
    series_rows.age_band
from series_rows
cross join england
