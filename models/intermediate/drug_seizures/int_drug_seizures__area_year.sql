{{ config(materialized="table") }}
{#-
    M3.3 drug seizures by financial year: the table's own `All drugs` count
    (breakdown `all`) and its class totals (`Class A`, `Class B`, `Class C`),
    for every PFA, British Transport Police and Border Force (reporting bodies
    that appear in the feed), every region and England and Wales.

    Totals are taken from the table, never summed from drug rows: one seizure
    can hold several drugs. Regions and England and Wales are the sums of their
    parts' totals (seizures by different forces are different seizures).

    The seizure tables are annual and may not cover every force (the genuine
    tables transcribed here cover England only): a force with no row in a
    year's table, or a blank (not available) total, is an accepted gap. The
    regional and national figures are then published over the forces present,
    flagged incomplete with the forces left out named in quality_note; a
    warning lists every such gap. PFA figures that exist are always published.
-#}

with

seizures as (

    select * from {{ ref('stg_drug_seizures__seizures') }}
    where row_kind in ('all_drugs', 'class_total')

),

years as (

    select distinct
        financial_year_start,
        financial_year,
        period_end_date
    from {{ ref('stg_drug_seizures__seizures') }}

),

breakdowns as (

    select
        'all' as breakdown,
        'All drugs' as drug_type
    union all
    select
        'Class A' as breakdown,
        'Total Class A' as drug_type
    union all
    select
        'Class B' as breakdown,
        'Total Class B' as drug_type
    union all
    select
        'Class C' as breakdown,
        'Total Class C' as drug_type

),

reporters as (

    select
        area_code,
        area_level
    from {{ ref('ref_areas') }}
    where
        area_level = 'pfa'
        or (
            area_level = 'reporting_body'
            and area_code in (select stg.area_code from {{ ref('stg_drug_seizures__seizures') }} as stg)
        )

),

rows_in_table as (

    select distinct
        financial_year_start,
        area_code
    from {{ ref('stg_drug_seizures__seizures') }}

),

base_years as (

    select
        'M3.3' as metric_id,
        breakdowns.breakdown,
        reporters.area_code,
        reporters.area_level,
        years.period_end_date,
        seizures.seizure_count as value,
        seizures.seizure_count is null as is_known_gap,
        false as is_incomplete,
        case
            when rows_in_table.area_code is null
                then {{ dbt.concat(["'No row for the force in the '", "years.financial_year", "' seizures table'"]) }}
            when seizures.seizure_count is null
                then {{ dbt.concat([
                    "'`'", "breakdowns.drug_type", "'` not available (blank) in the '", "years.financial_year",
                    "' seizures table'",
                ]) }}
        end as quality_note
    from breakdowns
    cross join reporters
    cross join years
    left join rows_in_table
        on
            reporters.area_code = rows_in_table.area_code
            and years.financial_year_start = rows_in_table.financial_year_start
    left join seizures
        on
            reporters.area_code = seizures.area_code
            and years.financial_year_start = seizures.financial_year_start
            and breakdowns.drug_type = seizures.drug_type

),

rolled_up as (

    {{ roll_up_areas('base_years', 'value', ['metric_id', 'breakdown', 'period_end_date'], known_gaps=true) }}

)

select
    metric_id,
    breakdown,
    area_code,
    area_level,
    period_end_date,
    'financial_year' as period_type,
    value,
    value is null as is_data_gap,
    is_known_gap,
    is_incomplete,
    quality_note
from rolled_up
