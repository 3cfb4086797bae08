{{ config(materialized="table") }}
{#-
    M3.3 drug seizures by financial year: the table's own `All drugs` count
    (breakdown `all`) and its class totals (`Class A`, `Class B`, `Class C`),
    as int_drug_seizures__metric_rows selects them,
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

{# Which rows are which breakdown's total: the rules are in the metric rows model only. #}
metric_rows as (

    select * from {{ ref('int_drug_seizures__metric_rows') }}

),

years as (

    select distinct
        financial_year_start,
        financial_year,
        period_end_date
    from {{ ref('stg_drug_seizures__seizures') }}

),

breakdowns as (

    select distinct
        metric_id,
        breakdown,
        drug_type
    from metric_rows

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
        breakdowns.metric_id,
        breakdowns.breakdown,
        reporters.area_code,
        reporters.area_level,
        years.period_end_date,
        metric_rows.value,
        metric_rows.value is null as is_known_gap,
        false as is_incomplete,
        case
            when rows_in_table.area_code is null
                then {{ dbt.concat(["'No row for the force in the '", "years.financial_year", "' seizures table'"]) }}
            when metric_rows.value is null
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
    left join metric_rows
        on
            breakdowns.metric_id = metric_rows.metric_id
            and breakdowns.breakdown = metric_rows.breakdown
            and reporters.area_code = metric_rows.area_code
            and years.period_end_date = metric_rows.period_end_date

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
