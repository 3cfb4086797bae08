-- Offence groups and subgroups are matched ignoring case and runs of white
-- space; two classification rows (or two aliases) that normalise to the same
-- key would duplicate raw rows.
select
    'subgroup' as seed_name,
    {{ normalise_name('offence_group') }} as name_key,
    {{ normalise_name('offence_subgroup') }} as subgroup_key,
    count(*) as row_count
from {{ ref('ref_offence_subgroups') }}
group by {{ normalise_name('offence_group') }}, {{ normalise_name('offence_subgroup') }}
having count(*) > 1

union all

select
    name_level as seed_name,
    {{ normalise_name('name_alias') }} as name_key,
    '' as subgroup_key,
    count(*) as row_count
from {{ ref('ref_offence_name_aliases') }}
group by name_level, {{ normalise_name('name_alias') }}
having count(*) > 1
