-- Outcome of every expectation of every run that reached validation.
create table if not exists ops.validation_results (
    run_id varchar not null,
    validated_at timestamp not null,
    suite varchar not null,
    expectation varchar not null,
    column_name varchar,
    description varchar,
    success boolean not null,
    unexpected_count bigint,
    sample varchar,
    error varchar
)
