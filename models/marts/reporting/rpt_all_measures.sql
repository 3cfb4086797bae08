{#-
    Every measure fact stacked in the mart contract columns, with the measure
    and metric names, for BI tools. Grain: metric_id, area_code,
    period_end_date, breakdown.
-#}

with

stacked as (

    {%- for fact in measure_fact_models() %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            '{{ fact }}' as fact_model,
            {{ measure_fact_columns() | join(',\n            ') }}
        from {{ ref(fact) }}
    {%- endfor %}

),

metrics as (

    select * from {{ ref('dim_metric') }}

),

areas as (

    select * from {{ ref('dim_area') }}

)

select
    metrics.measure_id,
    metrics.measure_name,
    metrics.metric_name,
    areas.area_name,
    stacked.*
from stacked
inner join metrics
    on stacked.metric_id = metrics.metric_id
inner join areas
    on stacked.area_code = areas.area_code
