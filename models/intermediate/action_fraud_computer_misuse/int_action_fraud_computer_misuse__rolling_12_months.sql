{#-
    M5.2 computer misuse offences reported to Action Fraud as rolling 12-month
    ("year ending") national totals, at every quarter end from the first full
    year of the feed's coverage window. Quarters are the sums of
    int_action_fraud_computer_misuse__metric_rows (every offence type);
    a quarter with no rows is a gap and every rolling year containing it is null
    and flagged, never a partial sum.
-#}

{%- set series_keys = ['metric_id', 'breakdown', 'area_code'] -%}

with

offences as (

    select * from {{ ref('stg_action_fraud_computer_misuse__offences') }}

),

{# Which rows feed which series: the rule is in the metric rows model only. #}
metric_rows as (

    select * from {{ ref('int_action_fraud_computer_misuse__metric_rows') }}

),

series as (

    select distinct
        metric_id,
        breakdown
    from metric_rows

),

quarters as (

    {{ coverage_quarters('offences') }}

),

national as (

    select
        area_code,
        area_level
    from {{ ref('ref_areas') }}
    where area_level = 'national'

),

counts as (

    select
        metric_id,
        breakdown,
        area_code,
        quarter_end_date,
        sum(value) as offence_count
    from metric_rows
    group by metric_id, breakdown, area_code, quarter_end_date

),

quarterly as (

    select
        series.metric_id,
        series.breakdown,
        national.area_code,
        national.area_level,
        quarters.quarter_end_date,
        counts.offence_count as quarter_value
    from series
    cross join quarters
    cross join national
    left join counts
        on
            series.metric_id = counts.metric_id
            and series.breakdown = counts.breakdown
            and national.area_code = counts.area_code
            and quarters.quarter_end_date = counts.quarter_end_date

),

rolling as (

    select
        metric_id,
        breakdown,
        area_code,
        area_level,
        quarter_end_date as period_end_date,
        {{ rolling_12_months('quarter_value', series_keys, 'quarter_end_date') }} as rolling_value,
        {{ rolling_window_quarters(series_keys, 'quarter_end_date') }} as window_quarters,
        {{ rolling_window_missing('quarter_value', series_keys, 'quarter_end_date') }} as missing_quarters
    from quarterly

)

select
    metric_id,
    breakdown,
    area_code,
    area_level,
    period_end_date,
    'rolling_12_months' as period_type,
    rolling_value as value,
    missing_quarters,
    missing_quarters > 0 as is_data_gap,
    case
        when missing_quarters > 0
            then {{ dbt.concat([
                "cast(missing_quarters as " ~ dbt.type_string() ~ ")",
                "' of the four quarters have no data: the rolling year is not published'",
            ]) }}
    end as quality_note
from rolling
where window_quarters = 4
