{#-
    Survey estimators (MEASURES.md section 6), as small SQL expression macros
    over SUMS, so that an estimate over a rolling year can be built from
    quarterly sums (sums of four quarters are exact) instead of re-reading the
    respondents for every quarter end. With weights w and a per-respondent
    value x, the sums are:

        sum_weight                   sum(w)
        sum_weight_squared           sum(w * w)
        sum_weighted_value           sum(w * x)
        sum_weighted_value_squared   sum(w * x * x)

    Every macro casts to double first (no integer division on any engine).
    The functions used (sqrt, abs, arithmetic, case) are the same on every
    engine dbt supports, so only the double type needs a dispatch
    (ncpm.type_double). Each macro is unit-tested, with hand-worked examples,
    through the intermediate models that use it:
    int_victim_survey__incidence_estimates, int_victim_survey__satisfaction_estimates,
    int_business_cyber_breaches_survey__estimates and fct_victim_satisfaction.
-#}


{#- The survey design factor (deft): project variable survey_design_factor, default 1.2. -#}
{% macro survey_design_factor() -%}
    cast({{ var('survey_design_factor', 1.2) }} as {{ ncpm.type_double() }})
{%- endmacro %}


{#- The two-sided 95% normal critical value used for intervals and the z test. -#}
{% macro survey_z_95() -%}
    1.96
{%- endmacro %}


{#-
    kish_effective_sample_size(sum_weight, sum_weight_squared)

    Kish's effective sample size n_eff = (sum w)^2 / sum w^2: the number of
    equally weighted respondents that would give the same precision. Equal
    weights give n_eff = n; unequal weights give less.
-#}
{% macro kish_effective_sample_size(sum_weight, sum_weight_squared) -%}
    (
        cast({{ sum_weight }} as {{ ncpm.type_double() }})
        * cast({{ sum_weight }} as {{ ncpm.type_double() }})
        / nullif(cast({{ sum_weight_squared }} as {{ ncpm.type_double() }}), 0)
    )
{%- endmacro %}


{#- weighted_mean(sum_weighted_value, sum_weight) = sum(w x) / sum(w). -#}
{% macro weighted_mean(sum_weighted_value, sum_weight) -%}
    (
        cast({{ sum_weighted_value }} as {{ ncpm.type_double() }})
        / nullif(cast({{ sum_weight }} as {{ ncpm.type_double() }}), 0)
    )
{%- endmacro %}


{#-
    weighted_variance(sum_weighted_value, sum_weighted_value_squared, sum_weight)

    The weighted (population) variance of x: sum(w x^2) / sum(w) - mean^2,
    floored at 0 against rounding when every x is equal.
-#}
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


{#-
    incidence_rate_per_1000(sum_weighted_incidents, sum_weight)

    Incidents per 1,000 households (household crimes, household weight) or
    adults (personal crimes, individual weight): 1000 x the weighted mean number
    of incidents per respondent, over ALL respondents (victims or not).
-#}
{% macro incidence_rate_per_1000(sum_weighted_incidents, sum_weight) -%}
    (1000 * {{ ncpm.weighted_mean(sum_weighted_incidents, sum_weight) }})
{%- endmacro %}


{#-
    estimated_incidents(rate_per_1000, population)

    rate x population / 1000. Also turns the standard error of a rate into the
    standard error of the estimated incidents (the population is taken as known).
-#}
{% macro estimated_incidents(rate_per_1000, population) -%}
    ({{ rate_per_1000 }} * cast({{ population }} as {{ ncpm.type_double() }}) / 1000)
{%- endmacro %}


{#-
    weighted_percentage(sum_weighted_yes, sum_weight)

    100 x sum(w y) / sum(w) for a yes/no answer y (1 = yes): the weighted
    percentage answering yes among those in the base.
-#}
{% macro weighted_percentage(sum_weighted_yes, sum_weight) -%}
    (100 * {{ ncpm.weighted_mean(sum_weighted_yes, sum_weight) }})
{%- endmacro %}


{#-
    standard_error_mean(sum_weighted_value, sum_weighted_value_squared, sum_weight, effective_sample_size)

    Standard error of a weighted mean per respondent:
    deft x weighted sd / sqrt(n_eff).
-#}
{% macro standard_error_mean(sum_weighted_value, sum_weighted_value_squared, sum_weight, effective_sample_size) -%}
    (
        {{ ncpm.survey_design_factor() }}
        * sqrt({{ ncpm.weighted_variance(sum_weighted_value, sum_weighted_value_squared, sum_weight) }})
        / sqrt(nullif({{ effective_sample_size }}, 0))
    )
{%- endmacro %}


{#-
    standard_error_proportion(proportion, effective_sample_size, scale=1)

    Standard error of a proportion: deft x sqrt(p (1 - p) / n_eff). With
    scale=100, `proportion` is a percentage and so is the result:
    deft x sqrt(p (100 - p) / n_eff).
-#}
{% macro standard_error_proportion(proportion, effective_sample_size, scale=1) -%}
    (
        {{ ncpm.survey_design_factor() }}
        * sqrt(
            cast({{ proportion }} as {{ ncpm.type_double() }}) * ({{ scale }} - {{ proportion }})
            / nullif(cast({{ effective_sample_size }} as {{ ncpm.type_double() }}), 0)
        )
    )
{%- endmacro %}


{#-
    standard_error_of_sum(standard_error)

    AGGREGATE: the standard error of a sum of estimates taken as independent,
    sqrt(sum(se^2)). Null when any part's standard error is null.
-#}
{% macro standard_error_of_sum(standard_error) -%}
    case
        when count(*) = count({{ standard_error }})
            then sqrt(sum({{ standard_error }} * {{ standard_error }}))
    end
{%- endmacro %}


{#- 95% confidence interval: estimate -/+ 1.96 standard errors. -#}
{% macro confidence_interval_lower(estimate, standard_error) -%}
    ({{ estimate }} - {{ ncpm.survey_z_95() }} * {{ standard_error }})
{%- endmacro %}

{% macro confidence_interval_upper(estimate, standard_error) -%}
    ({{ estimate }} + {{ ncpm.survey_z_95() }} * {{ standard_error }})
{%- endmacro %}


{#-
    is_significant_change(estimate, standard_error, baseline, baseline_standard_error)

    The z test of change against the baseline: z = (x1 - x0) / sqrt(se1^2 + se0^2),
    the two estimates taken as independent (different years of interviews);
    significant when |z| > 1.96. Written without the division, so that a change
    between two estimates with zero standard errors is significant unless it is
    zero. Null when any input is null.
-#}
{% macro is_significant_change(estimate, standard_error, baseline, baseline_standard_error) -%}
    (
        abs({{ estimate }} - {{ baseline }})
        > {{ ncpm.survey_z_95() }} * sqrt(
            {{ standard_error }} * {{ standard_error }}
            + {{ baseline_standard_error }} * {{ baseline_standard_error }}
        )
    )
{%- endmacro %}
