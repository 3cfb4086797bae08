{% macro survey_min_unweighted_base() -%}
    {{ var('survey_min_unweighted_base', 50) }}
{%- endmacro %}


{% macro is_below_disclosure_threshold(unweighted_base) -%}
    ({{ unweighted_base }} < {{ ncpm.survey_min_unweighted_base() }})
{%- endmacro %}


{% macro disclosure_controlled(expression, unweighted_base) -%}
    case
        when not {{ ncpm.is_below_disclosure_threshold(unweighted_base) }} then {{ expression }}
    end
{%- endmacro %}


{% macro disclosure_suppression_reason(unweighted_base, base_noun='respondents') -%}
    case
        when {{ ncpm.is_below_disclosure_threshold(unweighted_base) }}
            then {{ dbt.concat([
                "'disclosure control: unweighted base of '",
                "cast(" ~ unweighted_base ~ " as " ~ dbt.type_string() ~ ")",
                "' " ~ base_noun ~ " is under " ~ ncpm.survey_min_unweighted_base() ~ "'",
            ]) }}
    end
{%- endmacro %}
