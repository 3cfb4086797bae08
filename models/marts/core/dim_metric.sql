{#- The metric catalogue as a conformed dimension (one row per metric). -#}

with

catalogue as (

    select * from {{ ref('ref_metric_catalogue') }}

),

highlights as (

    select * from {{ ref('ref_metric_highlights') }}

)

select
    -- ids
    catalogue.metric_id,
    catalogue.measure_id,
    catalogue.headline_area_code,

    -- strings
    catalogue.measure_name,
    catalogue.metric_name,
    catalogue.source_feed,
    catalogue.unit,
    catalogue.period_type,
    catalogue.desired_direction,
    catalogue.baseline_period_type,
    catalogue.baseline_label,
    catalogue.geographies,
    catalogue.breakdowns,
    catalogue.fact_model,
    catalogue.catalogue_version,
    highlights.highlighted_breakdown,

    -- booleans
    catalogue.is_supplementary,

    -- dates
    cast(catalogue.baseline_period_end_date as date) as baseline_period_end_date

from catalogue
left join highlights
    on catalogue.metric_id = highlights.metric_id
