-- One row per real-world entity across all documents: the fullest name and the most often stated attributes.
with

entities as (
    select * from staging.stg_entities
),

names as (
    select
        entity_id,
        name,
        count(*) as documents
    from entities
    group by all
),

canonical_names as (
    select
        entity_id,
        name as canonical_name
    from names
    qualify row_number() over (
        partition by entity_id order by length(name) desc, documents desc, name asc
    ) = 1
),

-- Each attribute as the documents state it, one row per statement (unpivot drops the unstated ones).
statements as (
    unpivot (
        select
            entity_id,
            entity_type,
            role,
            affiliation_entity_id,
            age::varchar as age
        from entities
    )
    on entity_type, age, role, affiliation_entity_id
    into name attribute value stated
),

statement_counts as (
    select
        entity_id,
        attribute,
        stated,
        count(*) as times
    from statements
    group by all
),

-- The most often stated value; a tie goes to the first in sort order, so a rebuild of the same documents picks
-- the same value (mode() picks any of the tied ones).
most_stated as (
    select
        entity_id,
        attribute,
        arg_min(stated, (-times, stated)) as stated
    from statement_counts
    group by entity_id, attribute
),

attributes as (
    select
        entity_id,
        max(stated) filter (where attribute = 'entity_type') as entity_type,
        max(stated) filter (where attribute = 'age')::integer as age,
        max(stated) filter (where attribute = 'role') as role,
        max(stated) filter (where attribute = 'affiliation_entity_id') as affiliation_entity_id
    from most_stated
    group by entity_id
),

final as (
    select
        attributes.entity_id,
        attributes.entity_type,
        canonical_names.canonical_name,
        attributes.age,
        attributes.role,
        affiliations.canonical_name as affiliation,
        attributes.affiliation_entity_id
    from attributes
    inner join canonical_names on attributes.entity_id = canonical_names.entity_id
    left join canonical_names as affiliations on attributes.affiliation_entity_id = affiliations.entity_id
)

select * from final
