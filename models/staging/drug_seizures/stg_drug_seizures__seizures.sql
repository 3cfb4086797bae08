{{ config(materialized="table") }}
{#- A table, not a view: the raw files are read and checked once per build, not once per test. -#}
{#-
    Drug seizures, typed and renamed, the SAME output whichever shape a year was
    landed in: one row per financial year x force x drug type (totals included
    as the rows `All drugs` and `Total Class A/B/C`).

    * Long shape (source drug_seizures): one raw row per output row.
    * Wide shape (source drug_seizures_wide, one headerless file per year):
      every cell is unpivoted (one UNION ALL branch per reader column), the
      header cell above it is mapped to a drug type and class through
      ref_drug_seizure_columns (white space and line breaks normalised; the
      class may depend on the year, e.g. GHB), and the force comes from the
      file's `Police force` column. The year comes from the file name.
    * A year held by a wide file REPLACES that year of the long file(s): landing
      a published table for a year adds or replaces that year.

    Blank seizure cells are null (not available), never zero. Bad input stops
    the build naming the file, the row (or header), the value and the rule.
-#}
{%- set feed = 'drug_seizures' -%}
{%- set wide_feed = 'drug_seizures_wide' -%}
{%- set reader_columns = wide_reader_columns() -%}

with

long_source as (

    select * from {{ source('drug_seizures', 'drug_seizures') }}

),

wide_source as (

    select * from {{ source('drug_seizures', 'drug_seizures_wide') }}

),

column_map as (

    select
        {{ normalise_name('column_header') }} as header_key,
        column_role,
        drug_type,
        drug_class,
        first_financial_year,
        last_financial_year
    from {{ ref('ref_drug_seizure_columns') }}

),

{# ---------------------------------------------------------------- wide shape #}

{# Row 0 of each file is its header row; data rows count from 1. #}
wide_numbered as (

    select
        wide_source.*,
        cast(wide_source.ordinality - min(wide_source.ordinality) over (partition by wide_source.filename) as integer)
            as data_row_number
    from wide_source

),

wide_cells as (

    {{ unpivot_columns(
        'wide_numbered',
        ['filename', 'data_row_number'],
        reader_columns,
        'column_number',
        'cell_text',
    ) }}

),

wide_files as (

    select
        filename,
        {{ financial_year_start(
            "replace(substring(" ~ dbt.right('filename', 11) ~ ", 1, 7), '-', '/')"
        ) }} as financial_year_start
    from wide_numbered
    group by filename

),

{# The header row of each file, each non-blank header cell mapped for the file's year. #}
wide_headers as (

    select
        wide_cells.filename,
        wide_cells.column_number,
        wide_cells.cell_text as column_header,
        column_map.column_role,
        column_map.drug_type,
        column_map.drug_class
    from wide_cells
    inner join wide_files
        on wide_cells.filename = wide_files.filename
    left join column_map
        on
            {{ normalise_name('wide_cells.cell_text') }} = column_map.header_key
            and wide_files.financial_year_start
            between coalesce(column_map.first_financial_year, 0) and coalesce(column_map.last_financial_year, 9999)
    where
        wide_cells.data_row_number = 0
        and trim(coalesce(wide_cells.cell_text, '')) <> ''

),

wide_force_columns as (

    select
        filename,
        min(column_number) as force_column_number,
        count(*) as force_column_count
    from wide_headers
    where column_role = 'force_name'
    group by filename

),

{#
    Every data cell with its header, the file's year and its row's force. No
    filter here hides a bad cell: only blank cells under no header (the
    reader's padding), the force cells themselves and wholly blank rows are
    left out. The checks run on the rows in `validated` below.
#}
wide_rows as (

    select
        wide_cells.filename as source_file,
        wide_cells.data_row_number as source_row_number,
        'wide' as source_shape,
        wide_headers.column_header as source_column_header,
        wide_cells.column_number as source_column_number,
        wide_headers.column_role,
        coalesce(wide_force_columns.force_column_count, 0) as force_column_count,
        wide_files.financial_year_start as file_financial_year_start,
        {{ financial_year_label('wide_files.financial_year_start') }} as financial_year,
        trim(force_cells.cell_text) as force_name,
        wide_headers.drug_type as drug_type_text,
        wide_headers.drug_class as drug_class_text,
        wide_cells.cell_text as seizures_text,
        cast(null as {{ dbt.type_string() }}) as quantity_text,
        cast(null as {{ dbt.type_string() }}) as quantity_unit_text
    from wide_cells
    inner join wide_files
        on wide_cells.filename = wide_files.filename
    left join wide_headers
        on
            wide_cells.filename = wide_headers.filename
            and wide_cells.column_number = wide_headers.column_number
    left join wide_force_columns
        on wide_cells.filename = wide_force_columns.filename
    left join wide_cells as force_cells
        on
            wide_cells.filename = force_cells.filename
            and wide_cells.data_row_number = force_cells.data_row_number
            and wide_force_columns.force_column_number = force_cells.column_number
    where
        wide_cells.data_row_number > 0
        and coalesce(wide_headers.column_role, '') <> 'force_name'
        and not (wide_headers.column_number is null and trim(coalesce(wide_cells.cell_text, '')) = '')
        and exists (
            select 1 from wide_cells as row_cells
            where
                row_cells.filename = wide_cells.filename
                and row_cells.data_row_number = wide_cells.data_row_number
                and trim(coalesce(row_cells.cell_text, '')) <> ''
        )

),

{# ---------------------------------------------------------------- long shape #}

long_rows as (

    select
        long_source.filename as source_file,
        cast(long_source.ordinality as integer) as source_row_number,
        'long' as source_shape,
        cast(null as {{ dbt.type_string() }}) as source_column_header,
        cast(null as integer) as source_column_number,
        'seizures' as column_role,
        1 as force_column_count,
        cast(null as integer) as file_financial_year_start,
        trim(long_source.financial_year) as financial_year,
        trim(long_source.force_name) as force_name,
        trim(long_source.drug_type) as drug_type_text,
        trim(long_source.drug_class) as drug_class_text,
        long_source.seizures as seizures_text,
        long_source.quantity as quantity_text,
        trim(long_source.quantity_unit) as quantity_unit_text
    from long_source
    {# a year landed as a wide table replaces that year of the long file(s) #}
    where not exists (
        select 1 from wide_files
        where {{ financial_year_label('wide_files.financial_year_start') }} = trim(long_source.financial_year)
    )

),

{# ---------------------------------------------------------------- both shapes #}

renamed as (

    select * from long_rows
    union all
    select * from wide_rows

),

area_aliases as (

    select
        {{ normalise_name('area_name_alias') }} as area_name_key,
        area_code
    from {{ ref('ref_area_aliases') }}

),

drug_types as (

    select
        {{ normalise_name('drug_type') }} as drug_type_key,
        drug_type,
        row_kind,
        total_class
    from {{ ref('ref_drug_types') }}

),

typed as (

    select
        renamed.*,
        area_aliases.area_code,
        drug_types.drug_type,
        drug_types.row_kind,
        drug_types.total_class,
        nullif(upper(coalesce(renamed.drug_class_text, '')), '') as drug_class,
        {{ financial_year_start('renamed.financial_year') }} as financial_year_start,
        nullif(trim(coalesce(renamed.seizures_text, '')), '') as seizures_clean,
        {{ parse_published_count('renamed.seizures_text') }} as seizure_count,
        nullif(trim(coalesce(renamed.quantity_text, '')), '') as quantity_clean,
        {{ parse_published_count('renamed.quantity_text') }} as quantity,
        nullif(lower(coalesce(renamed.quantity_unit_text, '')), '') as quantity_unit
    from renamed
    left join area_aliases
        on {{ normalise_name('renamed.force_name') }} = area_aliases.area_name_key
    left join drug_types
        on {{ normalise_name('renamed.drug_type_text') }} = drug_types.drug_type_key

),

validated as (

    select * from typed
    where {{ assert_rows([
        ("source_shape = 'wide' and file_financial_year_start is null", input_error_message(
            wide_feed, 'file name without financial year; rule: a wide seizures table is landed per year as'
            ~ ' drug_seizures_wide_YYYY-YY.csv (make land FEED=drug_seizures FILE=<path> YEAR=YYYY/YY)',
            'source_file', 'Land the table again with its YEAR.')),
        ("source_shape = 'wide' and force_column_count <> 1", input_error_message(
            wide_feed, 'no single force column; rule: a wide seizures table has exactly one `Police force` column',
            'force_column_count', 'Correct the header and land the table again.')),
        ("source_shape = 'wide' and source_column_number = " ~ reader_columns | length, input_error_message(
            wide_feed, 'table too wide; rule: the reader holds ' ~ (reader_columns | length - 1)
            ~ ' columns and a wider table would be cut off',
            'source_column_number', 'Widen the reader (macro wide_reader_columns and the source) first.')),
        ("source_shape = 'wide' and source_column_header is null", input_error_message(
            wide_feed, 'value under a column without header; rule: every column of a wide seizures table has a header',
            'seizures_text', 'Correct the file and land it again.')),
        ("source_shape = 'wide' and column_role is null", wide_header_error_message(wide_feed)),
        ("source_shape = 'wide' and force_name is null", input_error_message(
            wide_feed, 'row without force name; rule: every data row of a wide seizures table names its force',
            'force_name', 'Correct the file and land it again.')),
    ]
    + financial_year_check(feed)
    + force_name_check(feed)
    + [
        ("drug_type is null", input_error_message(
            feed, 'unknown drug type; rule: every drug type must be listed in seeds/reference/ref_drug_types.csv',
            'drug_type_text', 'Add the drug type to that seed, or correct the file.')),
        ("(row_kind = 'drug' and coalesce(drug_class, '') not in ('A', 'B', 'C'))"
            ~ " or (row_kind = 'class_total' and coalesce(drug_class, '') <> total_class)"
            ~ " or (row_kind in ('all_drugs', 'unknown') and drug_class is not null)",
            input_error_message(
            feed, 'drug class not accepted; rule: a drug row has class A, B or C, a `Total Class X` row class X, `All drugs` and `Unknown` no class',
            dbt.concat(["drug_type_text", "' / '", "coalesce(drug_class_text, '')"]), 'Correct the file and land it again.')),
        ("seizures_clean is not null and (seizure_count is null or seizure_count <> floor(seizure_count))",
            input_error_message(
            feed, 'non-numeric seizure count; rule: seizures must be a whole number or blank (not available)',
            'seizures_text', 'Correct the file and land it again.')),
        ("seizure_count < 0", input_error_message(
            feed, 'negative seizure count; rule: seizures cannot be negative',
            'seizures_text', 'Correct the file and land it again.')),
        ("quantity_clean is not null and (quantity is null or quantity < 0)", input_error_message(
            feed, 'bad quantity; rule: quantity must be a number >= 0 or blank',
            'quantity_text', 'Correct the file and land it again.')),
        ("(quantity is null) <> (quantity_unit is null)"
            ~ " or quantity_unit not in ('kg', 'litres', 'doses', 'plants')", input_error_message(
            feed, 'bad quantity unit; rule: a quantity has a unit kg, litres, doses or plants, and a blank quantity no unit',
            'quantity_unit_text', 'Correct the file and land it again.')),
    ]) }}

),

final as (

    select
        -- ids
        source_file,
        source_row_number,
        area_code,
        drug_type,

        -- strings
        source_shape,
        source_column_header,
        force_name,
        financial_year,
        drug_class,
        row_kind,
        quantity_unit,

        -- numerics
        financial_year_start,
        cast(seizure_count as integer) as seizure_count,
        cast(quantity as {{ dbt.type_numeric() }}) as quantity,

        -- booleans
        seizure_count is not null as is_available,

        -- dates
        cast({{ dbt.concat(["cast(financial_year_start + 1 as " ~ dbt.type_string() ~ ")", "'-03-31'"]) }} as date)
            as period_end_date

    from validated

)

select * from final
