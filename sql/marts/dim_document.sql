-- One row per document (duplicates of an earlier path are in rejected_documents instead).
with

documents as (
    select * from staging.stg_documents
    where not is_duplicate
),

final as (
    select
        document_id,
        source_path,
        title,
        publisher,
        url,
        published_date,
        body,
        content_sha256,
        char_count,
        ingested_at
    from documents
)

select * from final
