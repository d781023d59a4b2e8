-- Topics of each figure, tagged at extraction by the taxonomy (flows/topics.py): a keyword in the figure's
-- subject, else in its sentence; by the figure's ordinal.
create table if not exists raw.metric_topics (
    source_path varchar not null,
    ordinal integer not null,
    topic_id varchar not null,
    matched_on varchar not null,
    matched_text varchar not null
)
