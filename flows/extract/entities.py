"""People, organizations and places named in a text."""

from __future__ import annotations

from flows.extract.model import Entity, Mention


def extract_entities(body: str) -> tuple[list[Entity], list[Mention]]:
    """Entities resolved within the document, and every mention of each."""
    return [], []
