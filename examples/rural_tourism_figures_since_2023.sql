-- Every figure about rural tourism since 2023, newest first.
-- A figure is about tourism when the tourism topic matched its subject or sentence (marts.bridge_metric_topic);
-- "rural" is asked of the sentence or the document title.
select
    as_of_date,
    title,
    publisher,
    mention_text,
    value,
    unit,
    subject,
    sentence
from marts.metrics_enriched
where
    list_contains(topics, 'tourism')
    and (regexp_matches(sentence, '(?i)\b(rural|countryside|village)') or regexp_matches(title, '(?i)\brural\b'))
    and as_of_date >= date '2023-01-01'
order by as_of_date desc, title asc, char_start asc
