-- Each quotation with who said it (name, type, role, affiliation) and the document it is from.
with

quotes as (
    select * from marts.fct_quote
),

documents as (
    select * from marts.dim_document
),

entities as (
    select * from marts.dim_entity
),

final as (
    select
        quotes.quote_id,
        quotes.document_id,
        documents.title,
        documents.publisher,
        documents.published_date,
        documents.url,
        documents.source_path,
        quotes.quote_text,
        quotes.speaker_entity_id,
        speakers.canonical_name as speaker_name,
        speakers.entity_type as speaker_type,
        speakers.role as speaker_role,
        speakers.affiliation as speaker_affiliation,
        length(quotes.quote_text)::integer as quote_length,
        quotes.char_start,
        quotes.char_end
    from quotes
    inner join documents on quotes.document_id = documents.document_id
    left join entities as speakers on quotes.speaker_entity_id = speakers.entity_id
)

select * from final
