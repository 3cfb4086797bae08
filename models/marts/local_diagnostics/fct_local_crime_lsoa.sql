{{ config(**street_level_lsoa_mart_config()) }}
{#-
    Local diagnostics at LSOA level, wide: one row per LSOA and month with police.uk
    located crimes in it (sparse: a month with none has no row), each category's
    count, rolling 12 months and YE Jun 2019 baseline. Located crimes of the England
    and Wales forces only; no rate (no LSOA population). NOT a National Measure: see
    docs/local_diagnostics.md.

    Rolled here, straight from int_street_level_crime__lsoa_month, not through
    int_street_level_crime__area_month/_area_rolling: the 4 million LSOA rows are
    written once, not three times (at national scale the full build took 8 s less).
    * The rolling year is a `range between 11 preceding and current row` frame on the
      month index over the SPARSE rows: it sums the months of the year whichever of
      them have rows (no dense LSOA x month spine, memory is the constraint).
    * Its gaps are its force's: the rolling year of the LSOA's PFA (its district's
      force; an LSOA that cannot be routed, the force whose files hold it) in
      int_street_level_crime__area_rolling. When that year is not published (fewer
      than 12 months landed, or a gap month of the force), neither is the LSOA's:
      null, is_data_gap and the force's note.
    * The baseline is the sum of the LSOA's months in YE Jun 2019, whichever have rows,
      null when its force's baseline year is not published.
    Incremental on DuckDB (4 million rows at national scale): the months landed since
    the last build and every month after them, or every month when a baseline-year month
    or an LSOA's geography changed (macro street_level_lsoa_mart_months).
-#}
{%- set months = street_level_lsoa_mart_months(
    ref('int_street_level_crime__lsoa_month'), ref('int_street_level_crime__lsoa_geography')
) %}
{%- set baseline_index = street_level_baseline_month_index() %}
{%- set categories = ['burglary', 'robbery', 'vehicle_crime', 'theft_from_the_person',
    'neighbourhood_crime', 'all_crime', 'anti_social_behaviour'] %}

with

forces as (

    select
        force_id,
        pfa_code
    from {{ ref('ref_police_uk_forces') }}
    where is_england_wales

),

{#- The months rebuilt, the 11 before them (their rolling years) and the baseline year. #}

lsoa_month as (

    select
        lsoa_month.*,
        forces.pfa_code as force_pfa_code
    from {{ ref('int_street_level_crime__lsoa_month') }} as lsoa_month
    inner join forces
        on lsoa_month.force_id = forces.force_id
    where
        lsoa_month.is_located
        and (
            {{ street_level_month_filter('lsoa_month.month_index', months, and_after=true, window_before=11) }}
            or lsoa_month.month_index between {{ baseline_index - 11 }} and {{ baseline_index }}
        )

),

{#- One row per LSOA and month: the located crimes of every England and Wales force there.
    Double (the published type), not the HUGEINT DuckDB sums bigints into: the windows and
    the baseline over 4 million rows of 128-bit integers cost 1.2 s more at national scale.
    A count is an integer far below 2^53, so every sum of them is exact. #}

counts as (

    select
        lsoa_code,
        month_index,
        month_start_date,
        {%- for category in categories %}
            cast(sum({{ category }}_count) as double) as {{ category }}_count,
        {%- endfor %}
        max(force_pfa_code) as force_pfa_code
    from lsoa_month
    group by lsoa_code, month_index, month_start_date

),

rolled as (

    select
        {%- for category in categories %}
            sum({{ category }}_count) over (
                partition by lsoa_code order by month_index range between 11 preceding and current row
            ) as {{ category }}_rolling_12_months,
        {%- endfor %}
        counts.*
    from counts

),

baseline as (

    select
        {%- for category in categories %}
            sum({{ category }}_count) as {{ category }}_count,
        {%- endfor %}
        lsoa_code
    from counts
    where month_index between {{ baseline_index - 11 }} and {{ baseline_index }}
    group by lsoa_code

),

geography as (

    select * from {{ ref('int_street_level_crime__lsoa_geography') }}

),

{#- Each force's rolling year: published or not, why, and its newest landing. #}

force_years as (

    select
        area_code as pfa_code,
        month_index,
        is_data_gap,
        quality_note,
        landed_at
    from {{ ref('int_street_level_crime__area_rolling') }}
    where area_level = 'pfa' and breakdown = 'all'

),

located as (

    select
        rolled.*,
        geography.lsoa_name,
        geography.lad_code,
        geography.csp_code,
        geography.pfa_code,
        geography.imd_decile,
        coalesce(geography.pfa_code, rolled.force_pfa_code) as status_pfa_code
    from rolled
    left join geography
        on rolled.lsoa_code = geography.lsoa_code
    where {{ street_level_month_filter('rolled.month_index', months, and_after=true) }}

)

select
    located.lsoa_code,
    located.lsoa_name,
    located.lad_code,
    located.csp_code,
    located.pfa_code,
    located.imd_decile,
    cast({{ dbt.last_day('located.month_start_date', 'month') }} as date) as period_end_date,
    {%- for category in categories %}
        located.{{ category }}_count as {{ category }}_month_value,
        case
            when not years.is_data_gap then located.{{ category }}_rolling_12_months
        end as {{ category }}_value,
        case
            when not baseline_year.is_data_gap then baseline.{{ category }}_count
        end as {{ category }}_baseline_value,
    {%- endfor %}
    years.is_data_gap,
    years.quality_note,
    '{{ var("street_level_figure_status") }}' as figure_status,
    years.landed_at
from located
left join force_years as years
    on
        located.status_pfa_code = years.pfa_code
        and located.month_index = years.month_index
left join baseline
    on located.lsoa_code = baseline.lsoa_code
left join force_years as baseline_year
    on
        located.status_pfa_code = baseline_year.pfa_code
        and baseline_year.month_index = {{ baseline_index }}
