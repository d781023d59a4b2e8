-- Size and modification time of every source file loaded without a problem, so an unchanged file is not read again.
create table if not exists raw.source_files (
    rel_path varchar primary key,
    size bigint not null,
    mtime_ns bigint not null
)
