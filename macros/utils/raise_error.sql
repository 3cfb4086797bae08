{#-
    raise_error(message_sql)

    An SQL expression that aborts the query with `message_sql` (an SQL string
    expression) when it is evaluated. Used inside CASE expressions so that a
    bad input row stops the build with a message that names the file, the row,
    the value and the rule broken.
-#}
{% macro raise_error(message_sql) -%}
    {{ return(adapter.dispatch('raise_error', 'ncpm')(message_sql)) }}
{%- endmacro %}

{% macro default__raise_error(message_sql) -%}
    raise_error({{ message_sql }})
{%- endmacro %}

{% macro duckdb__raise_error(message_sql) -%}
    error({{ message_sql }})
{%- endmacro %}


{#-
    assert_rows(checks)

    A boolean SQL expression for a WHERE clause that is true for every good row
    and raises an error for the first bad one. `checks` is a list of
    (bad_row_condition, message_sql) pairs, tried in order.
-#}
{% macro assert_rows(checks) -%}
    case
    {%- for condition, message in checks %}
        when {{ condition }} then {{ ncpm.raise_error(message) }} is null
    {%- endfor %}
        else true
    end
{%- endmacro %}


{#-
    input_error_message(feed, rule, value_sql, hint)

    The message of a rejected input row, as an SQL string expression:
    "[feed] <file> data row <n>: <rule> (value: "<value>"). <hint>"
    Expects the columns source_file and source_row_number in scope.
-#}
{% macro input_error_message(feed, rule, value_sql, hint) -%}
    {{ dbt.concat([
        "'[" ~ feed ~ "] '",
        "source_file",
        "' data row '",
        "cast(source_row_number as " ~ dbt.type_string() ~ ")",
        "': " ~ rule ~ " (value: \"'",
        "coalesce(cast(" ~ value_sql ~ " as " ~ dbt.type_string() ~ "), '<blank>')",
        "'\"). " ~ hint ~ "'",
    ]) }}
{%- endmacro %}


{#-
    wide_header_error_message(feed)

    The message of an unknown column header in a wide table, as an SQL string
    expression: "[feed] <file> header row, column <n>: unknown column header
    "<header>" ...". Expects source_file, source_column_number,
    source_column_header and financial_year in scope.
-#}
{% macro wide_header_error_message(feed) -%}
    {{ dbt.concat([
        "'[" ~ feed ~ "] '",
        "source_file",
        "' header row, column '",
        "cast(source_column_number as " ~ dbt.type_string() ~ ")",
        "': unknown column header; rule: every column header of a wide seizures table must be listed, for its financial year ('",
        "financial_year",
        "'), in seeds/reference/ref_drug_seizure_columns.csv (value: \"'",
        "source_column_header",
        "'\"). Add the header with its drug type and class to that seed, or correct the file.'",
    ]) }}
{%- endmacro %}
