{#-
    Which referral rows feed M3.2 (police referrals into drug treatment): every
    row (one per force x financial quarter), with its referral count. This is
    the only place the rule is written: the quarterly values
    (int_drug_treatment_referrals__area_quarter) are sums of these rows, and
    ncpm trace reads them to list the raw rows behind a published figure.
-#}

with

referrals as (

    select * from {{ ref('stg_drug_treatment_referrals__referrals') }}

)

select
    -- the series and the cell it counts in
    'M3.2' as metric_id,
    'all' as breakdown,
    area_code,
    quarter_end_date,
    referral_count as value,
    -- where the row is, as published
    source_file,
    source_row_number,
    'referrals' as published_columns,
    -- what the row is
    force_name,
    financial_year,
    financial_quarter
from referrals
