{#-
    stage_raw_feeds(sources=none)

    `dbt run-operation stage_raw_feeds`: makes every raw source readable on
    engines that cannot read the landing files in place. On DuckDB nothing is
    needed (the sources' external_location reads the files directly). On Spark
    it creates, for each source table, an external CSV table `raw.<feed>__files`
    over the files in the landing folder (every column as text) and a view
    `raw.<feed>` adding the `filename` and `ordinality` columns the staging
    models expect. `make spark-check` runs it on Spark in-process.
    A table whose meta sets `headerless_columns: N` (drug_seizures_wide) is read
    without a header, with the fixed schema c01 ... cNN (text), as the DuckDB
    reader does. A source whose meta sets `stage_parquet` (the publication revision
    log, Parquet written by `make publish`) is not a landing folder of CSV files: its
    table is a parquet table over the files named `stage_parquet.file_name` under
    `stage_parquet.folder`, with the columns and data types of the source YAML, so an
    absent or empty folder reads as no rows rather than an error (a glob matching no
    file is an error on Spark); its view adds `filename` and keeps the files one
    folder below, as the DuckDB glob `<folder>/*/<file_name>` does.
-#}
{% macro stage_raw_feeds(sources=none) %}
    {{ return(adapter.dispatch('stage_raw_feeds', 'ncpm')(sources)) }}
{% endmacro %}

{% macro default__stage_raw_feeds(sources=none) %}
    {{ log("stage_raw_feeds: nothing to do on " ~ target.type ~ " (sources read the landing files directly)", info=True) }}
{% endmacro %}

{% macro spark_location_for_executors(path, variable) %}
    {%- if target.method != 'session' and not (path.startswith('/') or '://' in path) -%}
        {{ exceptions.raise_compiler_error(
            "stage_raw_feeds: " ~ variable ~ " is the relative path '" ~ path ~ "'; on the "
            ~ target.method ~ " connection the Spark server and its executors read it, so it "
            ~ "must be an absolute path or a URI they can read (e.g. s3a://bucket/raw)") }}
    {%- endif -%}
{% endmacro %}

{% macro spark__stage_raw_feeds(sources=none) %}
    {%- set ours = graph.sources.values() | selectattr('package_name', 'equalto', project_name) | list %}
    {%- set unknown = (sources or []) | reject('in', ours | map(attribute='name') | list) | list %}
    {%- if unknown %}
        {{ exceptions.raise_compiler_error("stage_raw_feeds: no source table named " ~ unknown | join(', ')
            ~ "; the names are " ~ ours | map(attribute='name') | sort | join(', ')) }}
    {%- endif %}
    {%- for source in ours if sources is none or source.name in sources %}
        {%- set folder = source.meta.get('raw_dir', 'seeds/raw') ~ '/' ~ source.name %}
        {%- set files_view = source.name ~ '__files' %}
        {%- set parquet = source.source_meta.get('stage_parquet') %}
        {{- spark_location_for_executors(parquet.folder if parquet else folder,
            'NCPM_PUBLICATIONS_DIR' if parquet else 'NCPM_RAW_DIR') }}
        {%- set landed_parquet = source.meta.get('landed_parquet') %}
        {%- set landed_csv_file = source.meta.get('landed_csv_file') %}
        {% call statement('create_raw_schema') %}create schema if not exists {{ source.schema }}{% endcall %}
        {%- if landed_parquet %}
        {#-
            A feed landed as hive-partitioned Parquet (street_level_crime:
            <folder>/month=YYYY-MM/<force>.parquet): a parquet table partitioned by the
            partition column over the folder, typed by the source YAML; underscore folders
            (_archive, _staging-*) are ignored by Spark's partition discovery.
        -#}
        {%- set partition = landed_parquet.partition_column %}
        {%- set typed_columns = source.columns.values() | rejectattr('name', 'equalto', partition) | list %}
        {% call statement('drop_' ~ source.name) %}drop table if exists {{ source.schema }}.{{ source.identifier }}{% endcall %}
        {% call statement('stage_' ~ source.name) %}
            create table {{ source.schema }}.{{ source.identifier }}
            ({% for column in typed_columns %}{{ column.name }} {{ column.data_type }}, {% endfor %}{{ partition }} string)
            using parquet
            partitioned by ({{ partition }})
            location '{{ folder }}'
        {% endcall %}
        {% call statement('recover_' ~ source.name) %}alter table {{ source.schema }}.{{ source.identifier }} recover partitions{% endcall %}
        {{ log("stage_raw_feeds: " ~ source.schema ~ "." ~ source.identifier ~ " over " ~ folder ~ " (parquet, partitioned by " ~ partition ~ ")", info=True) }}
        {%- elif landed_csv_file %}
        {#- One CSV file inside another feed's folder (the street-level landing log), every column as text. -#}
        {#- Spark skips files named with a leading underscore: ncpm copies the file first
            into <raw dir>/_spark_visible/<folder>/ (ncpm.street_level.copy_landing_log_for_spark). -#}
        {%- set csv_path = source.meta.get('raw_dir', 'seeds/raw') ~ '/_spark_visible/' ~ landed_csv_file.folder %}
        {% call statement('drop_' ~ source.name) %}drop table if exists {{ source.schema }}.{{ source.identifier }}{% endcall %}
        {% call statement('stage_' ~ source.name) %}
            create table {{ source.schema }}.{{ source.identifier }}
            using csv
            options (path '{{ csv_path }}', header 'true', inferSchema 'false')
        {% endcall %}
        {{ log("stage_raw_feeds: " ~ source.schema ~ "." ~ source.identifier ~ " over " ~ csv_path, info=True) }}
        {%- elif parquet %}
        {%- set typed_columns = source.columns.values() | rejectattr('name', 'equalto', 'filename') | list %}
        {% call statement('drop_' ~ source.name) %}drop table if exists {{ source.schema }}.{{ files_view }}{% endcall %}
        {% call statement('stage_' ~ source.name) %}
            create table {{ source.schema }}.{{ files_view }}
            ({% for column in typed_columns %}{{ column.name }} {{ column.data_type }}{{ ', ' if not loop.last }}{% endfor %})
            using parquet
            options (
                path '{{ parquet.folder }}',
                recursiveFileLookup 'true',
                pathGlobFilter '{{ parquet.file_name }}'
            )
        {% endcall %}
        {#- Only files one folder below it, as the DuckDB glob <folder>/*/<file_name>. -#}
        {%- set folder_name = parquet.folder.rstrip('/').split('/') | last %}
        {% call statement('view_' ~ source.name) %}
            create or replace view {{ source.schema }}.{{ source.identifier }} as
            select
                *,
                input_file_name() as filename
            from {{ source.schema }}.{{ files_view }}
            where regexp_extract(input_file_name(), '([^/]+)/[^/]+/[^/]+$', 1) = '{{ folder_name }}'
        {% endcall %}
        {{ log("stage_raw_feeds: " ~ source.schema ~ "." ~ source.identifier ~ " over " ~ parquet.folder ~ "/*/" ~ parquet.file_name, info=True) }}
        {%- else %}
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
        {%- endif %}
    {%- endfor %}
{% endmacro %}
