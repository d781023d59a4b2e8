-- The documents the last build re-derived incrementally; per-document checks of that run looked only at them.
create table if not exists ops.changed_documents (
    document_id varchar not null
)
