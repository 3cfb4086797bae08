{{ config(**street_level_incremental_config()) }}
{#-
    Each monthly count beside its rolling 12 months (the month and the 11 before it),
    for every area and breakdown of int_street_level_crime__area_month (districts,
    CSPs, PFAs), and regions and England and Wales rolled up from the PFAs. (LSOAs
    are rolled in fct_local_crime_lsoa, with the same frame and this model's PFA rows
    for their gaps.)

    The window is a `range between 11 preceding and current row` frame on an integer
    month index: it sums exactly the months of the year, whichever of them have rows
    (the rows here are dense, the LSOA rows of fct_local_crime_lsoa are not).

    A rolling year is published only when all 12 months are landed (the first 11
    months of the feed have none) and no month of it is a data gap of the area (a
    decile row: of its PFA); otherwise it is null with is_data_gap and a note, never
    a partial sum. Regions and England and Wales are summed from the PFAs
    AFTER the rolling year (month and year alike), leaving out a force whose figure is
    a gap (Greater Manchester from July 2019): they are then published with
    is_incomplete and a note naming the forces left out.

    Incremental on month: a month landed since the last build changes its own row and
    the 11 rolling years after it, so every month from the earliest changed one on is
    rebuilt (reading 11 months more before it for the windows) and replaced whole.
-#}
{%- set months = street_level_changed_months(ref('stg_street_level_crime__landing_log')) %}
{%- set categories = street_level_categories() %}
{%- set measures = [] %}
{%- for category in categories %}{% do measures.append(category ~ '_count') %}{% endfor %}
{%- do measures.append('unlocated_crime_count') %}

with

area_month as (

    select * from {{ ref('int_street_level_crime__area_month') }}
    where {{ street_level_month_filter('month_index', months, and_after=true, window_before=11) }}

),

coverage as (

    select min(month_index) as first_month_index
    from {{ ref('stg_street_level_crime__landing_log') }}

),

{#- Gaps of the dense series (districts, CSPs, PFAs) over each rolling year. #}

status as (

    select
        area_code,
        month_index,
        sum(case when is_data_gap then 1 else 0 end) over (
            partition by area_code order by month_index range between 11 preceding and current row
        ) as gap_months,
        max(quality_note) over (
            partition by area_code order by month_index range between 11 preceding and current row
        ) as gap_note
    from area_month
    where breakdown = 'all'

),

rolled as (

    select
        area_code,
        area_level,
        breakdown,
        month_start_date,
        month_index,
        is_data_gap as is_month_data_gap,
        quality_note as month_quality_note,
        {%- for measure in measures %}
            {{ measure }},
            sum({{ measure }}) over (
                partition by area_code, breakdown order by month_index range between 11 preceding and current row
            ) as {{ measure }}_window,
        {%- endfor %}
        max(landed_at) over (
            partition by area_code, breakdown order by month_index range between 11 preceding and current row
        ) as landed_at
    from area_month

),

base_areas as (

    select
        rolled.area_code,
        rolled.area_level,
        rolled.breakdown,
        rolled.month_start_date,
        rolled.month_index,
        rolled.is_month_data_gap,
        {%- for measure in measures %}
            rolled.{{ measure }},
            case
                when
                    rolled.month_index - 11 >= coverage.first_month_index
                    and coalesce(status.gap_months, 0) = 0
                    then rolled.{{ measure }}_window
            end as {{ measure | replace('_count', '') }}_rolling_12_months,
        {%- endfor %}
        rolled.month_index - 11 < coverage.first_month_index or coalesce(status.gap_months, 0) > 0
            as is_data_gap,
        false as is_incomplete,
        case
            when rolled.month_index - 11 < coverage.first_month_index
                then 'Fewer than 12 months of police.uk data end here: no rolling year'
            when coalesce(status.gap_months, 0) > 0
                then {{ dbt.concat([
                    "cast(status.gap_months as " ~ dbt.type_string() ~ ")",
                    "' of the 12 months have no police.uk data ('",
                    "status.gap_note",
                    "'): the rolling year is not published'",
                ]) }}
        end as quality_note,
        rolled.month_quality_note,
        rolled.landed_at
    from rolled
    cross join coverage
    left join status
        on
            rolled.area_code = status.area_code
            and rolled.month_index = status.month_index
    where {{ street_level_month_filter('rolled.month_index', months, and_after=true) }}

),

pfa_parents as (

    select
        area_code as pfa_code,
        parent_area_code as region_code
    from {{ ref('ref_areas') }}
    where area_level = 'pfa'

),

national as (

    select area_code from {{ ref('ref_areas') }} where area_level = 'national'

),

{#- Each PFA once per parent: its region and England and Wales. #}

pfa_parts as (

    select
        base_areas.*,
        pfa_parents.region_code as parent_area_code,
        'region' as parent_area_level
    from base_areas
    inner join pfa_parents
        on base_areas.area_code = pfa_parents.pfa_code
    where base_areas.area_level = 'pfa'

    union all

    select
        base_areas.*,
        national.area_code as parent_area_code,
        'national' as parent_area_level
    from base_areas
    cross join national
    where base_areas.area_level = 'pfa'

),

{#- Which PFAs each parent leaves out, from their `all` rows. #}

exclusions as (

    select
        parent_area_code,
        month_index,
        sum(case when is_month_data_gap then 1 else 0 end) as month_gap_parts,
        sum(case when is_data_gap then 1 else 0 end) as year_gap_parts,
        count(*) as parts,
        {{ ncpm.sorted_list("case when is_month_data_gap then area_code end", "', '") }} as month_gap_list,
        {{ ncpm.sorted_list("case when is_data_gap then area_code end", "', '") }} as year_gap_list,
        max(case when is_data_gap then quality_note end) as year_gap_note
    from pfa_parts
    where breakdown = 'all'
    group by parent_area_code, month_index

),

parent_sums as (

    select
        parent_area_code as area_code,
        parent_area_level as area_level,
        breakdown,
        month_start_date,
        month_index,
        {%- for measure in measures %}
            sum(case when not is_month_data_gap then {{ measure }} end) as {{ measure }},
            sum({{ measure | replace('_count', '') }}_rolling_12_months)
                as {{ measure | replace('_count', '') }}_rolling_12_months,
        {%- endfor %}
        max(landed_at) as landed_at
    from pfa_parts
    group by parent_area_code, parent_area_level, breakdown, month_start_date, month_index

),

parent_areas as (

    select
        parent_sums.area_code,
        parent_sums.area_level,
        parent_sums.breakdown,
        parent_sums.month_start_date,
        parent_sums.month_index,
        exclusions.month_gap_parts = exclusions.parts as is_month_data_gap,
        {%- for measure in measures %}
            case when exclusions.month_gap_parts < exclusions.parts then parent_sums.{{ measure }} end
                as {{ measure }},
            case
                when exclusions.year_gap_parts < exclusions.parts
                    then parent_sums.{{ measure | replace('_count', '') }}_rolling_12_months
            end as {{ measure | replace('_count', '') }}_rolling_12_months,
        {%- endfor %}
        exclusions.year_gap_parts = exclusions.parts as is_data_gap,
        exclusions.year_gap_parts > 0 and exclusions.year_gap_parts < exclusions.parts as is_incomplete,
        case
            when exclusions.year_gap_parts = exclusions.parts
                then {{ dbt.concat(["'No rolling year: every force is a data gap ('", "exclusions.year_gap_note", "')'"]) }}
            when exclusions.year_gap_parts > 0
                then {{ dbt.concat([
                    "'Rolling year excludes '",
                    "exclusions.year_gap_list",
                    "' (no police.uk data for part of the year): '",
                    "exclusions.year_gap_note",
                ]) }}
        end as quality_note,
        case
            when exclusions.month_gap_parts > 0
                then {{ dbt.concat(["'Month excludes '", "exclusions.month_gap_list", "' (no police.uk data for the month)'"]) }}
        end as month_quality_note,
        parent_sums.landed_at
    from parent_sums
    inner join exclusions
        on
            parent_sums.area_code = exclusions.parent_area_code
            and parent_sums.month_index = exclusions.month_index

),

stacked as (

    select * from base_areas
    union all
    select * from parent_areas

)

select
    -- ids
    area_code,
    area_level,
    breakdown,

    -- numerics
    month_index,
    {#- bigint: DuckDB sums integers into HUGEINT (128-bit), slow in every later sum and check #}
    {%- for measure in measures %}
        cast({{ measure }} as {{ dbt.type_bigint() }}) as {{ measure }},
        cast({{ measure | replace('_count', '') }}_rolling_12_months as {{ dbt.type_bigint() }})
            as {{ measure | replace('_count', '') }}_rolling_12_months,
    {%- endfor %}

    -- flags
    is_month_data_gap,
    is_data_gap,
    is_incomplete,

    -- strings
    month_quality_note,
    quality_note,

    -- dates
    month_start_date,
    cast({{ dbt.last_day('month_start_date', 'month') }} as date) as period_end_date,
    landed_at

from stacked
