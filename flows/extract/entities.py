"""People, organizations and places named in a text.

Rule-based and fast: compiled regexes find runs of capitalized words, gazetteers (`gazetteer.py`)
and the words around each run decide its type, and a document-level pass resolves short forms
("Liu" -> "Liu Xiabing", "Xiamu" -> "Xiamu Village", "CDB" -> "China Development Bank").

Entity keys (equal keys mean one real-world entity, also across documents):
- `person:<full name, case-folded>`, titles such as "Mr." dropped: `person:liu xiabing`.
- `place:<core name, case-folded>`: the name mapped through `data/places.txt` aliases ("U.S." ->
  "United States", "Guangxi Zhuang Autonomous Region" -> "Guangxi"), then stripped of designators
  (Province, County, Village, City, Autonomous Region, ...) and of an ethnic word before them:
  `place:guangxi`, `place:nandan`, `place:xiamu`.
- `organization:<name, case-folded>`: mapped through `data/orgs.txt` aliases ("Sina Weibo" ->
  "Weibo"), a leading "the" and punctuation dropped, trailing legal or generic words (Co., Inc.,
  Ltd, Group, Holdings, Airline(s), ...) dropped while a word remains: `organization:emirates`.
- `other:<name, case-folded>` for plans and events.

`Entity.name` is the longest form the document uses; mentions are every resolved occurrence.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cache, lru_cache
from operator import itemgetter

from flows.extract import gazetteer as gz
from flows.extract.model import Entity, Mention
from flows.extract.names_regex import trie_alternation

_UPPER = "A-ZÀ-ÖØ-Þ"
# Deliberately loose (and so fast); `_clean_runs` trims possessives and lower-case hyphen parts.
# The empty group after the first letter matches when a letter, digit or apostrophe runs into the run ("eBay",
# "don't"): such a run is no name start, but is still consumed whole.
_RUN_TAIL = rf"[\w'’.&-]*(?: [{_UPPER}][\w'’.&-]*)*"
_CHUNK = re.compile(rf"[{_UPPER}]((?<=[^\W_].)|(?<=['’].))?{_RUN_TAIL}")
_ABBREV_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|(?:Co|Inc|Ltd|Corp|Jr|Sr|St|Bros)\.|[\w-]+\.(?:com|cn|net|org)")
_TLD_SITE = re.compile(r"\.(?:com|cn|net|org|io)(?![.\w])")
_DOMAIN_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
_DOMAIN_CHARS = _DOMAIN_LETTERS | frozenset("0123456789-")
_TOKEN = re.compile(r"\S+")
_OPEN_PAREN = re.compile(r"\s*\(\s*")
_RUN_SPECIAL = re.compile(r"['’.&-]")
_PINYIN_SYLLABLE = (
    r"(?:(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])"
    r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|ai|ei|ao|ou|an|en|in|un|ia|ie|iu|ua|uo|ui|ue|a|o|e|i|u|v|ü)"
    r"|(?:ang|eng|ai|ei|ao|ou|an|en|er|a|o|e))"
)
_PINYIN_NAME = re.compile(rf"(?:{_PINYIN_SYLLABLE}){{1,2}}(?:-(?:{_PINYIN_SYLLABLE}){{1,2}})?")

_CONNECT_HEAD = {"of", "of the", "for", "for the", "on"}
_CONNECT_ALWAYS = {"&", "de", "du", "des", "del", "della", "da", "van", "von", "van der", "von der", "der", "bin", "al"}
# A stretch: capitalized runs with the connectors `_raw_chunks` may join them across. No join crosses a stretch's
# ends, so its pieces depend on its text alone and are cached. Group 1 marks a run that a letter or an apostrophe
# runs into ("eBay"): it is consumed whole, as `_CHUNK` does, but names nothing.
_STRETCH = re.compile(
    rf"[{_UPPER}](?:((?<=[^\W_].)|(?<=['’].)){_RUN_TAIL}"
    rf"|{_RUN_TAIL}(?: {trie_alternation(sorted(_CONNECT_HEAD | _CONNECT_ALWAYS | {'and'}))} [{_UPPER}]{_RUN_TAIL})*)"
)
_POSSESSIVE_JOIN = {
    "People",
    "Children",
    "Women",
    "Men",
    "Workers",
    "Farmers",
    "Veterans",
    "Citizens",
    "Teachers",
    "Writers",
    "Artists",
    "Journalists",
    "Moody",
    "McDonald",
    "Macy",
    "Lloyd",
    "Domino",
    "Kellogg",
}
_TITLES = {"Mr", "Mrs", "Ms", "Miss", "Dr", "Prof", "Mr.", "Mrs.", "Ms.", "Dr.", "Prof.", "Sir", "Madam", "Professor"}
_PERSON_HONORIFIC_SUFFIX = {"Jr", "Jr.", "Sr", "Sr."}
_ABBREV_DOT = {"Co", "Inc", "Ltd", "Corp", "Bros", "Jr", "Sr"}
_GENERIC_ORG_TAIL = {
    "co",
    "co.",
    "inc",
    "inc.",
    "ltd",
    "ltd.",
    "corp",
    "corp.",
    "corporation",
    "company",
    "group",
    "holdings",
    "holding",
    "limited",
    "plc",
    "llc",
    "airline",
    "airlines",
    "airways",
    "sa",
    "ag",
}
_EVENT_TAIL = {
    "Plan",
    "Initiative",
    "Show",
    "Expo",
    "Fair",
    "Festival",
    "Games",
    "Summit",
    "Olympics",
    "Cup",
    "Congress",
    "Week",
    "Day",
    "Award",
    "Awards",
    "Prize",
    "Dynasty",
    "War",
    "Act",
    "Law",
    "Program",
    "Programme",
    "Strategy",
    "Project",
    "Index",
}
_LOWER_DESIGNATORS = (
    "village",
    "city",
    "county",
    "province",
    "township",
    "town",
    "district",
    "prefecture",
    "region",
    "municipality",
)
_SPACED_LOWER_DESIGNATORS = tuple(" " + d for d in _LOWER_DESIGNATORS)
_AFTER_LOWER_DESIGNATOR = re.compile(
    r"(?:[\s]*[,.;:)!?\"”—–-]|\s+(?:in|of|on|at|and|or|is|was|has|have|had|to|with|where|which|that|for|from|as|by"
    r"|near|under|were|are|will|said|saw|sits|lies)\b|['’]s\b|\s*$)"
)
_ETHNIC_USE = re.compile(
    r"\s+(?:ethnic|culture|cultures|costume|costumes|minority|minorities|people|language|cuisine|style|dress|"
    r"tradition|traditions|heritage|villagers|embroidery|song|songs|dance|dances|festival|new year|community)\b"
)
_SPEECH = (
    r"said|says|say|told|tells|added|adds|noted|notes|stressed|explained|stated|asked|wrote|writes|argued|"
    r"warned|insisted|remarked|recalled|commented|pointed out|believes|believed|thinks|announced|acknowledged|"
    r"admitted|emphasized|emphasised|observed|suggested|predicted|continued|replied|urged|agreed|confirmed"
)
_SPEECH_AFTER = re.compile(rf",?\s+(?:(?:also|then|later|further|once|had|has|have|recently)\s+)*(?:{_SPEECH})\b")
_SPEECH_WORDS = frozenset(_SPEECH.split("|")) | {"to"}  # "to" stands for "according to"
_TITLE_WORDS = frozenset({"Mr", "Mrs", "Ms", "Dr", "Prof", "Professor", "Mr.", "Mrs.", "Ms.", "Dr.", "Prof."})
_YEAR_OLD = re.compile(r"(\d{1,3})-year-old")
_AGE_AFTER = re.compile(r"(?:,\s*(?:aged\s+)?(\d{1,3})\s*(?:,|\.|$)|\s*\((\d{1,3})\)|,?\s+aged\s+(\d{1,3})\b)")
_SENTENCE_END = re.compile(r"[.!?:;\"“”‘(\[—–\n]|--")
_ALL_CAPS_RUN = re.compile(rf"(?<![\w])[{_UPPER}][{_UPPER}'’&.-]+(?:\s+[{_UPPER}][{_UPPER}'’&.-]*)+(?![\w])")
_ROLE_OF_WORDS = frozenset(
    {
        "Head",
        "Director",
        "Chief",
        "Manager",
        "Minister",
        "Secretary",
        "Officer",
        "Chairman",
        "President",
        "Dean",
        "Professor",
        "Analyst",
        "VP",
        "Vice",
        "Editor",
        "Leader",
        "Lead",
        "Strategist",
        "Economist",
    }
)
_ROLE_OF_AFTER = re.compile(r"\s+at\s|,\s|\s+with\s")
_LEADING_THE = re.compile(r"\s*(?:the\s+)?")
_THE_YEAR_OLD = re.compile(r"\b[Tt]he (\d{1,3})-year-old\b(?!\s+[A-Z])")
_UNSEEN = object()
_DESIGNATOR_INITIALS = frozenset(d[0] for d in _LOWER_DESIGNATORS)
_EAST_ASIAN_GIVEN = re.compile(r"[A-Z][a-z]{1,6}-[a-z]{1,6}")
_OF_ORG_AFTER = re.compile(r"\s+(?:of|at|from)\s+")
_MODEL_NUMBER = re.compile(r"[A-Z]?\d+[\w-]*")
_PLACE_PREPOSITIONS = frozenset({"in", "near", "outside", "across", "throughout"})
_NOT_BEFORE_PERSON = frozenset({"at", "of", "from", "with", "for", "by", "the", "a", "an", "and", "to", "on"})
_HEAD_OF = re.compile(r"\b([A-Z]\w+) (?:of|for) ")
_HAS_DIGIT = re.compile(r"\d")
_OF_FOR_THE = frozenset({"of", "for", "the"})
_WHITESPACE = re.compile(r"\s+")
_LEADING_THE_WORD = re.compile(r"^the\s+")
_NOT_KEY_CHAR = re.compile(r"[^\w&\s]")
_POSSESSIVE_DETERMINERS = frozenset({"its", "their"})
_HEADLINE_FUNCTION = {"A", "AN", "THE", "OF", "TO", "IN", "ON", "FOR", "AND", "NOT", "IS", "ARE", "WITH", "AT", "BY"}


@cache
def _role_regexes() -> tuple[re.Pattern, re.Pattern, re.Pattern, frozenset[str]]:
    """Patterns for roles and person cues after a name, built from the role word list, and title-case role words."""
    roles = trie_alternation(gz.role_words())
    titled = frozenset(w.title() for r in gz.role_words() for w in r.split() if w not in {"of", "general"})
    titled = titled | {
        "CEO",
        "CFO",
        "CTO",
        "COO",
        "Vice",
        "Deputy",
        "Chief",
        "Senior",
        "Executive",
        "General",
        "Managing",
        "Assistant",
        "Associate",
        "Acting",
        "Former",
    }
    # ", a professor at", ", 45, a farmer in", ", the chief economist of"
    after_lower = (
        rf",\s*(?:(?:aged\s+)?(\d{{1,3}}),\s*)?(?:(?:a|an|the|who\s+is\s+(?:a|an|the)|who\s+was\s+(?:a|an|the))\s+)?"
        rf"((?:[a-z][\w-]*\s+){{0,4}}?(?:{roles})(?:\s+(?:{roles})\b)*"
        rf"(?:\s+and\s+(?:[a-z][\w-]*\s+){{0,2}}?(?:{roles})(?:\s+(?:{roles})\b)*)?"
        rf")\b"
        rf"(?:\s+(?:at|of|with|from|for|in)\s+(?:the\s+)?)?"
    )
    # ", Director, IIFL Securities" / ", Head of Fundamental Research at Kotak Securities"
    after_title = re.compile(
        r",\s*(?:(\d{1,3}),\s*)?((?:(?:[A-Z][\w-]*|of|and|the|&)\s+){0,6}[A-Z][\w-]*)"
        r"(?:\s+(?:at|with|from)\s+(?:the\s+)?|,\s+(?:the\s+)?)"
    )
    # One match instead of three for the cues `_context_person_cue` tries first.
    person_after = re.compile(rf"(?:{_SPEECH_AFTER.pattern})|(?:{_AGE_AFTER.pattern})|(?i:{after_lower})")
    return re.compile(after_lower, re.IGNORECASE), after_title, person_after, titled


@dataclass(slots=True)
class _Piece:
    """One candidate name occurrence."""

    start: int
    end: int
    text: str
    initial: bool  # first word opens a sentence, so its capital says nothing
    person_cue: bool = False
    kind: str | None = None  # the type its words decide ("context" when they cannot), then the decided type
    role: str | None = None
    role_org_text: str | None = None
    key: str | None = None
    group: _Group | None = None  # the entity it resolved to


@dataclass(slots=True)
class _Doc:
    body: str
    pieces: list[_Piece] = field(default_factory=list)
    mid_words: set[str] = field(default_factory=set)


# Characters that `_sentence_initial` looks past or at; before a space, any other one rules a sentence start out.
_MAY_END_SENTENCE = frozenset(' \t"“‘\n.!?:;”(—–|-')


def _sentence_initial(body: str, start: int) -> bool:
    """Whether the text before `start` ends a sentence (or is empty)."""
    i = start - 1
    while i >= 0 and body[i] in " \t":
        i -= 1
    if i < 0:
        return True
    ch = body[i]
    if ch in '"“‘':
        # A quote mark opens a sentence only where one could start: `said, "We`, not `call it "Tea`.
        j = i - 1
        while j >= 0 and body[j] in " \t":
            j -= 1
        return j < 0 or body[j] in '\n.!?:;,(”"'
    if ch in "\n.!?:;”(—–|":
        return True
    return ch == "-" and i > 0 and body[i - 1] == "-"


def _without_headlines(body: str, s: int, e: int) -> list[tuple[int, int]]:
    """Parts of a capitalized run outside headline capitals ("RETURN TO ROOTS"), which name nothing."""
    text = body[s:e]
    if sum(1 for w in text.split(" ") if len(w) > 1 and w.isupper()) < 2:
        return [(s, e)]
    parts = []
    pos = 0
    for m in _ALL_CAPS_RUN.finditer(text):
        words = m.group().split()
        if len(words) >= 3 or any(w in _HEADLINE_FUNCTION for w in words):
            if m.start() > pos:
                parts.append((s + pos, s + m.start() - 1))
            pos = m.end() + 1
    if pos < len(text):
        parts.append((s + pos, e))
    return parts


_CONNECTOR_MAX = 12


@lru_cache(maxsize=16384)
def _clean_runs(run: str) -> tuple[tuple[int, int], ...]:
    """Cut a loose capitalized run where a possessive or a lower-case hyphen part ends a name; offsets in the run."""
    body, s, e = run, 0, len(run)
    out = []
    start = s
    pos = s
    prev_tok = ""
    for tok in body[s:e].split(" "):
        te = pos + len(tok)
        cut = te
        ends_run = False
        if tok[-2:] in ("'s", "’s"):
            cut, ends_run = te - 2, True
        elif tok[-1] in "'’.-&" and not _ABBREV_TOKEN.fullmatch(tok):
            cut = te - 1
            while cut > pos and body[cut - 1] in "'’.-&":
                cut -= 1
            ends_run = True
        amp = body.find("&", pos, cut)
        if amp != -1 and not body[amp + 1 : amp + 2].isupper():
            cut, ends_run = amp, True  # "B&amp;B": an HTML entity, not "AT&T"
        h = body.find("-", pos, cut)
        if h != -1 and _EAST_ASIAN_GIVEN.fullmatch(body, pos, cut) and prev_tok in _surnames():
            h = -1  # "Kim Jae-hyun", "Park Min-ji": a hyphenated given name, not "Turkish-based"
        while h != -1 and h + 1 < cut and not body[h + 1].isupper() and not body[h + 1].isdigit():
            cut, ends_run = h, True
            break
        if ends_run:
            if cut > start:
                out.append((start, cut))
            start = te + 1
        pos = te + 1
        prev_tok = tok
    if start < e:
        out.append((start, e))
    # Abbreviation dots belong to the name: "Boeing Co." (a run's own end is never followed by a dot).
    return tuple(
        (a, b + 1) if run[b : b + 1] == "." and run[max(a, b - 4) : b].rsplit(" ", 1)[-1] in _ABBREV_DOT else (a, b)
        for a, b in out
    )


@cache
def _surnames() -> frozenset[str]:
    """Surnames that come first in the name: Chinese and Korean."""
    return gz.chinese_surnames() | gz.korean_surnames()


def _domains(body: str) -> list[tuple[int, int]]:
    """Lower-case web domains ("alibaba.com"), found from their endings: scanning every letter is slow."""
    out = []
    for m in _TLD_SITE.finditer(body):
        d = m.start()
        i = d
        while i > 0 and body[i - 1] in _DOMAIN_CHARS:
            i -= 1
        # The name starts at its first letter that no other word character, dot, "@" or "/" precedes.
        for p in range(i, d):
            if body[p] in _DOMAIN_LETTERS and (p == 0 or not (body[p - 1].isalnum() or body[p - 1] in "_.@/")):
                out.append((p, m.end()))
                break
    return out


def _raw_chunks(body: str) -> list[tuple[int, int]]:
    """Capitalized runs, joined across name-internal connectors and possessives."""
    spans = []
    append = spans.append
    for m in _CHUNK.finditer(body):
        if m.lastindex:
            continue  # "eBay", "don't": not a name start
        text = m.group()
        if _RUN_SPECIAL.search(text) is None:
            append(m.span())
        else:
            s = m.start()
            spans.extend([(s + a, s + b) for a, b in _clean_runs(text)])
    if _TLD_SITE.search(body):
        spans += _domains(body)
        spans.sort()
    heads = gz.org_heads()
    out: list[tuple[int, int]] = []
    pe = -100
    for span in spans:
        s, e = span
        if pe < s <= pe + _CONNECTOR_MAX:  # a web domain may overlap a run ("Foo-x.com"): nothing to join then
            ps = out[-1][0]
            gap = body[pe:s]
            join = False
            if gap[0] == " " and gap[-1] == " " and len(gap) > 2:
                g = gap[1:-1]
                prev_text = body[ps:pe]
                last_word = prev_text.rsplit(" ", 1)[-1]
                if g in _CONNECT_ALWAYS:
                    join = True
                elif g in _CONNECT_HEAD and (last_word in heads or " of " in prev_text):
                    join = g != "on" or last_word in {"Committee", "Commission", "Council", "Conference"}
                elif g == "and" and any(m.group(1) in heads for m in _HEAD_OF.finditer(prev_text)):
                    nxt = body[s:e]
                    join = nxt not in gz.place_names() and nxt not in gz.known_orgs() and not nxt.isupper()
            elif gap in ("'s ", "’s "):
                prev_text = body[ps:pe]
                last_word = prev_text.rsplit(" ", 1)[-1]
                join = last_word in _POSSESSIVE_JOIN or prev_text + "'s" in gz.known_orgs()
            if join:
                out[-1] = (ps, e)
                pe = e
                continue
        out.append(span)
        pe = e
    return out


def _is_acronym(tok: str) -> bool:
    letters = tok.replace(".", "").replace("&", "")
    return 2 <= len(letters) <= 7 and letters.isalpha() and letters.isupper()


@lru_cache(maxsize=65536)
def _title_case_caps(text: str) -> str:
    """ "BEIJING" -> "Beijing", "DES MOINES" -> "Des Moines"; acronyms and mixed case unchanged."""
    if len(text) > 3 and text.isupper() and text.replace(" ", "").isalpha():
        return " ".join(w.capitalize() for w in text.split(" "))
    return text


# A piece spec: (start, end, text, initial, person_cue, role, role_org_text, kind), offsets relative to its run;
# initial None means "whether the run itself opens a sentence", which only the document can tell; kind is the one
# the text's own words decide (`_static_kind`). `_split_pieces` gives all but the kind.
_Spec = tuple[int, int, str, "bool | None", bool, "str | None", "str | None", "str | None"]


def _split_pieces(out: list[tuple], body: str, s: int, e: int, initial: bool | None) -> None:
    """Turn one capitalized run into name pieces: drop function words, demonyms, dates; split at role titles."""
    nonent = gz.non_entities()
    dem = gz.demonyms()
    whole = body[s:e]
    if " " not in whole and "-" not in whole:
        if whole not in nonent and whole not in dem:
            out.append((s, e, whole, initial, False, None, None))
        return
    _, _, _, titled_roles = _role_regexes()
    toks = [(s + m.start(), s + m.end(), m.group()) for m in _TOKEN.finditer(whole)]
    if " " in whole and (whole in gz.place_names() or whole in gz.known_orgs()):
        out.append((s, e, whole, initial, False, None, None))
        return
    # "Guangxi Zhuang Autonomous Region", "Chinese Academy of Sciences": a demonym inside a name stays.
    keep_demonyms = " " in whole and (
        _designated(whole) or whole.rsplit(" ", 1)[-1] in gz.org_suffixes() or " of " in whole
    )
    person_cue = False
    role_words: list[str] = []
    current: list[tuple[int, int, str]] = []
    pending_org: str | None = None

    def flush() -> None:
        nonlocal current, person_cue, role_words, pending_org
        if current:
            ps, pe = current[0][0], current[-1][1]
            text = body[ps:pe]
            ini = initial if ps == s else False
            if role_words:
                out.append((ps, pe, text, ini, True, " ".join(role_words).lower(), pending_org))
            else:
                out.append((ps, pe, text, ini, person_cue, None, None))
            pending_org = text
        current = []
        person_cue = False
        role_words = []

    for i, (ts, te, tok) in enumerate(toks):
        more_after = i + 1 < len(toks)
        if tok in _TITLES and more_after:
            flush()
            person_cue = True
            continue
        if tok in titled_roles and more_after and (current or role_words or i == 0) and toks[i + 1][2] not in nonent:
            is_name_part = bool(current) and " ".join(t for _, _, t in current) + " " + tok in gz.known_orgs()
            if not is_name_part and not (current and tok in gz.org_suffixes()):
                if current:
                    flush()
                role_words.append(tok)
                continue
        if (
            not current
            and (tok in nonent or tok.rstrip(".") in nonent)
            and not (tok in gz.chinese_surnames() and more_after)
        ):
            pending_org = None
            continue
        if (
            tok in nonent
            and current
            and not _is_acronym(tok)
            and not (len(current) == 1 and _chinese_name(current[0][2] + " " + tok))
        ):
            flush()
            pending_org = None
            continue
        parts = tok.split("-")
        compound = len(parts) > 1 and all(p in dem or p in gz.place_names() for p in parts)
        if (tok in dem and not keep_demonyms) or compound:
            flush()
            if len(parts) > 1 and any(p in gz.place_names() for p in parts):
                off = ts
                for p in parts:
                    if p in gz.place_names():
                        out.append((off, off + len(p), p, False, False, None, None))
                    off += len(p) + 1
            pending_org = None
            continue
        current.append((ts, te, tok))
    flush()


@lru_cache(maxsize=65536)
def _run_specs(run: str) -> tuple[_Spec, ...]:
    """Name pieces of one capitalized run; a function of the run's text alone, so cached across documents."""
    nonent = gz.non_entities()
    dem = gz.demonyms()
    n = len(run)
    if n < 16 and run in nonent or run in dem or (run[-1] == "s" and run[:-1] in dem):
        return ()  # the common case, kept cheap: "The", "But", "Chinese"
    out: list[tuple] = []
    for ps, pe in _without_headlines(run, 0, n):
        # A later part follows a headline word inside the run, so the run's own text tells whether it opens a sentence.
        _split_pieces(out, run, ps, pe, None if ps == 0 else _sentence_initial(run, ps))
    return tuple((*spec, _static_kind(spec[2])) for spec in out)


