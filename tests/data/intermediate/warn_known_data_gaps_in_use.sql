{{ config(severity='warn') }}
-- Warning, not an error: every accepted data gap that affects published
-- figures. A quarterly return listed in ref_known_data_gaps, or a force missing
-- from (or with a blank total in) an annual seizure table: the force's own
-- figure is a gap and the regional and national figures that contain it are
-- published excluding it, flagged is_incomplete with the reason.
with

quarterly_gaps as (

    {%- for feed, model in [
        ('weapon_returns', 'int_weapon_returns__area_quarter'),
        ('drug_treatment_referrals', 'int_drug_treatment_referrals__area_quarter'),
    ] %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            '{{ feed }}' as source_feed,
            metric_id,
            area_code,
            min(quarter_end_date) as first_period_end_date,
            max(quarter_end_date) as last_period_end_date,
            max(quality_note) as reason
        from {{ ref(model) }}
        where is_known_gap
        group by metric_id, area_code
    {%- endfor %}

),

annual_gaps as (

    select
        'drug_seizures' as source_feed,
        metric_id,
        area_code,
        period_end_date as first_period_end_date,
        period_end_date as last_period_end_date,
        max(quality_note) as reason
    from {{ ref('int_drug_seizures__area_year') }}
    where
        is_known_gap
        and area_level in ('pfa', 'reporting_body')
    group by metric_id, area_code, period_end_date

),

gaps as (

    select * from quarterly_gaps
    union all
    select * from annual_gaps

)

select
    gaps.*,
    {{ dbt.concat([
        "'['", "gaps.source_feed", "'] accepted data gap: '", "gaps.area_code", "' '", "gaps.metric_id",
        "', periods ending '", "cast(gaps.first_period_end_date as " ~ dbt.type_string() ~ ")",
        "' to '", "cast(gaps.last_period_end_date as " ~ dbt.type_string() ~ ")", "': '", "gaps.reason",
        "'. Its region and England and Wales are published excluding it (is_incomplete).'",
    ]) }} as failure_message
from gaps
