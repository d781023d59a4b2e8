"""The topic taxonomy as data: read flows/data/topics.toml and turn each keyword into the regex SQL matches."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

TAXONOMY_FILE = Path(__file__).resolve().parent / "data" / "topics.toml"
TOPIC_ID = re.compile(r"[a-z][a-z0-9_]*")
# A keyword is words of letters, digits and a few joiners; it must start and end with a word character (or *),
# so the \b anchors around it mean "whole words".
KEYWORD = re.compile(r"[\w][\w.&'/]*\*?(?: [\w][\w.&'/]*\*?)*", re.UNICODE)
# Between the words of a phrase: any run of spaces or hyphens ("live stream" = "live-stream" = "live  stream").
WORD_GAP = r"[\s-]+"


class TaxonomyError(ValueError):
    """The taxonomy file breaks one of its rules."""


@dataclass(frozen=True)
class Topic:
    """One topic: its id, label, description, keywords and excluded phrases in the order written."""

    topic_id: str
    label: str
    description: str
    keywords: tuple[str, ...]
    excludes: tuple[str, ...] = ()


def load_taxonomy(path: Path = TAXONOMY_FILE) -> list[Topic]:
    """Every topic of the taxonomy file, checked."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    topics = [_topic(entry, path) for entry in data.get("topic", [])]
    if not topics:
        raise TaxonomyError(f"{path}: no [[topic]] entries")
    ids = [t.topic_id for t in topics]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise TaxonomyError(f"{path}: duplicate topic ids {duplicates}")
    return topics


def _topic(entry: dict, path: Path) -> Topic:
    topic_id = entry.get("id", "")
    if not TOPIC_ID.fullmatch(topic_id):
        raise TaxonomyError(f"{path}: topic id {topic_id!r} must be lower case letters, digits and _")
    for key in ("label", "description"):
        if not str(entry.get(key, "")).strip():
            raise TaxonomyError(f"{path}: topic {topic_id} has no {key}")
    keywords = tuple(entry.get("keywords", ()))
    excludes = tuple(entry.get("exclude", ()))
    if not keywords:
        raise TaxonomyError(f"{path}: topic {topic_id} has no keywords")
    for keyword in keywords + excludes:
        if not isinstance(keyword, str) or not KEYWORD.fullmatch(keyword):
            raise TaxonomyError(f"{path}: topic {topic_id}: keyword {keyword!r} is not words separated by spaces")
    return Topic(topic_id, entry["label"].strip(), entry["description"].strip(), keywords, excludes)


def keyword_pattern(keyword: str) -> str:
    """The regex of one keyword: whole words, * = any word ending, spaces = spaces or hyphens; RE2 and re agree."""
    words = []
    for word in keyword.split():
        wildcard = word.endswith("*")
        literal = "".join(c if c.isalnum() or c == "_" else "\\" + c for c in word.rstrip("*"))
        words.append(literal + (r"\w*" if wildcard else ""))
    body = WORD_GAP.join(words)
    # An acronym written in capitals (AI, 5G, R&D) would otherwise match ordinary words and names (Ai, ai).
    case_sensitive = any(c.isalpha() for c in keyword) and keyword.upper() == keyword
    return rf"(?-i:\b{body}\b)" if case_sensitive else rf"\b{body}\b"


def topic_rows(topics: list[Topic]) -> list[tuple[str, str, str, int]]:
    """Rows of raw.topics: topic_id, label, description, sort_order."""
    return [(t.topic_id, t.label, t.description, i) for i, t in enumerate(topics, start=1)]


def keyword_rows(topics: list[Topic]) -> list[tuple[str, str, str, bool]]:
    """Rows of raw.topic_keywords: topic_id, keyword, pattern, is_exclusion."""
    return [
        (t.topic_id, k, keyword_pattern(k), excluded)
        for t in topics
        for excluded, words in ((False, t.keywords), (True, t.excludes))
        for k in words
    ]
