"""Figures stated in a text, normalized to canonical units."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from operator import attrgetter

from flows.extract.model import Metric
from flows.extract.numbers import (
    DIGIT_BLOCKERS,
    SCALE_RE,
    SCALES,
    _lower_case_twin,
    after_opener,
    digit_runs,
    ending_matcher,
    find_written,
    last_token,
    lowered,
    parse_digits,
    parse_written,
    words_before_are,
)
from flows.extract.timex import TimeRef, find_times, word_triggers
from flows.extract.units import (
    CURRENCY_CODES,
    CURRENCY_PREFIX_RE,
    MEASURE_UNITS,
    UNIT_TABLE,
    match_unit,
    singular,
)

# ---------------------------------------------------------------- context patterns (all anchored, small windows)

_HEDGES = [
    (
        r"(?:just\s+|slightly\s+|well\s+)?(?:more\s+than|over\s+than|over|above|in\s+excess\s+of|at\s+least|upwards\s+of"
        r"|no\s+(?:less|fewer)\s+than|exceed(?:s|ed|ing)?|surpass(?:es|ed|ing)?|beyond|north\s+of)",
        "over",
    ),
    (
        r"(?:just\s+|slightly\s+)?(?:under|less\s+than|below|fewer\s+than|up\s+to|at\s+most|nearly|almost|not\s+quite"
        r"|no\s+more\s+than|a\s+maximum\s+of|short\s+of)",
        "under",
    ),
    (
        r"(?:about|around|approximately|approx\.|roughly|some|an\s+estimated|estimated|close\s+to|circa|nearly\s+about"
        r"|in\s+the\s+region\s+of|on\s+the\s+order\s+of|an\s+average\s+of|averag(?:e|ed|ing)"
        r"|(?:an?\s+|the\s+)?average\s+[a-z]+\s+of)",
        "approximate",
    ),
]
_HEDGE_RE = re.compile(
    r"(?<![\w-])(?:" + "|".join(f"(?P<h{i}>{p})" for i, (p, _) in enumerate(_HEDGES)) + r")[\s\u00a0]+$", re.I
)
_HEDGE_KIND = [q for _, q in _HEDGES]
# The last word each end-anchored context pattern can have: a cheap test before trying the pattern.
_HEDGE_LAST = re.compile(
    r"than|over|above|of|least|exceeds?|exceeded|exceeding|surpass(?:es|ed|ing)?|beyond|under|below|to|most|nearly"
    r"|almost|quite|about|around|approximately|approx\.|roughly|some|estimated|circa|average|averaged|averaging",
    re.I,
)
_FILLER_LAST = re.compile(
    r"of|record|combined|totall?ing|many|much|high|low|only|just|another|further|additional"
    r"|all",
    re.I,
)
_FILLER_RE = re.compile(
    r"(?<![\w-])(?:a\s+total\s+of|a\s+record|a\s+combined|totall?ing|as\s+many\s+as|as\s+much\s+as|as\s+high\s+as"
    r"|as\s+low\s+as|only|just|another|a\s+further|an\s+additional|additional|all)[\s\u00a0]+$",
    re.I,
)
_CHANGE_UP = (
    r"up|rose|risen|rises|rising|rise\s+of|increased?|increases|increasing|increase\s+of|grew|grown|grows"
    r"|growing|growth\s+of|gained|gains?|gaining|gain\s+of|jumped|jumps?|jump\s+of|surged|surges?|surge\s+of"
    r"|soared|soars?|climbed|climbs?|advanced|added|adding|expanded|expands?|expansion\s+of|rebounded"
    r"|boosted|raised|raising|hike\s+of|higher|adds?|spiked|spike\s+of|accelerated|widened"
)
_CHANGE_DOWN = (
    r"down|fell|fallen|falls?|falling|fall\s+of|dropped|drops?|dropping|drop\s+of|declined|declines?"
    r"|declining|decline\s+of|decreased?|decreases|decreasing|decrease\s+of|slipped|slips?|slid|plunged"
    r"|plunges?|plummeted|tumbled|tumbles?|sank|sunk|shrank|shrunk|shrinks?|contracted|contraction\s+of"
    r"|lost|loses|losing|shed|sheds|shedding|reduced|reduces?|reducing|reduction\s+of|lowered|lower"
    r"|cut|cuts|cutting|dipped|dips?|dip\s+of|eased|eases?|retreated|slumped|slumps?|slump\s+of|narrowed"
    r"|slowed|trimmed|slashed|weakened"
)
_CHANGE_RE = re.compile(
    rf"(?<![\w-])(?:(?:an?|the|its|their)[\s\u00a0]+(?:\w+[\s\u00a0]+)?(?=\w+[\s\u00a0]+of))?"
    rf"(?:(?P<up>{_CHANGE_UP})|(?P<down>{_CHANGE_DOWN}))[\s\u00a0]+(?:by[\s\u00a0]+|of[\s\u00a0]+)?"
    r"(?:an?[\s\u00a0]+)?(?:(?:further|additional|total|combined|whopping|staggering|modest|mere)[\s\u00a0]+)?$",
    re.I,
)
_CHANGE_LAST = re.compile(
    rf"(?:{_CHANGE_UP}|{_CHANGE_DOWN}|by|of|an?|further|additional|total|combined|whopping"
    r"|staggering|modest|mere|increase|decrease|rise|growth|gain|jump|surge|drop|decline|fall"
    r"|reduction|contraction|dip|slump|expansion|hike|spike)",
    re.I,
)
_BY_RE = re.compile(r"(?<![\w-])by[\s\u00a0]+$", re.I)
_CHANGE_AFTER_RE = re.compile(
    r"[\s\u00a0]*(?:-[\s\u00a0]*)?(?:(?P<up>increase|rise|growth|jump|gain|hike|surge|rebound|climb|higher|more"
    r"|year-on-year\s+(?:increase|rise|growth)|on-year\s+(?:increase|rise|growth))"
    r"|(?P<down>decrease|decline|drop|fall|cut|reduction|contraction|slump|dip|lower|less|fewer|slide|plunge))\b",
    re.I,
)
_OVER_AFTER_RE = re.compile(r"(?:[\s\u00a0]+or\s+(?:more|above|higher)|\+|-plus\b|[\s\u00a0]+plus\b)", re.I)
_UNDER_AFTER_RE = re.compile(r"[\s\u00a0]+or\s+(?:less|fewer|below|lower)\b", re.I)
_APPROX_AFTER_RE = re.compile(
    r"(?:[\s\u00a0]+(?:per|a|an|each)\s+[a-z]+)?,?[\s\u00a0]+(?:or\s+so|on\s+average)\b", re.I
)
# A rate stated after the counted thing: "7.8 lakh litres of milk a day", "1.5 lakh litres of daily capacity".
# What may follow the spaces after a figure for `_OVER_AFTER_RE`, `_UNDER_AFTER_RE`, `_APPROX_AFTER_RE` to match,
# and for `_PERIOD_AFTER_RE` or `_PERIOD_OF_RE`.
_HEDGE_AFTER_FIRST = frozenset("opaeOPAE")
_PERIOD_AFTER_FIRST = frozenset("paeyqmwdhoPAEYQMWDHO/")
_PERIOD_OF_RE = re.compile(
    r"[\s\u00a0]+of[\s\u00a0]+(?:[a-z-]+[\s\u00a0]+){0,2}?(?:(?:per|a|an|each|every)[\s\u00a0]+(?P<w>year|annum|month"
    r"|week|day|hour)\b(?![\s\u00a0]+(?:ago|earlier|before|later|after))|(?P<adj>annual|yearly|monthly|weekly|daily)\b)",
)

_PERIOD_WORDS = {
    "year": "year",
    "annum": "year",
    "yr": "year",
    "quarter": "quarter",
    "month": "month",
    "mo": "month",
    "week": "week",
    "day": "day",
    "hour": "hour",
    "h": "hour",
    "hr": "hour",
    "annually": "year",
    "yearly": "year",
    "annual": "year",
    "quarterly": "quarter",
    "monthly": "month",
    "weekly": "week",
    "daily": "day",
    "hourly": "hour",
    "night": "day",
}
_PERIOD_AFTER_RE = re.compile(
    r"[\s\u00a0]*(?:(?:per|a|an|each|every)[\s\u00a0]+(?P<w>year|annum|quarter|month|week|day|hour|night)\b"
    r"(?![\s\u00a0]+(?:ago|earlier|before|later|after|on|from|into|in\s+advance))"
    r"|/[\s\u00a0]?(?P<s>year|yr|annum|quarter|month|mo|week|day|hour|hr|h)\b"
    r"|(?P<adv>annually|yearly|quarterly|monthly|weekly|daily|hourly)\b)",
    re.I,
)
_PERIOD_BEFORE_RE = re.compile(
    r"\b(?P<w>[Aa]nnual|annually|yearly|quarterly|monthly|weekly|daily|hourly)\b"
    r"(?!\s+(?:report|meeting|general|conference|event|festival|summit|session|plan|review|leave|budget\s+meeting"
    r"|award|ranking|list|survey|fair|forum|expo|celebration|holiday|ago|earlier|before|later))",
)
# Every word of `_PERIOD_BEFORE_RE` holds one of these: substring tests rule most windows out before the scan.
_PERIOD_BEFORE_STEMS = ("nnual", "yearly", "quarterly", "monthly", "weekly", "daily", "hourly")
_PROJECTION_RE = re.compile(
    r"\b(?:will|would|shall|'ll|expects?|expected|expecting|projected|projection|forecasts?|forecasted"
    r"|predicted|predicts?|estimated\s+to|plans?\s+to|planned|planning|aims?\s+(?:to|at|for)|aimed\s+(?:to|at)"
    r"|aiming|targets?\s+(?:of|to|for)|targeted|targeting|goal\s+(?:of|is|was|to)|intends?|intended|set\s+to|poised\s+to|on\s+track\s+to|likely\s+to|(?:is|are)\s+to"
    r"|seeks?\s+to|pledged?\s+to|pledges\s+to|vows?\s+to|vowed\s+to|promised?\s+to|scheduled\s+to|going\s+to"
    r"|budgeted|outlook|guidance|anticipated?|envisages?)\b",
    re.I,
)
# Literal-first, so a clause without any of these stems is ruled out by a fast scan.
_PROJECTION_HINT_RE = re.compile(
    "will|would|shall|'ll|xpect|roject|orecast|redict|stimated|plan|aim|target|goal|ntend|set to|poised|on track"
    "|likely|is to|are to|seek|pledge|vow|promis|schedul|going to|budget|outlook|guidance|nticipat|nvisag"
)
_PROJECTION_HINTS = tuple(_PROJECTION_HINT_RE.pattern.split("|"))


def _projection_hint(clause: str) -> bool:
    """`_PROJECTION_HINT_RE.search(clause)`: plain substring tests are faster than the alternation."""
    # A loop: `any(map(clause.__contains__, ...))` calls each test through a method wrapper, at twice the cost.
    for hint in _PROJECTION_HINTS:  # noqa: SIM110
        if hint in clause:
            return True
    return False


# The same pattern in lower case without IGNORECASE, for the document's lower case (see `numbers.lowered`).
_PROJECTION_LOW_RE = _lower_case_twin(_PROJECTION_RE)


def _projection_found(text: str, clause: str, lo: int) -> bool:
    """`_PROJECTION_RE.search(clause)` for clause = text[lo:lo + len(clause)], on the lower case when it is safe."""
    low = lowered(text)
    if low is None:
        return _PROJECTION_RE.search(clause) is not None
    return _PROJECTION_LOW_RE.search(low[lo : lo + len(clause)]) is not None


_INDEX_RE = re.compile(
    r"\b(?:Sensex|Nifty|index|indices|Dow|Nasdaq|S&P|FTSE|Hang\s+Seng|Nikkei|Kospi|TSX|DAX|CAC|ASX|benchmark"
    r"|composite|Composite|Index|points?)\b"
)
_NUMBER_OF_RE = re.compile(
    r"\bnumber\s+of\s+(?P<np>(?:[A-Za-z][\w-]*\s+){0,3}?(?P<head>[a-z][\w-]*s|people|aircraft|staff|personnel))\b",
    re.I,
)
_LABEL_BEFORE_RE = re.compile(
    r"(?<![\w-])(?:No\.?|no\.|number|nos?\.|#|page|pages|section|article|chapter|room|gate|platform|route"
    r"|flight|game|phase|version|model|item|table|floor|lane|highway|seat|row|tier|category|batch|zone|terminal"
    r"|ward|district|paragraph|clause|episode|season|volume|apartment|suite|pier|berth|exit|dock"
    r"|aged|age|ages|age\s+of|ranked|rank|placed|number\s+one|PM2\.5|\d+:)[\s\u00a0]+$",
    re.I,
)
_LABEL_LAST = re.compile(
    r"no\.?|number|nos?\.|#|page|pages|section|article|chapter|room|gate|platform|route|flight|game|phase|version"
    r"|model|item|table|floor|lane|highway|seat|row|tier|category|batch|zone|terminal|ward|district|paragraph|clause"
    r"|episode|season|volume|apartment|suite|pier|berth|exit|dock|aged|age|ages|of|ranked|rank|placed|one"
    r"|pm2\.5|\d+:",
    re.I,
)
_AGE_AFTER_RE = re.compile(
    r"(?:[\s\u00a0]*-?[\s\u00a0]*years?[\s\u00a0-]+(?:old|of\s+age)\b|[\s\u00a0]*-year-old|[\s\u00a0]*-?[\s\u00a0]*"
    r"(?:years?|months?|days?|weeks?)[\s\u00a0]+(?:ago|earlier|later|before)\b)",
    re.I,
)
_TIME_OF_DAY_AFTER_RE = re.compile(
    r"[\s\u00a0]*(?:a\.?m\b|p\.?m\b|o'clock|GMT|BST|EST|EDT|CET|hrs\b|h\d\d)|:\d\d", re.I
)
_TIME_OF_DAY_FIRST = frozenset("apogbechAPOGBECH")
_AGE_FIRST = frozenset("ymdwYMDW")
_PHONE_AFTER_RE = re.compile(r"[\s.-]\d{3,4}[\s.-]\d{3,4}(?!\d)")
_HYPHEN_WORD_AFTER_RE = re.compile(r"-[A-Za-z]")
_HYPHEN_NUM_AFTER_RE = re.compile(r"[-–/]\d")
_RANGE_JOIN_RE = re.compile(r"^[\s\u00a0]*(?:-|–|—|to|and|or|through)[\s\u00a0]*$", re.I)
_BY_LAST = re.compile("by", re.I)
_BETWEEN_LAST = re.compile("between", re.I)
_FROM_LAST = re.compile("from", re.I)
_CURRENCY_LAST = re.compile(r".*[$£€¥₹₩₱₦₽₺]|rs\.?|inr|rmb|cny|usd|eur|gbp|jpy|hkd|aud|cad|sgd|chf|krw|rp|rm|r", re.I)
_BETWEEN_RE = re.compile(r"(?<![\w-])between[\s\u00a0]+$", re.I)
_FROM_RE = re.compile(r"(?<![\w-])from[\s\u00a0]+$", re.I)
_RANGE_JOINERS = frozenset({"-", "–", "—", "to", "and", "or", "through"})
# What `_PAREN_JOIN_RE` can see first after the spaces of a gap.
_PAREN_JOIN_FIRST = frozenset("(,/oO")
_PAREN_JOIN_RE = re.compile(
    r"^[\s\u00a0]*(?:\(|,[\s\u00a0]*or[\s\u00a0]+|[\s\u00a0]+or[\s\u00a0]+|/|,[\s\u00a0]*"
    r"(?:equivalent\s+to|equal\s+to|about|around|roughly|some|or\s+about)[\s\u00a0]+)"
    r"[\s\u00a0]*$",
    re.I,
)
# One closure per (pattern, final-word test): the per-call cache keys and pattern lookups are done once.
_currency_ending = ending_matcher(CURRENCY_PREFIX_RE, _CURRENCY_LAST)
# The tests on the word before a common final word, read off the patterns: of the label words only `age of` ends in
# `of`; of the fillers only `a total of`; of the hedges, `up to` and `close to` end in `to`, and in `of` the ones
# listed plus `average [a-z]+ of`.
_HEDGE_BEFORE_OF = frozenset({"excess", "upwards", "north", "maximum", "short", "region", "order", "average"})


def _hedge_before_of(words: list[str]) -> bool:
    return (
        len(words) >= 2
        and words[-1] == "of"
        and (after_opener(words[-2]) in _HEDGE_BEFORE_OF or (len(words) >= 3 and after_opener(words[-3]) == "average"))
    )


_CHANGE_WORD_RE = re.compile(rf"(?:{_CHANGE_UP}|{_CHANGE_DOWN})", re.I)


def _change_before(words: list[str]) -> bool:
    """A change ending in `of` or `by`: a change word (`rise of` among them), then at most one `by` or `of`."""
    if len(words) < 2 or words[-1] not in ("of", "by"):
        return False
    w2 = after_opener(words[-2])
    if _CHANGE_WORD_RE.fullmatch(w2) or (words[-1] == "of" and _CHANGE_WORD_RE.fullmatch(w2 + " of")):
        return True
    return (
        words[-2] == "of" and len(words) >= 3 and _CHANGE_WORD_RE.fullmatch(after_opener(words[-3]) + " of") is not None
    )


_label_ending = ending_matcher(_LABEL_BEFORE_RE, _LABEL_LAST, {"of": words_before_are("of", frozenset({"age"}))})
_hedge_ending = ending_matcher(
    _HEDGE_RE,
    _HEDGE_LAST,
    {"of": _hedge_before_of, "to": words_before_are("to", frozenset({"up", "close"}))},
)
_filler_ending = ending_matcher(_FILLER_RE, _FILLER_LAST, {"of": words_before_are("of", frozenset({"total"}))})
_change_ending = ending_matcher(_CHANGE_RE, _CHANGE_LAST, {"of": _change_before, "by": _change_before})
_by_ending = ending_matcher(_BY_RE, _BY_LAST)
_between_ending = ending_matcher(_BETWEEN_RE, _BETWEEN_LAST)
_from_ending = ending_matcher(_FROM_RE, _FROM_LAST)

# Sentence ends and line ends are two passes. A pattern that opens with a literal is found by a fast character
# search, one that opens with a class or a repeat is tried at every character: so `\n+` is spelled `\n\n*`, and
# a text without `!` or `?` is scanned with the period-only spelling of the sentence end.
_SENT_END_RE = re.compile(r"[.!?]+[\"'”’)\]]*[\s\u00a0]+")
_PERIOD_END_RE = re.compile(r"\.[.]*[\"'”’)\]]*[\s\u00a0]+")
_LINE_END_RE = re.compile(r"\n\n*")
_ABBREV_BEFORE = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "no",
        "co",
        "corp",
        "inc",
        "ltd",
        "jr",
        "sr",
        "gen",
        "gov",
        "sen",
        "rep",
        "vs",
        "e.g",
        "i.e",
        "u.s",
        "u.k",
        "u.n",
        "a.m",
        "p.m",
        "approx",
        "est",
        "dept",
        "fig",
        "mt",
        "ft",
        "lt",
        "col",
        "capt",
        "sgt",
        "messrs",
        "rev",
        "hon",
        "u.s.a",
        "d.c",
        "n.y",
        "l.a",
        "s.a",
        "p.o",
    }
)
_WORD_TOKEN_RE = re.compile(r"[ \t\u00a0]*(?:(['’]s)(?!\w)|([A-Za-z][A-Za-z]*(?:[-'][A-Za-z]+)*)|(\d[\w.-]*[\w]|\d))")
_OF_DET_RE = re.compile(
    r"[ \t\u00a0]+of[ \t\u00a0]+(?:(?:the|its|their|his|her|our|these|those|which|whom"
    r"|this|that)[ \t\u00a0]+)?",
    re.I,
)
_SUBJ_AFTER_RE = re.compile(
    r"[ \t\u00a0]+(?P<prep>of|in|worth\s+of)[ \t\u00a0]+(?:(?:the|its|their|his|her|our|all|total|new)[ \t\u00a0]+)?"
    r"(?P<np>(?:[A-Za-z][\w'-]*[ \t\u00a0]+){0,4}?[A-Za-z][\w'-]*)(?=[ \t\u00a0]*(?:[,.;:()\"”]|$|[ \t\u00a0]+"
    r"(?:in|on|at|for|from|by|to|with|that|which|who|was|were|is|are|has|have|had|will|and|or|than|as|during"
    r"|since|over|after|before|compared|through|across|under|between|last|this|a|an|the|\d)))"
)
_ADJACENT_GAP_RE = re.compile(
    r"(?:[\s\u00a0]+(?:of|in)[\s\u00a0]+[\w\s-]{0,30}?)?[\s\u00a0]*(?:\([^)]*\))?"
    r"[\s\u00a0]*,?[\s\u00a0]*(?:(?:up|down)\s+from|compared\s+with|to|and|or|from)?[\s\u00a0]*"
)
_ASIDE_RE = re.compile(r",\s*(?:however|meanwhile|though|too|also|in\s+turn|in\s+contrast|by\s+contrast),", re.I)
_CLOSE_PAREN_RE = re.compile(r"[\s\u00a0]*\)?")
_NUMBER_WORD_RE = re.compile(
    r"[\d,.]+|(?i:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty"
    r"|thirty|forty|fifty|hundred|thousand|million|billion)"
)
_TOKEN_SPLIT_RE = re.compile(r"[A-Za-z0-9][\w'’.-]*|[,;:()\"“”]")

# Patterns used once per figure, compiled once: the `re` module's cache lookup costs more than the match.
_SPACES_RE = re.compile(r"\s+")
_PLUS_FOLD_RE = re.compile(r"-(?:plus|fold)\b", re.I)
_MODEL_TOKEN_RE = re.compile(r"\d{2,4}(?:-\d{1,3})?[A-Za-z]*|[A-Z]?\d+[A-Za-z]*(?:-\d+)?")
_REDUCE_BEFORE_RE = re.compile(rf"\b(?:{_CHANGE_DOWN}|reduce|shrink|lower|trim|slash|narrow)\b[^,.;]*$", re.I)
_REDUCE_BEFORE_LOW_RE = _lower_case_twin(_REDUCE_BEFORE_RE)  # for the document's lower case
_MORE_THAN_RE = re.compile(r"[\s\u00a0]*(?:more|less|fewer)[\s\u00a0]+than", re.I)
_PREP_AFTER_RE = re.compile(r"[\s\u00a0]+(?:to|for|from|with|in|at|by|and|of)\b")
_PLURAL_WORD_RE = re.compile(r"\b([a-z][a-z-]+s)\b")

_STOP = frozenset(
    {
        "the",
        "a",
        "an",
        "in",
        "on",
        "at",
        "to",
        "for",
        "from",
        "by",
        "with",
        "and",
        "or",
        "but",
        "as",
        "that",
        "which",
        "who",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "has",
        "have",
        "had",
        "will",
        "would",
        "can",
        "could",
        "may",
        "might",
        "should",
        "must",
        "shall",
        "per",
        "each",
        "every",
        "than",
        "while",
        "after",
        "before",
        "since",
        "during",
        "over",
        "under",
        "into",
        "onto",
        "its",
        "their",
        "his",
        "her",
        "our",
        "my",
        "your",
        "this",
        "these",
        "those",
        "it",
        "they",
        "we",
        "he",
        "she",
        "you",
        "i",
        "not",
        "no",
        "so",
        "if",
        "when",
        "where",
        "how",
        "what",
        "also",
        "only",
        "just",
        "about",
        "around",
        "up",
        "down",
        "out",
        "off",
        "of",
        "more",
        "less",
        "most",
        "least",
        "then",
        "there",
        "here",
        "all",
        "both",
        "either",
        "neither",
        "some",
        "any",
        "such",
        "via",
        "between",
        "among",
        "against",
        "through",
        "across",
        "until",
        "till",
        "upon",
        "within",
        "without",
        "because",
        "although",
        "though",
        "whereas",
        "unless",
        "said",
        "says",
        "say",
        "according",
        "including",
        "excluding",
        "like",
        "compared",
        "versus",
        "vs",
        "times",
        "ago",
        "earlier",
        "later",
        "apiece",
        "respectively",
        "alone",
        "altogether",
        "overall",
        "already",
        "yet",
        "still",
        "even",
        "nearly",
        "almost",
        "roughly",
        "approximately",
        "again",
        "too",
        "very",
        "much",
        "many",
        "last",
        "next",
        "previous",
        "year",
        "years",
        "month",
        "months",
        "week",
        "weeks",
        "day",
        "days",
        "percent",
    }
)
# Words that may sit between a number and its noun ("eight more picks", "the 50 previous years").
_COUNT_STOP = _STOP - {
    "more",
    "less",
    "previous",
    "last",
    "next",
    "year",
    "years",
    "month",
    "months",
    "week",
    "weeks",
    "day",
    "days",
    "other",
    "additional",
    "new",
}
_ADJ = frozenset(
    {
        "new",
        "old",
        "young",
        "more",
        "other",
        "additional",
        "extra",
        "big",
        "bigger",
        "small",
        "smaller",
        "large",
        "larger",
        "major",
        "key",
        "top",
        "local",
        "foreign",
        "total",
        "different",
        "separate",
        "same",
        "several",
        "few",
        "full",
        "high",
        "low",
        "senior",
        "junior",
        "private",
        "public",
        "rural",
        "urban",
        "domestic",
        "international",
        "global",
        "national",
        "regional",
        "main",
        "poor",
        "rich",
        "middle",
        "further",
        "fewer",
        "first",
        "second",
        "third",
        "last",
        "straight",
        "consecutive",
        "active",
        "existing",
        "registered",
        "confirmed",
        "reported",
        "estimated",
        "million",
        "billion",
        "thousand",
        "hundred",
        "popular",
        "embattled",
        "inbound",
        "outbound",
        "male",
        "female",
        "live",
        "wild",
        "remote",
        "overseas",
        "mid-size",
        "wide",
        "long",
        "short",
        "hot",
        "cold",
        "daily",
        "monthly",
        "annual",
        "weekly",
        "yearly",
        "average",
        "prior",
        "current",
        "former",
        "recent",
        "early",
        "late",
        "latest",
        "best",
        "worst",
        "good",
        "bad",
        "great",
        "whole",
        "entire",
        "individual",
        "general",
        "special",
        "own",
        "fresh",
        "raw",
        "net",
        "gross",
        "real",
        "vast",
        "huge",
        "tiny",
        "giant",
    }
)
_ADJ_SUFFIX_RE = re.compile(r"(?:al|ic|ive|ous|ful|less|able|ible|ary|ish|est|ed|ing|ant|ent|ern|ese|ian|ly)$")
_NOT_HEAD = frozenset(
    {
        "times",
        "ways",
        "others",
        "ones",
        "lots",
        "tens",
        "dozens",
        "hundreds",
        "thousands",
        "millions",
        "billions",
        "things",
        "terms",
        "plus",
        "minus",
        "odds",
        "pros",
        "cons",
    }
)
_CUT_WORDS = frozenset(
    {
        "at",
        "on",
        "for",
        "by",
        "than",
        "as",
        "after",
        "before",
        "since",
        "during",
        "until",
        "with",
        "that",
        "which",
        "who",
        "where",
        "when",
        "while",
        "and",
        "but",
        "or",
        "said",
        "says",
        "say",
        "according",
        "because",
        "if",
        "although",
        "also",
        "has",
        "have",
        "had",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "they",
        "we",
        "he",
        "she",
        "there",
        "here",
        "whereas",
        "showed",
        "shows",
        "show",
        "revealed",
        "found",
        "announced",
        "reported",
        "added",
        "noted",
        "meanwhile",
        "however",
        "including",
        "saw",
        "see",
        "sees",
        "posted",
        "recorded",
        "registered",
        "welcomed",
        "attracted",
        "received",
        "generated",
        "earned",
        "made",
        "spent",
        "invested",
        "issued",
        "provided",
        "offered",
        "raised",
        "secured",
        "signed",
        "inked",
        "paid",
        "hit",
        "reach",
        "reached",
        "reaching",
        "totaled",
        "totalled",
        "totaling",
        "totalling",
        "stood",
        "thanks",
        "amid",
        "despite",
        "like",
        "unlike",
        "per",
        "into",
        "among",
        "from",
        "over",
        "under",
    }
)
_LINK_WORDS = frozenset(
    {
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "has",
        "have",
        "had",
        "will",
        "would",
        "could",
        "may",
        "might",
        "should",
        "expected",
        "projected",
        "forecast",
        "estimated",
        "set",
        "likely",
        "poised",
        "to",
        "reach",
        "reached",
        "reaching",
        "reaches",
        "hit",
        "hits",
        "hitting",
        "total",
        "totaled",
        "totalled",
        "totaling",
        "totalling",
        "totals",
        "stood",
        "stands",
        "stand",
        "standing",
        "at",
        "amounted",
        "amount",
        "amounts",
        "amounting",
        "came",
        "come",
        "comes",
        "exceed",
        "exceeded",
        "exceeding",
        "exceeds",
        "surpass",
        "surpassed",
        "surpassing",
        "top",
        "topped",
        "tops",
        "rose",
        "rise",
        "risen",
        "rising",
        "rises",
        "increased",
        "increase",
        "increasing",
        "grew",
        "grow",
        "grown",
        "growing",
        "grows",
        "jumped",
        "fell",
        "fallen",
        "falling",
        "dropped",
        "declined",
        "decreased",
        "climbed",
        "soared",
        "surged",
        "gained",
        "valued",
        "worth",
        "of",
        "by",
        "up",
        "down",
        "a",
        "an",
        "the",
        "new",
        "record",
        "high",
        "low",
        "all-time",
        "around",
        "about",
        "nearly",
        "some",
        "over",
        "more",
        "than",
        "only",
        "just",
        "still",
        "already",
        "now",
        "currently",
        "also",
        "further",
        "another",
        "additional",
        "in",
        "with",
        "its",
        "their",
        "approximately",
        "roughly",
        "almost",
        "scaled",
        "valuing",
        "priced",
        "put",
        "last",
        "year",
        "this",
        "average",
        "averaged",
        "averaging",
        "remained",
        "remains",
        "stayed",
        "fixed",
        "capped",
        "registering",
        "recording",
        "posting",
        "touching",
        "touched",
        "reported",
        "between",
        "from",
        "each",
        "per",
        "ranging",
        "range",
        "ranged",
        "ranges",
    }
)
_LEAD_DET = frozenset(
    {
        "the",
        "a",
        "an",
        "its",
        "their",
        "his",
        "her",
        "our",
        "this",
        "these",
        "those",
        "that",
        "of",
        "with",
        "in",
        "and",
        "to",
        "as",
        "for",
        "by",
        "on",
        "at",
        "while",
        "whose",
    }
)
_TIME_WORDS = frozenset(
    {
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "year",
        "years",
        "month",
        "months",
        "quarter",
        "week",
        "weeks",
        "day",
        "days",
        "period",
        "time",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "today",
        "yesterday",
        "morning",
        "afternoon",
        "evening",
    }
)
# `in total`, `in addition`: words after a figure that do not start what it measures.
_NOT_SUBJECT_START = _TIME_WORDS | {
    "total",
    "all",
    "addition",
    "contrast",
    "comparison",
    "terms",
    "fact",
    "order",
    "part",
    "response",
    "line",
    "recent",
    "both",
    "cash",
    "value",
    "size",
    "length",
    "area",
    "aggregate",
    "return",
    "exchange",
    "advance",
    "person",
    "particular",
}


@dataclass(slots=True)
class _Fig:
    """A figure under construction."""

    num_start: int
    num_end: int  # after the number and any scale word
    raw_value: Decimal
    written: bool
    start: int = 0
    end: int = 0
    value: float = 0.0
    low: float | None = None
    high: float | None = None
    unit: str | None = None
    unit_explicit: bool = False
    has_scale: bool = False
    scale: Decimal = Decimal(1)
    unit_end: int = 0
    qualifier: str = "exact"
    change: int = 0  # +1 up, -1 down, 0 a level
    subject: str | None = None
    noun_phrase: str | None = None
    period: str | None = None
    projection: bool = False
    time: tuple[date, date] | None = None
    equivalent_of: _Fig | None = None
    implicit: bool = False
    drop: bool = False
    after_to: bool = False
    sent: tuple[int, int] = (0, 0)  # bounds of the sentence holding num_start, once the figure is kept


class _Doc:
    """One body with lazily computed sentence bounds and time expressions."""

    def __init__(self, text: str, published: date | None):
        self.text = text
        self.published = published
        # Sentence starts are found left to right only as far as a figure asks: text after the last figure is
        # never split.
        self.starts = [0]
        self._sent_ends = (_SENT_END_RE if "!" in text or "?" in text else _PERIOD_END_RE).finditer(text)
        self._line_ends = _LINE_END_RE.finditer(text)
        self._next_sent = self._next_sentence_start()
        self._next_line = self._next_line_start()
        self._times: dict[int, list[TimeRef]] = {}
        self.digit_triggers: list[int] = []

    def _next_sentence_start(self) -> int | None:
        text = self.text
        for m in self._sent_ends:
            if text[m.start()] == ".":
                st = m.start()
                # (Conditional expressions rather than `max`: the builtin parses its arguments as keywords.)
                lo = st - 12 if st > 12 else 0
                ws = text.rfind(" ", lo, st)
                nl = text.rfind("\n", lo - 1 if lo else 0, st)
                if nl > ws:
                    ws = nl
                if ws < 0 and lo:
                    # The word is longer than the window: only the rare scan back to a line start tells it.
                    ws = text.rfind("\n", 0, st)
                word = text[ws + 1 : st]
                if word.lower().lstrip("(\"'“") in _ABBREV_BEFORE or len(word) == 1:
                    continue
                nxt = text[m.end() : m.end() + 1]
                if nxt and nxt.islower():
                    continue
            return m.end()
        return None

    def _next_line_start(self) -> int | None:
        m = next(self._line_ends, None)
        return m.end() if m else None

    def _split_past(self, pos: int) -> None:
        """Find sentence starts until one lies beyond pos (or the text ends)."""
        starts = self.starts
        while starts[-1] <= pos:
            a, b = self._next_sent, self._next_line
            if a is None and b is None:
                return
            if b is None or (a is not None and a <= b):
                nxt = a
                self._next_sent = self._next_sentence_start()
                if a == b:
                    self._next_line = self._next_line_start()
            else:
                nxt = b
                self._next_line = self._next_line_start()
            if nxt != starts[-1]:
                starts.append(nxt)

    def sentence(self, pos: int) -> tuple[int, int]:
        """Bounds of the sentence holding pos."""
        starts = self.starts
        if starts[-1] <= pos:
            self._split_past(pos)
        i = bisect.bisect_right(starts, pos) - 1
        end = starts[i + 1] if i + 1 < len(starts) else len(self.text)
        return starts[i], end

    def times(self, pos: int) -> list[TimeRef]:
        """Time expressions of the sentence holding pos."""
        return self.times_in(*self.sentence(pos))

    def times_in(self, s: int, e: int) -> list[TimeRef]:
        """Time expressions of the sentence with bounds (s, e)."""
        found = self._times.get(s)
        if found is None:
            # Trigger words are looked for only in the sentences whose times are asked for.
            dt = self.digit_triggers
            triggers = dt[bisect.bisect_left(dt, s) : bisect.bisect_left(dt, e)] + word_triggers(self.text, s, e)
            triggers.sort()
            found = self._times[s] = find_times(self.text, s, e, self.published, triggers)
        return found


def _word_before(text: str, pos: int) -> tuple[str, int]:
    """The token right before pos (skipping one run of spaces) and its start."""
    # Read from a window with string methods; a word or a run of spaces that reaches the window's start is
    # left to the character loop below.
    lo = pos - 40 if pos > 40 else 0
    head = text[lo:pos].rstrip(" \t\u00a0")
    if head:
        j = lo + len(head)
        if head[-1].isspace():
            return "", j
        parts = head.rsplit(None, 1)
        if len(parts) == 2 or not lo:
            word = parts[-1]
            return word, j - len(word)
    elif not lo:
        return "", 0
    j = pos
    while j > 0 and text[j - 1] in " \t\u00a0":
        j -= 1
    k = j
    while k > 0 and not text[k - 1].isspace():
        k -= 1
    return text[k:j], k


def _sentence_initial(text: str, pos: int) -> bool:
    """True when only quotes, brackets or spaces separate pos from a sentence or line start."""
    j = pos
    while j > 0 and text[j - 1] in " \t\u00a0\"'“‘(":
        j -= 1
    return j == 0 or text[j - 1] in ".!?\n:;—–-"


def _is_capitalized_name(word: str) -> bool:
    return bool(word) and word[0].isalpha() and (word[0].isupper() or any(map(str.isupper, word)))


# ---------------------------------------------------------------- token discovery


# Sort keys as C getters rather than lambdas (one Python call per item).
_BY_NUM_START = attrgetter("num_start")
_BY_START = attrgetter("start")


def _candidates(text: str) -> tuple[list[_Fig], list[int]]:
    """Number tokens in text order, and the digit runs where a time expression may start."""
    out: list[_Fig] = []
    digit_triggers: list[int] = []
    for m in digit_runs(text):
        s, e = m.span()
        # `timex.digit_trigger(text, s, e)` and `numbers.parse_digits(m.group())`, written out: two calls a number
        # (tests/extract check both against the functions).
        n = e - s
        if (n <= 2 or (n == 4 and text[s] in "12")) and not (s and text[s - 1] in ",."):
            digit_triggers.append(s)
        if s and text[s - 1] in DIGIT_BLOCKERS:
            continue
        try:
            v = Decimal(text[s:e].replace(",", ""))
        except InvalidOperation:
            continue
        out.append(_Fig(s, e, v, False))
    written = find_written(text)
    if written:
        out.extend(_Fig(s, e, parse_written(word), True) for s, e, word in written)
        out.sort(key=_BY_NUM_START)
    return out, digit_triggers


# The first letters of the scale words of `SCALE_RE`, in either case (the Kelvin sign folds to `k`).
_SCALE_FIRST = frozenset("htmblckHTMBLCK\u212a")


_SCALE_LOW_RE = _lower_case_twin(SCALE_RE)  # for the document's lower case


def _apply_scale(text: str, f: _Fig) -> None:
    pos = f.num_end
    for _ in range(2):
        # A scale word opens (after spaces or a hyphen) with one of a few letters: most numbers are followed by
        # another, and the pattern need not run. Spaces only leave it to the pattern.
        head = text[pos : pos + 12]
        first = head[1:2] if head[:1] == "-" else head.lstrip(" \t\u00a0")[:1] or "h"
        if first not in _SCALE_FIRST:
            break
        low = lowered(text)
        m = _SCALE_LOW_RE.match(low, pos) if low is not None else SCALE_RE.match(text, pos)
        if not m:
            break
        word = (m.group(1) or m.group(2)).lower()
        if word == "hundred" and f.has_scale:
            break
        # A glued `m` is a million for money, decimals and counted nouns, metres otherwise (a unit, later).
        if word == "m" and f.raw_value == f.raw_value.to_integral_value() and not _currency_before(text, f):
            nxt = _WORD_TOKEN_RE.match(text, m.end())
            if not (nxt and nxt.group(2) and singular(nxt.group(2).lower())):
                break
        f.scale *= SCALES[word]
        f.has_scale = True
        pos = m.end()
    f.num_end = pos


def _currency_before(text: str, f: _Fig) -> str | None:
    m = _currency_ending(text, f.num_start, 6)
    if not m:
        return None
    token = _SPACES_RE.sub("", m.group(1)).lower()
    if token in ("r", "rm", "rp") and not f.has_scale and f.raw_value < 100:
        return None
    return _PREFIX_CODES.get(token)


def _build_prefix_codes() -> dict[str, str]:
    from flows.extract.units import CURRENCY_PREFIXES

    return {k.replace(" ", ""): v for k, v in CURRENCY_PREFIXES.items()}


_PREFIX_CODES = _build_prefix_codes()


def _excluded(doc: _Doc, f: _Fig) -> bool:
    """True for numbers that are not figures: dates, times, ages, ordinals, names, model numbers, phones."""
    # The sentence's time expressions are looked for last: a sentence whose numbers all fail the cheaper tests
    # never needs them.
    if _not_a_figure(doc.text, f):
        return True
    # Every later step asks for the sentence again: its bounds are kept on the figure.
    f.sent = doc.sentence(f.num_start)
    pos = f.num_start
    s, e = f.sent
    for t in doc.times_in(s, e):  # noqa: SIM110 - a loop costs less than a generator
        if t.start <= pos < t.end:
            return True
    return False


def _not_a_figure(text: str, f: _Fig) -> bool:
    """True for ages, ordinals, names, model numbers, phones and times of day: what `_excluded` tells from context."""
    s, e = f.num_start, f.num_end
    after = text[e : e + 12]
    # Glued letters are units/scales only ("5km", "20k", "3.5bn"); anything else is a name or an ordinal.
    if after[:1].isalpha() and not f.written and not match_unit(text, e):
        return True
    if after[:1] == "-" and _HYPHEN_WORD_AFTER_RE.match(after) and not _PLUS_FOLD_RE.match(after):
        return True
    before = text[s - 2 if s > 2 else 0 : s]
    if before.endswith("-") and len(before) == 2 and before[0].isalnum() and not _range_end(text, f):
        return True
    # Both patterns open with spaces and then a letter from a short list: most numbers are followed by another.
    rest = after.lstrip()
    if (rest[:1] in _TIME_OF_DAY_FIRST or after[:1] == ":") and _TIME_OF_DAY_AFTER_RE.match(after):
        return True
    if rest[:1] == "-":
        rest = rest[1:].lstrip()
    if (not rest or rest[0] in _AGE_FIRST) and _AGE_AFTER_RE.match(text, e):
        return True
    # A phone number goes on with a digit after one separator (`\d` is what `str.isdecimal` tells).
    if not f.written and after[1:2].isdecimal() and _PHONE_AFTER_RE.match(after):
        return True
    label = _label_ending(text, s, 30)
    # "an average age of 6.2 years" describes a fleet, not a person.
    if label and not (label.group().lower().startswith("age") and last_token(text, label.start()) in _AVERAGE):
        return True
    word, wstart = _word_before(text, s)
    if f.written:
        return word.lower() in ("one", "every", "each")
    if word and ("/" in word or "@" in word or "www" in word or "://" in word or word.endswith("#")):
        return True
    if word in ("'s", "’s") or (
        _is_capitalized_name(word)
        and not _sentence_initial(text, wstart)
        and not _currency_before(text, f)
        and word.lower() not in _HEDGE_WORDS
    ):
        return True
    # `, 45,` right after a name is an age.
    return (
        text[s - 2 if s > 2 else 0 : s] == ", "
        and text[e : e + 1] == ","
        and f.raw_value < 110
        and "." not in text[s:e]
        and _is_capitalized_name(_word_before(text, s - 2)[0])
    )


_PHRASAL_VERBS = frozenset(
    {
        "rack",
        "racks",
        "pick",
        "picks",
        "set",
        "sets",
        "put",
        "puts",
        "take",
        "takes",
        "took",
        "make",
        "makes",
        "made",
        "end",
        "ends",
        "sign",
        "signs",
        "open",
        "opens",
        "sum",
        "sums",
        "add",
        "adds",
        "free",
        "frees",
        "give",
        "gives",
        "gave",
        "build",
        "builds",
        "built",
        "back",
        "backs",
        "cut",
        "cuts",
        "wind",
        "winds",
        "wound",
        "shut",
        "shuts",
        "break",
        "breaks",
        "broke",
        "turn",
        "turns",
        "bring",
        "brings",
        "brought",
        "clock",
        "clocks",
        "scale",
        "scales",
        "ramp",
        "ramps",
        "step",
        "steps",
        "mop",
        "shore",
        "prop",
        "team",
        "teams",
        "line",
        "lines",
        "stock",
        "stocks",
        "snap",
        "snaps",
        "bump",
        "bumps",
    }
)
_AVERAGE = frozenset({"average", "mean", "median"})


def _range_end(text: str, f: _Fig) -> bool:
    """`2-3 percent`: the second number of a hyphenated range, larger than the first and followed by a unit."""
    m = _NUMBER_BEFORE_HYPHEN_RE.search(text, max(0, f.num_start - 12), f.num_start)
    if not m or not match_unit(text, f.num_end):
        return False
    first = parse_digits(m.group(1))
    return first is not None and first < f.raw_value


_NUMBER_BEFORE_HYPHEN_RE = re.compile(r"(?<![\w.,-])(\d[\d,]*(?:\.\d+)?)-$")
_HEDGE_WORDS = frozenset(
    {
        "about",
        "around",
        "over",
        "nearly",
        "almost",
        "some",
        "roughly",
        "approximately",
        "more",
        "less",
        "only",
        "just",
        "up",
        "down",
        "under",
        "above",
        "below",
        "at",
        "by",
        "to",
        "from",
        "between",
        "of",
        "and",
        "or",
        "rs",
        "rs.",
        "us",
        "inr",
        "rmb",
        "cny",
        "usd",
        "eur",
        "gbp",
        "hkd",
        "aud",
        "jpy",
        "chf",
    }
)


def _count_noun(text: str, pos: int, f: _Fig) -> tuple[str, str, int] | None:
    """The counted noun after a number: (unit, noun phrase as written, end offset), or None."""
    i = pos
    m = _OF_DET_RE.match(text, i)
    after_of = bool(m)
    if m:
        i = m.end()
    words: list[str] = []
    skipped_model = False
    for _ in range(6):
        m = _WORD_TOKEN_RE.match(text, i)
        if not m:
            return None
        if m.group(1):
            i = m.end()
            continue
        if m.group(3):
            tok = m.group(3)
            if _MODEL_TOKEN_RE.fullmatch(tok):
                skipped_model = True
                words.append(tok)
                i = m.end()
                continue
            return None
        w = m.group(2)
        lw = w.lower()
        if (lw in _COUNT_STOP and w[0].islower()) or lw in _NOT_HEAD:
            return None
        if w[0].isupper():
            sg = singular(lw) if lw.endswith("s") else None
            nxt = _WORD_TOKEN_RE.match(text, m.end())
            if sg and (not nxt or not nxt.group(2) or nxt.group(2).lower() in _STOP) and not w.isupper():
                words.append(w)
                return sg, " ".join(words), m.end()
            words.append(w)
            i = m.end()
            continue
        sg = singular(lw)
        if sg:
            mods = []
            for prev in reversed(words):
                pl = prev.lower()
                if prev[0].isupper() or not prev.isalpha() or pl in _ADJ or _ADJ_SUFFIX_RE.search(pl):
                    break
                mods.insert(0, pl)
            words.append(w)
            return " ".join([*mods, sg]), " ".join(words), m.end()
        if (skipped_model or after_of) and lw not in _ADJ and not _ADJ_SUFFIX_RE.search(lw):
            nxt = _WORD_TOKEN_RE.match(text, m.end())
            if not nxt or (nxt.group(2) and nxt.group(2).lower() in _STOP):
                words.append(w)
                return lw, " ".join(words), m.end()
        words.append(w)
        i = m.end()
        if len(words) >= 4:
            return None
    return None


def _parse_unit(text: str, f: _Fig, code: str | None) -> None:
    """Currency, measure or counted noun of the figure (code: the currency written before it), and its end."""
    pos = f.num_end
    f.unit_end = pos
    m = match_unit(text, pos)
    if m:
        idx = int(m.lastgroup[1:])
        unit, factor = UNIT_TABLE[idx]
        if unit == "":
            unit = m.group().strip().upper()
        if unit in CURRENCY_CODES and code and unit == "USD":
            unit = code  # "HK$5 dollars", "A$3 dollars": the symbol is more precise
        if not (unit in ("year", "month", "week", "day", "hour", "point", "degree") and code):
            f.unit = unit
            f.unit_explicit = True
            f.scale *= Decimal(str(factor)) if factor != 1.0 else 1
            f.unit_end = m.end()
            return
    if code:
        f.unit = code
        f.unit_explicit = True
        return
    if not f.has_scale and text[pos : pos + 1].lower() == "m" and not text[pos + 1 : pos + 2].isalnum():
        f.unit = "km"
        f.scale *= Decimal("0.001")
        f.unit_explicit = True
        f.unit_end = pos + 1
        return
    noun = _count_noun(text, pos, f)
    if noun:
        f.unit, f.noun_phrase, f.unit_end = noun
        f.unit_explicit = True


# Last word -> which endings it may close (1 hedge, 2 filler, 4 change, 8 `by`): the tests the ending closures
# make first, so a closure is called only when its own test would pass.
_PREFIX_BITS: dict[str, int] = {}


def _prefix_bits(tok: str) -> int:
    if len(_PREFIX_BITS) > 20_000:
        _PREFIX_BITS.clear()
    bits = _PREFIX_BITS[tok] = (
        (_HEDGE_LAST.fullmatch(tok) is not None)
        | (_FILLER_LAST.fullmatch(tok) is not None) << 1
        | (_CHANGE_LAST.fullmatch(tok) is not None) << 2
        | (_BY_LAST.fullmatch(tok) is not None) << 3
    )
    return bits


def _prefix_context(text: str, f: _Fig, code: str | None) -> None:
    """Hedge, currency symbol (code: its currency) and change verb before the number; sets the mention start."""
    start = f.num_start
    if code:
        start = _currency_ending(text, start, 6).start()
    for _ in range(3):
        tok = last_token(text, start)
        # Which of the four endings the last word allows, in one lookup: most words allow none.
        bits = _PREFIX_BITS.get(tok)
        if bits is None:
            bits = _prefix_bits(tok)
        m = _hedge_ending(text, start, 40, tok) if bits & 1 else None
        if m and f.qualifier == "exact":
            f.qualifier = _HEDGE_KIND[int(m.lastgroup[1:])]
            start = m.start()
            continue
        m = _filler_ending(text, start, 40, tok) if bits & 2 else None
        if m:
            start = m.start()
            continue
        break
    m = _change_ending(text, start, 40, tok) if bits & 4 else None
    if m and m.group().split()[0].lower() in ("up", "down"):
        verb, _ = _word_before(text, m.start())
        if verb.lower().endswith(("ing", "ed")) or verb.lower() in _PHRASAL_VERBS:
            m = None
    if m:
        f.change = 1 if m.group("up") else -1
        start = m.start()
    else:
        m = _by_ending(text, start, 6, tok) if bits & 8 else None
        if m:
            word, _ = _word_before(text, m.start())
            lw = word.lower()
            passive = lw in ("end", "run", "made", "held", "seen", "done") or lw.endswith(("ed", "able", "ible"))
            if not passive:
                f.change = 1
                # A verb of reduction before the object ("cut costs by 5%") makes the change negative.
                clause = text[max(0, m.start() - 60) : m.start()]
                # No match can reach back over a `,`, `.` or `;`: the scan starts after the last one.
                cut = max(clause.rfind(","), clause.rfind("."), clause.rfind(";"))
                low = lowered(text)
                if (
                    _REDUCE_BEFORE_LOW_RE.search(low[max(0, m.start() - 60) : m.start()], cut + 1)
                    if low is not None
                    else _REDUCE_BEFORE_RE.search(clause, cut + 1)
                ):
                    f.change = -1
                start = m.start()
    if f.qualifier == "exact" and tok.startswith(("exceed", "surpass")):
        f.qualifier = "over"
    f.start = start


def _suffix_context(text: str, f: _Fig) -> None:
    """Hedges written after the figure, a change noun after it, and the rate denominator."""
    end = f.unit_end
    # The patterns below open with spaces (or `+`, `-`, `,`, `/`) and then a letter from a short list: the first
    # character after the spaces rules most of them out before they run. Spaces only (`nxt` empty) run them all.
    head = text[end : end + 24]
    nxt = head.lstrip()[:1]
    if f.qualifier == "exact" and (
        head[:1] in "+-," or (head[:1].isspace() and (not nxt or nxt in _HEDGE_AFTER_FIRST))
    ):
        for rx, q in ((_OVER_AFTER_RE, "over"), (_UNDER_AFTER_RE, "under"), (_APPROX_AFTER_RE, "approximate")):
            m = rx.match(text, end)
            if m:
                f.qualifier = q
                end = m.end()
                nxt = text[end : end + 24].lstrip()[:1]
                break
    if f.change == 0 and f.unit in ("percent", "percentage_point") or (f.change == 0 and f.unit in CURRENCY_CODES):
        m = _CHANGE_AFTER_RE.match(text, end)
        if m and not _MORE_THAN_RE.match(text[end : end + 20]):
            f.change = 1 if m.group("up") else -1
    if nxt and nxt not in _PERIOD_AFTER_FIRST:
        f.end = end
        return
    m = _PERIOD_AFTER_RE.match(text, end)
    if m:
        word = (m.group("w") or m.group("s") or m.group("adv")).lower()
        f.period = _PERIOD_WORDS.get(word)
        end = m.end()
    else:
        m = _PERIOD_OF_RE.match(text, end)
        if m:
            f.period = _PERIOD_WORDS.get((m.group("w") or m.group("adj")).lower())
    f.end = end


# ---------------------------------------------------------------- document-level passes


def _merge_ranges(text: str, figs: list[_Fig]) -> list[_Fig]:
    out: list[_Fig] = []
    i = 0
    while i < len(figs):
        a = figs[i]
        b = figs[i + 1] if i + 1 < len(figs) else None
        if b is not None and not a.drop and not b.drop:
            gap = text[a.unit_end if a.unit_explicit else a.num_end : b.start]
            # `_RANGE_JOIN_RE.match(gap)`: a joiner alone between spaces (`\s` is what `str.strip` removes; no
            # character other than their own capitals folds to the joiners' letters).
            stripped = gap.strip()
            joined = len(stripped) <= 7 and stripped.lower() in _RANGE_JOINERS
            a_had_unit = a.unit_explicit
            if joined and (not a.unit_explicit or a.unit == b.unit or a.unit_end == a.num_end) and b.unit_explicit:
                between = bool(_between_ending(text, a.start, 12))
                joiner = gap.strip().lower()
                if not a.has_scale and b.has_scale and a.raw_value < b.raw_value:
                    a.scale = b.scale
                    a.has_scale = True
                elif b.unit in MEASURE_UNITS and not a.unit_explicit and b.scale != 1 and not b.has_scale:
                    a.scale = b.scale
                if not a.unit_explicit:
                    a.unit = b.unit
                    a.noun_phrase = b.noun_phrase
                    if a.unit in MEASURE_UNITS and a.scale == 1:
                        a.scale = b.scale
                lo, hi = a.raw_value * a.scale, b.raw_value * b.scale
                # "down by 30 to 126" is a change then a level; "dropped by 1 to 1.5 degrees" is one range.
                is_range = (between and joiner == "and") or (
                    joiner in ("-", "–", "—", "to", "through")
                    and b.change == 0
                    and (a.change == 0 or (b.unit_end > b.num_end and not a_had_unit))
                    and not _from_ending(text, a.start, 6)
                    and lo < hi
                )
                if is_range and lo < hi:
                    bm = _between_ending(text, a.start, 12)
                    b.start = bm.start() if bm else a.start
                    b.low, b.high = float(lo), float(hi)
                    b.qualifier = a.qualifier if a.qualifier != "exact" else b.qualifier
                    b.change = a.change
                    out.append(b)
                    i += 2
                    continue
                a.unit_explicit = True
                b.after_to = joiner == "to"
        out.append(a)
        i += 1
    return out


def _clause_subject(text: str, start: int, sent_start: int) -> str | None:
    """The noun phrase that a figure is predicated of, read backwards from the figure (or the previous one)."""
    lo = start - 160 if start - 160 > sent_start else sent_start
    window = text[lo:start]
    # Every aside opens with a comma: most windows have none to cut out.
    tokens = _TOKEN_SPLIT_RE.findall(_ASIDE_RE.sub(" ", window) if "," in window else window)
    while tokens and tokens[-1].lower() in _LINK_WORDS:
        tokens.pop()
    np: list[str] = []
    for tok in reversed(tokens):
        low = tok.lower()
        # No character is both a letter and a digit: an alphabetic token needs no scan for digits.
        if tok in ',;:()"“”' or low in _CUT_WORDS or (not tok.isalpha() and any(map(str.isdigit, tok))):
            break
        if np and low == "to" and np[-1][:1].islower():
            np.pop()
            break
        np.append(tok)
        if len(np) >= 9:
            break
    np.reverse()
    while np and np[0].lower() in _LEAD_DET:
        np.pop(0)
    while np and np[-1].lower() in _LEAD_DET:
        np.pop()
    if not np or (len(np) == 1 and np[0].lower() in _TIME_WORDS):
        return None
    return " ".join(np)


def _adjacent_subject(text: str, f: _Fig, sentence_figs: list[_Fig]) -> str | None:
    """`1,350 tonnes of green tea, up 18 percent`: a change right after a figure measures the same thing."""
    prev = None
    for g in sentence_figs:
        if g.end <= f.start and g.equivalent_of is None:
            prev = g
    if prev is None or f.start - prev.end > 45 or not _ADJACENT_GAP_RE.fullmatch(text, prev.end, f.start):
        return None
    return prev.subject or prev.noun_phrase


def _subject_after(text: str, f: _Fig, pos: int) -> str | None:
    # The pattern opens with spaces, then `of`, `in` or `worth`: most figures are followed by something else.
    head = text[pos : pos + 10]
    rest = head.lstrip(" \t\u00a0")
    if len(rest) == len(head) or (len(rest) >= 2 and not rest.startswith(("of", "in", "wo"))):
        return None
    m = _SUBJ_AFTER_RE.match(text, pos)
    if not m:
        return None
    words = m.group("np").split()
    for k, w in enumerate(words):
        if w[0].islower() and singular(w.lower()):
            words = words[: k + 1]
            break
    np = " ".join(words)
    first = words[0]
    if first.lower() in _NOT_SUBJECT_START or first.lower() in _STOP:
        return None
    if m.group("prep") == "in" and (first[0].isupper() or f.unit not in CURRENCY_CODES):
        return None
    return np


def _pick_time(doc: _Doc, f: _Fig, figs_in_sentence: list[_Fig]) -> tuple[date, date] | None:
    times = doc.times_in(*f.sent)
    if not times:
        return None
    after = None
    for t in times:
        if t.start >= f.end and not t.is_base:
            if not any(
                f.end <= g.num_start < t.start for g in figs_in_sentence if g is not f and g.equivalent_of is not f
            ):
                after = t
            break
    before = None
    for t in times:
        if t.end <= f.start and not t.is_base:
            before = t
    chosen = after or before
    if chosen is None:
        return None
    if chosen.is_anaphor:
        return _anaphor_time(doc, chosen)
    if chosen.first is None or chosen.last is None:
        return None
    return chosen.first, chosen.last


def _anaphor_time(doc: _Doc, ref: TimeRef) -> tuple[date, date] | None:
    """`during the period` refers to the latest explicit time span of the preceding sentences."""
    s, _ = doc.sentence(ref.start)
    for _ in range(3):
        if s <= 0:
            return None
        prev_start, _ = doc.sentence(s - 1)
        for t in reversed(doc.times(prev_start)):
            if t.first and t.last and not t.is_base and not t.is_anaphor and t.first != t.last:
                return t.first, t.last
        s = prev_start
    return None


def _finalize_value(f: _Fig) -> None:
    v = float(f.raw_value * f.scale)
    if f.low is None:
        f.value = v
    else:
        f.value = (f.low + f.high) / 2
    if f.change < 0:
        f.value = -f.value
        if f.low is not None:
            # Each bound keeps its place: "dropped by 1 to 1.5" -> low -1, high -1.5, as the references write it.
            f.low, f.high = -f.low, -f.high


def extract_metrics(body: str, published: date | None = None) -> list[Metric]:
    """Every figure in the body, with its unit, hedge, range, rate, time and subject."""
    try:
        return _extract(body or "", published)
    except (RecursionError, MemoryError):
        raise
    except Exception:  # noqa: BLE001 - a figure extractor must never take the pipeline down
        return []


def _extract(text: str, published: date | None) -> list[Metric]:
    doc = _Doc(text, published)
    figs: list[_Fig] = []
    last_end = -1
    candidates, doc.digit_triggers = _candidates(text)
    for f in candidates:
        if f.num_start < last_end:
            continue
        if f.written and f.raw_value == 0:
            continue
        _apply_scale(text, f)
        if _excluded(doc, f):
            continue
        code = _currency_before(text, f)
        _prefix_context(text, f, code)
        _parse_unit(text, f, code)
        if f.written and not f.has_scale and f.raw_value == 1:
            continue
        _suffix_context(text, f)
        last_end = f.end
        figs.append(f)
    figs = _merge_ranges(text, figs)
    _resolve_implicit(doc, figs)
    figs = [f for f in figs if not f.drop and f.unit]
    _link_equivalents(text, figs)
    _attributes(doc, figs)
    return _emit(text, figs)


def _resolve_implicit(doc: _Doc, figs: list[_Fig]) -> None:
    """Figures without a unit borrow one from context, or are dropped."""
    text = doc.text
    for i, f in enumerate(figs):
        if f.unit_explicit:
            continue
        s, e = f.sent
        f.implicit = True
        # Model numbers: "the 777 program", "its 737 fleet", "popular 737 Max jet", "five 787 Dreamliner".
        word, _ = _word_before(text, f.start)
        nxt = _WORD_TOKEN_RE.match(text, f.end)
        if not f.written and (
            word.lower() in ("the", "a", "an", "its", "their", "his", "her")
            or _NUMBER_WORD_RE.fullmatch(word)
            or (nxt and nxt.group(2) and nxt.group(2)[0].isupper())
        ):
            f.drop = True
            continue
        prev = None
        for j in range(i - 1, -1, -1):
            g = figs[j]
            if g.num_start < s:
                break
            if g.unit and not g.drop and (g.unit not in MEASURE_UNITS or g.unit in ("percent", "point")):
                prev = g
                break
        number_of = None
        for m in _NUMBER_OF_RE.finditer(text, s, f.start):
            number_of = m
        if number_of is not None and not (prev and prev.start > number_of.end()):
            head = number_of.group("head").lower()
            f.unit = singular(head) or head
            f.noun_phrase = number_of.group("np")
            continue
        if prev is not None and (prev.unit not in MEASURE_UNITS or prev.unit in ("percent", "point")):
            if f.written and not _PREP_AFTER_RE.match(text[f.end : f.end + 6]):
                f.drop = True
                continue
            if f.written and prev.raw_value < f.raw_value and not prev.written:
                f.drop = True
                continue
            f.unit = prev.unit
            f.noun_phrase = prev.noun_phrase or prev.subject
            continue
        if f.written:
            f.drop = True
            continue
        sent = text[s:e]
        if f.change or f.after_to or f.qualifier != "exact":
            nouns = _PLURAL_WORD_RE.findall(text[max(s, f.start - 120) : f.start])
            for n in reversed(nouns):
                sg = singular(n)
                if sg and n not in _NOT_HEAD and n not in _STOP:
                    f.unit = sg
                    f.noun_phrase = n
                    break
            if f.unit:
                continue
        if _INDEX_RE.search(sent):
            f.unit = "point"
            continue
        f.drop = True


def _link_equivalents(text: str, figs: list[_Fig]) -> None:
    for a, b in zip(figs, figs[1:], strict=False):
        if b.start < a.end:
            continue
        if a.unit == b.unit:
            va, vb = float(a.raw_value * a.scale), float(b.raw_value * b.scale)
            if a.unit not in MEASURE_UNITS or not va or abs(va - vb) > 0.05 * abs(va):
                continue
        gap = text[a.end : b.start]
        if (gap.lstrip()[:1] not in _PAREN_JOIN_FIRST or not _PAREN_JOIN_RE.match(gap)) and not (
            b.qualifier == "approximate" and gap.strip() == ","
        ):
            continue
        kinds = {u in CURRENCY_CODES for u in (a.unit, b.unit)}
        if (
            kinds == {True}
            or (a.unit in MEASURE_UNITS and b.unit in MEASURE_UNITS)
            or a.unit.endswith(b.unit)
            or a.unit == b.unit
        ):
            b.equivalent_of = a


def _attributes(doc: _Doc, figs: list[_Fig]) -> None:
    text = doc.text
    by_sentence: dict[int, list[_Fig]] = {}
    for f in figs:
        by_sentence.setdefault(f.sent[0], []).append(f)
    restated_by = {id(f.equivalent_of): f for f in figs if f.equivalent_of is not None}
    hinted: dict[int, bool] = {}
    for f in figs:
        if f.equivalent_of is not None:
            continue
        s, e = f.sent
        clause_lo = f.start - 120 if f.start - 120 > s else s
        clause = text[clause_lo : f.start]
        cut = clause.rfind(";")
        cut2 = clause.rfind(". ")
        if cut2 > cut:
            cut = cut2
        if cut >= 0:
            clause = clause[cut + 1 :]
            clause_lo += cut + 1
        if f.period is None:
            near = text[f.start - 60 if f.start - 60 > s else s : f.start]
            m = None
            # Every stem but `nnual` holds `ly`: two tests rule most windows out before the seven.
            if ("ly" in near or "nnual" in near) and any(map(near.__contains__, _PERIOD_BEFORE_STEMS)):
                found = list(_PERIOD_BEFORE_RE.finditer(near))
                m = found[-1] if found else None
            # A percent change of an annual total is not a rate ("annual turnover rose 12 per cent").
            if (
                m
                and f.unit not in ("year", "month", "week", "day", "hour")
                and not (f.change and f.unit in ("percent", "percentage_point"))
            ):
                f.period = _PERIOD_WORDS.get(m.group("w").lower().split()[-1], "year")
        # The clause lies within the sentence, so a hint in the clause is one in the sentence: the sentence's test
        # only saves work when it rules out several clauses at once.
        if len(by_sentence[s]) > 2:
            in_sentence = hinted.get(s)
            if in_sentence is None:
                # Most sentences hold no hint at all: one test for all their figures.
                in_sentence = hinted[s] = _projection_hint(text[s:e])
        else:
            in_sentence = True
        f.projection = in_sentence and _projection_hint(clause) and _projection_found(text, clause, clause_lo)
        f.time = _pick_time(doc, f, by_sentence.get(s, []))
        if not f.projection and f.time and doc.published and f.time[0] > doc.published:
            f.projection = True
        if f.noun_phrase and not f.implicit:
            f.subject = f.noun_phrase
        else:
            eq = restated_by.get(id(f))
            after_eq = None
            if eq:
                after_eq = _subject_after(text, f, _CLOSE_PAREN_RE.match(text, eq.end).end())
            # The end of the last figure before this one in the sentence (the largest such end), else s.
            floor = None
            for g in by_sentence.get(s, ()):
                if g.end <= f.start and (floor is None or g.end > floor):
                    floor = g.end
            if floor is None:
                floor = s
            f.subject = (
                _subject_after(text, f, f.end)
                or after_eq
                or _clause_subject(text, f.start, floor)
                or _adjacent_subject(text, f, by_sentence.get(s, []))
                or f.noun_phrase
            )
    for f in figs:
        a = f.equivalent_of
        if a is not None:
            f.period = f.period or a.period
            f.projection = a.projection
            f.time = a.time
            f.subject = a.subject
            f.change = a.change if f.change == 0 else f.change


_INFINITIES = (float("inf"), float("-inf"))


def _emit(text: str, figs: list[_Fig]) -> list[Metric]:
    n = len(text)
    kept: list[_Fig] = []
    last_end = -1
    for f in sorted(figs, key=_BY_START):
        start = f.start if f.start < n - 1 else n - 1
        f.start = start if start > 0 else 0
        end = f.end if f.end < n else n
        f.end = end if end > f.start + 1 else f.start + 1
        if f.start < last_end:
            continue
        _finalize_value(f)
        if f.value != f.value or f.value in _INFINITIES:
            continue
        kept.append(f)
        last_end = f.end
    index = {id(f): i for i, f in enumerate(kept)}
    out: list[Metric] = []
    for f in kept:
        eq = index.get(id(f.equivalent_of)) if f.equivalent_of is not None else None
        t = f.time
        out.append(
            _metric(
                {
                    "char_start": f.start,
                    "char_end": f.end,
                    "value": f.value,
                    "unit": f.unit,
                    "value_low": f.low,
                    "value_high": f.high,
                    "qualifier": f.qualifier,
                    "period": f.period,
                    "subject": f.subject,
                    "period_start": t[0] if t else None,
                    "period_end": t[1] if t else None,
                    "is_projection": f.projection,
                    "metric_kind": "change" if f.change else "level",
                    "equivalent_of": eq,
                }
            )
        )
    return out


def _metric(fields: dict, _new=object.__new__) -> Metric:
    """`Metric(**fields)` without the frozen dataclass's per-field `object.__setattr__` calls."""
    # Metric has no __post_init__ and no __slots__, so filling __dict__ in field order gives an equal instance.
    m = _new(Metric)
    m.__dict__.update(fields)
    return m
