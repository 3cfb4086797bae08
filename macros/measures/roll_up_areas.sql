{#-
    roll_up_areas(relation, value_column, group_columns, known_gaps=false)

    Adds region and England and Wales rows to figures held for PFAs and non-PFA
    reporting bodies. `relation` (a CTE or relation) has `area_code`,
    `area_level` ('pfa' or 'reporting_body'), `value_column` and the
    `group_columns` the roll-up keeps (metric, breakdown, period...).

    * region = sum of its PFAs;
    * England and Wales = sum of all PFAs + reporting bodies.

    By default (known_gaps=false) a parent is null (a data gap) when any of its
    parts is null: a rolled-up figure is never a partial sum.

    With known_gaps=true, `relation` also has `is_known_gap` (the part's value is
    null for an ACCEPTED reason: a gap listed in ref_known_data_gaps, or a force
    missing from an annual table), `is_incomplete` and `quality_note`, and the
    output carries the same three columns. Then:

    * a part that is null for an UNKNOWN reason still makes its parent null;
    * parts that are known gaps are left out: the parent is the sum of the parts
      that have a value, flagged `is_incomplete`, with a `quality_note` naming the
      parts left out and the reason (the figure is published as "excluding ...");
    * a parent with no part left is null and itself a known gap;
    * a parent of an incomplete part is incomplete.
-#}
{% macro roll_up_areas(relation, value_column, group_columns, known_gaps=false) -%}
    {%- set keys = group_columns | join(', ') -%}
    {%- set parts_keys = [] -%}
    {%- for column in group_columns -%}{%- do parts_keys.append('parts.' ~ column) -%}{%- endfor -%}
    select
        {{ keys }},
        area_code,
        area_level,
        {{ value_column }}
        {%- if known_gaps %},
        is_known_gap,
        is_incomplete,
        quality_note
        {%- endif %}
    from {{ relation }}

    union all

    select
        {{ parts_keys | join(', ') }},
        areas.parent_area_code as area_code,
        'region' as area_level,
        {{ ncpm._roll_up_parent_columns(value_column, known_gaps) }}
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
        {{ ncpm._roll_up_parent_columns(value_column, known_gaps) }}
    from {{ relation }} as parts
    cross join (
        select area_code from {{ ref('ref_areas') }} where area_level = 'national'
    ) as national
    where parts.area_level in ('pfa', 'reporting_body')
    group by {{ parts_keys | join(', ') }}, national.area_code
{%- endmacro %}


{#- The aggregated columns of a parent row (see roll_up_areas). -#}
{% macro _roll_up_parent_columns(value_column, known_gaps) -%}
    {%- set value = 'parts.' ~ value_column -%}
    {%- if not known_gaps -%}
        case
            when count(*) = count({{ value }}) then sum({{ value }})
        end as {{ value_column }}
    {%- else -%}
        {%- set unknown_missing = "sum(case when " ~ value ~ " is null and not parts.is_known_gap then 1 else 0 end)" -%}
        {%- set known_missing = "sum(case when " ~ value ~ " is null and parts.is_known_gap then 1 else 0 end)" -%}
        case
            when {{ unknown_missing }} = 0 and count({{ value }}) > 0 then sum({{ value }})
        end as {{ value_column }},
        {{ unknown_missing }} = 0 and count({{ value }}) = 0 as is_known_gap,
        count({{ value }}) > 0 and {{ unknown_missing }} = 0 and (
            {{ known_missing }} > 0
            or sum(case when parts.is_incomplete then 1 else 0 end) > 0
        ) as is_incomplete,
        case
            when {{ unknown_missing }} > 0
                then {{ dbt.concat([
                    "'Not published: '",
                    ncpm.sorted_list("case when " ~ value ~ " is null and not parts.is_known_gap then parts.area_code end",
                        "', '"),
                    "' have no data'",
                ]) }}
            when count({{ value }}) = 0
                then {{ dbt.concat([
                    "'No figure: every part ('",
                    ncpm.sorted_list("parts.area_code", "', '"),
                    "') is an accepted data gap: '",
                    "max(parts.quality_note)",
                ]) }}
            when {{ known_missing }} > 0
                then {{ dbt.concat([
                    "'Excludes '",
                    ncpm.sorted_list("case when " ~ value ~ " is null then parts.area_code end", "', '"),
                    "' (accepted data gap): '",
                    "max(case when " ~ value ~ " is null then parts.quality_note end)",
                ]) }}
            when sum(case when parts.is_incomplete then 1 else 0 end) > 0
                then max(case when parts.is_incomplete then parts.quality_note end)
        end as quality_note
    {%- endif -%}
{%- endmacro %}
