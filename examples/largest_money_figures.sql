-- The largest amounts of money stated in yuan (levels, not changes), with the sentence that states them.
select
    value,
    qualifier,
    is_projection,
    subject,
    title,
    published_date,
    sentence
from marts.metrics_enriched
where unit = 'CNY' and metric_kind = 'level'
order by value desc, metric_id asc
limit 20
