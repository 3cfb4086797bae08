-- Direction of travel is consistent with the change from baseline and the
-- metric's desired direction, for every published figure of every measure:
--   no value or no baseline -> 'not assessed';
--   count metrics (no significance test): zero change -> 'no significant change',
--     a change in the desired direction -> 'improving', against it -> 'worsening';
--   survey metrics: not significant -> 'no significant change', otherwise as above.
select
    figures.metric_id,
    figures.area_code,
    figures.period_end_date,
    figures.breakdown,
    figures.change_from_baseline,
    figures.is_significant_change,
    metrics.desired_direction,
    figures.direction_of_travel
from {{ ref('rpt_all_measures') }} as figures
inner join {{ ref('dim_metric') }} as metrics
    on figures.metric_id = metrics.metric_id
where
    case
        when figures.change_from_baseline is null
            then figures.direction_of_travel <> 'not assessed'
        when figures.change_from_baseline = 0 or not coalesce(figures.is_significant_change, true)
            then figures.direction_of_travel <> 'no significant change'
        when (figures.change_from_baseline < 0) = (metrics.desired_direction = 'down')
            then figures.direction_of_travel <> 'improving'
        else figures.direction_of_travel <> 'worsening'
    end
