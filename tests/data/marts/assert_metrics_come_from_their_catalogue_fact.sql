-- Every metric in rpt_all_measures comes from the fact table the metric
-- catalogue names for it (and is in the catalogue at all).
select
    all_measures.metric_id,
    all_measures.fact_model,
    metrics.fact_model as catalogue_fact_model
from (select distinct metric_id, fact_model from {{ ref('rpt_all_measures') }}) as all_measures
left join {{ ref('dim_metric') }} as metrics
    on all_measures.metric_id = metrics.metric_id
where metrics.fact_model is null or metrics.fact_model <> all_measures.fact_model
