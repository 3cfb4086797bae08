-- Every metric's national headline trend against its baseline: one row per
-- metric and period, with the published label (YE Jun 2019, 2018/19), the
-- baseline, change, % change, confidence interval and direction of travel.
-- The board's trend charts. Works for every measure fact stacked in
-- rpt_all_measures (no metric is named here).
select
    measures.measure_id,
    measures.metric_id,
    measures.metric_name,
    periods.period_label,
    measures.period_end_date,
    measures.value,
    measures.unit,
    measures.ci_lower,
    measures.ci_upper,
    measures.baseline_value,
    measures.change_from_baseline,
    measures.pct_change_from_baseline,
    measures.direction_of_travel,
    periods.is_baseline,
    measures.quality_note
from {{ ref('rpt_all_measures') }} as measures
inner join {{ ref('dim_period') }} as periods
    on
        measures.period_end_date = periods.period_end_date
        and measures.period_type = periods.period_type
where
    measures.area_level = 'national'
    and measures.breakdown = 'all'
order by measures.metric_id asc, measures.period_end_date asc
