{{ config(**street_level_lsoa_mart_config()) }}
{#-
    Local diagnostics at LSOA level, wide: one row per LSOA and month with police.uk
    located crimes in it (sparse: a month with none has no row), each category's
    count, rolling 12 months and YE Jun 2019 baseline. Located crimes of the England
    and Wales forces only; no rate (no LSOA population). NOT a National Measure: see
    docs/local_diagnostics.md.
    Incremental on DuckDB (4 million rows at national scale): the months landed since
    the last build and every month after them, or every month when a baseline-year month
    or an LSOA's geography changed (macro street_level_lsoa_mart_months).
-#}
{%- set months = street_level_lsoa_mart_months(
    ref('int_street_level_crime__area_month'), ref('int_street_level_crime__lsoa_geography')
) %}
{%- set categories = ['burglary', 'robbery', 'vehicle_crime', 'theft_from_the_person',
    'neighbourhood_crime', 'all_crime', 'anti_social_behaviour'] %}

with

rolling as (

    select * from {{ ref('int_street_level_crime__area_rolling') }}
    where
        area_level = 'lsoa'
        and {{ street_level_month_filter('month_index', months, and_after=true) }}

),

geography as (

    select * from {{ ref('int_street_level_crime__lsoa_geography') }}

),

baseline as (

    select * from {{ ref('int_street_level_crime__area_rolling') }}
    where
        area_level = 'lsoa'
        and period_end_date = cast('{{ var("street_level_baseline_period_end_date") }}' as date)

)

select
    rolling.area_code as lsoa_code,
    geography.lsoa_name,
    geography.lad_code,
    geography.csp_code,
    geography.pfa_code,
    geography.imd_decile,
    rolling.period_end_date,
    {%- for category in categories %}
        cast(rolling.{{ category }}_count as double) as {{ category }}_month_value,
        cast(rolling.{{ category }}_rolling_12_months as double) as {{ category }}_value,
        cast(baseline.{{ category }}_rolling_12_months as double) as {{ category }}_baseline_value,
    {%- endfor %}
    rolling.is_data_gap,
    rolling.quality_note,
    '{{ var("street_level_figure_status") }}' as figure_status,
    rolling.landed_at
from rolling
left join geography
    on rolling.area_code = geography.lsoa_code
left join baseline
    on rolling.area_code = baseline.area_code
