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
