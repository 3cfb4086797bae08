{#-
    columns_not_null: none of `columns` is null in any row. One test for a
    model's required columns instead of one not_null test per column (each
    test is a node dbt schedules and runs: fewer nodes, a faster build).
    Failing rows name the column that is null and the row's values.
-#}
{% test columns_not_null(model, columns) %}

{%- for column in columns %}
{%- if not loop.first %}
union all
{%- endif %}
select
    '{{ column }}' as null_column,
    *
from {{ model }}
where {{ column }} is null
{%- endfor %}

{% endtest %}
