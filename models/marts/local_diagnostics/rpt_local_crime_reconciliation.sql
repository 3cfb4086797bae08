{#-
    Each force's police.uk neighbourhood-crime proxy (burglary + robbery + vehicle
    crime + theft from the person, rolling 12 months, every crime the force recorded)
    against its M4.2 police recorded neighbourhood crime for the same rolling year
    (quarter ends that both hold). The two differ by definition: police.uk burglary
    and robbery include business premises and vehicle crime includes interference,
    while M4.2 counts domestic burglary and personal robbery; so the ratio is expected
    above 1, and a ratio outside the stated bounds (var
    street_level_reconciliation_bounds) is a warning to look at, not an error.
-#}
{%- set bounds = var('street_level_reconciliation_bounds') %}

with

police_uk as (

    select
        area_code,
        area_name,
        period_end_date,
        value,
        is_data_gap,
        quality_note
    from {{ ref('fct_local_crime') }}
    where
        area_level = 'pfa'
        and breakdown = 'all'
        and crime_category = 'neighbourhood_crime'

),

recorded as (

    select
        area_code,
        period_end_date,
        value
    from {{ ref('fct_neighbourhood_crime') }}
    where
        metric_id = 'M4.2'
        and breakdown = 'all'
        and area_level = 'pfa'
        and period_type = 'rolling_12_months'

)

select
    police_uk.area_code,
    police_uk.area_name,
    police_uk.period_end_date,
    'rolling_12_months' as period_type,
    police_uk.value as police_uk_value,
    recorded.value as recorded_value,
    police_uk.value / nullif(recorded.value, 0) as ratio,
    cast({{ bounds[0] }} as double) as ratio_lower_bound,
    cast({{ bounds[1] }} as double) as ratio_upper_bound,
    police_uk.value / nullif(recorded.value, 0) between {{ bounds[0] }} and {{ bounds[1] }}
        as is_within_bounds,
    case
        when police_uk.value is null then police_uk.quality_note
        when recorded.value is null then 'No M4.2 figure for the force and rolling year'
    end as quality_note,
    '{{ var("street_level_figure_status") }}' as figure_status
from police_uk
inner join recorded
    on
        police_uk.area_code = recorded.area_code
        and police_uk.period_end_date = recorded.period_end_date
