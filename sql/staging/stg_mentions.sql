-- Entity mentions with their document and entity ids and the text they cover.
with

mentions as (
    select * from raw.mentions
),

documents as (
    select * from staging.stg_documents
    where not is_duplicate
),

final as (
    select
        documents.document_id,
        md5('entity|' || mentions.entity_key) as entity_id,
        mentions.char_start,
        mentions.char_end,
        substr(documents.body, mentions.char_start + 1, mentions.char_end - mentions.char_start) as mention_text
    from mentions
    inner join documents on mentions.source_path = documents.source_path
)

select * from final
