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

attributes as (
    select
        entity_id,
        mode(entity_type) as entity_type,
        mode(age) as age,
        mode(role) as role,
        mode(affiliation_entity_id) as affiliation_entity_id
    from entities
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
