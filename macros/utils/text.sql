{#-
    normalise_name(expr)

    Lower case, trimmed, with runs of white space (including line breaks)
    collapsed to one space: the key on which published names are matched to the
    reference seeds (force aliases, offence groups and subgroups).
-#}
{% macro normalise_name(expr) -%}
    {{ return(adapter.dispatch('normalise_name', 'ncpm')(expr)) }}
{%- endmacro %}

{% macro default__normalise_name(expr) -%}
    lower(trim(regexp_replace({{ expr }}, '\\s+', ' ')))
{%- endmacro %}

{% macro duckdb__normalise_name(expr) -%}
    lower(trim(regexp_replace({{ expr }}, '\s+', ' ', 'g')))
{%- endmacro %}


{#-
    matches_pattern(expr, pattern)

    True when the whole of `expr` matches the regular expression `pattern`.
-#}
{% macro matches_pattern(expr, pattern) -%}
    {{ return(adapter.dispatch('matches_pattern', 'ncpm')(expr, pattern)) }}
{%- endmacro %}

{% macro default__matches_pattern(expr, pattern) -%}
    ({{ expr }} rlike '^{{ pattern }}$')
{%- endmacro %}

{% macro duckdb__matches_pattern(expr, pattern) -%}
    regexp_full_match({{ expr }}, '{{ pattern }}')
{%- endmacro %}


{#-
    parse_published_count(expr)

    A count as published, as a number: surrounding spaces and thousands
    separators removed, `-00` read as zero, floats and fractions kept. Null when
    the text is not a number (the staging model turns that into an error).
-#}
{% macro parse_published_count(expr) -%}
    {{ ncpm.try_cast("nullif(replace(trim(" ~ expr ~ "), ',', ''), '')", dbt.type_numeric()) }}
{%- endmacro %}


{#-
    try_cast(expr, type)

    Cast that yields null instead of failing when the value does not convert
    (dbt.safe_cast is a plain cast on DuckDB, which raises).
-#}
{% macro try_cast(expr, type) -%}
    {{ return(adapter.dispatch('try_cast', 'ncpm')(expr, type)) }}
{%- endmacro %}

{% macro default__try_cast(expr, type) -%}
    {{ dbt.safe_cast(expr, type) }}
{%- endmacro %}

{% macro duckdb__try_cast(expr, type) -%}
    try_cast({{ expr }} as {{ type }})
{%- endmacro %}


{#-
    sorted_list(expr, delimiter)

    Aggregate: the non-null values of `expr` in one string, sorted, separated by
    `delimiter` (an SQL string literal). dbt.listagg ignores the order on Spark,
    so the sorted list is dispatched here: the same text on every engine.
-#}
{% macro sorted_list(expr, delimiter) -%}
    {{ return(adapter.dispatch('sorted_list', 'ncpm')(expr, delimiter)) }}
{%- endmacro %}

{% macro default__sorted_list(expr, delimiter) -%}
    {{ dbt.listagg(expr, delimiter, "order by " ~ expr) }}
{%- endmacro %}

{% macro spark__sorted_list(expr, delimiter) -%}
    array_join(array_sort(collect_list({{ expr }})), {{ delimiter }})
{%- endmacro %}


{#-
    yes_no_flag(expr)

    A `Y`/`N` answer as a boolean (case and surrounding spaces ignored): true,
    false, or null for a blank or any other value (staging rejects other values
    before they get here).
-#}
{% macro yes_no_flag(expr) -%}
    case upper(trim({{ expr }}))
        when 'Y' then true
        when 'N' then false
    end
{%- endmacro %}
