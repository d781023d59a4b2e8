-- One row per figure stated in a document, in canonical units.
with

metrics as (
    select * from staging.stg_metrics
    where is_representative
),

final as (
    select
        metric_id,
        document_id,
        char_start,
        char_end,
        mention_text,
        value,
        value_low,
        value_high,
        unit,
        qualifier,
        period,
        subject,
        period_start,
        period_end,
        is_projection,
        metric_kind,
        equivalent_of_metric_id,
        ordinal
    from metrics
)

select * from final
