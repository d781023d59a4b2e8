-- How many documents each publisher contributed, and the dates of its first and latest documents.
select
    coalesce(publisher, '(not stated)') as publisher,
    count(*) as documents,
    min(published_date) as first_published,
    max(published_date) as last_published
from marts.dim_document
group by all
order by documents desc, publisher asc
