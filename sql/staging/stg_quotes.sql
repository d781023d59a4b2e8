-- Quotations with stable ids and their speaker's entity id.
with

quotes as (
    select * from raw.quotes
),

documents as (
    select * from staging.stg_documents
    where not is_duplicate
),

final as (
    select
        md5('quote|' || documents.document_id || '|' || quotes.char_start || '|' || quotes.char_end) as quote_id,
        documents.document_id,
        case when quotes.speaker_key is not null then md5('entity|' || quotes.speaker_key) end as speaker_entity_id,
        substr(documents.body, quotes.char_start + 1, quotes.char_end - quotes.char_start) as quote_text,
        quotes.char_start,
        quotes.char_end
    from quotes
    inner join documents on quotes.source_path = documents.source_path
)

select * from final
