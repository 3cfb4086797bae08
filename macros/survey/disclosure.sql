{#-
    Disclosure control for survey estimates (MEASURES.md section 6): an
    estimate whose unweighted base (respondents, or victim forms, behind it) is
    under the project variable survey_min_unweighted_base (default 50) is
    suppressed: its value, standard error and confidence interval are null,
    is_suppressed is true and the reason is recorded.
-#}

{% macro survey_min_unweighted_base() -%}
    {{ var('survey_min_unweighted_base', 50) }}
{%- endmacro %}


{#- True when the base is under the threshold; null when the base is null (a data gap). -#}
{% macro is_below_disclosure_threshold(unweighted_base) -%}
    ({{ unweighted_base }} < {{ ncpm.survey_min_unweighted_base() }})
{%- endmacro %}


{#- `expression` unless the base is under the threshold (then null). -#}
{% macro disclosure_controlled(expression, unweighted_base) -%}
    case
        when not {{ ncpm.is_below_disclosure_threshold(unweighted_base) }} then {{ expression }}
    end
{%- endmacro %}


{#- The recorded reason of a suppressed estimate, null when it is not suppressed. -#}
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