@lru_cache(maxsize=65536)
def _stretch_specs(stretch: str) -> tuple[_Spec, ...]:
    """Name pieces of one stretch, offsets in it; initial None: whether the stretch opens a sentence, as for a run."""
    out: list[_Spec] = []
    for s, e in _raw_chunks(stretch):
        specs = _run_specs(stretch[s:e])
        if specs:
            # A later run's sentence start shows inside the stretch ("Smith. And Jones").
            run_initial = None if s == 0 else _sentence_initial(stretch, s)
            for ps, pe, text, initial, cue, role, role_org, kind in specs:
                out.append(
                    (s + ps, s + pe, text, run_initial if initial is None else initial, cue, role, role_org, kind)
                )
    return tuple(out)


def _runs_with_specs(body: str) -> list[tuple[int, tuple[_Spec, ...]]]:
    """Start and name pieces of every stretch of the body that has any, and of every web domain, in text order."""
    if not _TLD_SITE.search(body):
        return [
            (m.start(), specs)
            for m in _STRETCH.finditer(body)
            if not m.lastindex and (specs := _stretch_specs(m.group()))
        ]
    domains = _domains(body)
    found = [(m.start(), m.end(), m.lastindex, m.group()) for m in _STRETCH.finditer(body)]
    spans = [(s, e) for s, e, _, _ in found] + domains
    for ds, de in domains:
        near = sum(1 for s, e in spans if s - de <= _CONNECTOR_MAX and ds - e <= _CONNECTOR_MAX)
        if near > 1:  # itself and another: `_raw_chunks` may join the domain to a run, which no stretch shows
            return [(s, specs) for s, e in _raw_chunks(body) if (specs := _run_specs(body[s:e]))]
    runs = [(s, specs) for s, _, skip, text in found if not skip and (specs := _stretch_specs(text))]
    runs += [(s, specs) for s, e in domains if (specs := _run_specs(body[s:e]))]
    runs.sort(key=itemgetter(0))
    return runs


