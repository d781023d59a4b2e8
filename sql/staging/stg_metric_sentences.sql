-- The sentence around each figure, body[sentence_start:sentence_end], with the bounds the extraction workers found
-- (flows/topics.py sentence_bounds, into raw.metric_sentences): from the last sentence end before the figure to the
-- first one after it. A sentence ends at . ! or ? followed by a space (not after a single letter as in U.S., not a
-- decimal point) or at a line break; at most 600 characters are looked at on either side.
with

metrics as (
    select distinct
        metric_id,
        document_id,
        char_start,
        char_end
    from staging.stg_metrics
),

documents as (
    select
        document_id,
        source_path,
        body
    from staging.stg_documents
    where not is_duplicate
),

raw_metrics as (
    select
        source_path,
        ordinal,
        char_start,
        char_end
    from raw.metrics
),

bounds as (
    select * from raw.metric_sentences
),

spans as (
    select distinct
        raw_metrics.source_path,
        raw_metrics.char_start,
        raw_metrics.char_end,
        bounds.sentence_start,
        bounds.sentence_end
    from raw_metrics
    inner join bounds
        on
            raw_metrics.source_path = bounds.source_path
            and raw_metrics.ordinal = bounds.ordinal
),

final as (
    select
        metrics.metric_id,
        metrics.document_id,
        spans.sentence_start,
        spans.sentence_end,
        substr(documents.body, spans.sentence_start + 1, spans.sentence_end - spans.sentence_start) as sentence
    from metrics
    inner join documents on metrics.document_id = documents.document_id
    inner join spans
        on
            documents.source_path = spans.source_path
            and metrics.char_start = spans.char_start
            and metrics.char_end = spans.char_end
)

select * from final
