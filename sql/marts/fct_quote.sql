-- One row per direct quotation, with its speaker where the text says who.
with

quotes as (
    select * from staging.stg_quotes
),

final as (
    select *
    from quotes
    qualify row_number() over (partition by quote_id order by speaker_entity_id nulls last) = 1
)

select * from final
