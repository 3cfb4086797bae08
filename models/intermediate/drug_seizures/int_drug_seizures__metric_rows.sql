{#-
    Which seizure table rows feed which breakdown of M3.3 (drug seizures): one
    row per (force x financial year) total row, or wide-table cell, and the
    breakdown it is:

    * `all`: the table's own `All drugs` count;
    * `Class A`, `Class B`, `Class C`: its `Total Class A/B/C` rows.

    Totals are taken from the table, never summed from drug rows (one seizure
    can hold several drugs). A blank (not available) total keeps its row with a
    null value. The period is the financial year, ending 31 March.

    This is the only place these rules are written: int_drug_seizures__area_year
    reads its values from these rows, and ncpm trace reads them to list the raw
    rows (or cells) behind a published figure.
-#}

with

seizures as (

    select * from {{ ref('stg_drug_seizures__seizures') }}

),

series_rows as (

    select
        'M3.3' as metric_id,
        'all' as breakdown,
        seizures.*
    from seizures
    where row_kind = 'all_drugs' and drug_type = 'All drugs'

    union all

    select
        'M3.3' as metric_id,
        'Class A' as breakdown,
        seizures.*
    from seizures
    where row_kind = 'class_total' and drug_type = 'Total Class A'

    union all

    select
        'M3.3' as metric_id,
        'Class B' as breakdown,
        seizures.*
    from seizures
    where row_kind = 'class_total' and drug_type = 'Total Class B'

    union all

    select
        'M3.3' as metric_id,
        'Class C' as breakdown,
        seizures.*
    from seizures
    where row_kind = 'class_total' and drug_type = 'Total Class C'

)

select
    -- the series and the cell it counts in
    metric_id,
    breakdown,
    area_code,
    period_end_date,
    seizure_count as value,
    -- where the row is, as published (a wide table's cell: the column it is under)
    source_file,
    source_row_number,
    coalesce(source_column_header, 'seizures') as published_columns,
    -- what the row is
    force_name,
    financial_year,
    drug_type,
    source_shape,
    source_column_header
from series_rows
