{#-
    The input rules that several staging models share, each as a list of
    (bad_row_condition, message_sql) pairs for assert_rows. A model adds the
    lists together, in the order the rules are to be tried, with its own rules
    between them:

        where {{ assert_rows(
            financial_year_check(feed)
            + financial_quarter_check(feed)
            + force_name_check(feed)
            + [(own_condition, input_error_message(feed, ...))]
            + whole_count_checks(feed, 'offence_count', 'offence_count_text', 'offences')
        ) }}

    One rule, one wording: a rule that changes here changes in every feed
    that applies it. Each check expects the typed columns it names in scope,
    with source_file and source_row_number (input_error_message).
-#}


{#-
    financial_year_check(feed, header='financial_year')

    A malformed financial year: expects financial_year (the text as
    published) and financial_year_start (from financial_year_start(), null
    unless `YYYY/YY` with consecutive years). `header` is the column as the
    feed's file names it, quoted in the rule.
-#}
{% macro financial_year_check(feed, header='financial_year') -%}
    {{ return([
        ("financial_year_start is null", ncpm.input_error_message(
            feed, 'malformed financial year; rule: ' ~ header ~ ' must be YYYY/YY with consecutive years',
            'financial_year', 'Correct the file and land it again.')),
    ]) }}
{%- endmacro %}


{#-
    financial_quarter_check(feed, header='financial_quarter')

    A financial quarter outside 1-4: expects financial_quarter_text (as
    published) and financial_quarter (from financial_quarter_number(), null
    unless 1-4). `header` is the column as the feed's file names it.
-#}
{% macro financial_quarter_check(feed, header='financial_quarter') -%}
    {{ return([
        ("financial_quarter is null", ncpm.input_error_message(
            feed, 'financial quarter outside 1-4; rule: ' ~ header ~ ' must be 1, 2, 3 or 4',
            'financial_quarter_text', 'Correct the file and land it again.')),
    ]) }}
{%- endmacro %}


{#-
    force_name_check(feed)

    A force spelling not in seeds/reference/ref_area_aliases.csv: expects
    force_name (as published) and area_code (null when the alias join found
    no match).
-#}
{% macro force_name_check(feed) -%}
    {{ return([
        ("area_code is null", ncpm.input_error_message(
            feed, 'unknown force name; rule: every force spelling must be listed in seeds/reference/ref_area_aliases.csv',
            'force_name', 'Add the spelling with its area code to that seed, or correct the file.')),
    ]) }}
{%- endmacro %}


{#-
    whole_count_checks(feed, count, count_text, header, negative_rule=none)

    Two rules for a count that must be a whole number of 0 or more, tried in
    this order: not a whole number (or not a number at all), then negative.
    `count` is the parsed column (parse_published_count()), `count_text` the
    text as published, `header` the column as the file names it.
    `negative_rule` words the second rule where a feed says more than
    "<header> cannot be negative".
-#}
{% macro whole_count_checks(feed, count, count_text, header, negative_rule=none) -%}
    {{ return([
        (count ~ " is null or " ~ count ~ " <> floor(" ~ count ~ ")", ncpm.input_error_message(
            feed, 'non-numeric count; rule: ' ~ header ~ ' must be a whole number',
            count_text, 'Correct the file and land it again.')),
        (count ~ " < 0", ncpm.input_error_message(
            feed, 'negative count; rule: ' ~ (negative_rule or (header ~ ' cannot be negative')),
            count_text, 'Correct the file and land it again.')),
    ]) }}
{%- endmacro %}
