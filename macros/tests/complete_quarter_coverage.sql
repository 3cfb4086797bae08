{#-
    complete_quarter_coverage: inside a feed's coverage window (its first to
    its last quarter, or the coverage_start / coverage_end variables) every
    police force area, and every other area that appears in the feed at all,
    has at least one row for every quarter. Failing rows name the area and the
    missing quarter.

    Arguments: area_column, period_column (a quarter end date), `feed` (named
    in the failure message) and `require_every_pfa` (default true; false for a
    national feed, whose only area must then cover every quarter).
-#}
{% test complete_quarter_coverage(model, area_column, period_column, feed, require_every_pfa=true) %}

with

rows_held as (

    select distinct
        {{ area_column }} as area_code,
        {{ period_column }} as quarter_end_date
    from {{ model }}

),

window_bounds as (

    select
        {{ ncpm.coverage_bound('min(quarter_end_date)', 'coverage_start') }} as first_quarter_end_date,
        {{ ncpm.coverage_bound('max(quarter_end_date)', 'coverage_end') }} as last_quarter_end_date
    from rows_held

),

expected_areas as (

    {%- if require_every_pfa %}
    select area_code from {{ ref('ref_areas') }} where area_level = 'pfa'
    union
    {%- endif %}
    select distinct area_code from rows_held

),

expected as (

    select
        expected_areas.area_code,
        calendar.quarter_end_date
    from expected_areas
    cross join window_bounds
    inner join {{ ref('int_calendar_quarters') }} as calendar
        on calendar.quarter_end_date
        between window_bounds.first_quarter_end_date and window_bounds.last_quarter_end_date

)

select
    expected.area_code,
    expected.quarter_end_date,
    {{ dbt.concat([
        "'[" ~ feed ~ "] no rows for area '",
        "expected.area_code",
        "' in the quarter ending '",
        "cast(expected.quarter_end_date as " ~ dbt.type_string() ~ ")",
        "' inside the coverage window (rule: every force covers every quarter; land the missing return or list the gap as known)'",
    ]) }} as failure_message
from expected
left join rows_held
    on
        expected.area_code = rows_held.area_code
        and expected.quarter_end_date = rows_held.quarter_end_date
where rows_held.area_code is null

{% endtest %}
