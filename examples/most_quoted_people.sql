-- Who is quoted most, with their roles and affiliations.
select
    canonical_name,
    entity_type,
    quote_count,
    document_count,
    role,
    affiliation,
    roles,
    affiliations
from marts.entity_profile
where quote_count > 0
order by quote_count desc, canonical_name asc
