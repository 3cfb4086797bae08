{#-
    every_row_has_parent: every non-null `column_name` of the model exists as
    `field` of `to` (a relationships test for raw feeds). Failing rows carry a
    failure_message naming the file, the data row, the value and the rule, e.g.
    an orphan victim form whose respondent is missing from the respondent file.

    Arguments: to (a relation), field, feed (named in the message, the model's
    raw feed), parent_feed (the feed that should hold the parent). The model
    has source_file and source_row_number.
-#}
{% test every_row_has_parent(model, column_name, to, field, feed, parent_feed) %}

with

orphans as (

    select
        child.source_file,
        child.source_row_number,
        child.{{ column_name }}
    from {{ model }} as child
    left join {{ to }} as parent
        on child.{{ column_name }} = parent.{{ field }}
    where
        child.{{ column_name }} is not null
        and parent.{{ field }} is null

)

select
    source_file,
    source_row_number,
    {{ column_name }},
    {{ ncpm.input_error_message(
        feed,
        'orphan row; rule: every ' ~ column_name ~ ' must exist in ' ~ parent_feed,
        column_name,
        'Land the matching ' ~ parent_feed ~ ' file, or correct this one.',
    ) }} as failure_message
from orphans

{% endtest %}
