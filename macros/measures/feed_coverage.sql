{#-
    feed_coverage(feed, relation, period_grain, is_quarterly, period_column, overridable)

    A `select` of one row: the coverage window of a raw feed (its first and last
    period end dates in `relation`), for int_feed_coverage. With overridable
    (quarterly feeds) the coverage_start / coverage_end variables win over the data.
-#}
{% macro feed_coverage(feed, relation, period_grain='quarter', is_quarterly=true,
                         period_column='quarter_end_date', overridable=true) -%}
    select
        '{{ feed }}' as source_feed,
        '{{ period_grain }}' as period_grain,
        {{ is_quarterly }} as is_quarterly,
        {%- if overridable %}
        {{ coverage_bound('min(' ~ period_column ~ ')', 'coverage_start') }} as first_period_end_date,
        {{ coverage_bound('max(' ~ period_column ~ ')', 'coverage_end') }} as last_period_end_date
        {%- else %}
        min({{ period_column }}) as first_period_end_date,
        max({{ period_column }}) as last_period_end_date
        {%- endif %}
    from {{ relation }}
{%- endmacro %}

