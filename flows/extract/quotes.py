"""Direct quotations and their speakers."""

from __future__ import annotations

from flows.extract.model import Entity, Mention, Quote


def extract_quotes(body: str, entities: list[Entity], mentions: list[Mention]) -> list[Quote]:
    """Every direct quotation in the body, attributed to an entity where the text says who."""
    return []
