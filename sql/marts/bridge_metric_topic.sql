-- One row per figure and topic it is about: a topic keyword in the figure's subject, else in its sentence.
-- The topic's excluded phrases (wind farm for Agriculture) are blanked out of both texts first.
with

metrics as (
    select * from marts.fct_metric
),

sentences as (
    select * from staging.stg_metric_sentences
),

topics as (
    select * from staging.stg_topic_patterns
),

matches as (
    select
        metrics.metric_id,
        topics.topic_id,
        coalesce(metrics.subject, '') as subject_text,
        coalesce(sentences.sentence, '') as sentence_text,
        topics.pattern,
        topics.exclude_pattern
    from metrics
    left join sentences on metrics.metric_id = sentences.metric_id
    cross join topics
),

cleaned as (
    select
        metric_id,
        topic_id,
        nullif(
            regexp_extract(coalesce(regexp_replace(subject_text, exclude_pattern, ' ', 'g'), subject_text), pattern),
            ''
        ) as subject_match,
        nullif(
            regexp_extract(coalesce(regexp_replace(sentence_text, exclude_pattern, ' ', 'g'), sentence_text), pattern),
            ''
        ) as sentence_match
    from matches
),

final as (
    select
        metric_id,
        topic_id,
        case when subject_match is not null then 'subject' else 'sentence' end as matched_on,
        coalesce(subject_match, sentence_match) as matched_text
    from cleaned
    where subject_match is not null or sentence_match is not null
)

select * from final
