{#-
    non_negative: no value of the column below zero (nulls pass). Use it on
    aggregated figures: raw police-recorded rows may be negative back-record
    adjustments, but no published total may be.
-#}
{% test non_negative(model, column_name) %}

select *
from {{ model }}
where {{ column_name }} < 0

{% endtest %}
