-- One row per mention of an entity in a document.
with

mentions as (
    select * from staging.stg_mentions
),

final as (
    select
        md5('mention|' || document_id || '|' || char_start || '|' || char_end) as mention_id,
        document_id,
        entity_id,
        char_start,
        char_end,
        mention_text
    from mentions
    qualify row_number() over (partition by document_id, char_start, char_end order by entity_id) = 1
)

select * from final