def _collect_pieces(body: str) -> _Doc:
    """Every candidate piece of the body, with the mid-sentence first words seen."""
    doc = _Doc(body)
    pieces = doc.pieces
    mid_words = doc.mid_words
    new = object.__new__
    for s, specs in _runs_with_specs(body):
        for ps, pe, text, initial, cue, role, role_org, kind in specs:
            if initial is None:  # only the piece at the start of the stretch or run
                # Mostly a word or a comma and a space come before: no sentence start, no need for the full check.
                initial = not (s > 1 and body[s - 1] == " " and body[s - 2] not in _MAY_END_SENTENCE) and (
                    _sentence_initial(body, s)
                )
            # `_Piece(s + ps, s + pe, text, initial, cue, kind, role, role_org)`, every slot filled in field order
            # without the generated __init__'s call overhead (an equal instance).
            piece = new(_Piece)
            piece.start = s + ps
            piece.end = s + pe
            piece.text = text
            piece.initial = initial
            piece.person_cue = cue
            piece.kind = kind
            piece.role = role
            piece.role_org_text = role_org
            piece.key = None
            piece.group = None
            pieces.append(piece)
            if not initial:
                mid_words.add(text.split(" ", 1)[0])
    return doc


@cache
def _designator_endings() -> tuple[str, ...]:
    """Each designator as it ends a name, as written and in lower case, longest designator first."""
    return tuple(form for d in gz.place_designators() for form in (" " + d, " " + d.lower()))


