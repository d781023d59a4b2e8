-- Every extracted figure row with its stable id; equivalent_of is resolved from a position in the document to a
-- metric id. Rows of one document that state the same figure (same span, unit and kind) share an id; the one with
-- the lowest value, then the lowest ordinal, represents it among the published figures.
with

metrics as (
    select * from raw.metrics
),

documents as (
    select * from staging.stg_documents
    where not is_duplicate
),

-- A narrow aggregate over the raw columns: choosing among whole rows (a window or qualify) costs several times more.
representatives as (
    select
        source_path,
        arg_min(ordinal, (value, ordinal)) as ordinal
    from metrics
    group by source_path, char_start, char_end, unit, metric_kind
),

identified as (
    select
        metrics.*,
        documents.document_id,
        md5(
            'metric|' || documents.document_id || '|' || metrics.char_start || '|' || metrics.char_end
            || '|' || metrics.unit || '|' || metrics.metric_kind
        ) as metric_id,
        substr(documents.body, metrics.char_start + 1, metrics.char_end - metrics.char_start) as mention_text
    from metrics
    inner join documents on metrics.source_path = documents.source_path
),

final as (
    select
        identified.metric_id,
        identified.document_id,
        identified.source_path,
        identified.ordinal,
        identified.char_start,
        identified.char_end,
        identified.mention_text,
        identified.value,
        identified.value_low,
        identified.value_high,
        identified.unit,
        identified.qualifier,
        identified.period,
        identified.subject,
        identified.period_start,
        identified.period_end,
        identified.is_projection,
        identified.metric_kind,
        restated.metric_id as equivalent_of_metric_id,
        representatives.ordinal is not null as is_representative
    from identified
    left join identified as restated
        on
            identified.source_path = restated.source_path
            and identified.equivalent_of = restated.ordinal
    left join representatives
        on
            identified.source_path = representatives.source_path
            and identified.ordinal = representatives.ordinal
)

select * from final
