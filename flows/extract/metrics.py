"""Figures stated in a text, normalized to canonical units."""

from __future__ import annotations

from datetime import date

from flows.extract.model import Metric


def extract_metrics(body: str, published: date | None = None) -> list[Metric]:
    """Every figure in the body, with its unit, hedge, range, rate, time and subject."""
    return []
