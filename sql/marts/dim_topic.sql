-- One row per topic of the taxonomy (flows/data/topics.toml), with the keywords that assign it.
with

topics as (
    select * from staging.stg_topic_patterns
),

final as (
    select
        topic_id,
        label,
        description,
        keywords,
        excludes,
        pattern,
        exclude_pattern,
        sort_order
    from topics
)

select * from final
