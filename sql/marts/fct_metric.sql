-- One row per figure stated in a document, in canonical units.
with

metrics as (
    select * from staging.stg_metrics
),

final as (
    select *
    from metrics
    qualify row_number() over (partition by metric_id order by value) = 1
)

select * from final
