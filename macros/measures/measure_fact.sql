{% macro measure_fact(figures, survey=false) -%}

with

figures as (

    select * from {{ figures }}

),

catalogue as (

    select
        metric_id,
        unit,
        desired_direction,
        baseline_period_type,
        baseline_period_end_date
    from {{ ref('dim_metric') }}

),

population as (

    select * from {{ ref('int_area_population') }}

),

compared as (

    select
        figures.*,
        catalogue.unit,
        catalogue.desired_direction,
        baseline.value as baseline_value,
        {%- if survey %}
        baseline.standard_error as baseline_standard_error,
        {%- endif %}
        figures.value - baseline.value as change_from_baseline,
        case
            when catalogue.unit <> 'percent' and figures.area_level <> 'reporting_body'
                then 1000.0 * cast(figures.value as double) / nullif(population.population, 0)
        end as rate_per_1000
    from figures
    inner join catalogue
        on figures.metric_id = catalogue.metric_id
    left join figures as baseline
        on
            figures.metric_id = baseline.metric_id
            and figures.area_code = baseline.area_code
            and figures.breakdown = baseline.breakdown
            and baseline.period_type = catalogue.baseline_period_type
            and baseline.period_end_date = catalogue.baseline_period_end_date
    left join population
        on
            figures.area_code = population.area_code
            and population.population_year
            = extract(year from {{ dbt.dateadd('month', -6, 'figures.period_end_date') }})

),

assessed as (

    select
        compared.*,
        {%- if survey %}
        {{ ncpm.is_significant_change(
            'value', 'standard_error', 'baseline_value', 'baseline_standard_error'
        ) }} as is_significant_change
        {%- else %}
        cast(null as boolean) as is_significant_change
        {%- endif %}
    from compared

)

select
    metric_id,
    area_code,
    area_level,
    period_end_date,
    period_type,
    breakdown,
    cast(value as double) as value,
    unit,
    cast(rate_per_1000 as double) as rate_per_1000,
    cast(baseline_value as double) as baseline_value,
    cast(change_from_baseline as double) as change_from_baseline,
    cast(100.0 * cast(change_from_baseline as double) / nullif(baseline_value, 0) as double) as pct_change_from_baseline,
    cast(ci_lower as double) as ci_lower,
    cast(ci_upper as double) as ci_upper,
    is_significant_change,
    is_suppressed,
    suppression_reason,
    case
        when change_from_baseline is null then 'not assessed'
        {%- if survey %}
        when is_significant_change is null then 'not assessed'
        when not is_significant_change then 'no significant change'
        {%- else %}
        when change_from_baseline = 0 then 'no significant change'
        {%- endif %}
        when (change_from_baseline < 0) = (desired_direction = 'down') then 'improving'
        else 'worsening'
    end as direction_of_travel,
    is_data_gap,
    is_incomplete,
    quality_note
from assessed

{%- endmacro %}


{% macro count_figures(relation, metric_ids=none, always_complete=false) -%}
    select
        metric_id,
        area_code,
        area_level,
        period_end_date,
        period_type,
        breakdown,
        value,
        cast(null as {{ dbt.type_numeric() }}) as ci_lower,
        cast(null as {{ dbt.type_numeric() }}) as ci_upper,
        false as is_suppressed,
        cast(null as {{ dbt.type_string() }}) as suppression_reason,
        is_data_gap,
        {%- if always_complete %}
        false as is_incomplete,
        {%- else %}
        is_incomplete,
        {%- endif %}
        quality_note
    from {{ relation }}
    {%- if metric_ids is not none %}
    where metric_id in ('{{ metric_ids | join("', '") }}')
    {%- endif %}
{%- endmacro %}


{% macro survey_figures(relation, metric_ids=none) -%}
    select
        metric_id,
        area_code,
        area_level,
        period_end_date,
        period_type,
        breakdown,
        value,
        standard_error,
        ci_lower,
        ci_upper,
        is_suppressed,
        suppression_reason,
        is_data_gap,
        is_incomplete,
        quality_note
    from {{ relation }}
    {%- if metric_ids is not none %}
    where metric_id in ('{{ metric_ids | join("', '") }}')
    {%- endif %}
{%- endmacro %}


{#-
    The whole fact from the catalogue: each input of fact_inputs(fact) (generated
    from the catalogue and the feed registry) read with count_figures or
    survey_figures, the counts and the survey estimates each through measure_fact
    (direction of travel by sign or by significance), then stacked.
-#}
{% macro measure_fact_from_catalogue(fact) -%}
    {%- set inputs = ncpm.fact_inputs(fact) -%}
    {%- set counts = inputs | rejectattr('survey') | list -%}
    {%- set estimates = inputs | selectattr('survey') | list -%}

with
{%- if counts %}

counted as (
    {%- for input in counts %}
    {%- if not loop.first %}

    union all
    {%- endif %}

    {{ ncpm.count_figures(ref(input.model), input.metric_ids, always_complete=input.always_complete) }}
    {%- endfor %}

),

counted_fact as (

    {{ ncpm.measure_fact('counted') }}

),
{%- endif %}
{%- if estimates %}

estimated as (
    {%- for input in estimates %}
    {%- if not loop.first %}

    union all
    {%- endif %}

    {{ ncpm.survey_figures(ref(input.model), input.metric_ids) }}
    {%- endfor %}

),

estimated_fact as (

    {{ ncpm.measure_fact('estimated', survey=true) }}

),
{%- endif %}

fact as (
    {%- if counts %}

    select * from counted_fact
    {%- endif %}
    {%- if counts and estimates %}

    union all
    {%- endif %}
    {%- if estimates %}

    select * from estimated_fact
    {%- endif %}

)

select * from fact
{%- endmacro %}
