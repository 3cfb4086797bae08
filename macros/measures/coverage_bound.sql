{#-
    coverage_bound(data_expression, var_name)

    One end of a feed's coverage window: the project variable `var_name`
    (a YYYY-MM-DD date) when it is set, otherwise `data_expression` (an
    aggregate over the feed, e.g. `min(quarter_end_date)`). Windows therefore
    come from the data the feed holds, never from dates written in SQL.
-#}
{% macro coverage_bound(data_expression, var_name) -%}
    {%- set override = var(var_name, none) -%}
    {%- if override -%}
        cast('{{ override }}' as date)
    {%- else -%}
        {{ data_expression }}
    {%- endif -%}
{%- endmacro %}


{#-
    coverage_quarters(relation)

    The quarter spine of a quarterly feed: every calendar quarter end from the
    first to the last quarter_end_date of `relation` (a CTE or relation of the
    feed's rows), each end overridden by the coverage_start / coverage_end
    variables when set (coverage_bound). One column, quarter_end_date. A
    quarter inside the window with no rows is then a gap the model can see,
    never a quarter silently missing.
-#}
{% macro coverage_quarters(relation) -%}
    select calendar.quarter_end_date
    from {{ ref('int_calendar_quarters') }} as calendar
    cross join (
        select
            {{ ncpm.coverage_bound('min(quarter_end_date)', 'coverage_start') }} as first_quarter_end_date,
            {{ ncpm.coverage_bound('max(quarter_end_date)', 'coverage_end') }} as last_quarter_end_date
        from {{ relation }}
    ) as window_bounds
    where
        calendar.quarter_end_date
        between window_bounds.first_quarter_end_date and window_bounds.last_quarter_end_date
{%- endmacro %}
