{#-
    roll_up_areas(relation, value_column, group_columns)

    Adds region and England and Wales rows to figures held for PFAs and non-PFA
    reporting bodies. `relation` (a CTE or relation) has `area_code`,
    `area_level` ('pfa' or 'reporting_body'), `value_column` and the
    `group_columns` the roll-up keeps (metric, breakdown, period...).

    * region = sum of its PFAs;
    * England and Wales = sum of all PFAs + reporting bodies.

    A parent is null (a data gap) when any of its parts is null: a rolled-up
    figure is never a partial sum.
-#}
{% macro roll_up_areas(relation, value_column, group_columns) -%}
    {%- set keys = group_columns | join(', ') -%}
    {%- set parts_keys = [] -%}
    {%- for column in group_columns -%}{%- do parts_keys.append('parts.' ~ column) -%}{%- endfor -%}
    select
        {{ keys }},
        area_code,
        area_level,
        {{ value_column }}
    from {{ relation }}

    union all

    select
        {{ parts_keys | join(', ') }},
        areas.parent_area_code as area_code,
        'region' as area_level,
        case
            when count(*) = count(parts.{{ value_column }}) then sum(parts.{{ value_column }})
        end as {{ value_column }}
    from {{ relation }} as parts
    inner join {{ ref('ref_areas') }} as areas
        on parts.area_code = areas.area_code
    where parts.area_level = 'pfa'
    group by {{ parts_keys | join(', ') }}, areas.parent_area_code

    union all

    select
        {{ parts_keys | join(', ') }},
        national.area_code,
        'national' as area_level,
        case
            when count(*) = count(parts.{{ value_column }}) then sum(parts.{{ value_column }})
        end as {{ value_column }}
    from {{ relation }} as parts
    cross join (
        select area_code from {{ ref('ref_areas') }} where area_level = 'national'
    ) as national
    where parts.area_level in ('pfa', 'reporting_body')
    group by {{ parts_keys | join(', ') }}, national.area_code
{%- endmacro %}
