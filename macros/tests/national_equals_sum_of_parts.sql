{#-
    national_equals_sum_of_parts: for every metric, period and breakdown, the
    England and Wales value equals the sum of its PFAs and reporting bodies,
    and every region's value equals the sum of its PFAs (to `tolerance`).
    Rows whose parent value is null (a data gap) are not compared. Failing rows
    show the parent, its value and the sum of its parts.
-#}
{% test national_equals_sum_of_parts(model, tolerance=0.001) %}

with

figures as (

    select * from {{ model }}

),

areas as (

    select * from {{ ref('ref_areas') }}

),

parts as (

    select
        figures.metric_id,
        figures.period_end_date,
        figures.breakdown,
        case when areas.area_level = 'pfa' then areas.region_code end as region_code,
        figures.value
    from figures
    inner join areas
        on figures.area_code = areas.area_code
    where figures.area_level in ('pfa', 'reporting_body')

),

sums as (

    select metric_id, period_end_date, breakdown, region_code as area_code, sum(value) as parts_value
    from parts
    where region_code is not null
    group by metric_id, period_end_date, breakdown, region_code

    union all

    select metric_id, period_end_date, breakdown, national.area_code, sum(parts.value) as parts_value
    from parts
    cross join (select area_code from areas where area_level = 'national') as national
    group by metric_id, period_end_date, breakdown, national.area_code

)

select
    figures.metric_id,
    figures.area_code,
    figures.period_end_date,
    figures.breakdown,
    figures.value,
    sums.parts_value
from figures
inner join sums
    on
        figures.metric_id = sums.metric_id
        and figures.area_code = sums.area_code
        and figures.period_end_date = sums.period_end_date
        and figures.breakdown = sums.breakdown
where
    figures.area_level in ('national', 'region')
    and figures.value is not null
    and abs(figures.value - coalesce(sums.parts_value, 0)) > {{ tolerance }}

{% endtest %}
