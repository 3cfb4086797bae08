{#- Expressions over sums, not rows, so that a rolling year adds four quarterly sums
    (exact) instead of re-reading the respondents. Each casts to double first, so that no
    engine divides integers; sqrt, abs and case are the same everywhere, so the double
    type is the only dispatch needed. -#}


{% macro survey_design_factor() -%}
    cast({{ var('survey_design_factor', 1.2) }} as {{ ncpm.type_double() }})
{%- endmacro %}


{% macro survey_z_95() -%}
    1.96
{%- endmacro %}


{% macro kish_effective_sample_size(sum_weight, sum_weight_squared) -%}
    (
        cast({{ sum_weight }} as {{ ncpm.type_double() }})
        * cast({{ sum_weight }} as {{ ncpm.type_double() }})
        / nullif(cast({{ sum_weight_squared }} as {{ ncpm.type_double() }}), 0)
    )
{%- endmacro %}


{% macro weighted_mean(sum_weighted_value, sum_weight) -%}
    (
        cast({{ sum_weighted_value }} as {{ ncpm.type_double() }})
        / nullif(cast({{ sum_weight }} as {{ ncpm.type_double() }}), 0)
    )
{%- endmacro %}


{% macro weighted_variance(sum_weighted_value, sum_weighted_value_squared, sum_weight) -%}
    {%- set raw -%}
        (
            {{ ncpm.weighted_mean(sum_weighted_value_squared, sum_weight) }}
            - {{ ncpm.weighted_mean(sum_weighted_value, sum_weight) }}
            * {{ ncpm.weighted_mean(sum_weighted_value, sum_weight) }}
        )
    {%- endset -%}
    case when {{ raw }} < 0 then 0 else {{ raw }} end
{%- endmacro %}


{% macro incidence_rate_per_1000(sum_weighted_incidents, sum_weight) -%}
    (1000 * {{ ncpm.weighted_mean(sum_weighted_incidents, sum_weight) }})
{%- endmacro %}


{% macro estimated_incidents(rate_per_1000, population) -%}
    ({{ rate_per_1000 }} * cast({{ population }} as {{ ncpm.type_double() }}) / 1000)
{%- endmacro %}


{% macro weighted_percentage(sum_weighted_yes, sum_weight) -%}
    (100 * {{ ncpm.weighted_mean(sum_weighted_yes, sum_weight) }})
{%- endmacro %}


{% macro standard_error_mean(sum_weighted_value, sum_weighted_value_squared, sum_weight, effective_sample_size) -%}
    (
        {{ ncpm.survey_design_factor() }}
        * sqrt({{ ncpm.weighted_variance(sum_weighted_value, sum_weighted_value_squared, sum_weight) }})
        / sqrt(nullif({{ effective_sample_size }}, 0))
    )
{%- endmacro %}


{% macro standard_error_proportion(proportion, effective_sample_size, scale=1) -%}
    (
        {{ ncpm.survey_design_factor() }}
        * sqrt(
            cast({{ proportion }} as {{ ncpm.type_double() }}) * ({{ scale }} - {{ proportion }})
            / nullif(cast({{ effective_sample_size }} as {{ ncpm.type_double() }}), 0)
        )
    )
{%- endmacro %}


{% macro standard_error_of_sum(standard_error) -%}
    case
        when count(*) = count({{ standard_error }})
            then sqrt(sum({{ standard_error }} * {{ standard_error }}))
    end
{%- endmacro %}


{% macro confidence_interval_lower(estimate, standard_error) -%}
    ({{ estimate }} - {{ ncpm.survey_z_95() }} * {{ standard_error }})
{%- endmacro %}

{% macro confidence_interval_upper(estimate, standard_error) -%}
    ({{ estimate }} + {{ ncpm.survey_z_95() }} * {{ standard_error }})
{%- endmacro %}


{#- Compared without dividing by the standard errors, so that a change between two
    estimates with zero standard errors is significant unless it is zero. -#}
{% macro is_significant_change(estimate, standard_error, baseline, baseline_standard_error) -%}
    (
        abs({{ estimate }} - {{ baseline }})
        > {{ ncpm.survey_z_95() }} * sqrt(
            {{ standard_error }} * {{ standard_error }}
            + {{ baseline_standard_error }} * {{ baseline_standard_error }}
        )
    )
{%- endmacro %}
