{#- dbt's `where` config of data tests, with one runtime placeholder (see the YAML). -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where and '__street_level_months_to_rebuild__' in where -%}
        {%- set where = where | replace(
            '__street_level_months_to_rebuild__', street_level_months_to_rebuild('month_label')
        ) -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
