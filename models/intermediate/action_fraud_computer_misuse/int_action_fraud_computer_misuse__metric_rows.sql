{#-
    Which Action Fraud rows feed M5.2 (computer misuse offences reported to
    Action Fraud): every row (one per financial quarter x offence type, England
    and Wales), with its offence count. This is the only place the rule is
    written: the quarters of int_action_fraud_computer_misuse__rolling_12_months
    are sums of these rows, and ncpm trace reads them to list the raw rows
    behind a published figure.
-#}

with

offences as (

    select * from {{ ref('stg_action_fraud_computer_misuse__offences') }}

)

select
    -- the series and the cell it counts in
    'M5.2' as metric_id,
    'all' as breakdown,
    area_code,
    quarter_end_date,
    offence_count as value,
    -- where the row is, as published
    source_file,
    source_row_number,
    'offences' as published_columns,
    -- what the row is
    financial_year,
    financial_quarter,
    offence_type
from offences
