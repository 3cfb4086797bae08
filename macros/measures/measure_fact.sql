{#-
    measure_fact(figures, survey=false)

    Turns a measure's figures into the mart contract (MEASURES.md section 8):
    joins the metric catalogue for unit, desired direction and baseline period,
    adds the baseline value, change, % change, rate per 1,000 and direction of
    travel. One definition, used by every fct_ table. Numbers leave as double,
    the type the marts' contracts declare.

    `figures` (a CTE or relation) has: metric_id, area_code, area_level,
    period_end_date, period_type, breakdown, value, ci_lower, ci_upper,
    is_suppressed, suppression_reason, is_data_gap, is_incomplete, quality_note,
    and, when `survey` is true, standard_error (for the significance test).

    * change_from_baseline = value - baseline_value
    * pct_change_from_baseline = 100 * change / baseline (null for a zero or
      missing baseline)
    * rate_per_1000 = 1000 * value / population, for counts (not percentages)
      of PFAs, regions and England and Wales; the population is the mid-year
      estimate of the year six months before the period end (the middle of a
      12-month period)
    * survey metrics (`survey=true`): z = (x1 - x0) / sqrt(se1^2 + se0^2),
      significant when |z| > 1.96 (macros/survey/estimators.sql,
      is_significant_change); the direction of travel follows significance, and
      is `not assessed` when either estimate or its standard error is missing
      (a gap, or suppressed by disclosure control)

    A fact that publishes both counts and survey estimates (fct_neighbourhood_crime,
    fct_cyber_crime) calls the macro once per path and unions the two outputs.
-#}
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
                then 1000.0 * figures.value / nullif(population.population, 0)
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
    cast(100.0 * change_from_baseline / nullif(baseline_value, 0) as double) as pct_change_from_baseline,
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


{#-
    count_figures(relation, metric_ids=none, always_complete=false)

    The `figures` measure_fact expects, for count metrics (no survey interval,
    no disclosure control) read from an intermediate model with metric_id,
    breakdown, area_code, area_level, period_end_date, period_type, value,
    is_data_gap, is_incomplete and quality_note, keeping `metric_ids` (every
    row when none). A model whose figures are never partial has no
    is_incomplete column: always_complete=true sets it false.
-#}
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


{#-
    survey_figures(relation, metric_ids=none)

    The `figures` measure_fact(survey=true) expects, for survey estimates read
    from an estimation model that carries them all (the count columns of
    count_figures plus standard_error, ci_lower, ci_upper, is_suppressed and
    suppression_reason from disclosure control), keeping `metric_ids` (every
    row when none).
-#}
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
