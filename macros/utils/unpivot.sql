{#-
    unpivot_columns(relation, key_columns, value_columns, position_column, value_column)

    Wide to long, portably: every row of `relation` crossed with the positions
    1 ... n of `value_columns`, giving the `key_columns`, the position (as
    `position_column`) and the value of the column at that position (as
    `value_column`, a CASE over the columns). Plain SQL on every engine (no
    engine-specific UNPIVOT), so it needs no dispatch. One scan of the relation,
    not one UNION ALL branch per column: Spark inlines a CTE wherever it is
    read, and 48 branches read several times made its query plan exhaust the
    driver's memory. Used on the headerless wide drug seizure tables, where the
    position joins each cell to the header cell above it.
-#}
{% macro unpivot_columns(relation, key_columns, value_columns, position_column, value_column) -%}
    select
        {%- for key in key_columns %}
        unpivot_rows.{{ key }},
        {%- endfor %}
        unpivot_positions.unpivot_position as {{ position_column }},
        case unpivot_positions.unpivot_position
            {%- for column in value_columns %}
            when {{ loop.index }} then unpivot_rows.{{ column }}
            {%- endfor %}
        end as {{ value_column }}
    from {{ relation }} as unpivot_rows
    cross join (
        values {% for column in value_columns %}({{ loop.index }}){{ ', ' if not loop.last }}{% endfor %}
    ) as unpivot_positions (unpivot_position)
{%- endmacro %}


{#-
    wide_reader_columns()

    The column names the headerless reader of the wide drug seizure tables gives
    (`c01` ... `c48`, as listed in the source's external_location and YAML). A
    table may use at most 47 of them: the last must stay blank, which proves
    no column of a wider table was cut off.
-#}
{% macro wide_reader_columns() -%}
    {%- set columns = [] -%}
    {%- for i in range(1, 49) -%}
        {%- do columns.append('c' ~ '%02d' % i) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}
