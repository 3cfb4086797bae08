{#-
    Every figure of every publication, typed and renamed (one row per figure per
    publication). Before the first publication no log file exists: the source is
    then replaced by an empty relation with the same columns, so that
    rpt_revisions always builds.
-#}

with

{#- At parse time (execute false) the source branch is taken, so the lineage records it. #}
{%- if execute and not publication_log_exists() %}

    source as (

        select
            cast(null as {{ dbt.type_string() }}) as publication_id,
            cast(null as date) as publication_period_end_date,
            cast(null as integer) as publication_revision,
            cast(null as {{ dbt.type_timestamp() }}) as published_at,
            cast(null as {{ dbt.type_string() }}) as fact_model,
            cast(null as {{ dbt.type_string() }}) as metric_id,
            cast(null as {{ dbt.type_string() }}) as area_code,
            cast(null as date) as period_end_date,
            cast(null as {{ dbt.type_string() }}) as breakdown,
            cast(null as double) as value,
            cast(null as double) as ci_lower,
            cast(null as double) as ci_upper,
            cast(null as {{ dbt.type_string() }}) as filename
        where false

    ),

{%- else %}

    source as (

        select * from {{ source('publications', 'revision_log') }}

    ),

{%- endif %}

renamed as (

    select
        -- lineage
        cast(filename as {{ dbt.type_string() }}) as source_file,

        -- ids
        cast(publication_id as {{ dbt.type_string() }}) as publication_id,
        cast(fact_model as {{ dbt.type_string() }}) as fact_model,
        cast(metric_id as {{ dbt.type_string() }}) as metric_id,
        cast(area_code as {{ dbt.type_string() }}) as area_code,
        cast(breakdown as {{ dbt.type_string() }}) as breakdown,

        -- numerics
        cast(publication_revision as integer) as publication_revision,
        cast(value as double) as value,
        cast(ci_lower as double) as ci_lower,
        cast(ci_upper as double) as ci_upper,

        -- dates
        cast(publication_period_end_date as date) as publication_period_end_date,
        cast(period_end_date as date) as period_end_date,
        cast(published_at as {{ dbt.type_timestamp() }}) as published_at

    from source

)

select * from renamed
