-- Topics of each document, tagged at extraction by the taxonomy (flows/topics.py): a keyword in the title, or at
-- least two in the body. The taxonomy is part of raw.documents.extractor_version, so an edit re-tags everything.
create table if not exists raw.document_topics (
    source_path varchar not null,
    topic_id varchar not null,
    matched_in varchar not null,
    title_matches integer not null,
    body_matches integer not null,
    matched_text varchar not null
)
