{#-
    stage_raw_feeds()

    `dbt run-operation stage_raw_feeds`: makes every raw source readable on
    engines that cannot read the landing files in place. On DuckDB nothing is
    needed (the sources' external_location reads the files directly). On Spark
    it creates, for each source table, an external CSV table `raw.<feed>__files`
    over the files in the landing folder (every column as text) and a view
    `raw.<feed>` adding the `filename` and `ordinality` columns the staging
    models expect. `make spark-check` runs it on Spark in-process.
    A table whose meta sets `headerless_columns: N` (drug_seizures_wide) is read
    without a header, with the fixed schema c01 ... cNN (text), as the DuckDB
    reader does. A source whose meta sets `stage_raw_feed: false` (the publication
    revision log, Parquet written by `make publish`) is not a landing folder and is skipped.
-#}
{% macro stage_raw_feeds() %}
    {{ return(adapter.dispatch('stage_raw_feeds', 'ncpm')()) }}
{% endmacro %}

{% macro default__stage_raw_feeds() %}
    {{ log("stage_raw_feeds: nothing to do on " ~ target.type ~ " (sources read the landing files directly)", info=True) }}
{% endmacro %}

{% macro spark__stage_raw_feeds() %}
    {%- for source in graph.sources.values()
        if source.package_name == project_name and source.source_meta.get('stage_raw_feed', true) %}
        {%- set folder = source.meta.get('raw_dir', 'seeds/raw') ~ '/' ~ source.name %}
        {%- set files_view = source.name ~ '__files' %}
        {% call statement('create_raw_schema') %}create schema if not exists {{ source.schema }}{% endcall %}
        {#-
            A headerless source (the wide seizures tables: files of different widths,
            header cells with line breaks) is read with a fixed schema c01 ... cNN of
            text columns (short rows padded with nulls) and multi-line quoted cells.
        -#}
        {%- set headerless = source.meta.get('headerless_columns') %}
        {% call statement('drop_' ~ source.name) %}drop table if exists {{ source.schema }}.{{ files_view }}{% endcall %}
        {% call statement('stage_' ~ source.name) %}
            create table {{ source.schema }}.{{ files_view }}
            {%- if headerless %}
            ({% for i in range(1, headerless + 1) %}c{{ '%02d' % i }} string{{ ', ' if not loop.last }}{% endfor %})
            {%- endif %}
            using csv
            options (
                path '{{ folder }}/*.csv',
                header '{{ 'false' if headerless else 'true' }}',
                inferSchema 'false'{{ ", multiLine 'true'" if headerless }}
            )
        {% endcall %}
        {% call statement('view_' ~ source.name) %}
            create or replace view {{ source.schema }}.{{ source.identifier }} as
            select
                *,
                input_file_name() as filename,
                row_number() over (
                    partition by input_file_name() order by monotonically_increasing_id()
                ) as ordinality
            from {{ source.schema }}.{{ files_view }}
        {% endcall %}
        {{ log("stage_raw_feeds: " ~ source.schema ~ "." ~ source.identifier ~ " over " ~ folder, info=True) }}
    {%- endfor %}
{% endmacro %}
