-- Entities as the extractor resolved them within each document.
create table if not exists raw.entities (
    source_path varchar not null,
    entity_key varchar not null,
    entity_type varchar not null,
    name varchar not null,
    age integer,
    role varchar,
    affiliation_key varchar
)
