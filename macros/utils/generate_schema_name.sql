{#-
    Schemas are named by layer, exactly as configured (staging, intermediate,
    marts, reference, audit), not prefixed with the target schema as dbt does by
    default. BI tools and the publication rely on the stable name `marts`.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
