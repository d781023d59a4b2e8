-- One row per figure and topic it is about: a topic keyword in the figure's subject, else in its sentence.
-- The topic's excluded phrases (wind farm for Agriculture) are blanked out of both texts first. The extraction
-- workers tag every figure by these rules (flows/topics.py) into raw.metric_topics; this joins their rows.
-- Tags depend only on the figure's span (its sentence) and subject, so they join to the one row per metric_id
-- that fct_metric keeps by document, span and subject.
with

metrics as (
    select * from marts.fct_metric
),

documents as (
    select
        document_id,
        source_path
    from marts.dim_document
),

raw_metrics as (
    select
        source_path,
        ordinal,
        char_start,
        char_end,
        subject
    from raw.metrics
),

metric_topics as (
    select * from raw.metric_topics
),

topics as (
    select * from raw.topics
),

tagged as (
    select distinct
        raw_metrics.source_path,
        raw_metrics.char_start,
        raw_metrics.char_end,
        raw_metrics.subject,
        metric_topics.topic_id,
        metric_topics.matched_on,
        metric_topics.matched_text
    from metric_topics
    inner join raw_metrics
        on
            metric_topics.source_path = raw_metrics.source_path
            and metric_topics.ordinal = raw_metrics.ordinal
),

final as (
    select
        metrics.metric_id,
        metrics.document_id,
        tagged.topic_id,
        tagged.matched_on,
        tagged.matched_text
    from metrics
    inner join documents on metrics.document_id = documents.document_id
    inner join tagged
        on
            documents.source_path = tagged.source_path
            and metrics.char_start = tagged.char_start
            and metrics.char_end = tagged.char_end
            and metrics.subject is not distinct from tagged.subject
    inner join topics on tagged.topic_id = topics.topic_id
)

select * from final
