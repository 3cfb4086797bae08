{% macro _rolling_window(partition_columns, order_column) -%}
    over (
        partition by {{ partition_columns | join(', ') }}
        order by {{ order_column }}
        rows between 3 preceding and current row
    )
{%- endmacro %}

{% macro rolling_12_months(value_column, partition_columns, order_column) -%}
    case
        when
            count(*) {{ ncpm._rolling_window(partition_columns, order_column) }} = 4
            and count({{ value_column }}) {{ ncpm._rolling_window(partition_columns, order_column) }} = 4
            then sum({{ value_column }}) {{ ncpm._rolling_window(partition_columns, order_column) }}
    end
{%- endmacro %}

{% macro rolling_window_quarters(partition_columns, order_column) -%}
    count(*) {{ ncpm._rolling_window(partition_columns, order_column) }}
{%- endmacro %}

{% macro rolling_window_missing(value_column, partition_columns, order_column) -%}
    (
        count(*) {{ ncpm._rolling_window(partition_columns, order_column) }}
        - count({{ value_column }}) {{ ncpm._rolling_window(partition_columns, order_column) }}
    )
{%- endmacro %}
