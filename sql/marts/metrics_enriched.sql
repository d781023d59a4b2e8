-- Each figure with what an analyst asks next: which document, when, who published it, its sentence, topics, places.
with

metrics as (
    select * from marts.fct_metric
),

-- The per-figure context below is built on these narrow rows and joined to the wide ones once, in final: a CTE
-- read twice is materialized whole, and a hash table built on the wide rows took 1.4 GB at 3 million figures.
metric_keys as (
    select
        metric_id,
        document_id,
        ordinal
    from marts.fct_metric
),

documents as (
    select * from marts.dim_document
),

document_paths as (
    select
        document_id,
        source_path
    from marts.dim_document
),

sentence_bounds as (
    select * from staging.stg_metric_sentences
),

metric_topics as (
    select * from marts.bridge_metric_topic
),

topics as (
    select
        topic_id,
        label,
        row_number() over (order by sort_order, topic_id) - 1 as position
    from marts.dim_topic
),

mentions as (
    select * from marts.fct_entity_mention
),

places as (
    select * from marts.dim_entity
    where entity_type = 'place'
),

-- Bounds only: the sentence text is cut from the body in final, where documents join once per figure; a join that
-- carried bodies into millions of rows would copy them.
sentences as (
    select
        metric_keys.metric_id,
        metric_keys.document_id,
        sentence_bounds.sentence_start,
        sentence_bounds.sentence_end
    from metric_keys
    inner join document_paths on metric_keys.document_id = document_paths.document_id
    inner join sentence_bounds
        on
            document_paths.source_path = sentence_bounds.source_path
            and metric_keys.ordinal = sentence_bounds.ordinal
),

-- Each figure's topics as one bit per topic: DuckDB folds millions of groups into a bit_or ten times faster than
-- into list(); the few distinct sets of topics are then spelled out as lists once each. Up to 127 topics fit.
topic_masks as (
    select
        metric_topics.metric_id,
        bit_or(1::hugeint << topics.position) as topic_mask
    from metric_topics
    inner join topics on metric_topics.topic_id = topics.topic_id
    group by metric_topics.metric_id
),

topic_sets as (
    select
        masks.topic_mask,
        list(topics.topic_id order by topics.position) as topics,
        list(topics.label order by topics.position) as topic_labels
    from (select distinct topic_mask from topic_masks) as masks
    inner join topics on (masks.topic_mask >> topics.position) & 1 = 1
    group by masks.topic_mask
),

topic_lists as (
    select
        topic_masks.metric_id,
        topic_sets.topics,
        topic_sets.topic_labels
    from topic_masks
    inner join topic_sets on topic_masks.topic_mask = topic_sets.topic_mask
),

place_mentions as (
    select
        mentions.document_id,
        mentions.char_start,
        mentions.char_end,
        places.entity_id,
        places.canonical_name
    from mentions
    inner join places on mentions.entity_id = places.entity_id
),

sentence_places as (
    select
        sentences.metric_id,
        list(distinct place_mentions.canonical_name order by place_mentions.canonical_name) as sentence_places
    from sentences
    inner join place_mentions
        on
            sentences.document_id = place_mentions.document_id
            and sentences.sentence_start <= place_mentions.char_start
            and sentences.sentence_end >= place_mentions.char_end
    group by sentences.metric_id
),

metric_context as materialized (
    select
        metric_keys.metric_id,
        sentences.sentence_start,
        sentences.sentence_end,
        topic_lists.topics,
        topic_lists.topic_labels,
        sentence_places.sentence_places
    from metric_keys
    left join sentences on metric_keys.metric_id = sentences.metric_id
    left join topic_lists on metric_keys.metric_id = topic_lists.metric_id
    left join sentence_places on metric_keys.metric_id = sentence_places.metric_id
),

document_place_counts as (
    select
        document_id,
        canonical_name,
        count(*) as mentions,
        min(char_start) as first_start
    from place_mentions
    group by document_id, canonical_name
),

document_places as (
    select
        document_id,
        list(canonical_name order by mentions desc, first_start asc) as document_places
    from document_place_counts
    group by document_id
),

final as (
    select
        metrics.metric_id,
        metrics.document_id,
        documents.title,
        documents.publisher,
        documents.published_date,
        documents.url,
        documents.source_path,
        metrics.mention_text,
        metrics.value,
        metrics.value_low,
        metrics.value_high,
        metrics.unit,
        metrics.qualifier,
        metrics.period,
        metrics.subject,
        metrics.period_start,
        metrics.period_end,
        metrics.is_projection,
        metrics.metric_kind,
        metrics.equivalent_of_metric_id,
        coalesce(metrics.period_end, documents.published_date) as as_of_date,
        substr(
            documents.body,
            metric_context.sentence_start + 1,
            metric_context.sentence_end - metric_context.sentence_start
        ) as sentence,
        metric_context.sentence_start,
        metric_context.sentence_end,
        coalesce(metric_context.topics, []::varchar[]) as topics,
        coalesce(metric_context.topic_labels, []::varchar[]) as topic_labels,
        coalesce(metric_context.sentence_places, []::varchar[]) as sentence_places,
        coalesce(document_places.document_places, []::varchar[]) as document_places,
        metrics.char_start,
        metrics.char_end
    from metrics
    inner join documents on metrics.document_id = documents.document_id
    inner join metric_context on metrics.metric_id = metric_context.metric_id
    left join document_places on metrics.document_id = document_places.document_id
)

select * from final
