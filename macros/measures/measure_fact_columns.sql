{% macro measure_fact_columns() -%}
    {{ return([
        'metric_id', 'area_code', 'area_level', 'period_end_date', 'period_type', 'breakdown',
        'value', 'unit', 'rate_per_1000', 'baseline_value', 'change_from_baseline',
        'pct_change_from_baseline', 'ci_lower', 'ci_upper', 'is_significant_change',
        'is_suppressed', 'suppression_reason', 'direction_of_travel',
        'is_data_gap', 'is_incomplete', 'quality_note',
    ]) }}
{%- endmacro %}
