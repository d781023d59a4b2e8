-- One row per document and topic it is about: a topic keyword in its title, or at least twice in its body.
-- The topic's excluded phrases (wind farm for Agriculture) are blanked out of both texts first. The extraction
-- workers tag every document by these rules (flows/topics.py) into raw.document_topics; this joins their rows.
with

documents as (
    select * from marts.dim_document
),

document_topics as (
    select * from raw.document_topics
),

topics as (
    select * from raw.topics
),

final as (
    select
        documents.document_id,
        document_topics.topic_id,
        document_topics.matched_in,
        document_topics.title_matches,
        document_topics.body_matches,
        document_topics.matched_text
    from document_topics
    inner join documents on document_topics.source_path = documents.source_path
    inner join topics on document_topics.topic_id = topics.topic_id
)

select * from final
