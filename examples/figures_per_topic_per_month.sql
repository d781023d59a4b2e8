-- How many figures per topic per month; a figure about two topics counts for both.
-- as_of_date is the time the figure refers to, else the document's date.
with

figure_topics as (
    select
        date_trunc('month', as_of_date)::date as month,
        unnest(topic_labels) as topic
    from marts.metrics_enriched
    where as_of_date is not null
),

final as (
    select
        month,
        topic,
        count(*) as figures
    from figure_topics
    group by month, topic
)

select * from final
order by month asc, figures desc, topic asc
