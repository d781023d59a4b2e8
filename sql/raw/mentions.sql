-- Every span where a document names an entity.
create table if not exists raw.mentions (
    source_path varchar not null,
    entity_key varchar not null,
    char_start integer not null,
    char_end integer not null
)
