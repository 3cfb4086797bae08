{#-
    Every published figure in every publication, compared with the value it had
    when first published and in the publication before. One row per figure
    (metric, area, period end, breakdown) per publication. Publications are
    ordered by the time they were written (a revision of an older quarter made
    later counts as later).
-#}

with

published as (

    select * from {{ ref('stg_publications__revision_log') }}

),

ordered as (

    select
        published.*,
        row_number() over (
            partition by metric_id, area_code, period_end_date, breakdown
            order by published_at, publication_period_end_date, publication_revision
        ) as publication_sequence
    from published

),

compared as (

    select
        ordered.*,
        first_value(publication_id) over figure_history as first_publication_id,
        first_value(value) over figure_history as first_published_value,
        lag(publication_id) over figure_order as previous_publication_id,
        lag(value) over figure_order as previous_published_value
    from ordered
    -- lag takes no frame (Spark refuses one), first_value the frame up to the current row
    window
        figure_order as (
            partition by metric_id, area_code, period_end_date, breakdown
            order by publication_sequence
        ),
        figure_history as (
            partition by metric_id, area_code, period_end_date, breakdown
            order by publication_sequence
            rows between unbounded preceding and current row
        )

)

select
    -- ids
    publication_id,
    metric_id,
    area_code,
    breakdown,
    first_publication_id,
    previous_publication_id,
    fact_model,

    -- numerics
    publication_revision,
    publication_sequence,
    value,
    first_published_value,
    previous_published_value,
    value - first_published_value as revision_from_first,
    100.0 * (value - first_published_value) / nullif(first_published_value, 0) as pct_revision_from_first,
    value - previous_published_value as revision_from_previous,

    -- booleans
    -- a revision is a change beyond floating-point rounding (relative 1e-9): sums of
    -- doubles may differ in their last bits between two builds of the same data
    coalesce(
        abs(value - first_published_value) > 1e-9 * greatest(1.0, abs(first_published_value)),
        (value is null) <> (first_published_value is null)
    ) as is_revised_since_first,

    -- dates
    publication_period_end_date,
    period_end_date,
    published_at

from compared
