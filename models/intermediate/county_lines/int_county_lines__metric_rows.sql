{#-
    Which county lines rows feed M3.4 (county lines closed): every row (one per
    financial quarter, England and Wales), with its count. This is the only
    place the rule is written: the quarterly values (int_county_lines__quarters)
    are sums of these rows, and ncpm trace reads them to list the raw rows
    behind a published figure.
-#}

with

lines_closed as (

    select * from {{ ref('stg_county_lines__lines_closed') }}

),

national as (

    select area_code from {{ ref('ref_areas') }} where area_level = 'national'

)

select
    -- the series and the cell it counts in
    'M3.4' as metric_id,
    'all' as breakdown,
    national.area_code,
    lines_closed.quarter_end_date,
    lines_closed.lines_closed_count as value,
    -- where the row is, as published
    lines_closed.source_file,
    lines_closed.source_row_number,
    'lines_closed' as published_columns,
    -- what the row is
    lines_closed.financial_year,
    lines_closed.financial_quarter
from lines_closed
cross join national
