-- Every document or line that was not loaded, and why: unreadable input from the latest run and duplicate bodies.
with

rejections as (
    select * from raw.rejections
),

duplicates as (
    select * from staging.stg_documents
    where is_duplicate
),

final as (
    select
        source_path,
        line,
        reason,
        detected_at
    from rejections
    union all
    select
        source_path,
        null::integer as line,
        'duplicate: same body as ' || original_source_path as reason,
        ingested_at as detected_at
    from duplicates
)

select * from final
