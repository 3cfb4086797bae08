{#-
    spark__load_csv_rows(model, agate_table)

    Loads seed rows on Spark as SQL literals instead of query bindings. dbt-spark's
    `session` connection (used by `make spark-check`) formats bindings with Python's
    `%`, which writes a missing value as the text 'None' instead of null; literals
    keep nulls null on every Spark connection method. Values are quoted with
    single quotes doubled, and cast to the seed's column type.
-#}
{% macro spark__load_csv_rows(model, agate_table) %}
  {% set column_override = model['config'].get('column_types', {}) %}
  {% set statements = [] %}
  {% for chunk in agate_table.rows | batch(500) %}
      {% set sql %}
          insert into {{ this.render() }} values
          {% for row in chunk -%}
              ({%- for col_name in agate_table.column_names -%}
                  {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                  {%- set type = column_override.get(col_name, inferred_type) -%}
                  {%- set value = row[loop.index0] -%}
                  {%- if value is none -%}cast(null as {{ type }})
                  {%- else -%}cast('{{ (value | string).replace("'", "''") }}' as {{ type }}){%- endif -%}
                  {%- if not loop.last%},{%- endif %}
              {%- endfor -%})
              {%- if not loop.last%},{%- endif %}
          {%- endfor %}
      {% endset %}
      {% do adapter.add_query(sql, abridge_sql_log=True) %}
      {% if loop.index0 == 0 %}{% do statements.append(sql) %}{% endif %}
  {% endfor %}
  {{ return(statements[0]) }}
{% endmacro %}
