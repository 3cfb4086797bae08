{#-
    Macros of the street-level (police.uk) local diagnostics. See
    docs/local_diagnostics.md and macros/street_level/_street_level__macros.yml.
-#}

{% macro street_level_categories() -%}
    {#- The count columns every street-level model carries, in order (see the YAML). -#}
    {{ return([
        'burglary', 'robbery', 'vehicle_crime', 'theft_from_the_person',
        'neighbourhood_crime', 'other_crime', 'all_crime', 'anti_social_behaviour',
    ]) }}
{%- endmacro %}


{% macro street_level_incremental_config() -%}
    {#-
        The incremental config of every month-grain street-level model: replace whole
        months. DuckDB: delete+insert keyed on month_start_date (every row of a month the
        build recomputes is deleted, then the new rows inserted). Spark: insert_overwrite of
        the month partitions the build writes (parquet tables partitioned by month).
    -#}
    {%- if target.type == 'spark' -%}
        {{ return({
            'materialized': 'incremental',
            'incremental_strategy': 'insert_overwrite',
            'partition_by': ['month_start_date'],
            'on_schema_change': 'fail',
        }) }}
    {%- else -%}
        {{ return({
            'materialized': 'incremental',
            'incremental_strategy': 'delete+insert',
            'unique_key': 'month_start_date',
            'on_schema_change': 'fail',
        }) }}
    {%- endif -%}
{%- endmacro %}


{% macro street_level_lsoa_mart_config() -%}
    {#- fct_local_crime_lsoa: incremental on DuckDB (see the YAML), a table on Spark. -#}
    {%- if target.type == 'spark' -%}
        {{ return({'materialized': 'table'}) }}
    {%- else -%}
        {{ return({
            'materialized': 'incremental',
            'incremental_strategy': 'delete+insert',
            'unique_key': 'period_end_date',
            'on_schema_change': 'fail',
        }) }}
    {%- endif -%}
{%- endmacro %}


{% macro street_level_lsoa_mart_months(lsoa_month, geography) -%}
    {%- if execute and is_incremental()
        and 'landed_at' not in adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
        {#- A table built before the column existed: dbt's schema check says to --full-refresh. -#}
        {{ return(none) }}
    {%- endif -%}
    {%- set months = street_level_changed_months(lsoa_month) -%}
    {%- if not months -%}
        {{ return(months) }}
    {%- endif -%}
    {%- set baseline_index = street_level_baseline_month_index() -%}
    {%- set revised = months | select('ge', baseline_index - 11) | select('le', baseline_index) | list -%}
    {%- if revised -%}
        {%- do log(this.identifier ~ ": a month of the baseline year changed ("
            ~ month_label_of_index(revised[0]) ~ "): every month rebuilt", info=False) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set query -%}
        select count(*)
        from (
            select distinct lsoa_code, lsoa_name, lad_code, csp_code, pfa_code, imd_decile, figure_status
            from {{ this }}
        ) as built
        left join {{ geography }} as geography
            on built.lsoa_code = geography.lsoa_code
        where
            geography.lsoa_code is null
            or built.lsoa_name is distinct from geography.lsoa_name
            or built.lad_code is distinct from geography.lad_code
            or built.csp_code is distinct from geography.csp_code
            or built.pfa_code is distinct from geography.pfa_code
            or built.imd_decile is distinct from geography.imd_decile
            or built.figure_status <> '{{ var("street_level_figure_status") }}'
    {%- endset -%}
    {%- set changed = run_query(query).columns[0].values()[0] -%}
    {%- if changed > 0 -%}
        {%- do log(this.identifier ~ ": the geography or label of " ~ changed
            ~ " LSOA(s) changed: every month rebuilt", info=False) -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(months) }}
{%- endmacro %}


{% macro month_index(date_expr) -%}
    {#- Months since year 0 as an integer (12 x year + month - 1): a portable window order. -#}
    cast(extract(year from {{ date_expr }}) * 12 + extract(month from {{ date_expr }}) - 1 as integer)
{%- endmacro %}


{% macro street_level_baseline_month_index() -%}
    {#- Jinja: the month index of the baseline year's last month (its end is the variable
        street_level_baseline_period_end_date). -#}
    {%- set baseline_end = modules.datetime.date.fromisoformat(var('street_level_baseline_period_end_date')) -%}
    {{ return(baseline_end.year * 12 + baseline_end.month - 1) }}
{%- endmacro %}


{% macro month_label_of_index(index) -%}
    {#- Jinja: 'YYYY-MM' of a month index. -#}
    {{ return('%04d-%02d' % ((index // 12), (index % 12) + 1)) }}
{%- endmacro %}


{% macro street_level_changed_months(landing_log, built=none) -%}
    {#-
        The month indexes whose landed files changed since this incremental model (or
        `built`) was last built, read from the landing log: every month with a force-month
        landed after the newest `landed_at` the model holds. None (meaning every month)
        when the model is not built incrementally (first build, --full-refresh) or at parse
        time.
    -#}
    {%- if built is none -%}
        {%- if not execute or not is_incremental() -%}
            {{ return(none) }}
        {%- endif -%}
        {%- set built = this -%}
        {%- set reader = this.identifier -%}
    {%- else -%}
        {%- set reader = 'the grain test of the landed rows (as ' ~ built.identifier ~ ')' -%}
    {%- endif -%}
    {%- set query -%}
        select distinct log.month_index
        from {{ landing_log }} as log
        where log.landed_at > (
            select coalesce(max(built.landed_at), cast('1900-01-01 00:00:00' as {{ dbt.type_timestamp() }}))
            from {{ built }} as built
        )
        order by log.month_index
    {%- endset -%}
    {%- set months = run_query(query).columns[0].values() | map('int') | list -%}
    {%- do log(reader ~ ": months landed since its last build (month index): "
        ~ (months | join(', ') or 'none'), info=False) -%}
    {{ return(months) }}
{%- endmacro %}


{% macro street_level_months_to_rebuild(column) -%}
    {#-
        SQL predicate for the grain test of the landed rows (placeholder
        __street_level_months_to_rebuild__ in its `where`, see get_where_subquery): in a
        `dbt build` that rebuilds int_street_level_crime__lsoa_month incrementally, the
        months that build is about to read; every row otherwise.
    -#}
    {%- set everything = '(1 = 1)' -%}
    {%- if not execute or flags.WHICH != 'build' or flags.FULL_REFRESH -%}
        {{ return(everything) }}
    {%- endif -%}
    {%- set found = {} -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and node.name in ['int_street_level_crime__lsoa_month', 'stg_street_level_crime__landing_log'] -%}
            {%- do found.update({node.name: node}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set model = found.get('int_street_level_crime__lsoa_month') -%}
    {%- set log_model = found.get('stg_street_level_crime__landing_log') -%}
    {%- if model is none or log_model is none or model.unique_id not in selected_resources -%}
        {{ return(everything) }}
    {%- endif -%}
    {%- set built = adapter.get_relation(model.database, model.schema, model.alias or model.name) -%}
    {%- set landing_log = adapter.get_relation(log_model.database, log_model.schema, log_model.alias or log_model.name) -%}
    {%- if built is none or landing_log is none -%}
        {{ return(everything) }}
    {%- endif -%}
    {{ return(street_level_month_filter(column, street_level_changed_months(landing_log, built), as_label=true)) }}
{%- endmacro %}


{% macro street_level_month_filter(column, months, as_label=false, and_after=false, window_before=0) -%}
    {#-
        SQL predicate: `column` (a month index, or a 'YYYY-MM' label when as_label) is one of
        `months` (from street_level_changed_months). With and_after, every month from the
        earliest of them on (the rolling windows a changed month moves); window_before
        widens that start by as many months (the inputs of those windows). `true` when
        months is none (a full build), `1 = 0` when nothing changed.
    -#}
    {%- if months is none -%}
        (1 = 1)
    {%- elif months | length == 0 -%}
        (1 = 0)
    {%- elif and_after -%}
        ({{ column }} >= {{ (months | min) - window_before }})
    {%- elif as_label -%}
        ({{ column }} in ({% for m in months %}'{{ ncpm.month_label_of_index(m) }}'{{ ', ' if not loop.last }}{% endfor %}))
    {%- else -%}
        ({{ column }} in ({{ months | join(', ') }}))
    {%- endif -%}
{%- endmacro %}
