{{ config(severity='warn') }}
-- Warning, not an error: a seizure table's total above the sum of its parts (a
-- class total above the sum of its drug rows; `All drugs` above the sum of its
-- class totals and `Unknown`, or below the largest of them). One seizure can hold
-- several drugs, so totals are not sums, and published tables are known to differ
-- by small amounts: the totals are published as stated (never re-derived from drug
-- rows), and each such row is named here (force, year, class). A class total below
-- its largest drug or above All drugs is impossible and blocks the build instead
-- (assert_drug_seizure_totals_possible).
with

seizures as (

    select * from {{ ref('stg_drug_seizures__seizures') }}
    where seizure_count is not null

),

class_parts as (

    select
        financial_year,
        area_code,
        drug_class as total_key,
        max(seizure_count) as lower_bound,
        sum(seizure_count) as upper_bound
    from seizures
    where row_kind = 'drug'
    group by financial_year, area_code, drug_class

),

all_parts as (

    select
        financial_year,
        area_code,
        'all' as total_key,
        max(seizure_count) as lower_bound,
        sum(seizure_count) as upper_bound
    from seizures
    where row_kind in ('class_total', 'unknown')
    group by financial_year, area_code

),

totals as (

    select
        financial_year,
        area_code,
        force_name,
        source_file,
        source_row_number,
        case when row_kind = 'all_drugs' then 'all' else drug_class end as total_key,
        case when row_kind = 'all_drugs' then 'All drugs' else drug_type end as total_label,
        seizure_count
    from seizures
    where row_kind in ('all_drugs', 'class_total')

),

bounds as (

    select * from class_parts
    union all
    select * from all_parts

)

select
    totals.financial_year,
    totals.area_code,
    totals.force_name,
    totals.total_label,
    totals.seizure_count,
    bounds.lower_bound,
    bounds.upper_bound,
    {{ dbt.concat([
        "'[drug_seizures] '", "totals.financial_year", "' '", "totals.force_name",
        "' ('", "totals.area_code", "') '", "totals.total_label", "': '",
        "cast(totals.seizure_count as " ~ dbt.type_string() ~ ")",
        "' is outside its bounds '",
        "cast(bounds.lower_bound as " ~ dbt.type_string() ~ ")", "' - '",
        "cast(bounds.upper_bound as " ~ dbt.type_string() ~ ")",
        "' (rule: a total lies between its largest part and the sum of its parts; '",
        "totals.source_file", "' data row '", "cast(totals.source_row_number as " ~ dbt.type_string() ~ ")",
        "'). Published as stated: check the table.'",
    ]) }} as failure_message
from totals
inner join bounds
    on
        totals.financial_year = bounds.financial_year
        and totals.area_code = bounds.area_code
        and totals.total_key = bounds.total_key
where
    totals.seizure_count > bounds.upper_bound
    or (totals.total_key = 'all' and totals.seizure_count < bounds.lower_bound)
