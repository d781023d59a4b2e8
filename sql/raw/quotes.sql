-- Direct quotations as extracted, with the speaker's entity key when attributed.
create table if not exists raw.quotes (
    source_path varchar not null,
    ordinal integer not null,
    char_start integer not null,
    char_end integer not null,
    speaker_key varchar
)
