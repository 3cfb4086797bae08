{#-
    report_warning_rows(results)

    on-run-end hook. For every data test that ended as a WARNING and stored its
    failing rows with a `failure_message` column (our warn_ tests: accepted
    data gaps in use, seizure totals outside their bounds, homicide sources far
    apart), prints those messages in the dbt log, so the warning names the
    force, the period and the reason without opening the audit table.
    At most `limit` messages per test.
-#}
{% macro report_warning_rows(results, limit=30) %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- for result in results
        if result.status == 'warn' and result.node.resource_type == 'test' and result.node.relation_name -%}
        {%- set rows = run_query("select * from " ~ result.node.relation_name ~ " limit " ~ limit) -%}
        {%- if 'failure_message' in rows.column_names -%}
            {%- for row in rows -%}
                {{ log("WARNING " ~ row['failure_message'], info=True) }}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}
