-- The publication period (variable publication_period, a quarter end) must lie
-- inside the window every quarterly feed covers: a publication for a quarter the
-- data do not reach yet (or no longer hold) is refused before any mart is built.
{%- set chosen_period = var('publication_period', none) %}
select
    coverage.source_feed,
    coverage.first_period_end_date,
    coverage.last_period_end_date,
    {{ dbt.concat([
        "'publication period " ~ chosen_period ~ " is outside the data of feed '",
        "coverage.source_feed",
        "' (it covers '",
        "cast(coverage.first_period_end_date as " ~ dbt.type_string() ~ ")",
        "' to '",
        "cast(coverage.last_period_end_date as " ~ dbt.type_string() ~ ")",
        "'): choose a quarter end inside every quarterly feed, or land the missing release first'",
    ]) }} as failure_message
from {{ ref('int_feed_coverage') }} as coverage
where
    coverage.is_quarterly
    {%- if chosen_period %}
        and cast('{{ chosen_period }}' as date) not between coverage.first_period_end_date
        and coverage.last_period_end_date
    {%- else %}
        and false
    {%- endif %}
