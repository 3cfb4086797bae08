{#-
    Which raw police recorded crime rows feed which metric and breakdown: one
    row per raw row, metric and breakdown it counts in (M1.1 homicide; M4.2
    neighbourhood crime by category and in total). The quarterly counts
    (int_police_recorded_crime__area_quarter) are sums of these rows, and
    ncpm trace reads them to list the raw rows behind a published figure.
-#}

with

classified as (

    select * from {{ ref('int_police_recorded_crime__classified') }}

),

metric_rows as (

    select
        'M1.1' as metric_id,
        'all' as breakdown,
        source_file,
        source_row_number,
        area_code,
        quarter_end_date,
        offence_count
    from classified
    where is_homicide

    union all

    select
        'M4.2' as metric_id,
        neighbourhood_crime_category as breakdown,
        source_file,
        source_row_number,
        area_code,
        quarter_end_date,
        offence_count
    from classified
    where neighbourhood_crime_category is not null

    union all

    select
        'M4.2' as metric_id,
        'all' as breakdown,
        source_file,
        source_row_number,
        area_code,
        quarter_end_date,
        offence_count
    from classified
    where neighbourhood_crime_category is not null

)

select * from metric_rows
