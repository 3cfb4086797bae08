-- Force spellings are matched ignoring case and runs of white space, so two
-- aliases that normalise to the same key would duplicate raw rows. Each
-- normalised spelling must appear once in ref_area_aliases.
select
    {{ normalise_name('area_name_alias') }} as area_name_key,
    count(*) as alias_count
from {{ ref('ref_area_aliases') }}
group by {{ normalise_name('area_name_alias') }}
having count(*) > 1
