-- One row per source document currently loaded; the state that incremental runs diff against.
create table if not exists raw.documents (
    source_path varchar primary key,
    title varchar not null,
    publisher varchar,
    url varchar,
    published_date date,
    body varchar not null,
    content_sha256 varchar not null,
    ingested_at timestamp not null,
    extractor_version varchar not null
)
