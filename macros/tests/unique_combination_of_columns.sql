{% test unique_combination_of_columns(model, combination_of_columns, hashed_columns=[]) %}

{%- set columns = combination_of_columns | join(', ') %}
{%- if hashed_columns %}
{#- First pass on hashes (cheap to group), second pass exact on the keys it found. #}
{%- set keys = [] %}
{%- for column in combination_of_columns %}
    {%- do keys.append(ncpm.hash_value(column) if column in hashed_columns else column) %}
{%- endfor %}

with

candidates as (

    select
        {%- for key in keys %}
            {{ key }} as key_{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}
    group by {{ keys | join(', ') }}
    having count(*) > 1

)

select
    {{ columns }},
    count(*) as duplicate_count
from {{ model }}
where
    {%- for key in keys %}
        {{ 'and ' if not loop.first }}{{ key }} in (select key_{{ loop.index }} from candidates)
    {%- endfor %}
group by {{ columns }}
having count(*) > 1

{%- else %}

select
    {{ columns }},
    count(*) as duplicate_count
from {{ model }}
group by {{ columns }}
having count(*) > 1

{%- endif %}

{% endtest %}


{% macro hash_value(expr) -%}
    {{ return(adapter.dispatch('hash_value', 'ncpm')(expr)) }}
{%- endmacro %}

{% macro default__hash_value(expr) -%}
    xxhash64({{ expr }})
{%- endmacro %}

{% macro duckdb__hash_value(expr) -%}
    hash({{ expr }})
{%- endmacro %}
