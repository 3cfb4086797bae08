{#-
    expression_is_true: every row satisfies `expression` (a boolean SQL
    expression over the model's columns). Rows where it is false fail; rows
    where it is null pass, so write `x is null or ...` only when that is meant.
-#}
{% test expression_is_true(model, expression) %}

{{ adapter.dispatch('expression_is_true_failures', 'ncpm')(model, expression) }}

{% endtest %}


{% macro default__expression_is_true_failures(model, expression) %}
select *
from {{ model }}
where not ({{ expression }})
{% endmacro %}


{% macro duckdb__expression_is_true_failures(model, expression) %}
    {#-
        DuckDB reads every column of every row before a filter it cannot push into the
        table scan (an OR, a NOT): with store_failures, `select *` of a 4-million-row,
        30-column table took 12 s to find no row, against 0.8 s for the expression's own
        columns. So on a table the failing rows are found first by rowid (reading only the
        expression's columns) and then fetched whole; when there are none, DuckDB never
        scans the other side of the semi-join. Views and filtered tests (a `where`
        config makes `model` a subquery) have no rowid: the plain query.
    -#}
    {%- set relation = none -%}
    {%- if execute and model.identifier is defined -%}
        {%- set relation = adapter.get_relation(
            database=model.database, schema=model.schema, identifier=model.identifier
        ) -%}
    {%- endif -%}
    {%- if relation is not none and relation.is_table %}
select *
from {{ model }}
where rowid in (
    select rowid
    from {{ model }}
    where not ({{ expression }})
)
    {%- else %}
{{ ncpm.default__expression_is_true_failures(model, expression) }}
    {%- endif %}
{% endmacro %}
