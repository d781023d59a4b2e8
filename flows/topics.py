"""The topic taxonomy as data (flows/data/topics.toml), and the tagger that applies it at extraction time.

Pure Python: no Prefect, no DuckDB. The extraction workers build one TopicTagger per process and tag every
document (title, body) and every figure (subject, sentence) as they extract it; the SQL only joins the rows.
The regular expressions are the ones raw.topic_keywords / marts.dim_topic publish for RE2, compiled so that
Python's re matches what DuckDB's regexp functions would (ASCII word boundaries and classes, as in RE2).
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from flows.extract import EXTRACTOR_VERSION as EXTRACT_VERSION

TAXONOMY_FILE = Path(__file__).resolve().parent / "data" / "topics.toml"
# marts.metrics_enriched folds a figure's topics into one bit each of a 128-bit integer.
MAX_TOPICS = 127
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


def load_taxonomy(path: Path | None = None) -> list[Topic]:
    """Every topic of the taxonomy file (default: the one in use, see taxonomy_path), checked."""
    path = Path(path or taxonomy_path())
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    topics = [_topic(entry, path) for entry in data.get("topic", [])]
    if not topics:
        raise TaxonomyError(f"{path}: no [[topic]] entries")
    ids = [t.topic_id for t in topics]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise TaxonomyError(f"{path}: duplicate topic ids {duplicates}")
    if len(topics) > MAX_TOPICS:
        raise TaxonomyError(f"{path}: {len(topics)} topics; at most {MAX_TOPICS} are supported")
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


# --- The tagger -------------------------------------------------------------------------------------------------

# Bump when the tagging or sentence rules below change: it is part of every document's extractor version.
TAGGER_VERSION = "1"
# RE2's \s, which DuckDB's regexp functions use: ASCII whitespace without \v (Python's \s also has \v).
RE2_SPACE = "\t\n\f\r "
PY_WORD_GAP = f"[{RE2_SPACE}-]+"
FLAGS = re.IGNORECASE | re.ASCII  # RE2's \b and \w are ASCII; (?i) is the SQL's '(?i)' prefix


def taxonomy_path() -> Path:
    """The taxonomy file in use (read at call time, so a test can point the module at a copy)."""
    return TAXONOMY_FILE


def python_pattern(keyword: str) -> str:
    """keyword_pattern for Python's re: the same regex with RE2's whitespace class between words."""
    return keyword_pattern(keyword).replace(WORD_GAP, PY_WORD_GAP)


def alternation_order(words: tuple[str, ...] | list[str]) -> list[str]:
    """Keywords in the order the SQL joins them (longest first, then by code point), so a match is the fullest."""
    return sorted(words, key=lambda k: (-len(k), k))


# Every keyword match starts where a run of ASCII word characters starts (its regex begins with \b and a word
# character): a token of the text lower-cased in ASCII. A keyword's head is the run its first word starts with.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_TOKEN = re.compile(r"[0-9a-z_]+")
_HEAD = re.compile(r"[0-9A-Za-z_]+")
_TOKEN_CACHE_LIMIT = 500_000


def _head(keyword: str) -> tuple[str, bool] | None:
    """The token a match of the keyword starts with: (head, True) when the token must start with head (a * right
    after it), (head, False) when the token must be head; None when the keyword does not start with one."""
    found = _HEAD.match(keyword)
    if not found:
        return None
    return found.group(0).lower(), keyword[found.end() : found.end() + 1] == "*"


@dataclass(frozen=True)
class _Matcher:
    """One topic's keywords and excluded phrases, compiled once; the SQL's regexes, for Python's re."""

    topic_id: str
    pattern: re.Pattern[str]
    exclude: re.Pattern[str] | None

    @classmethod
    def of(cls, topic: Topic) -> _Matcher:
        def compiled(words: tuple[str, ...]) -> re.Pattern[str] | None:
            if not words:
                return None
            return re.compile("(?:" + "|".join(python_pattern(k) for k in alternation_order(words)) + ")", FLAGS)

        return cls(topic.topic_id, compiled(topic.keywords), compiled(topic.excludes))


class _Scan(NamedTuple):
    """Where in one text each topic's keywords (starts) and excluded phrases (exclude_starts) may start."""

    starts: dict[int, list[int]]
    exclude_starts: dict[int, list[int]]


