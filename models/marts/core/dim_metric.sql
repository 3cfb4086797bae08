{#- The metric catalogue as a conformed dimension (one row per metric). -#}

with

catalogue as (

    select * from {{ ref('ref_metric_catalogue') }}

)

select
    -- ids
    metric_id,
    measure_id,

    -- strings
    measure_name,
    metric_name,
    source_feed,
    unit,
    period_type,
    desired_direction,
    baseline_period_type,
    baseline_label,
    geographies,
    breakdowns,
    fact_model,
    catalogue_version,

    -- booleans
    is_supplementary,

    -- dates
    cast(baseline_period_end_date as date) as baseline_period_end_date

from catalogue
