-- The sentence around each figure: from the last sentence end before it to the first one after it.
-- A sentence ends at . ! or ? followed by a space (not after a single letter as in U.S., not a decimal point)
-- or at a line break; at most 600 characters are looked at on either side.
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
        body
    from staging.stg_documents
    where not is_duplicate
),

windows as (
    select
        metrics.metric_id,
        metrics.document_id,
        metrics.char_start,
        metrics.char_end,
        documents.body,
        substr(
            documents.body,
            greatest(metrics.char_start - 600, 0) + 1,
            metrics.char_start - greatest(metrics.char_start - 600, 0)
        ) as text_before,
        substr(documents.body, metrics.char_end + 1, 600) as text_after
    from metrics
    inner join documents on metrics.document_id = documents.document_id
),

edges as (
    select
        *,
        regexp_replace(
            regexp_extract(
                text_before, '^(?:(?s:.*)(?:(?:[^.\s]{2}|[a-z0-9%)])[.!?]["”’)]*\s|\n))?(.*)$', 1
            ),
            '^\s+',
            ''
        ) as lead_text,
        regexp_replace(
            coalesce(
                nullif(
                    regexp_extract(
                        text_after, '^(?:|[^\n]*?(?:[^.\s]{2}|[a-z0-9%)]))[.!?]["”’)]*(?:\s|$)'
                    ),
                    ''
                ),
                regexp_extract(text_after, '^[^\n]*')
            ),
            '\s+$',
            ''
        ) as tail_text
    from windows
),

final as (
    select
        metric_id,
        document_id,
        (char_start - length(lead_text))::integer as sentence_start,
        (char_end + length(tail_text))::integer as sentence_end,
        substr(
            body, char_start - length(lead_text) + 1, char_end + length(tail_text) - char_start + length(lead_text)
        ) as sentence
    from edges
)

select * from final
