-- Per-document entities with the cross-document id their resolution key gives them.
with

entities as (
    select * from raw.entities
),

documents as (
    select * from staging.stg_documents
    where not is_duplicate
),

final as (
    select
        documents.document_id,
        md5('entity|' || entities.entity_key) as entity_id,
        entities.entity_key,
        entities.entity_type,
        entities.name,
        entities.age,
        entities.role,
        case
            when entities.affiliation_key is not null
                then md5('entity|' || entities.affiliation_key)
        end as affiliation_entity_id
    from entities
    inner join documents on entities.source_path = documents.source_path
)

select * from final