class _TokenIndex:
    """Which topics' keywords or excluded phrases may start at a token, by the heads of the keywords."""

    def __init__(self, topics: list[Topic]):
        self.exact: dict[str, tuple[set[int], set[int]]] = {}
        self.prefix: dict[str, tuple[set[int], set[int]]] = {}
        self.anchored = True  # False when a keyword has no head: then every text is matched whole
        for i, topic in enumerate(topics):
            for which, words in ((0, topic.keywords), (1, topic.excludes)):
                for keyword in words:
                    head = _head(keyword)
                    if head is None:
                        self.anchored = False
                        continue
                    (self.prefix if head[1] else self.exact).setdefault(head[0], (set(), set()))[which].add(i)
        self.prefix_lengths = sorted({len(h) for h in self.prefix})
        self._cache: dict[str, tuple[tuple[int, ...], tuple[int, ...]] | None] = {}

    def _lookup(self, token: str) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
        keywords, excludes = (set(x) for x in self.exact.get(token, ((), ())))
        for n in self.prefix_lengths:
            if n > len(token):
                break
            more = self.prefix.get(token[:n])
            if more:
                keywords |= more[0]
                excludes |= more[1]
        entry = (tuple(sorted(keywords)), tuple(sorted(excludes))) if keywords or excludes else None
        if len(self._cache) >= _TOKEN_CACHE_LIMIT:
            self._cache.clear()
        self._cache[token] = entry
        return entry

    def scan(self, text: str) -> _Scan:
        """Where each topic's keywords and excluded phrases may start in the text (token starts, in order)."""
        starts: dict[int, list[int]] = {}
        exclude_starts: dict[int, list[int]] = {}
        get, lookup = self._cache.get, self._lookup
        for token in _TOKEN.finditer(text.translate(_ASCII_LOWER)):
            word = token.group()
            entry = get(word, _MISSING)
            if entry is _MISSING:
                entry = lookup(word)
            if entry is None:
                continue
            position = token.start()
            for i in entry[0]:
                starts.setdefault(i, []).append(position)
            for i in entry[1]:
                exclude_starts.setdefault(i, []).append(position)
        return _Scan(starts, exclude_starts)


_MISSING = object()


def _spans(pattern: re.Pattern[str], text: str, starts: list[int]) -> list[tuple[int, int]]:
    """What pattern.finditer(text) finds, trying only the positions where a match can start."""
    spans, end = [], 0
    for position in starts:
        if position >= end:
            hit = pattern.match(text, position)
            if hit:
                spans.append(hit.span())
                end = hit.end()
    return spans


def _blank(text: str, starts: list[int], spans: list[tuple[int, int]]) -> tuple[str, list[int]]:
    """The text with each span replaced by one space (re.sub / regexp_replace), and starts moved to match.

    Blanking keeps every token outside the spans as it was (a span starts and ends at a word boundary), so the
    keyword starts outside the spans stay the places to try; the ones inside are gone."""
    if not spans:
        return text, starts
    pieces, last = [], 0
    for start, end in spans:
        pieces += [text[last:start], " "]
        last = end
    pieces.append(text[last:])
    moved, k, shift = [], 0, 0
    for position in starts:
        while k < len(spans) and spans[k][1] <= position:
            shift += spans[k][1] - spans[k][0] - 1
            k += 1
        if k < len(spans) and spans[k][0] <= position:
            continue  # inside a blanked span
        moved.append(position - shift)
    return "".join(pieces), moved


@dataclass(frozen=True)
class DocumentTopic:
    """A document is about topic_id: a keyword in its title, or at least two in its body."""

    topic_id: str
    matched_in: str  # title | body
    title_matches: int
    body_matches: int
    matched_text: str


@dataclass(frozen=True)
class MetricTopic:
    """A figure is about topic_id: a keyword in its subject, else in its sentence."""

    topic_id: str
    matched_on: str  # subject | sentence
    matched_text: str


