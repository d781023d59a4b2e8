-- Which places are named in the same sentence as a figure most often, and on which topics.
with

figure_places as (
    select
        metric_id,
        topic_labels,
        unnest(sentence_places) as place
    from marts.metrics_enriched
),

final as (
    select
        place,
        count(distinct metric_id) as figures,
        list_sort(list_distinct(flatten(list(topic_labels)))) as topics
    from figure_places
    group by place
)

select * from final
order by figures desc, place asc
