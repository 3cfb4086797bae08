{{ config(**street_level_incremental_config()) }}
{#-
    Monthly counts per area, one count column per category, for the levels summed
    from the LSOA counts (regions and England and Wales are rolled up from the PFAs'
    figures in int_street_level_crime__area_rolling; the LSOAs themselves are rolled
    in fct_local_crime_lsoa, straight from int_street_level_crime__lsoa_month):
    * district, csp: located crimes of the England and Wales forces by where they
      happened, summed through int_street_level_crime__lsoa_geography, one row per
      district or CSP and month (dense);
    * pfa: every crime the force recorded (the file's force), located or not, with the
      unlocated ones also counted apart; breakdown `all`, and the located ones by the
      IMD decile of their LSOA (`imd decile N`, `imd decile unknown` for Wales and 2021
      LSOAs), dense: every force, month and decile.
    British Transport Police and Northern Ireland are not England and Wales forces
    (ref_police_uk_forces): they count in no area here (the force figures of
    int_street_level_crime__force_month_types still report them).
    A force-month with no landed file is a data gap: the force's row and the rows of
    its districts and CSPs have null counts and is_data_gap, never a zero. Every
    England and Wales force in ref_police_uk_forces is expected every month landed.
    Incremental on month: the months landed since the last build are replaced whole.
-#}
{%- set months = street_level_changed_months(ref('stg_street_level_crime__landing_log')) %}
{%- set categories = street_level_categories() %}

with

lsoa_month as (

    select * from {{ ref('int_street_level_crime__lsoa_month') }}
    where {{ street_level_month_filter('month_index', months) }}

),

landed_months as (

    select
        month_start_date,
        month_index,
        max(landed_at) as landed_at
    from {{ ref('stg_street_level_crime__landing_log') }}
    where {{ street_level_month_filter('month_index', months) }}
    group by month_start_date, month_index

),

forces as (

    select
        force_id,
        force_name,
        pfa_code
    from {{ ref('ref_police_uk_forces') }}
    where is_england_wales

),

geography as (

    select * from {{ ref('int_street_level_crime__lsoa_geography') }}

),

districts as (

    select * from {{ ref('ref_districts') }}

),

england_wales as (

    select
        lsoa_month.*,
        forces.pfa_code as force_pfa_code
    from lsoa_month
    inner join forces
        on lsoa_month.force_id = forces.force_id

),

force_data as (

    select distinct
        force_id,
        month_index
    from lsoa_month

),

force_months as (

    select
        forces.pfa_code,
        forces.force_name,
        landed_months.month_start_date,
        landed_months.month_index,
        landed_months.landed_at,
        force_data.force_id is not null as has_data
    from forces
    cross join landed_months
    left join force_data
        on
            forces.force_id = force_data.force_id
            and landed_months.month_index = force_data.month_index

),

located as (

    select
        england_wales.*,
        geography.lad_code,
        geography.csp_code,
        geography.imd_breakdown
    from england_wales
    left join geography
        on england_wales.lsoa_code = geography.lsoa_code
    where england_wales.is_located

),

{%- for level, code, name in [('district', 'lad_code', 'lad_name'), ('csp', 'csp_code', 'csp_name')] %}

    {{ level }}_sums as (

        select
            {{ code }} as area_code,
            {%- for category in categories %}
                sum({{ category }}_count) as {{ category }}_count,
            {%- endfor %}
            month_index
        from located
        where {{ code }} is not null
        group by {{ code }}, month_index

    ),

    {{ level }}_rows as (

        select
            areas.area_code,
            '{{ level }}' as area_level,
            'all' as breakdown,
            force_months.month_start_date,
            force_months.month_index,
            {%- for category in categories %}
                case when force_months.has_data then coalesce(sums.{{ category }}_count, 0) end as {{ category }}_count,
            {%- endfor %}
            cast(null as bigint) as unlocated_crime_count,
            not force_months.has_data as is_data_gap,
            case
                when not force_months.has_data
                    then {{ dbt.concat(["'No police.uk data from '", "force_months.force_name", "' for the month'"]) }}
            end as quality_note
        from (select distinct {{ code }} as area_code, pfa_code from districts) as areas
        inner join force_months
            on areas.pfa_code = force_months.pfa_code
        left join {{ level }}_sums as sums
            on
                areas.area_code = sums.area_code
                and force_months.month_index = sums.month_index

    ),
{%- endfor %}

pfa_sums as (

    select
        force_pfa_code as area_code,
        month_index,
        {%- for category in categories %}
            sum({{ category }}_count) as {{ category }}_count,
        {%- endfor %}
        sum(case when is_located then 0 else all_crime_count end) as unlocated_crime_count
    from england_wales
    group by force_pfa_code, month_index

),

pfa_rows as (

    select
        force_months.pfa_code as area_code,
        'pfa' as area_level,
        'all' as breakdown,
        force_months.month_start_date,
        force_months.month_index,
        {%- for category in categories %}
            case when force_months.has_data then coalesce(pfa_sums.{{ category }}_count, 0) end as {{ category }}_count,
        {%- endfor %}
        case when force_months.has_data then coalesce(pfa_sums.unlocated_crime_count, 0) end as unlocated_crime_count,
        not force_months.has_data as is_data_gap,
        case
            when not force_months.has_data
                then {{ dbt.concat(["'No police.uk data from '", "force_months.force_name", "' for the month'"]) }}
        end as quality_note
    from force_months
    left join pfa_sums
        on
            force_months.pfa_code = pfa_sums.area_code
            and force_months.month_index = pfa_sums.month_index

),

{#- The deciles, dense like the force's `all` row: every force, month and decile has a
    row (a zero when the force landed that month, null and a gap when it did not), so
    each force's rolling year exists in every month for every decile and regions and
    England and Wales sum the same forces in every breakdown. #}

imd_breakdowns as (

    {%- for decile in range(1, 11) %}
        select 'imd decile {{ decile }}' as breakdown
        union all
    {%- endfor %}
    select 'imd decile unknown' as breakdown

),

pfa_decile_sums as (

    select
        force_pfa_code as area_code,
        coalesce(imd_breakdown, 'imd decile unknown') as breakdown,
        {%- for category in categories %}
            sum({{ category }}_count) as {{ category }}_count,
        {%- endfor %}
        month_index
    from located
    group by
        force_pfa_code,
        coalesce(imd_breakdown, 'imd decile unknown'),
        month_index

),

pfa_decile_rows as (

    select
        force_months.pfa_code as area_code,
        'pfa' as area_level,
        imd_breakdowns.breakdown,
        force_months.month_start_date,
        force_months.month_index,
        {%- for category in categories %}
            case when force_months.has_data then coalesce(sums.{{ category }}_count, 0) end as {{ category }}_count,
        {%- endfor %}
        cast(null as bigint) as unlocated_crime_count,
        not force_months.has_data as is_data_gap,
        case
            when not force_months.has_data
                then {{ dbt.concat(["'No police.uk data from '", "force_months.force_name", "' for the month'"]) }}
        end as quality_note
    from force_months
    cross join imd_breakdowns
    left join pfa_decile_sums as sums
        on
            force_months.pfa_code = sums.area_code
            and imd_breakdowns.breakdown = sums.breakdown
            and force_months.month_index = sums.month_index

),

stacked as (

    select * from district_rows
    union all
    select * from csp_rows
    union all
    select * from pfa_rows
    union all
    select * from pfa_decile_rows

)

select
    -- ids
    stacked.area_code,
    stacked.area_level,
    stacked.breakdown,

    -- numerics
    stacked.month_index,
    {#- bigint: DuckDB sums integers into HUGEINT (128-bit), slow in every later sum and check #}
    {%- for category in categories %}
        cast(stacked.{{ category }}_count as {{ dbt.type_bigint() }}) as {{ category }}_count,
    {%- endfor %}
    cast(stacked.unlocated_crime_count as {{ dbt.type_bigint() }}) as unlocated_crime_count,

    -- flags
    stacked.is_data_gap,

    -- strings
    stacked.quality_note,

    -- dates
    stacked.month_start_date,
    landed_months.landed_at

from stacked
inner join landed_months
    on stacked.month_index = landed_months.month_index
