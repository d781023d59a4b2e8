-- The bounds of the sentence around each extracted figure, as the extraction workers found them
-- (flows/topics.py sentence_bounds): from the last sentence end before the figure to the first one after it. A
-- sentence ends at . ! or ? followed by a space (not after a single letter as in U.S., not a decimal point) or at a
-- line break; at most 600 characters are looked at on either side.
with

bounds as (
    select * from raw.metric_sentences
),

final as (
    select
        source_path,
        ordinal,
        sentence_start,
        sentence_end
    from bounds
)

select * from final