class TopicTagger:
    """Assigns topics to documents and figures by the taxonomy's keyword rules; build once per process.

    The result is what the SQL computed (see docs/topics.md): per topic, excluded phrases are blanked to a space,
    then the topic's regex finds its matches left to right. A token index only spares the regexes the topics
    and places where no keyword can start; tests/test_topics.py compares the result with DuckDB's RE2."""

    def __init__(self, topics: list[Topic]):
        self.topics = list(topics)
        self._matchers = [_Matcher.of(t) for t in self.topics]
        self._index = _TokenIndex(self.topics)
        self._subjects: dict[str, dict[int, str]] = {}
        self._last_body: str | None = None
        self._last_scan = _Scan({}, {})

    def _matches(self, text: str, scan: _Scan, i: int, *, first: bool) -> list[str]:
        """Topic i's matches in the text (only the first when first), left to right, not overlapping."""
        matcher = self._matchers[i]
        if not self._index.anchored:  # a keyword without a head: match the whole text, as the SQL did
            cleaned = matcher.exclude.sub(" ", text) if matcher.exclude is not None else text
            if first:
                found = matcher.pattern.search(cleaned)
                return [found.group()] if found else []
            return matcher.pattern.findall(cleaned)
        starts = scan.starts.get(i)
        if not starts:
            return []  # no keyword head in the text, and blanking excluded phrases adds none
        if matcher.exclude is not None and i in scan.exclude_starts:
            text, starts = _blank(text, starts, _spans(matcher.exclude, text, scan.exclude_starts[i]))
        # A match can only start where a keyword's head starts: try the regex there, as a scan would, in order.
        found, end, match = [], 0, matcher.pattern.match
        for position in starts:
            if position < end:
                continue
            hit = match(text, position)
            if hit:
                found.append(hit.group())
                if first:
                    break
                end = hit.end()
        return found

    def _candidates(self, *scans: _Scan) -> list[int]:
        """Topic indices, in taxonomy order, that may match one of the scanned texts."""
        if not self._index.anchored:
            return list(range(len(self._matchers)))
        return sorted(set().union(*(scan.starts for scan in scans)))

    def document_topics(self, title: str, body: str) -> list[DocumentTopic]:
        """Topics of a document: a keyword in its title, or at least twice in its body; in taxonomy order."""
        title_scan, body_scan = self._index.scan(title), self._body_scan(body)
        found = []
        for i in self._candidates(title_scan, body_scan):
            matcher = self._matchers[i]
            in_title = self._matches(title, title_scan, i, first=False)
            in_body = self._matches(body, body_scan, i, first=False)
            if in_title or len(in_body) >= 2:
                found.append(
                    DocumentTopic(
                        matcher.topic_id,
                        "title" if in_title else "body",
                        len(in_title),
                        len(in_body),
                        in_title[0] if in_title else in_body[0],
                    )
                )
        return found

    def _firsts(self, text: str, scan: _Scan | None = None) -> dict[int, str]:
        """The first match of every topic that matches the text, by topic index."""
        scan = self._index.scan(text) if scan is None else scan
        found = {}
        for i in self._candidates(scan):
            matched = self._matches(text, scan, i, first=True)
            if matched:
                found[i] = matched[0]
        return found

    def _combine(self, in_subject: dict[int, str], in_sentence: dict[int, str]) -> list[MetricTopic]:
        if not in_subject and not in_sentence:
            return []
        found = []
        for i in sorted(in_subject.keys() | in_sentence.keys()):
            if i in in_subject:
                found.append(MetricTopic(self._matchers[i].topic_id, "subject", in_subject[i]))
            else:
                found.append(MetricTopic(self._matchers[i].topic_id, "sentence", in_sentence[i]))
        return found

    def metric_topics(self, subject: str | None, sentence: str | None) -> list[MetricTopic]:
        """Topics of a figure: a keyword in its subject, else in its sentence; in taxonomy order."""
        return self._combine(self._firsts(subject or ""), self._firsts(sentence or ""))

    def figure_topics(
        self, body: str, figures: list[tuple[int, int, str | None]]
    ) -> list[tuple[int, int, list[MetricTopic]]]:
        """For each figure (char_start, char_end, subject) of a body: its sentence bounds and its topics.
        Figures of one sentence, or with one subject, share the work; sentences reuse the body's token scan."""
        body_scan = self._body_scan(body)
        sentences: dict[tuple[int, int], dict[int, str]] = {}
        result = []
        for char_start, char_end, subject in figures:
            bounds = sentence_bounds(body, char_start, char_end)
            if bounds not in sentences:
                sentence = body[bounds[0] : bounds[1]]
                scan = _sub_scan(body_scan, body, *bounds) if self._index.anchored else None
                sentences[bounds] = self._firsts(sentence, scan)
            subject = subject or ""
            in_subject = self._subjects.get(subject)
            if in_subject is None:
                if len(self._subjects) >= _TOKEN_CACHE_LIMIT:
                    self._subjects.clear()
                in_subject = self._subjects[subject] = self._firsts(subject)
            result.append((*bounds, self._combine(in_subject, sentences[bounds])))
        return result

    def _body_scan(self, body: str) -> _Scan:
        """The token scan of a body, kept for the next call: a document's topics and its figures share it."""
        if self._last_body is not body:
            self._last_body, self._last_scan = body, self._index.scan(body)
        return self._last_scan


