-- A metric's areas agree with its catalogue row (dim_metric.geographies, the
-- `;`-separated area levels it is published for, and headline_area_code):
--   1. every row's area level is one of the metric's geographies (an England-only
--      metric on England and Wales fails here);
--   2. a metric with figures has rows at every level its geographies list;
--   3. every level its geographies list is a known area level (in dim_area);
--   4. a metric with figures has rows for its headline area.
-- One failing row per metric and area (or level), naming the rule broken.

{%- set level_listed = dbt.concat(["';'", "metrics.geographies", "';'"]) ~ " like " ~ dbt.concat(["'%;'", "levels.area_level", "';%'"]) %}

with

metrics as (

    select * from {{ ref('dim_metric') }}

),

areas as (

    select * from {{ ref('dim_area') }}

),

levels as (

    select distinct area_level from areas

),

figures as (

    select
        metric_id,
        area_code,
        area_level,
        count(*) as row_count
    from {{ ref('rpt_all_measures') }}
    group by metric_id, area_code, area_level

),

metric_levels as (

    select distinct metric_id, area_level from figures

),

metrics_with_figures as (

    select distinct metric_id from figures

),

listed_levels as (

    select
        metrics.metric_id,
        metrics.geographies,
        levels.area_level
    from metrics
    inner join levels
        on {{ level_listed }}

),

listed_level_counts as (

    select
        metric_id,
        count(*) as level_count
    from listed_levels
    group by metric_id

),

level_not_listed as (

    select
        figures.metric_id,
        figures.area_code,
        figures.area_level,
        metrics.geographies,
        'area level not in the catalogue geographies' as rule,
        figures.row_count,
        {{ dbt.concat([
            "figures.metric_id",
            "': '",
            "cast(figures.row_count as " ~ dbt.type_string() ~ ")",
            "' rows for '",
            "figures.area_code",
            "' (level '",
            "figures.area_level",
            "'), a level its catalogue geographies ('",
            "metrics.geographies",
            "') do not list: publish the metric only for the levels of its catalogue row, or correct the catalogue'",
        ]) }} as failure_message
    from figures
    inner join metrics
        on figures.metric_id = metrics.metric_id
    left join listed_levels
        on
            figures.metric_id = listed_levels.metric_id
            and figures.area_level = listed_levels.area_level
    where listed_levels.metric_id is null

),

listed_level_without_rows as (

    select
        listed_levels.metric_id,
        cast(null as {{ dbt.type_string() }}) as area_code,
        listed_levels.area_level,
        listed_levels.geographies,
        'catalogue geography without rows' as rule,
        0 as row_count,
        {{ dbt.concat([
            "listed_levels.metric_id",
            "': its catalogue geographies ('",
            "listed_levels.geographies",
            "') list the level '",
            "listed_levels.area_level",
            "' but no row of the metric is at that level'",
        ]) }} as failure_message
    from listed_levels
    inner join metrics_with_figures
        on listed_levels.metric_id = metrics_with_figures.metric_id
    left join metric_levels
        on
            listed_levels.metric_id = metric_levels.metric_id
            and listed_levels.area_level = metric_levels.area_level
    where metric_levels.metric_id is null

),

unknown_level_listed as (

    select
        metrics.metric_id,
        cast(null as {{ dbt.type_string() }}) as area_code,
        cast(null as {{ dbt.type_string() }}) as area_level,
        metrics.geographies,
        'unknown level in the catalogue geographies' as rule,
        0 as row_count,
        {{ dbt.concat([
            "metrics.metric_id",
            "': its catalogue geographies ('",
            "metrics.geographies",
            "') name a level that is no area level of dim_area'",
        ]) }} as failure_message
    from metrics
    left join listed_level_counts
        on metrics.metric_id = listed_level_counts.metric_id
    where
        length(metrics.geographies) - length(replace(metrics.geographies, ';', '')) + 1
        <> coalesce(listed_level_counts.level_count, 0)

),

headline_without_rows as (

    select
        metrics.metric_id,
        metrics.headline_area_code as area_code,
        areas.area_level,
        metrics.geographies,
        'headline area without rows' as rule,
        0 as row_count,
        {{ dbt.concat([
            "metrics.metric_id",
            "': its catalogue headline area '",
            "metrics.headline_area_code",
            "' has no row of the metric: the scorecard and the bulletin would show no figure'",
        ]) }} as failure_message
    from metrics
    inner join metrics_with_figures
        on metrics.metric_id = metrics_with_figures.metric_id
    left join areas
        on metrics.headline_area_code = areas.area_code
    left join figures
        on
            metrics.metric_id = figures.metric_id
            and metrics.headline_area_code = figures.area_code
    where figures.metric_id is null

)

select * from level_not_listed
union all
select * from listed_level_without_rows
union all
select * from unknown_level_listed
union all
select * from headline_without_rows
