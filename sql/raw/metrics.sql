-- Figures as extracted; ordinal is the figure's position in its document, used by equivalent_of.
create table if not exists raw.metrics (
    source_path varchar not null,
    ordinal integer not null,
    char_start integer not null,
    char_end integer not null,
    value double not null,
    value_low double,
    value_high double,
    unit varchar not null,
    qualifier varchar not null,
    period varchar,
    subject varchar,
    period_start date,
    period_end date,
    is_projection boolean not null,
    metric_kind varchar not null,
    equivalent_of integer
)
