-- The topic taxonomy (flows/data/topics.toml), reloaded at every run so a changed taxonomy applies to every document.
create table if not exists raw.topics (
    topic_id varchar primary key,
    label varchar not null,
    description varchar not null,
    sort_order integer not null
)