def _sub_scan(scan: _Scan, body: str, start: int, end: int) -> _Scan | None:
    """The scan of body[start:end] from the body's scan, when both ends are at word boundaries (so every token
    of the slice is a token of the body); None otherwise."""
    if (start > 0 and body[start - 1] in _WORD_CHARS) or (end < len(body) and body[end] in _WORD_CHARS):
        return None

    def within(positions: dict[int, list[int]]) -> dict[int, list[int]]:
        found = {}
        for i, at in positions.items():
            lo, hi = bisect_left(at, start), bisect_left(at, end)
            if lo < hi:
                found[i] = [p - start for p in at[lo:hi]]
        return found

    return _Scan(within(scan.starts), within(scan.exclude_starts))


_WORD_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")


_TAGGERS: dict[tuple, TopicTagger] = {}


def tagger_for(path: Path | None = None) -> TopicTagger:
    """The tagger of a taxonomy file, built once per process and version of the file."""
    path = Path(path or taxonomy_path())
    stat = path.stat()
    key = (str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns)
    tagger = _TAGGERS.get(key)
    if tagger is None:
        _TAGGERS.clear()
        tagger = _TAGGERS[key] = TopicTagger(load_taxonomy(path))
    return tagger


def taxonomy_hash(path: Path | None = None) -> str:
    """A short hash of what tagging reads from the taxonomy: topic ids, keywords, exclusions (not labels or
    descriptions, so rewording one does not re-extract every document). An unreadable file hashes its bytes;
    the run then stops on the file's error where the taxonomy is loaded."""
    path = Path(path or taxonomy_path())
    try:
        rules = sorted([t.topic_id, sorted(t.keywords), sorted(t.excludes)] for t in load_taxonomy(path))
        data = json.dumps(rules).encode()
    except (TaxonomyError, tomllib.TOMLDecodeError, UnicodeDecodeError, OSError):
        data = path.read_bytes() if path.exists() else b""
    return hashlib.sha256(data).hexdigest()[:12]


def extraction_version(extractor_version: str = EXTRACT_VERSION, path: Path | None = None) -> str:
    """What a document's extraction depends on: the extractor, the tagger rules and the taxonomy's keywords."""
    return f"{extractor_version}+topics{TAGGER_VERSION}.{taxonomy_hash(path)}"


# The version raw.documents.extractor_version records: a taxonomy edit changes it, so the next run re-tags
# (re-extracts) every document, the same way a new extractor does.
EXTRACTOR_VERSION = extraction_version()


# --- Sentence bounds --------------------------------------------------------------------------------------------

SENTENCE_WINDOW = 600  # characters looked at on either side of a figure
# A sentence ends at . ! or ? (after two characters that are not a dot or space, or after a lower case letter,
# digit, % or closing parenthesis: not U.S., not a decimal point), then closing quotes, then a space; or at a
# line break. The same regular expressions as the SQL had, with RE2's \s and $ (end of text) spelled for re.
_END = f'(?:[^.{RE2_SPACE}]{{2}}|[a-z0-9%)])[.!?]["\u201d\u2019)]*'
_LEAD = re.compile(f"^(?:(?s:.*)(?:{_END}[{RE2_SPACE}]|\n))?(.*)\\Z")
_TAIL = re.compile(f'^(?:|[^\n]*?(?:[^.{RE2_SPACE}]{{2}}|[a-z0-9%)]))[.!?]["\u201d\u2019)]*(?:[{RE2_SPACE}]|\\Z)')
_LINE = re.compile("^[^\n]*")


def sentence_bounds(body: str, char_start: int, char_end: int) -> tuple[int, int]:
    """The sentence around body[char_start:char_end]: from the last sentence end before it to the first after
    it, leading and trailing spaces left out; at most SENTENCE_WINDOW characters on either side."""
    before = body[max(char_start - SENTENCE_WINDOW, 0) : char_start]
    after = body[char_end : char_end + SENTENCE_WINDOW]
    lead = _LEAD.match(before)
    lead_text = lead.group(1).lstrip(RE2_SPACE) if lead else ""
    tail = _TAIL.match(after)
    tail_text = (tail.group(0) if tail else _LINE.match(after).group(0)).rstrip(RE2_SPACE)
    return char_start - len(lead_text), char_end + len(tail_text)
