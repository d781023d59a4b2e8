"""Direct quotations and their speakers.

A quotation is the text inside one pair of double quotation marks (straight or curly). A quote
left open at the end of a paragraph (the next paragraph reopens it) ends at the paragraph end; so
does one left open before the next opening mark when paragraphs were collapsed into one line.

Speaker, first rule that applies:
1. attribution after the closing mark in the same clause: `," Liu said.`, `," said Yang Zeng, a ...`,
   `," said a report from Kotak ...`, `," she said.` (a pronoun is the last person named before);
2. attribution before the opening mark: `X said, "`, `X told reporters: "`, `According to X, "`;
3. continuation: a quote run on from the previous paragraph, or the speaker of the previous quote
   in the paragraph, or of the next quote when this one runs on into it;
4. a person named in the paragraph's text before the quote (`Yu noted that ... . "..."`);
5. the previous paragraph's speaker, when this paragraph is nothing but the quote.

Short phrases in quotation marks without attribution (scare quotes, names, hashtags) are dropped.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from operator import attrgetter

from flows.extract.model import Entity, Mention, Quote
from flows.extract.names_regex import trie_alternation

_SPEECH = (
    r"said|says|say|told|tells|tell|added|adds|noted|notes|stressed|stresses|explained|explains|stated|"
    r"states|asked|asks|wrote|writes|argued|argues|warned|warns|insisted|insists|remarked|recalled|recalls|"
    r"commented|pointed out|points out|believes|believed|thinks|thought|announced|acknowledged|admitted|"
    r"emphasized|emphasised|emphasizes|observed|observes|suggested|suggests|predicted|predicts|continued|"
    r"continues|replied|urged|urges|agreed|agrees|confirmed|confirms|declared|declares|shared|shares|"
    r"put it|puts it|concluded|joked|laughed|sighed|exclaimed|cautioned|cautions|reckons|reckoned|"
    r"estimated|estimates|according to|told reporters|told Xinhua"
)
# Only whether a clause holds a speech verb matters, so a prefix-factored alternation (fast) can stand in.
_SPEECH_RE = re.compile(rf"\b{trie_alternation(_SPEECH.split('|'))}\b", re.IGNORECASE)
_PRONOUN_RE = re.compile(r"\b(?:he|she|they|I|we)\b", re.IGNORECASE)
_NOMINAL_ORG_RE = re.compile(
    r"\b(?:the|a|an)\s+(?:company|firm|bank|brokerage|ministry|report|group|agency|airline|carrier|lender|statement|"
    r"government|bureau|department|commission|institute|organization|organisation|university|association|"
    r"research firm|think tank|insurer|fund|platform|retailer|automaker|manufacturer|exchange|regulator|court)\b",
    re.IGNORECASE,
)
# The mark comes first, the abbreviation checks after it, so that the engine can skip straight to candidate marks.
_CLAUSE_END = re.compile(r"[.!?](?<!\b[A-Z].)(?<!\bMr.|\bMs.|\bDr.|\bSt.)(?<!\bMrs.)(?<!\bProf.)(?=\s|$)|[\n\"“”]")
# The last clause end before a point: the greedy prefix makes the engine try the pattern from the right.
_LAST_CLAUSE_END = re.compile(rf"(?s:.*)(?:{_CLAUSE_END.pattern})")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")
_WORD = re.compile(r"[\w']+")
_TERMINAL_MARKS = frozenset(".!?,;…:")
_CLOSERS = "'’\"”)"
_TEXT_ORDER = attrgetter("char_start", "char_end")
_MIN_UNATTRIBUTED_WORDS = 5
_TAIL = 160
_HEAD = 220


@dataclass
class _Span:
    """A stretch inside quotation marks."""

    start: int
    end: int
    closed: bool  # False when the paragraph (or the next opening mark) ended it
    para: int
    speaker: str | None = None
    attributed: bool = False


def _mark_positions(body: str) -> list[int]:
    """Offsets of the double quotation marks, straight or curly, in order; `str.find` outruns a regex scan."""
    out = []
    for mark in '"“”':
        i = body.find(mark)
        while i != -1:
            out.append(i)
            i = body.find(mark, i + 1)
    out.sort()
    return out


def _quote_spans(body: str) -> list[_Span]:
    """Stretches inside pairs of double quotation marks, paragraph by paragraph."""
    spans: list[_Span] = []
    open_at: int | None = None
    line_start = 0  # start of the line holding open_at
    para = 0
    para_pos = 0  # newlines are counted up to here

    def emit(s: int, e: int, closed: bool) -> None:
        while s < e and body[s].isspace():
            s += 1
        while e > s and body[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append(_Span(s, e, closed, para))

    n = len(body)
    for i in _mark_positions(body):
        ch = body[i]
        if open_at is not None:
            nl = body.find("\n", open_at, i)
            if nl != -1:
                # The paragraph ended with the quote still open: it runs on into the next one.
                emit(open_at + 1, nl, False)
                open_at = None
        para += body.count("\n", para_pos, i)
        para_pos = i
        if ch == "“":
            opening = True
        elif ch == "”":
            opening = False
        else:
            # A straight mark opens after a space or an opening bracket and closes before a space or punctuation.
            before = body[i - 1] if i else " "
            after = body[i + 1] if i + 1 < n else " "
            open_like = before.isspace() or before in "([{—–-/:;"
            close_like = after.isspace() or after in ".,;:!?)]}—–-"
            opening = open_at is None if open_like == close_like else open_like
        if opening:
            if open_at is not None:
                emit(open_at + 1, i, False)
            open_at = i
            line_start = i
        elif open_at is not None:
            emit(open_at + 1, i, True)
            open_at = None
    if open_at is not None:
        nl = body.find("\n", line_start)
        emit(open_at + 1, nl if nl != -1 else len(body), False)
    return spans


def _clause_after(body: str, pos: int) -> tuple[int, int]:
    """From just after a closing mark to the end of its clause."""
    end = pos + _TAIL if pos + _TAIL < len(body) else len(body)  # not `min`: the builtin is slow
    m = _CLAUSE_END.search(body, pos, end)
    return pos, (m.start() if m else end)


def _clause_before(body: str, pos: int, floor: int) -> tuple[int, int]:
    """From the start of the sentence holding an opening mark to the mark."""
    start = pos - _HEAD if pos - _HEAD > floor else floor
    m = _LAST_CLAUSE_END.match(body, start, pos)
    return (m.end() if m else start), pos


def extract_quotes(body: str, entities: list[Entity], mentions: list[Mention]) -> list[Quote]:
    """Every direct quotation in the body, attributed to an entity where the text says who."""
    if not body or not isinstance(body, str):
        return []
    spans = _quote_spans(body)
    if not spans:
        return []
    kind = {e.key: e.entity_type for e in entities}
    # Possible speakers: people and organizations named outside quotation marks, in text order.
    speakers: list[Mention] = []
    by_kind: dict[str, list[Mention]] = {"person": [], "organization": []}
    j = -1
    last = len(spans) - 1
    for mn in sorted(mentions, key=_TEXT_ORDER):
        of_kind = by_kind.get(kind.get(mn.entity_key, ""))
        if of_kind is None:
            continue
        pos = mn.char_start
        while j < last and spans[j + 1].start <= pos + 1:
            j += 1
        if j >= 0 and pos <= spans[j].end:
            continue  # inside a quotation (or on its opening mark)
        speakers.append(mn)
        of_kind.append(mn)
    starts = [mn.char_start for mn in speakers]
    kind_starts = {k: [mn.char_start for mn in v] for k, v in by_kind.items()}

    def first_speaker(a: int, b: int) -> str | None:
        hits = speakers[bisect_left(starts, a) : bisect_left(starts, b)]
        best = next((mn for mn in hits if kind[mn.entity_key] == "person"), hits[0] if hits else None)
        return best.entity_key if best else None

    def last_of(kinds: tuple[str, ...], before: int) -> str | None:
        best: Mention | None = None
        for k in kinds:
            i = bisect_left(kind_starts[k], before) - 1
            if i >= 0 and (best is None or by_kind[k][i].char_start > best.char_start):
                best = by_kind[k][i]
            if best is not None:
                break
        return best.entity_key if best else None

    def main_org(before: int) -> str | None:
        """ "the company said": the organization the text has named most so far (latest on a tie)."""
        orgs = by_kind["organization"][: bisect_left(kind_starts["organization"], before)]
        counts: dict[str, int] = {}
        for mn in orgs:
            counts[mn.entity_key] = counts.get(mn.entity_key, 0) + 1
        best = None
        for mn in orgs:
            if best is None or counts[mn.entity_key] >= counts[best]:
                best = mn.entity_key
        return best

    def attribute(a: int, b: int, quote_start: int) -> str | None:
        """Speaker named in the clause [a, b) that holds a speech verb, else None."""
        clause = body[a:b]
        verb = _SPEECH_RE.search(clause)
        if not verb:
            return None
        who = first_speaker(a, b)
        if who:
            return who
        if _NOMINAL_ORG_RE.search(clause):
            return main_org(quote_start)
        if _PRONOUN_RE.search(clause):
            return last_of(("person", "organization"), quote_start)
        return None

    prev_end = 0
    for i, sp in enumerate(spans):
        nxt_start = spans[i + 1].start - 1 if i + 1 < len(spans) else len(body)
        if sp.closed:
            a, b = _clause_after(body, sp.end + 1)
            if nxt_start < b:
                b = nxt_start
            who = attribute(a, b, sp.start)
            if who:
                sp.speaker, sp.attributed = who, True
        if sp.speaker is None:
            a, b = _clause_before(body, sp.start - 1, prev_end)
            head = body[a:b].rstrip()
            if head[-1:] in (",", ":") or head.endswith(("told", "said", "says")):
                who = attribute(a, b, sp.start)
                if who is None and head.endswith(":"):
                    who = first_speaker(a, b)
                if who:
                    sp.speaker, sp.attributed = who, True
        prev_end = sp.end + 1

    _continue_speakers(body, spans, speakers, starts, kind)
    keep = [sp for sp in spans if _is_quotation(body, sp)]
    return [Quote(sp.start, sp.end, sp.speaker) for sp in keep]


def _paragraph_start(body: str, pos: int) -> int:
    return body.rfind("\n", 0, pos) + 1


def _continue_speakers(
    body: str, spans: list[_Span], speakers: list[Mention], starts: list[int], kind: dict[str, str]
) -> None:
    """Carry speakers across run-on quotes, paragraphs and preceding sentences."""
    # A quote left open runs on into the next one: they share a speaker, whichever side names it.
    for _ in range(2):
        for i in range(len(spans) - 1):
            cur, nxt = spans[i], spans[i + 1]
            if not cur.closed:
                if cur.speaker is None and nxt.speaker is not None:
                    cur.speaker = nxt.speaker
                elif nxt.speaker is None and cur.speaker is not None:
                    nxt.speaker = cur.speaker
    for i, sp in enumerate(spans):
        if sp.speaker is not None:
            continue
        prev = spans[i - 1] if i else None
        if prev is not None and prev.para == sp.para and prev.speaker is not None:
            sp.speaker = prev.speaker
            continue
        pstart = _paragraph_start(body, sp.start)
        lead = body[pstart : sp.start - 1]
        if lead.strip():
            # "Yu noted that ... ." followed by the quote: the person the paragraph is about.
            sentences = _SENTENCE_SPLIT.split(lead)
            for sentence in reversed(sentences):
                off = pstart + lead.rfind(sentence)
                hits = speakers[bisect_left(starts, off) : bisect_left(starts, off + len(sentence))]
                people = [mn for mn in hits if kind.get(mn.entity_key) == "person"]
                if people:
                    sp.speaker = people[0].entity_key
                    break
                if hits and _SPEECH_RE.search(sentence):
                    sp.speaker = hits[0].entity_key
                    break
            continue
        if prev is not None and prev.speaker is not None and prev.para == sp.para - 1:
            # A paragraph that is nothing but a quote continues the speaker before it.
            tail = body[sp.end + 1 : body.find("\n", sp.end) if "\n" in body[sp.end :] else len(body)]
            if not tail.strip(' "”'):
                sp.speaker = prev.speaker


def _terminal(text: str) -> bool:
    """Whether the text ends a sentence or clause: a mark, then only closing quotes or brackets and spaces."""
    return text.rstrip().rstrip(_CLOSERS)[-1:] in _TERMINAL_MARKS


def _is_quotation(body: str, sp: _Span) -> bool:
    """Speech, not a scare quote, a title or a hashtag."""
    text = body[sp.start : sp.end]
    words = text.split(None, 12)  # only counts up to twelve matter below
    if not _WORD.search(text):
        return False
    if sp.attributed:
        return len(words) >= 2 or _terminal(text)
    if len(words) < _MIN_UNATTRIBUTED_WORDS:
        return False
    if len(words) < 12 and all(w[:1].isupper() for w in words):
        return False  # a title or a name
    if not sp.closed:
        return True
    if _terminal(text):
        return True
    # A full sentence standing on its own: opens with a capital right after a sentence break.
    before = body[: sp.start - 1].rstrip()
    starts_sentence = not before or before[-1] in ".!?:\n" or before.endswith(("\n", ":"))
    return starts_sentence and text[:1].isupper() and len(words) >= 8
