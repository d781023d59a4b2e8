-- One row per pipeline run that reached the publish decision, published or not.
create table if not exists ops.runs (
    run_id varchar primary key,
    started_at timestamp not null,
    finished_at timestamp,
    source varchar,
    published boolean not null,
    validation_success boolean,
    documents_new integer,
    documents_changed integer,
    documents_unchanged integer,
    documents_removed integer,
    documents_rejected integer,
    message varchar
)
