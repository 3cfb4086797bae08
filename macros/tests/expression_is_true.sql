{#-
    expression_is_true: every row satisfies `expression` (a boolean SQL
    expression over the model's columns). Rows where it is false fail; rows
    where it is null pass, so write `x is null or ...` only when that is meant.
-#}
{% test expression_is_true(model, expression) %}

select *
from {{ model }}
where not ({{ expression }})

{% endtest %}
