-- The sentence each figure is in, as extracted: body[sentence_start:sentence_end], by the figure's ordinal.
create table if not exists raw.metric_sentences (
    source_path varchar not null,
    ordinal integer not null,
    sentence_start integer not null,
    sentence_end integer not null
)
