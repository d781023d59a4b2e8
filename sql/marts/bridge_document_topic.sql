-- One row per document and topic it is about: a topic keyword in its title, or at least twice in its body.
-- The topic's excluded phrases (wind farm for Agriculture) are blanked out of both texts first.
with

documents as (
    select * from marts.dim_document
),

topics as (
    select * from staging.stg_topic_patterns
),

texts as (
    select
        documents.document_id,
        topics.topic_id,
        topics.pattern,
        coalesce(regexp_replace(documents.title, topics.exclude_pattern, ' ', 'g'), documents.title) as title_text,
        coalesce(regexp_replace(documents.body, topics.exclude_pattern, ' ', 'g'), documents.body) as body_text
    from documents
    cross join topics
),

matches as (
    select
        document_id,
        topic_id,
        len(regexp_extract_all(title_text, pattern)) as title_matches,
        len(regexp_extract_all(body_text, pattern)) as body_matches,
        coalesce(nullif(regexp_extract(title_text, pattern), ''), regexp_extract(body_text, pattern)) as matched_text
    from texts
),

final as (
    select
        document_id,
        topic_id,
        case when title_matches > 0 then 'title' else 'body' end as matched_in,
        title_matches::integer as title_matches,
        body_matches::integer as body_matches,
        matched_text
    from matches
    where title_matches > 0 or body_matches >= 2
)

select * from final
