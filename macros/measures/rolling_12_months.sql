{#-
    rolling_12_months(value_column, partition_columns, order_column)

    SQL expressions over a dense quarterly series (one row per quarter, a null
    value for a missing quarter):

    * rolling_12_months(...)          the sum of the four quarters ending at the
                                       row, or null unless all four are present;
    * rolling_window_quarters(...)    how many quarters the window holds (4
                                       except at the start of a series);
    * rolling_window_missing(...)     how many of them have no value.

    A rolling value is never a partial sum (MEASURES.md section 6).
-#}
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
