{#-
    Grain test: no two rows share the same values of `combination_of_columns`.
    Failing rows are the duplicated keys with how often they occur.
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

select
    {{ combination_of_columns | join(', ') }},
    count(*) as duplicate_count
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1

{% endtest %}
