-- One case-insensitive regular expression per topic (longest keywords first, so a match reports the fullest
-- phrase) and one for its excluded phrases, which are blanked out of a text before the topic is matched.
with

topics as (
    select * from raw.topics
),

keywords as (
    select * from raw.topic_keywords
),

patterns as (
    select
        topic_id,
        '(?i)(?:' || string_agg(pattern, '|' order by length(keyword) desc, keyword) filter (not is_exclusion)
        || ')' as pattern,
        '(?i)(?:' || string_agg(pattern, '|' order by length(keyword) desc, keyword) filter (is_exclusion)
        || ')' as exclude_pattern,
        list(keyword order by keyword) filter (not is_exclusion) as keywords,
        list(keyword order by keyword) filter (is_exclusion) as excludes
    from keywords
    group by topic_id
),

final as (
    select
        topics.topic_id,
        topics.label,
        topics.description,
        topics.sort_order,
        patterns.keywords,
        coalesce(patterns.excludes, []::varchar[]) as excludes,
        patterns.pattern,
        patterns.exclude_pattern
    from topics
    inner join patterns on topics.topic_id = patterns.topic_id
)

select * from final
