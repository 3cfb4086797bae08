{#-
    One row per metric: the headline figure for the publication period, for the
    metric's headline area from the catalogue (dim_metric.headline_area_code:
    England and Wales, or England for an England-only metric such as M2.1),
    named in area_code / area_name. The publication period is the variable
    publication_period; by default the latest quarter end that every quarterly
    feed covers. Annual metrics show their latest financial or survey year
    ending on or before that date. Metrics with no figure yet are listed with a
    null value so the scorecard always has every catalogue metric. A metric
    with a highlighted breakdown (Class A for M3.3) also shows that breakdown's
    figure for the same area and period; an incomplete headline (e.g. excluding
    a force with an accepted gap) carries is_incomplete and its quality_note
    into the publication.
-#}

with

coverage as (

    select * from {{ ref('int_feed_coverage') }}

),

publication as (

    {%- set chosen_period = var('publication_period', none) %}
    select
        {%- if chosen_period %}
            -- one row whatever the number of feeds (checked against them by
            -- the test assert_publication_period_within_feed_coverage)
            max(cast('{{ chosen_period }}' as date)) as publication_period_end_date
        {%- else %}
            min(last_period_end_date) as publication_period_end_date
        {%- endif %}
    from coverage
    where is_quarterly

),

metrics as (

    select * from {{ ref('dim_metric') }}

),

areas as (

    select * from {{ ref('dim_area') }}

),

headline as (

    select all_measures.*
    from {{ ref('rpt_all_measures') }} as all_measures
    inner join metrics
        on
            all_measures.metric_id = metrics.metric_id
            and all_measures.area_code = metrics.headline_area_code
    where all_measures.breakdown = 'all'

),

latest as (

    select
        headline.metric_id,
        max(headline.period_end_date) as period_end_date
    from headline
    cross join publication
    where
        headline.period_end_date <= publication.publication_period_end_date
        and headline.value is not null
    group by headline.metric_id

),

{# The highlighted breakdown (e.g. Class A for M3.3), headline area, same period as the headline. #}
highlighted as (

    select all_measures.*
    from {{ ref('rpt_all_measures') }} as all_measures
    inner join metrics
        on
            all_measures.metric_id = metrics.metric_id
            and all_measures.area_code = metrics.headline_area_code
            and all_measures.breakdown = metrics.highlighted_breakdown

)

select
    -- ids
    metrics.metric_id,
    metrics.measure_id,
    metrics.headline_area_code as area_code,

    -- strings
    metrics.measure_name,
    metrics.metric_name,
    areas.area_name,
    metrics.unit,
    metrics.desired_direction,
    metrics.baseline_label,
    headline.period_type,
    coalesce(headline.direction_of_travel, 'not assessed') as direction_of_travel,
    headline.quality_note,
    metrics.highlighted_breakdown,
    highlighted.direction_of_travel as highlighted_direction_of_travel,

    -- numerics
    headline.value,
    headline.baseline_value,
    headline.change_from_baseline,
    headline.pct_change_from_baseline,
    headline.ci_lower,
    headline.ci_upper,
    highlighted.value as highlighted_value,
    highlighted.baseline_value as highlighted_baseline_value,
    highlighted.change_from_baseline as highlighted_change_from_baseline,
    highlighted.pct_change_from_baseline as highlighted_pct_change_from_baseline,

    -- booleans
    headline.is_significant_change,
    metrics.is_supplementary,
    headline.metric_id is not null as has_figure,
    coalesce(headline.is_incomplete, false) as is_incomplete,

    -- dates
    publication.publication_period_end_date,
    latest.period_end_date

from metrics
cross join publication
inner join areas
    on metrics.headline_area_code = areas.area_code
left join latest
    on metrics.metric_id = latest.metric_id
left join headline
    on
        latest.metric_id = headline.metric_id
        and latest.period_end_date = headline.period_end_date
left join highlighted
    on
        latest.metric_id = highlighted.metric_id
        and latest.period_end_date = highlighted.period_end_date
