-- Documents or lines that could not be loaded in the latest run, with the reason.
create table if not exists raw.rejections (
    source_path varchar not null,
    line integer,
    reason varchar not null,
    detected_at timestamp not null
)
