"""Plain records that extraction returns; spans are 0-based, end-exclusive offsets into the body."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Entity:
    """One real-world entity named in a document, resolved within that document."""

    key: str  # cross-document resolution key, e.g. "person:liu xiabing"; equal keys = one entity
    entity_type: str  # person | organization | place | other
    name: str  # the fullest name the document uses
    age: int | None = None
    role: str | None = None
    affiliation: str | None = None  # key of an organization Entity of the same document


@dataclass(frozen=True)
class Mention:
    """One occurrence of an entity in the body."""

    entity_key: str
    char_start: int
    char_end: int


@dataclass(frozen=True)
class Metric:
    """One figure stated in the body, in canonical units."""

    char_start: int
    char_end: int
    value: float
    unit: str
    value_low: float | None = None
    value_high: float | None = None
    qualifier: str = "exact"  # exact | approximate | over | under
    period: str | None = None  # year | quarter | month | week | day | hour
    subject: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    is_projection: bool = False
    metric_kind: str = "level"  # level | change
    equivalent_of: int | None = None  # index into Extraction.metrics of the figure this restates


@dataclass(frozen=True)
class Quote:
    """One direct quotation: the span is the text inside the quotation marks."""

    char_start: int
    char_end: int
    speaker_key: str | None = None  # key of an Entity of the same document


@dataclass
class Extraction:
    """Everything extracted from one document."""

    entities: list[Entity] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
