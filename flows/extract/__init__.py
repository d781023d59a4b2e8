"""Pure extraction: text in, entities, figures and quotations out. Imports neither Prefect nor DuckDB."""

from __future__ import annotations

from datetime import date

from flows.extract.model import Entity, Extraction, Mention, Metric, Quote

EXTRACTOR_VERSION = "0.2.1"


def extract_document(body: str, published: date | None = None) -> Extraction:
    """Extract entities, figures and quotations from one normalized body."""
    from flows.extract.entities import extract_entities
    from flows.extract.metrics import extract_metrics
    from flows.extract.quotes import extract_quotes

    entities, mentions = extract_entities(body)
    metrics = extract_metrics(body, published)
    quotes = extract_quotes(body, entities, mentions)
    return Extraction(entities=entities, mentions=mentions, metrics=metrics, quotes=quotes)


__all__ = ["EXTRACTOR_VERSION", "Entity", "Extraction", "Mention", "Metric", "Quote", "extract_document"]
