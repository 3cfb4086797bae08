{#-
    unpivot_columns(relation, key_columns, value_columns, position_column, value_column)

    Wide to long, portably: one UNION ALL branch per column of `value_columns`,
    each giving the `key_columns`, the column's 1-based position in
    `value_columns` (as `position_column`) and its value (as `value_column`).
    Plain SQL on every engine (no engine-specific UNPIVOT), so it needs no
    dispatch. Used on the headerless wide drug seizure tables, where the
    position joins each cell to the header cell above it.
-#}
{% macro unpivot_columns(relation, key_columns, value_columns, position_column, value_column) -%}
    {%- for column in value_columns %}
        {%- if not loop.first %}
    union all
        {%- endif %}
    select
        {%- for key in key_columns %}
        {{ key }},
        {%- endfor %}
        {{ loop.index }} as {{ position_column }},
        {{ column }} as {{ value_column }}
    from {{ relation }}
    {%- endfor %}
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
