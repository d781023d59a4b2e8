-- One row per figure and topic it is about: a topic keyword in the figure's subject, else in its sentence.
-- The topic's excluded phrases (wind farm for Agriculture) are blanked out of both texts first. The extraction
-- workers tag every figure by these rules (flows/topics.py) into raw.metric_topics; this keeps the tags of the
-- extracted row that stands for each figure in fct_metric.
with

metrics as (
    select
        metric_id,
        document_id,
        ordinal
    from marts.fct_metric
),

documents as (
    select
        document_id,
        source_path
    from marts.dim_document
),

metric_topics as (
    select * from raw.metric_topics
),

topics as (
    select * from raw.topics
),

final as (
    select
        metrics.metric_id,
        metrics.document_id,
        metric_topics.topic_id,
        metric_topics.matched_on,
        metric_topics.matched_text
    from metric_topics
    inner join documents on metric_topics.source_path = documents.source_path
    inner join metrics
        on
            documents.document_id = metrics.document_id
            and metric_topics.ordinal = metrics.ordinal
    inner join topics on metric_topics.topic_id = topics.topic_id
)

select * from final
