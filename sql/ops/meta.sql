-- Versions of the code that built this file, so the next run can tell what must be rebuilt.
create table if not exists ops.meta (
    key varchar primary key,
    value varchar not null
)
