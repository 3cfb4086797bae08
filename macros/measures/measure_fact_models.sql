{#-
    measure_fact_models()

    The measure fact tables that exist, in measure order. rpt_all_measures
    stacks them; a test checks that every fact model named in the metric
    catalogue with rows is listed here (tests/data/marts/
    assert_catalogue_facts_are_stacked.sql), so a new fact cannot be forgotten.
-#}
{% macro measure_fact_models() -%}
    {{ return([
        'fct_homicide', 'fct_serious_violence', 'fct_drugs_supply',
        'fct_neighbourhood_crime', 'fct_cyber_crime', 'fct_victim_satisfaction',
    ]) }}
{%- endmacro %}

{#- The columns of the mart contract, in order (MEASURES.md section 8). -#}
{% macro measure_fact_columns() -%}
    {{ return([
        'metric_id', 'area_code', 'area_level', 'period_end_date', 'period_type', 'breakdown',
        'value', 'unit', 'rate_per_1000', 'baseline_value', 'change_from_baseline',
        'pct_change_from_baseline', 'ci_lower', 'ci_upper', 'is_significant_change',
        'is_suppressed', 'suppression_reason', 'direction_of_travel',
        'is_data_gap', 'is_incomplete', 'quality_note',
    ]) }}
{%- endmacro %}
