-- Blocking: totals that no table can hold. A class total counts seizures holding a
-- drug of that class, so it is at least its largest drug column and at most the
-- table's `All drugs`. One outside that is a shifted or mislabelled column, not a
-- rounding difference, and is refused naming the force, the year and both columns.
-- (A negative cell is refused in staging; a total above the sum of its parts is
-- only a warning, warn_drug_seizure_totals_outside_bounds.)
with

seizures as (

    select * from {{ ref('stg_drug_seizures__seizures') }}
    where seizure_count is not null

),

largest_part as (

    select
        financial_year,
        area_code,
        drug_class,
        drug_type,
        seizure_count,
        row_number() over (
            partition by financial_year, area_code, drug_class
            order by seizure_count desc, drug_type
        ) as rank_in_class
    from seizures
    where row_kind = 'drug'

),

class_totals as (

    select * from seizures
    where row_kind = 'class_total'

),

all_drugs as (

    select * from seizures
    where row_kind = 'all_drugs'

),

below_largest_part as (

    select
        class_totals.financial_year,
        class_totals.force_name,
        class_totals.source_file,
        class_totals.source_row_number,
        class_totals.drug_type as total_column,
        class_totals.seizure_count as total_count,
        largest_part.drug_type as other_column,
        largest_part.seizure_count as other_count,
        'is below its largest part' as broken,
        'a class total is at least its largest drug column' as rule_text
    from class_totals
    inner join largest_part
        on
            class_totals.financial_year = largest_part.financial_year
            and class_totals.area_code = largest_part.area_code
            and class_totals.drug_class = largest_part.drug_class
            and largest_part.rank_in_class = 1
    where class_totals.seizure_count < largest_part.seizure_count

),

above_all_drugs as (

    select
        class_totals.financial_year,
        class_totals.force_name,
        class_totals.source_file,
        class_totals.source_row_number,
        class_totals.drug_type as total_column,
        class_totals.seizure_count as total_count,
        all_drugs.drug_type as other_column,
        all_drugs.seizure_count as other_count,
        'is above the table''s All drugs' as broken,
        'a class total is at most All drugs' as rule_text
    from class_totals
    inner join all_drugs
        on
            class_totals.financial_year = all_drugs.financial_year
            and class_totals.area_code = all_drugs.area_code
    where class_totals.seizure_count > all_drugs.seizure_count

),

impossible as (

    select * from below_largest_part
    union all
    select * from above_all_drugs

)

select
    financial_year,
    force_name,
    total_column,
    total_count,
    other_column,
    other_count,
    {{ dbt.concat([
        "'[drug_seizures] '", "source_file", "' data row '",
        "cast(source_row_number as " ~ dbt.type_string() ~ ")", "': '",
        "financial_year", "' '", "force_name", "': '", "total_column", "' '",
        "cast(total_count as " ~ dbt.type_string() ~ ")", "' '", "broken", "' ('",
        "other_column", "' '", "cast(other_count as " ~ dbt.type_string() ~ ")",
        "'); rule: '", "rule_text",
        "'. A column is shifted or mislabelled: correct the table and land it again.'",
    ]) }} as failure_message
from impossible
