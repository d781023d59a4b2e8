-- Documents with stable ids; a body already loaded under an earlier path is a duplicate, not a new document.
with

documents as (
    select * from raw.documents
),

ranked as (
    select
        *,
        md5('document|' || source_path) as document_id,
        row_number() over (partition by content_sha256 order by source_path) as copy_number,
        first_value(source_path) over (
            partition by content_sha256 order by source_path
        ) as original_source_path
    from documents
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
        length(body)::integer as char_count,
        ingested_at,
        extractor_version,
        copy_number > 1 as is_duplicate,
        original_source_path
    from ranked
)

select * from final
