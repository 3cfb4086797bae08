{#-
    Which published figures were revised since they were first published, and by
    how much: one row per figure per publication in which its value differs from
    the value first published. Empty until a figure is revised.
-#}

with

revisions as (

    select * from {{ ref('int_publications__figure_revisions') }}
    where is_revised_since_first

),

metrics as (

    select * from {{ ref('dim_metric') }}

),

areas as (

    select * from {{ ref('dim_area') }}

)

select
    -- ids
    revisions.publication_id,
    revisions.metric_id,
    revisions.area_code,
    revisions.breakdown,
    revisions.first_publication_id,
    revisions.previous_publication_id,

    -- strings
    metrics.measure_id,
    metrics.metric_name,
    areas.area_name,
    areas.area_level,
    metrics.unit,

    -- numerics
    revisions.publication_revision,
    cast(revisions.value as double) as value,
    cast(revisions.first_published_value as double) as first_published_value,
    cast(revisions.previous_published_value as double) as previous_published_value,
    cast(revisions.revision_from_first as double) as revision_from_first,
    cast(revisions.pct_revision_from_first as double) as pct_revision_from_first,
    cast(revisions.revision_from_previous as double) as revision_from_previous,

    -- dates
    revisions.publication_period_end_date,
    revisions.period_end_date,
    revisions.published_at

from revisions
left join metrics
    on revisions.metric_id = metrics.metric_id
left join areas
    on revisions.area_code = areas.area_code
