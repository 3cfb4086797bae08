{#-
    report_unclassified_offences(results)

    on-run-end hook. Lists, as warnings in the dbt log, every offence subgroup
    and offence code of the police recorded crime feed that the reference seeds
    do not classify, with its row count and a first raw row. Such rows do not
    stop the build: they count in their offence group but feed no measure until
    classified (ref_offence_subgroups / ref_offence_codes). Skipped when the
    run had errors (the classified rows may not be readable then).
-#}
{% macro report_unclassified_offences(results) %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set ran = results | selectattr('node.name', 'equalto', 'int_police_recorded_crime__classified')
        | selectattr('status', 'equalto', 'success') | list -%}
    {%- set failed = results | selectattr('status', 'in', ['error', 'fail']) | list -%}
    {%- if ran | length == 0 or failed | length > 0 -%}{{ return('') }}{%- endif -%}
    {#- A hook cannot ref() a model: take its relation from the graph. -#}
    {%- set classified = ran[0].node.relation_name -%}
    {%- set query -%}
        select
            case when not is_subgroup_classified then 'offence subgroup' else 'offence code' end as kind,
            published_offence_group,
            published_offence_subgroup,
            offence_code,
            count(*) as row_count,
            min(source_file) as source_file,
            min(source_row_number) as first_row
        from {{ classified }}
        where not is_subgroup_classified or not is_code_known
        group by 1, 2, 3, 4
        order by 1, 2, 3, 4
    {%- endset -%}
    {%- set rows = run_query(query) -%}
    {%- for row in rows -%}
        {%- if row[0] == 'offence subgroup' -%}
            {{ log("WARNING [police_recorded_crime] unclassified offence subgroup '" ~ row[1] ~ " / " ~ row[2]
                ~ "' (code " ~ row[3] ~ "): " ~ row[4] ~ " rows, first at " ~ row[5] ~ " data row " ~ row[6]
                ~ ". They count in their offence group but feed no measure until the pair is added to"
                ~ " seeds/reference/ref_offence_subgroups.csv (or ref_offence_name_aliases.csv).", info=True) }}
        {%- else -%}
            {{ log("WARNING [police_recorded_crime] unknown offence code '" ~ row[3] ~ "' (" ~ row[1] ~ " / "
                ~ row[2] ~ "): " ~ row[4] ~ " rows, first at " ~ row[5] ~ " data row " ~ row[6]
                ~ ". Classified by its subgroup; add the code to seeds/reference/ref_offence_codes.csv.", info=True) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}
