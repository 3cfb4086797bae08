-- change_from_baseline = value - baseline_value and pct_change_from_baseline =
-- 100 x change / baseline (null when the baseline is 0 or missing), for every
-- published figure of every measure.
select
    metric_id,
    area_code,
    period_end_date,
    breakdown,
    value,
    baseline_value,
    change_from_baseline,
    pct_change_from_baseline
from {{ ref('rpt_all_measures') }}
where
    ((value is null or baseline_value is null) and change_from_baseline is not null)
    or abs(change_from_baseline - (value - baseline_value)) > 1e-9
    or ((baseline_value = 0 or baseline_value is null) and pct_change_from_baseline is not null)
    or (
        baseline_value <> 0
        and abs(pct_change_from_baseline - 100 * (value - baseline_value) / baseline_value) > 1e-6
    )
