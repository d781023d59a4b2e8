-- Keyword patterns of each topic as written in the taxonomy and as the regular expression matched; an exclusion
-- names a phrase that does not count for the topic.
create table if not exists raw.topic_keywords (
    topic_id varchar not null,
    keyword varchar not null,
    pattern varchar not null,
    is_exclusion boolean not null
)
