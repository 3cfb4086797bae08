{#-
    has_baseline_row: every metric with rows in the fact has a headline ('all')
    figure, not null, for its headline area (England and Wales, or England for
    an England-only metric: dim_metric.headline_area_code) in the baseline
    period the metric catalogue names for it. A metric without a baseline cannot be assessed, so
    this blocks publication. Failing rows name the metric and its baseline.
-#}
{% test has_baseline_row(model) %}

with

metrics_in_fact as (

    select distinct metric_id from {{ model }}

),

baselines as (

    select
        figures.metric_id,
        figures.value
    from {{ model }} as figures
    inner join {{ ref('dim_metric') }} as metrics
        on
            figures.metric_id = metrics.metric_id
            and figures.period_type = metrics.baseline_period_type
            and figures.period_end_date = metrics.baseline_period_end_date
            and figures.area_code = metrics.headline_area_code
    where
        figures.breakdown = 'all'
        and figures.value is not null

)

select
    metrics.metric_id,
    metrics.headline_area_code,
    metrics.baseline_label,
    metrics.baseline_period_end_date
from metrics_in_fact
inner join {{ ref('dim_metric') }} as metrics
    on metrics_in_fact.metric_id = metrics.metric_id
left join baselines
    on metrics_in_fact.metric_id = baselines.metric_id
where baselines.metric_id is null

{% endtest %}