@lru_cache(maxsize=65536)
def _strip_designator(name: str) -> str:
    """Core of a place name: designators and the ethnic word before them removed."""
    forms = _designator_endings()
    if not name.endswith(forms):
        return name  # the common case, one test for every designator
    core = name
    changed = True
    while changed:
        changed = False
        for form in forms:
            if core.endswith(form) and len(core) > len(form):
                core = core[: -len(form)]
                changed = True
        words = core.split()
        if changed and len(words) > 1 and words[-1] in gz.demonyms():
            core = " ".join(words[:-1])
    return core


def _designated(name: str) -> bool:
    return _strip_designator(name) != name


def _norm(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip().casefold()


@lru_cache(maxsize=65536)
def place_key(name: str) -> str:
    """Cross-document key of a place name."""
    aliases = gz.place_aliases()
    name = aliases.get(name, name)
    core = _strip_designator(name)
    core = aliases.get(core, core)
    return "place:" + _norm(core)


@lru_cache(maxsize=65536)
def org_key(name: str) -> str:
    """Cross-document key of an organization name."""
    known = gz.known_orgs()
    name = known.get(name, name)
    text = _norm(name)
    text = _LEADING_THE_WORD.sub("", text)
    text = _NOT_KEY_CHAR.sub("", text.replace("-", " "))
    words = text.split()
    while len(words) > 1 and words[-1] in _GENERIC_ORG_TAIL:
        words.pop()
    if not words:
        return "organization:" + _norm(name)
    key_name = " ".join(words)
    # "Emirates Airline" and "Emirates" should meet even when only one is listed.
    for cand in (key_name,):
        title = cand.title()
        if title in known and known[title] != name:
            return org_key(known[title])
    return "organization:" + key_name


@lru_cache(maxsize=65536)
def person_key(name: str) -> str:
    """Cross-document key of a person's full name."""
    return "person:" + _norm(name)


@lru_cache(maxsize=65536)
def _chinese_name(text: str) -> bool:
    """A surname-first East Asian name: "Liu Xiabing", "Kim Jae-hyun"."""
    words = text.split(" ")
    if len(words) != 2 or not words[1][:1].isupper():
        return False
    if words[0] in gz.chinese_surnames() and _PINYIN_NAME.fullmatch(words[1].lower()) is not None:
        return True
    return words[0] in gz.korean_surnames() and _EAST_ASIAN_GIVEN.fullmatch(words[1]) is not None


def _person_shape(text: str) -> bool:
    """Two to four title-case alphabetic words, none an organization word."""
    words = text.split(" ")
    if not 2 <= len(words) <= 4:
        return False
    sfx = gz.org_suffixes()
    return all(
        (
            w[:1].isupper()
            and w.replace("-", "").replace("'", "").replace(".", "").isalpha()
            and not w.isupper()
            and w not in sfx
        )
        or w in _CONNECT_ALWAYS
        for w in words
    )


def _prev_word(body: str, pos: int) -> str:
    """The word right before `pos` on the same line, or "" when none is separated by one space."""
    if pos < 2 or body[pos - 1] != " ":
        return ""
    floor = pos - 24 if pos > 24 else 0  # not `max`: the builtin parses its arguments as keywords, slowly
    i = body.rfind(" ", floor, pos - 1)
    word = body[(i + 1 if i >= 0 else floor) : pos - 1]
    nl = word.rfind("\n")
    return word[nl + 1 :] if nl >= 0 else word


def _words_before(body: str, pos: int, span: int = 60) -> list[str]:
    """The words right before `pos` (none when a word runs into it); split, not regex-searched, for speed."""
    if pos == 0 or not body[pos - 1].isspace():
        return []
    return body[pos - span if pos > span else 0 : pos].rsplit(None, 4)[-4:]  # the last four words: cut no more


def _role_before(words: list[str]) -> tuple[str, int] | None:
    """Role phrase ending the words before a name ("investor", "chief executive"), and its word count."""
    if not words or words[-1].lower() not in _role_last_words():
        return None  # the common case, kept cheap
    roles = _role_set()
    for k in (3, 2, 1):
        if len(words) >= k:
            phrase = " ".join(words[-k:])
            if phrase.lower() in roles and phrase.replace(" ", "").replace("-", "").isalpha():
                return phrase.lower(), k
    return None


def _role_before_comma(words: list[str]) -> tuple[str, str] | None:
    """ "Its chief financial officer, Kim", "Samsung's CFO, Kim": a role set off by a comma after an owner word.

    Returns the role and the owner word ("its", or the organization's possessive as written).
    """
    if not words or not words[-1].endswith(",") or len(words[-1]) < 2:
        return None
    if words[-1][:-1].lower() not in _role_last_words():
        return None
    words = [*words[:-1], words[-1][:-1]]
    roles = _role_set()
    for k in (3, 2, 1):
        if len(words) > k:
            phrase = " ".join(words[-k:]).lower()
            owner = words[-k - 1]
            if (
                phrase in roles
                and phrase.replace(" ", "").replace("-", "").isalpha()
                and (owner.lower() in _POSSESSIVE_DETERMINERS or owner.endswith(("'s", "’s")))
            ):
                return phrase, owner.lower() if owner.lower() in _POSSESSIVE_DETERMINERS else owner
    return None


def _age_before(words: list[str]) -> int | None:
    """ "the 33-year-old farmer Liu": an age in the last three words, the rest lower case."""
    n = len(words)
    for i in range(n - 1, n - 4 if n > 3 else -1, -1):
        if "-year-old" in words[i]:
            m = _YEAR_OLD.fullmatch(words[i])
            if m:
                return int(m.group(1)) if all(w.islower() for w in words[i + 1 :]) else None
    return None


@cache
def _role_set() -> frozenset[str]:
    return frozenset(gz.role_words())


@cache
def _role_last_words() -> frozenset[str]:
    """Last word of every role phrase: a phrase ending in any other word is no role."""
    return frozenset(r.rsplit(" ", 1)[-1] for r in gz.role_words())


def _context_person_cue(body: str, p: _Piece, words: list[str]) -> bool:
    """Words around the piece that mark a person: said X, X said, X, 45, X, a professor, Mr. X."""
    end = p.end
    c = body[end : end + 1]
    _, after_title, person_after, _ = _role_regexes()
    # Every pattern after the name opens with a comma, a space or a parenthesis.
    if c and (c == "," or c == "(" or c.isspace()) and person_after.match(body, end, end + 80):
        return True
    if words:
        last = words[-1]
        if last in _SPEECH_WORDS or last in _TITLE_WORDS or _age_before(words) is not None:
            return True
        if len(words) > 1 and words[-2] not in ("a", "an", "the") and _role_before(words):
            return True
    if c != ",":
        return False
    m = after_title.match(body, end, end + 80)
    return bool(m and any(w.lower() in _title_role_set() for w in m.group(2).split()))


@cache
def _title_role_set() -> frozenset[str]:
    return frozenset(w for r in gz.role_words() for w in r.split() if w not in {"of", "general"})


def _after_preposition(words: list[str]) -> bool:
    """ "at Hana Asset Management, said": a name after these is where someone works, not who speaks."""
    return bool(words) and (words[-1] in _NOT_BEFORE_PERSON or words[-1].endswith("-based"))


@lru_cache(maxsize=65536)
def _static_kind(text: str) -> str | None:
    """The type a name's own words decide, cached across documents; "context" when the words cannot tell."""
    words = text.split(" ")
    n = len(words)
    first, last = words[0], words[-1]
    places = gz.place_names()
    known = gz.known_orgs()
    if _HAS_DIGIT.search(text) and text not in known:
        return None
    if text in known:
        return "organization"
    if _title_case_caps(text) in places or text in places:
        return "place"
    if n >= 2 and _designated(text):
        return "place"
    if n >= 2 and last in gz.org_suffixes():
        return "organization"
    if n >= 3 and any(w in gz.org_heads() and words[i + 1] in ("of", "for") for i, w in enumerate(words[:-1])):
        if first in {"Republic", "Kingdom", "State", "Commonwealth", "Province", "City"}:
            return "place"
        return "organization"
    if n >= 2 and last in _EVENT_TAIL:
        return None  # plans, events and laws are not required entities; better silent than mistyped
    if _chinese_name(text):
        return "person"
    return "context"


@lru_cache(maxsize=65536)
def _text_profile(text: str) -> tuple:
    """What a piece's own words say, cached across documents: (static kind, person shape, first word, word count,
    first word a given name, type of a lone word that its letters decide or _UNSEEN)."""
    words = text.split(" ")
    n = len(words)
    lone: object = _UNSEEN
    if n == 1:
        if _is_acronym(text):
            lone = "organization"
        elif text.isupper():
            lone = None
    return _static_kind(text), _person_shape(text), words[0], n, words[0] in gz.given_names(), lone


def _classify(text: str, doc: _Doc, p: _Piece) -> str | None:
    """Entity type of one piece from its own words and close context; None when it is not a name."""
    kind, shape, first, n, given, lone = _text_profile(text)
    if kind != "context":
        return kind
    words = None
    if shape:
        if given or p.person_cue:
            return "person"
        words = _words_before(doc.body, p.start)
        if not _after_preposition(words) and _context_person_cue(doc.body, p, words):
            return "person"
    if n == 1:
        if lone is not _UNSEEN:
            return lone
        if words is None:
            words = _words_before(doc.body, p.start)
        prev_word = words[-1] if words else ""
        if prev_word in _PLACE_PREPOSITIONS:
            return "place"  # "near Ames", "in Yavatmal": an unknown name after these is a place
        if prev_word not in _NOT_BEFORE_PERSON and (p.person_cue or _context_person_cue(doc.body, p, words)):
            return "person?"  # a surname on its own; resolved against full names later
        if p.initial and text not in doc.mid_words:
            return None
        return "single"
    if first == "Air":
        return "organization"
    if p.initial and first not in doc.mid_words and not given:
        return "shorten"
    return "organization"


@dataclass(slots=True)
class _Group:
    """Occurrences of one entity while resolving."""

    kind: str
    key: str
    names: list[str]
    age: int | None = None
    role: str | None = None
    affiliation_text: str | None = None


def _extend_lower_designator(body: str, p: _Piece) -> None:
    """ "Henan" + " province" -> "Henan province" when the designator ends the phrase."""
    rest = body[p.end : p.end + 30]
    for spaced in _SPACED_LOWER_DESIGNATORS:
        if rest.startswith(spaced) and _AFTER_LOWER_DESIGNATOR.match(rest, len(spaced)):
            p.end += len(spaced)
            p.text = body[p.start : p.end]
            return


def _role_text(body: str, p: _Piece, words: list[str]) -> bool:
    """Whether the piece is the field of a title ("Head of Fundamental Research at ...")."""
    if words and words[-1] == "the":
        words = words[:-1]
    if len(words) < 2 or words[-1] not in ("of", "for") or words[-2] not in _ROLE_OF_WORDS:
        return False
    return bool(_ROLE_OF_AFTER.match(body, p.end)) and p.text not in gz.known_orgs()


def _product_model(p: _Piece, words: list[str]) -> bool:
    """ "737 Max": a word after a model number is part of a product name."""
    return (
        bool(words)
        and not p.initial
        and _MODEL_NUMBER.fullmatch(words[-1]) is not None
        and (p.text not in gz.known_orgs())
    )


def _decide(doc: _Doc) -> list[_Piece]:
    """Type every piece; drop sentence-initial words; return the pieces that are names."""
    body = doc.body
    kept: list[_Piece] = []
    cache_by_text: dict[tuple[str, bool, bool], str | None] = {}
    for p in doc.pieces:
        start = p.start
        if body[p.end : p.end + 1] == "$":
            continue  # US$, HK$, A$: the prefix of a currency, not a mention of the place
        # The word before matters when it is "of", "for" or "the", or mid-sentence a model number ("737 Max"); its
        # last character rules most pieces out before the word is cut.
        if (
            start > 1
            and body[start - 1] == " "
            and ((c := body[start - 2]) in "fre" or (not p.initial and (c.isalnum() or c in "_-")))
        ):
            prev = _prev_word(body, start)
            if prev in _OF_FOR_THE:
                if _role_text(body, p, _words_before(body, start)):
                    continue
            elif prev[:1].isdigit() and _product_model(p, [prev]):
                continue
        text = p.text
        kind = p.kind
        if kind == "context":  # else the words alone decide
            ck = (text, p.initial, p.person_cue)
            kind = _UNSEEN if p.person_cue else cache_by_text.get(ck, _UNSEEN)
            if kind is _UNSEEN:
                kind = _classify(text, doc, p)
                if kind == "shorten":
                    # "Embracing China" at a sentence start: the first word was capitalized by position only.
                    cut = text.index(" ") + 1
                    p.start += cut
                    p.text = text[cut:]
                    p.initial = False
                    kind = _classify(p.text, doc, p)
                    if kind == "shorten":
                        kind = "organization"
                if not p.person_cue and p.text == text:
                    cache_by_text[ck] = kind
        if kind is None:
            continue
        p.kind = kind
        if kind in ("place", "single") and body[p.end + 1 : p.end + 2] in _DESIGNATOR_INITIALS:
            _extend_lower_designator(body, p)
            if p.text != text:
                p.kind = "place"
        kept.append(p)
    return kept


def _resolve(doc: _Doc, pieces: list[_Piece]) -> list[_Group]:
    """Group pieces into entities: full names first, then short forms, acronyms and surnames."""
    body = doc.body
    groups: dict[str, _Group] = {}  # in order of first mention

    acronyms: dict[str, _Piece] = {}
    short_to_person: dict[str, list[_Piece]] = {}
    place_cores: dict[str, str] = {}
    multi_orgs: dict[str, list[str]] = {}
    place_names = gz.place_names()
    prev: _Piece | None = None
    for p in pieces:
        text = p.text
        # Acronyms defined in parentheses right after a full name: "China Development Bank (CDB)".
        if (
            prev is not None
            and body.find("(", prev.end, p.start) != -1
            and prev.kind in ("organization", "place", "other")
            and " " in prev.text
            and _is_acronym(text)
            and _OPEN_PAREN.fullmatch(body, prev.end, p.start)
        ):
            acronyms.setdefault(text, prev)
        prev = p
        if " " not in text:
            continue
        kind = p.kind
        if kind == "person":
            words = text.split(" ")
            short = words[0] if _chinese_name(text) else words[-1]
            short_to_person.setdefault(short, []).append(p)
            if words[-1] in _PERSON_HONORIFIC_SUFFIX and len(words) > 2:
                short_to_person.setdefault(words[-2], []).append(p)
        elif kind == "place":
            core = _strip_designator(text)
            if core != text:
                place_cores.setdefault(core, text)
        elif kind == "organization":
            first = text.split(" ", 1)[0]
            if first not in place_names:
                multi_orgs.setdefault(first, []).append(text)

    known_orgs = gz.known_orgs()
    for p in pieces:
        kind = p.kind
        text = p.text
        gk: str | None = None
        key = ""
        if kind == "person" and " " in text:
            gk, key = "person", person_key(text)
        else:
            if kind == "person":
                kind = "person?"
            if " " not in text and kind in ("person?", "single", "organization"):
                named = short_to_person.get(text)
                if named:
                    cands = [c for c in named if c.start < p.start] or named
                    if _ETHNIC_USE.match(body, p.end) and not _SPEECH_AFTER.match(body, p.end, p.end + 40):
                        continue
                    gk, key = "person", person_key(cands[-1].text)
                elif kind == "organization" and text in multi_orgs and text in known_orgs:
                    fulls = {org_key(f) for f in multi_orgs[text]}
                    if len(fulls) == 1 and org_key(text) not in fulls:
                        # "Samsung" after "Samsung Electronics": the document's short form of the full name.
                        gk, key = "organization", fulls.pop()
            if gk is not None:
                pass
            elif kind in ("single", "organization", "person?") and text in place_cores:
                gk, key = "place", place_key(place_cores[text])
            elif kind in ("single", "organization") and text in acronyms:
                full = acronyms[text]
                gk = full.kind or "organization"
                key = _key_for(gk, full.text)
            elif kind == "person?":
                if _ETHNIC_USE.match(body, p.end):
                    continue
                gk, key = "person", person_key(text)
            elif kind == "single":
                if _ETHNIC_USE.match(body, p.end):
                    continue
                fulls = multi_orgs.get(text)
                one_full = fulls and len({org_key(f) for f in fulls}) == 1
                gk, key = "organization", org_key(fulls[0] if one_full else text)
            else:
                gk, key = kind, _key_for(kind, text)
        g = groups.get(key)
        if g is None:
            # `_Group(gk, key, [text])` without the generated __init__'s call overhead (an equal instance).
            g = groups[key] = object.__new__(_Group)
            g.kind = gk
            g.key = key
            g.names = [text]
            g.age = None
            g.role = None
            g.affiliation_text = None
        else:
            g.names.append(text)
        p.key = key
        p.group = g
    return list(groups.values())


def _key_for(kind: str, text: str) -> str:
    if kind == "place":
        return place_key(text)
    if kind == "organization":
        return org_key(text)
    if kind == "person":
        return person_key(text)
    return "other:" + _norm(text)


def _canonical(names: list[str]) -> str:
    """The fullest form: most words, then longest, then first used."""
    best = names[0]
    if len(names) > 1:
        best_rank = (len(best.split()), len(best))
        for n in dict.fromkeys(names):
            rank = (len(n.split()), len(n))
            if rank > best_rank:
                best, best_rank = n, rank
    return _title_case_caps(best)


def _attributes(doc: _Doc, pieces: list[_Piece]) -> None:
    """Age, role and organization of each person, from appositions and titles around their mentions."""
    body = doc.body
    after_lower, after_title, _, _ = _role_regexes()
    orgs = []
    person_pieces = []
    for p in pieces:
        if p.group is not None:
            kind = p.group.kind
            if kind == "person":
                person_pieces.append(p)
            elif kind == "organization":
                orgs.append(p)
    if not person_pieces:
        return
    org_at: dict[int, _Piece] = {p.start: p for p in orgs}
    org_ending: dict[int, _Piece] = {p.end: p for p in orgs}
    last_org_named: dict[str, str] = {}
    last_org_key: str | None = None
    org_iter = iter(orgs)
    ages_written = "-year-old" in body  # else no age stands before a name
    next_org = next(org_iter, None)

    def org_starting(pos: int) -> str | None:
        m = _LEADING_THE.match(body, pos)
        q = org_at.get(m.end())
        return q.key if q else None

    for p in person_pieces:
        while next_org is not None and next_org.end <= p.start:
            last_org_named[next_org.text] = next_org.key
            last_org_key = next_org.key
            next_org = next(org_iter, None)
        g = p.group
        if g.role is not None and g.age is not None:
            continue
        nxt = body[p.end : p.end + 1]
        words = _words_before(body, p.start)
        if nxt not in (",", " ") and not words and not p.role:
            continue  # every pattern below needs an apposition after the name or words before it
        end = p.end
        stop = end + 160  # appositions are read within this many characters after the name
        if g.age is None:
            m = _AGE_AFTER.match(body, end, stop)
            if m:
                g.age = int(m.group(1) or m.group(2) or m.group(3))
            elif ages_written:
                g.age = _age_before(words)
        if p.role and g.role is None:
            g.role = p.role
            if p.role_org_text in last_org_named:
                g.affiliation_text = last_org_named[p.role_org_text]
            else:
                m = _OF_ORG_AFTER.match(body, p.end)
                g.affiliation_text = org_starting(m.end()) if m else None
        if g.role is not None:
            continue
        # Both apposition patterns open with a comma.
        m = after_title.match(body, end, stop) if nxt == "," else None
        if m and any(w.lower() in _title_role_set() for w in m.group(2).split()):
            g.role = m.group(2).lower()
            if m.group(1) and g.age is None:
                g.age = int(m.group(1))
            g.affiliation_text = g.affiliation_text or org_starting(m.end())
            continue
        m = after_lower.match(body, end, stop) if nxt == "," else None
        if m:
            if m.group(1) and g.age is None:
                g.age = int(m.group(1))
            g.role = " ".join(m.group(2).split()).lower()
            g.affiliation_text = g.affiliation_text or org_starting(m.end())
            continue
        found = _role_before(words) if " " in p.text else None
        if found:
            g.role, k = found
            # "Alibaba founder Jack Ma", "Emirates' president": the organization right before the role.
            role_start = p.start - 1
            for w in reversed(words[-k:]):
                role_start = body.rfind(w, 0, role_start + 1)
            q = org_ending.get(role_start - 1)
            if q is None and body[role_start - 3 : role_start - 1] in ("'s", "’s"):
                q = org_ending.get(role_start - 3)
            if q is not None:
                g.affiliation_text = q.key
            else:
                m = _OF_ORG_AFTER.match(body, p.end)
                g.affiliation_text = org_starting(m.end()) if m else None
            continue
        found = _role_before_comma(words) if nxt == "," and " " in p.text else None
        if found:
            # "Its chief financial officer, Kim Woo-hyun, said": "its" is the organization last named.
            g.role, owner = found
            if owner in _POSSESSIVE_DETERMINERS:
                g.affiliation_text = last_org_key
            else:
                q = org_ending.get(body.rfind(owner, 0, p.start) + len(owner) - 2)
                g.affiliation_text = q.key if q is not None else None
    # "the 33-year-old returned": the age belongs to the person last named.
    ends = [p.end for p in person_pieces]
    for m in _the_year_olds(body):
        i = bisect_right(ends, m.start()) - 1
        if i >= 0:
            g = person_pieces[i].group
            if g.age is None:
                g.age = int(m.group(1))


def _the_year_olds(body: str) -> list[re.Match]:
    """Matches of _THE_YEAR_OLD, tried only just before each "-year-old": scanning the whole text is slow."""
    out = []
    i = body.find("-year-old")
    while i != -1:
        # "the " and one to three digits come before the hyphen.
        for j in range(i - 5, max(i - 8, -1), -1):
            m = _THE_YEAR_OLD.match(body, j)
            if m:
                out.append(m)
                break
        i = body.find("-year-old", i + 9)
    return out


def extract_entities(body: str) -> tuple[list[Entity], list[Mention]]:
    """Entities resolved within the document, and every mention of each."""
    if not body or not isinstance(body, str):
        return [], []
    doc = _collect_pieces(body)
    pieces = _decide(doc)
    groups = _resolve(doc, pieces)
    _attributes(doc, pieces)
    keys = {g.key for g in groups}
    entities: list[Entity] = []
    new = object.__new__
    # The frozen dataclasses' __init__ sets each field through object.__setattr__; filling __dict__ in field order
    # gives equal instances at half the cost (neither class has __post_init__ or __slots__).
    for g in groups:
        person = g.kind == "person"
        entity = new(Entity)
        entity.__dict__.update(
            key=g.key,
            entity_type=g.kind,
            name=_canonical(g.names),
            age=g.age,
            role=g.role if person else None,
            affiliation=g.affiliation_text if person and g.affiliation_text in keys else None,
        )
        entities.append(entity)
    # Pieces never share a span; they come in text order but where a web domain overlaps a run.
    resolved = sorted((p.start, p.end, p.key) for p in pieces if p.key is not None)
    mentions = []
    for s, e, key in resolved:
        mention = new(Mention)
        d = mention.__dict__
        d["entity_key"] = key
        d["char_start"] = s
        d["char_end"] = e
        mentions.append(mention)
    return entities, mentions
