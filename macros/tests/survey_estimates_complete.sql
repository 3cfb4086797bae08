{#-
    survey_estimates_complete: for each metric in `metric_ids`, a national
    survey rolling-year estimate is published (a value, or a row suppressed by
    disclosure control) at every quarter end from the first full rolling year
    of the survey's coverage window (int_feed_coverage, `coverage_feed`) to its
    last quarter, for the headline ('all') and every breakdown the fact has for
    the metric. A missing or incomplete quarter of interviews inside the window
    turns four rolling years into gaps, and this test blocks the publication.
    Failing rows name the metric, breakdown and quarter end.
-#}
{% test survey_estimates_complete(model, metric_ids, coverage_feed='victim_survey') %}

{%- set metric_list = "'" ~ metric_ids | join("', '") ~ "'" %}

with

coverage as (

    select
        first_period_end_date,
        last_period_end_date
    from {{ ref('int_feed_coverage') }}
    where source_feed = '{{ coverage_feed }}'

),

quarter_ends as (

    select
        calendar.quarter_end_date,
        row_number() over (order by calendar.quarter_end_date) as quarter_number
    from {{ ref('int_calendar_quarters') }} as calendar
    cross join coverage
    where calendar.quarter_end_date between coverage.first_period_end_date and coverage.last_period_end_date

),

series as (

    {%- for metric_id in metric_ids %}
    select
        '{{ metric_id }}' as metric_id,
        'all' as breakdown
    union
    {%- endfor %}
    select distinct
        metric_id,
        breakdown
    from {{ model }}
    where metric_id in ({{ metric_list }})

),

expected as (

    select
        series.metric_id,
        series.breakdown,
        quarter_ends.quarter_end_date
    from series
    cross join quarter_ends
    where quarter_ends.quarter_number >= 4

),

published as (

    select
        metric_id,
        breakdown,
        period_end_date
    from {{ model }}
    where
        area_level = 'national'
        and period_type = 'survey_rolling_year'
        and (value is not null or is_suppressed)

)

select
    expected.metric_id,
    expected.breakdown,
    expected.quarter_end_date,
    {{ dbt.concat([
        "'[" ~ coverage_feed ~ "] no national estimate of '",
        "expected.metric_id",
        "' ('",
        "expected.breakdown",
        "') for the rolling year ending '",
        "cast(expected.quarter_end_date as " ~ dbt.type_string() ~ ")",
        "' (rule: every quarter end from the first full rolling year has an estimate; a quarter of"
        ~ " interviews is missing or incomplete)'",
    ]) }} as failure_message
from expected
left join published
    on
        expected.metric_id = published.metric_id
        and expected.breakdown = published.breakdown
        and expected.quarter_end_date = published.period_end_date
where published.metric_id is null

{% endtest %}
