{% macro check_source_contracts() -%}
    {%- if execute and flags.WHICH in ('build', 'run') -%}
        {{ return(adapter.dispatch('check_source_contracts', 'ncpm')()) }}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}

{% macro default__check_source_contracts() -%}
    {#- Other engines read raw.<feed> tables that stage_raw_feeds made from the same files. -#}
    {{ return('') }}
{%- endmacro %}

{% macro duckdb__check_source_contracts() -%}
    {%- set problems = [] -%}
    {%- for source in ncpm.landed_sources() if source.format == 'parquet' -%}
        {%- do problems.extend(ncpm.landed_parquet_problems(source)) -%}
    {%- endfor -%}
    {%- for source in ncpm.landed_sources() if source.format == 'csv' -%}
        {%- set folder = source.raw_dir ~ '/' ~ source.folder -%}
        {%- set files = run_query(
            "select file from glob('" ~ folder ~ "/*.csv') order by file"
        ).columns[0].values() -%}
        {%- if files | length == 0 -%}
            {%- do problems.append(
                folder ~ "/ holds no .csv file (rule: every feed has a landed file; land one with "
                ~ "`ncpm land " ~ source.folder ~ " <file>`)"
            ) -%}
        {%- endif -%}
        {%- for file in files -%}
            {%- set utf8 = run_query(
                "select try(decode(content)) is not null from read_blob('" ~ file ~ "')"
            ).columns[0].values()[0] -%}
            {%- if not utf8 -%}
                {%- do problems.append(
                    file ~ " is not UTF-8 text (rule: raw files are UTF-8 CSV; save it as "
                    ~ "UTF-8 and land it with `ncpm land " ~ source.folder ~ " <file>`)"
                ) -%}
            {%- elif source.columns -%}
                {%- set header = run_query(
                    "select * from read_csv('" ~ file
                    ~ "', header = true, all_varchar = true) limit 0"
                ).column_names | map('trim') | list -%}
                {%- set data_rows = run_query(
                    "select count(*) from read_csv('" ~ file ~ "', header = true, all_varchar = true)"
                ).columns[0].values()[0] -%}
                {%- set rule = "rule: a landed file of " ~ source.folder ~ " has exactly the columns "
                    ~ "its source declares in " ~ source.yaml -%}
                {%- for column in source.columns if column not in header -%}
                    {%- do problems.append(file ~ " lacks column '" ~ column ~ "' (" ~ rule ~ ")") -%}
                {%- endfor -%}
                {%- for column in header if column not in source.columns -%}
                    {%- do problems.append(
                        file ~ " has column '" ~ column ~ "', which its source does not declare ("
                        ~ rule ~ ")"
                    ) -%}
                {%- endfor -%}
                {%- if data_rows == 0 -%}
                    {%- do problems.append(
                        file ~ " holds a header and no data row (rule: a landed file holds at least "
                        ~ "one data row)"
                    ) -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            "The landed raw files break their source contract, so nothing was built:\n  - "
            ~ problems | join("\n  - ")
            ~ "\nCorrect the file and land it with `ncpm land <feed> <file>` (which applies the "
            ~ "same rules), then build again."
        ) }}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}

{% macro landed_sources() -%}
    {#- The landed sources the selected models read (all of them for a full build). -#}
    {%- set read = [] -%}
    {%- for unique_id in selected_resources if unique_id in graph.nodes -%}
        {%- do read.extend(graph.nodes[unique_id].depends_on.nodes) -%}
    {%- endfor -%}
    {%- set found = [] -%}
    {%- for node in graph.sources.values() if node.unique_id in read -%}
        {%- set folder_path = node.meta.get('landing_folder') or node.source_meta.get('landing_folder') -%}
        {%- set parquet = node.meta.get('landed_parquet') -%}
        {%- if parquet -%}
            {#- Month-partitioned Parquet written by `ncpm land` (street_level_crime): its
                files are checked at landing; here every file's columns, and that one exists. -#}
            {%- do found.append({
                'folder': node.name,
                'format': 'parquet',
                'partition_column': parquet.partition_column,
                'raw_dir': env_var('NCPM_RAW_DIR', 'seeds/raw'),
                'columns': node.columns.keys() | reject('eq', parquet.partition_column) | list,
                'yaml': node.original_file_path,
            }) -%}
        {%- elif folder_path -%}
            {%- set headerless = node.meta.get('headerless_columns') -%}
            {%- do found.append({
                'folder': node.name,
                'format': 'csv',
                'raw_dir': env_var('NCPM_RAW_DIR', 'seeds/raw'),
                'columns': [] if headerless else (
                    node.columns.keys() | reject('in', ['filename', 'ordinality']) | list
                ),
                'yaml': node.original_file_path,
            }) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(found | sort(attribute='folder')) }}
{%- endmacro %}

{% macro landed_parquet_problems(source) -%}
    {#- The contract of a landed Parquet source: at least one partition file, and every file
        holding exactly the columns its source declares (the partition column apart). -#}
    {%- set problems = [] -%}
    {%- set folder = source.raw_dir ~ '/' ~ source.folder -%}
    {%- set pattern = folder ~ '/' ~ source.partition_column ~ '=*/*.parquet' -%}
    {%- set files = run_query("select count(*) from glob('" ~ pattern ~ "')").columns[0].values()[0] -%}
    {%- if files == 0 -%}
        {%- do problems.append(
            folder ~ "/ holds no " ~ source.partition_column ~ "=*/*.parquet file (rule: every feed "
            ~ "has a landed file; land one with `ncpm land " ~ source.folder ~ " <file | folder | zip>`)"
        ) -%}
        {{ return(problems) }}
    {%- endif -%}
    {%- set expected = source.columns | join(',') -%}
    {%- set wrong = run_query(
        "select file_name, string_agg(name, ',' order by rowid) as columns "
        ~ "from (select *, row_number() over () as rowid from parquet_schema('" ~ pattern ~ "')) "
        ~ "where num_children is null group by file_name "
        ~ "having string_agg(name, ',' order by rowid) <> '" ~ expected ~ "' order by file_name limit 10"
    ) -%}
    {%- for row in wrong.rows -%}
        {%- do problems.append(
            row[0] ~ " has the columns [" ~ row[1] ~ "], not [" ~ expected ~ "] (rule: a landed file of "
            ~ source.folder ~ " has exactly the columns its source declares in " ~ source.yaml
            ~ "; land the published files with `ncpm land " ~ source.folder ~ "`)"
        ) -%}
    {%- endfor -%}
    {{ return(problems) }}
{%- endmacro %}
