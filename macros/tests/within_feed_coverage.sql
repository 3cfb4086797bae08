{#-
    within_feed_coverage: every date of `column_name` falls in a quarter of the
    coverage window of `coverage_feed` (int_feed_coverage: its first to its last
    quarter end, from the data or the coverage_start / coverage_end variables).
    For the victim survey the window runs from the first to the last quarter
    whose three months all hold interviews, so a stray date (a year typed wrong,
    a partial quarter of fieldwork) fails. Failing rows carry a failure_message
    naming the file, the data row, the value and the rule.

    Arguments: coverage_feed (source_feed in int_feed_coverage), feed (the raw
    feed named in the message). The model has source_file and source_row_number.
-#}
{% test within_feed_coverage(model, column_name, coverage_feed, feed) %}

with

coverage as (

    select
        first_period_end_date,
        last_period_end_date
    from {{ ref('int_feed_coverage') }}
    where source_feed = '{{ coverage_feed }}'

),

outside as (

    select
        rows_held.source_file,
        rows_held.source_row_number,
        rows_held.{{ column_name }},
        coverage.first_period_end_date,
        coverage.last_period_end_date
    from {{ model }} as rows_held
    cross join coverage
    where
        cast({{ dbt.last_day('rows_held.' ~ column_name, 'quarter') }} as date)
        not between coverage.first_period_end_date and coverage.last_period_end_date

)

select
    source_file,
    source_row_number,
    {{ column_name }},
    {{ ncpm.input_error_message(
        feed,
        'date outside the coverage window; rule: ' ~ column_name
        ~ ' must fall in a quarter of the ' ~ coverage_feed ~ ' coverage window (int_feed_coverage)',
        column_name,
        'Correct the date, or land whole quarters of fieldwork.',
    ) }} as failure_message
from outside

{% endtest %}
