{#-
    complete_quarter_coverage: inside a feed's coverage window (its first to
    its last period, or the coverage_start / coverage_end variables) every
    police force area, and every other area that appears in the feed at all,
    has at least one row for every quarter. Failing rows name the area and the
    missing quarter.

    Arguments:
    * area_column: the area code column; none for a national feed (one series);
    * period_column: the period end date (a quarter end, or a month end with
      period_grain='month');
    * feed: the raw feed, named in the failure message and matched against
      ref_known_data_gaps.source_feed;
    * part_column (optional): the coverage is checked for every part of the
      return that appears in the feed (e.g. each weapon type);
    * period_grain: 'quarter' (default) or 'month'.

    A missing (area, part, period) listed in ref_known_data_gaps (same feed,
    area and part, or a blank part meaning the whole return, period inside the
    listed quarters) is an accepted gap and does not fail: the models flag
    the figures it affects as incomplete and a warning names it.
-#}
{% test complete_quarter_coverage(model, period_column, feed, area_column=none, part_column=none, period_grain='quarter') %}

with

rows_held as (

    select distinct
        {{ area_column if area_column else "'national'" }} as area_code,
        {{ part_column if part_column else "''" }} as return_part,
        {{ period_column }} as period_end_date
    from {{ model }}

),

window_bounds as (

    select
        {{ ncpm.coverage_bound('min(period_end_date)', 'coverage_start') }} as first_period_end_date,
        {{ ncpm.coverage_bound('max(period_end_date)', 'coverage_end') }} as last_period_end_date
    from rows_held

),

expected_areas as (

    {%- if area_column %}
    select area_code from {{ ref('ref_areas') }} where area_level = 'pfa'
    union
    {%- endif %}
    select area_code from rows_held

),

expected_parts as (

    select distinct return_part from rows_held

),

{%- if period_grain == 'month' %}

periods as (

    select
        cast({{ dbt.last_day(dbt.dateadd('month', 'offsets.month_offset', 'calendar.quarter_start_date'), 'month') }} as date)
            as period_end_date,
        calendar.quarter_end_date
    from {{ ref('int_calendar_quarters') }} as calendar
    cross join (
        select 0 as month_offset
        union all select 1 as month_offset
        union all select 2 as month_offset
    ) as offsets

),

{%- else %}

periods as (

    select
        quarter_end_date as period_end_date,
        quarter_end_date
    from {{ ref('int_calendar_quarters') }}

),

{%- endif %}

expected as (

    select
        expected_areas.area_code,
        expected_parts.return_part,
        periods.period_end_date,
        periods.quarter_end_date
    from expected_areas
    cross join expected_parts
    cross join window_bounds
    inner join periods
        on periods.period_end_date
        between window_bounds.first_period_end_date and window_bounds.last_period_end_date

),

known_gaps as (

    select
        area_code,
        coalesce(return_part, '') as return_part,
        first_quarter_end_date,
        last_quarter_end_date
    from {{ ref('ref_known_data_gaps') }}
    where source_feed = '{{ feed }}'

),

missing as (

    select expected.*
    from expected
    left join rows_held
        on
            expected.area_code = rows_held.area_code
            and expected.return_part = rows_held.return_part
            and expected.period_end_date = rows_held.period_end_date
    where rows_held.area_code is null

)

select
    missing.area_code,
    missing.return_part,
    missing.period_end_date,
    {{ dbt.concat([
        "'[" ~ feed ~ "] no rows for area '",
        "missing.area_code",
        ("case when missing.return_part <> '' then " ~ dbt.concat(["' ('", "missing.return_part", "')'"]) ~ " else '' end")
            if part_column else "''",
        "' in the " ~ period_grain ~ " ending '",
        "cast(missing.period_end_date as " ~ dbt.type_string() ~ ")",
        "' inside the coverage window (rule: every force covers every " ~ period_grain
            ~ "; land the missing return or list the gap in seeds/reference/ref_known_data_gaps.csv)'",
    ]) }} as failure_message
from missing
where not exists (
    select 1 from known_gaps
    where
        known_gaps.area_code = missing.area_code
        and known_gaps.return_part in ('', missing.return_part)
        and missing.quarter_end_date between known_gaps.first_quarter_end_date and known_gaps.last_quarter_end_date
)

{% endtest %}
