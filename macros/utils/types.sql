{#-
    type_double()

    A double-precision floating point type. dbt.type_float() renders `float`,
    which is single precision on DuckDB (7 significant digits: too few for
    weighted sums of millions); `double` is double precision on DuckDB and
    Spark, `double precision` on Postgres-like engines.
-#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'ncpm')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double
{%- endmacro %}

{% macro postgres__type_double() -%}
    double precision
{%- endmacro %}

{% macro redshift__type_double() -%}
    double precision
{%- endmacro %}

{% macro snowflake__type_double() -%}
    double
{%- endmacro %}

{% macro bigquery__type_double() -%}
    float64
{%- endmacro %}
