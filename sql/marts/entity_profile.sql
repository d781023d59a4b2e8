-- Each entity with how often and where it appears: mentions, documents, quotations, first and last seen, roles.
with

entities as (
    select * from marts.dim_entity
),

mentions as (
    select * from marts.fct_entity_mention
),

documents as (
    select * from marts.dim_document
),

quotes as (
    select * from marts.fct_quote
),

per_document as (
    select * from staging.stg_entities
),

mention_stats as (
    select
        mentions.entity_id,
        count(*) as mention_count,
        count(distinct mentions.document_id) as document_count,
        min(documents.published_date) as first_seen_date,
        max(documents.published_date) as last_seen_date,
        min(documents.ingested_at) as first_ingested_at,
        max(documents.ingested_at) as last_ingested_at
    from mentions
    inner join documents on mentions.document_id = documents.document_id
    group by mentions.entity_id
),

quote_stats as (
    select
        speaker_entity_id as entity_id,
        count(*) as quote_count
    from quotes
    where speaker_entity_id is not null
    group by speaker_entity_id
),

stated as (
    select
        per_document.entity_id,
        list(distinct per_document.role order by per_document.role) filter (per_document.role is not null) as roles,
        list(distinct orgs.canonical_name order by orgs.canonical_name) filter (orgs.canonical_name is not null)
            as affiliations,
        list(distinct per_document.name order by per_document.name) as names
    from per_document
    left join entities as orgs on per_document.affiliation_entity_id = orgs.entity_id
    group by per_document.entity_id
),

final as (
    select
        entities.entity_id,
        entities.entity_type,
        entities.canonical_name,
        entities.age,
        entities.role,
        entities.affiliation,
        coalesce(mention_stats.mention_count, 0)::integer as mention_count,
        coalesce(mention_stats.document_count, 0)::integer as document_count,
        coalesce(quote_stats.quote_count, 0)::integer as quote_count,
        mention_stats.first_seen_date,
        mention_stats.last_seen_date,
        mention_stats.first_ingested_at,
        mention_stats.last_ingested_at,
        coalesce(stated.roles, []::varchar[]) as roles,
        coalesce(stated.affiliations, []::varchar[]) as affiliations,
        coalesce(stated.names, []::varchar[]) as names
    from entities
    left join mention_stats on entities.entity_id = mention_stats.entity_id
    left join quote_stats on entities.entity_id = quote_stats.entity_id
    left join stated on entities.entity_id = stated.entity_id
)

select * from final
