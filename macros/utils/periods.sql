{#-
    financial_quarter_end(fy_start_year, financial_quarter)

    The last day of a financial quarter: financial year `YYYY/YY` starts on
    1 April of YYYY; quarter 1 = Apr-Jun (ends 30 June), 2 = Jul-Sep,
    3 = Oct-Dec, 4 = Jan-Mar (ends 31 March of the next calendar year).
-#}
{% macro financial_quarter_end(fy_start_year, financial_quarter) -%}
    cast({{ dbt.dateadd(
        'day', -1,
        dbt.dateadd(
            'month', '3 * ' ~ financial_quarter,
            "cast(" ~ dbt.concat(["cast(" ~ fy_start_year ~ " as " ~ dbt.type_string() ~ ")", "'-04-01'"]) ~ " as date)"
        )
    ) }} as date)
{%- endmacro %}


{#-
    financial_year_start(fy_text)

    The start year of a financial year written `YYYY/YY` (e.g. 2017 for
    `2017/18`), or null unless the text is well formed (four digits, a slash,
    the next year's two last digits).
-#}
{% macro financial_year_start(fy_text) -%}
    case
        when {{ ncpm.matches_pattern(fy_text, '[0-9]{4}/[0-9]{2}') }}
            and mod(cast(substring({{ fy_text }}, 1, 4) as integer) + 1, 100)
            = cast(substring({{ fy_text }}, 6, 2) as integer)
            then cast(substring({{ fy_text }}, 1, 4) as integer)
    end
{%- endmacro %}


{#-
    financial_quarter_number(quarter_text)

    A financial quarter written `1` to `4` as an integer, or null for any
    other text (financial_quarter_check() turns that into an error).
-#}
{% macro financial_quarter_number(quarter_text) -%}
    case
        when {{ quarter_text }} in ('1', '2', '3', '4')
            then cast({{ quarter_text }} as integer)
    end
{%- endmacro %}


{#-
    financial_year_label(fy_start_year)

    `YYYY/YY` for the financial year starting in April of `fy_start_year`
    (the last two digits of year + 1, taken from year + 101 so 2099 gives `00`).
-#}
{% macro financial_year_label(fy_start_year) -%}
    {{ dbt.concat([
        "cast(" ~ fy_start_year ~ " as " ~ dbt.type_string() ~ ")",
        "'/'",
        dbt.right("cast(" ~ fy_start_year ~ " + 101 as " ~ dbt.type_string() ~ ")", 2),
    ]) }}
{%- endmacro %}
