{#-
    publication_log_exists()

    True when at least one revision log file of the publication exists (the
    source `publications.revision_log`, whose glob is its meta `log_glob`). Before
    the first publication there is none, and reading an empty glob is an error on
    DuckDB, so stg_publications__revision_log selects no rows instead.
-#}
{% macro publication_log_exists() -%}
    {{ return(adapter.dispatch('publication_log_exists', 'ncpm')()) }}
{%- endmacro %}

{#- Other engines read a table raw.revision_log when one has been made over the log files. -#}
{% macro default__publication_log_exists() -%}
    {%- set log = graph.sources.values() | selectattr('source_name', 'equalto', 'publications')
        | selectattr('name', 'equalto', 'revision_log') | first -%}
    {{ return(adapter.get_relation(database=log.database, schema=log.schema, identifier=log.identifier) is not none) }}
{%- endmacro %}

{% macro duckdb__publication_log_exists() -%}
    {%- set log = graph.sources.values() | selectattr('source_name', 'equalto', 'publications')
        | selectattr('name', 'equalto', 'revision_log') | first -%}
    {%- set found = run_query("select count(*) from glob('" ~ log.source_meta.log_glob ~ "')") -%}
    {{ return(found.columns[0].values()[0] > 0) }}
{%- endmacro %}
