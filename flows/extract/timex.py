"""Time expressions in news text, resolved to date ranges against the publication date."""

from __future__ import annotations

import bisect
import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from flows.extract.metrics_dispatch import FirstCharMatcher
from flows.extract.numbers import ending_matcher, match_ending_at, word_start_re, words_before_are

_MONTH_NUM = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
_ORDINAL = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "final": 4,
    "last": 4,
}
_SMALL = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
}

_MON = (
    r"(?:Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?|July?|Aug(?:ust|\.)?"
    r"|Sep(?:t(?:ember)?)?\.?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)"
)
_MONFULL = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_YEAR = r"(?:19|20)\d\d"
_OFYEAR = rf"(?:,?\s+(?:of\s+)?(?:{_YEAR}|(?i:this|last|next)\s+year|the\s+year))?"
_END = r"(?:(?i:by|at|as\s+of|until|before|through)\s+)?(?:the\s+)?(?i:end)\s+of\s+|(?i:year-end|end-)\s*"

_TIMEX_ALTS = [
    rf"(?P<iso>(?<!\d){_YEAR}-[01]\d-[0-3]\d(?!\d))",
    rf"(?P<md>(?:{_END})?{_MON}\s+\d{{1,2}}(?:st|nd|rd|th)?(?![\d:])(?:,?\s+{_YEAR})?)",
    rf"(?P<dm>(?<![\d.,])\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MON}(?:,?\s+{_YEAR})?)",
    rf"(?P<mr>(?:from\s+)?{_MONFULL}\s*(?:-|–|to|through)\s*{_MONFULL}(?:,?\s+{_YEAR}|\s+(?:this|last)\s+year)?)",
    rf"(?P<my>(?P<myend>{_END})?(?:(?i:early|mid|late)[\s-])?{_MONFULL}(?:,?\s+(?:of\s+)?{_YEAR})?)",
    rf"(?P<q>(?i:(?:the\s+)?(?:first|second|third|fourth|final|last|1st|2nd|3rd|4th)\s+quarter){_OFYEAR})",
    rf"(?P<qq>\bQ[1-4](?:\s*(?:of\s+)?{_YEAR}|\s*FY\s?\d\d(?:\d\d)?)?\b)",
    rf"(?P<half>(?i:(?:the\s+)?(?:first|second|1st|2nd)\s+half){_OFYEAR}|\bH[12]\s*{_YEAR})",
    rf"(?P<firstn>(?i:(?:the\s+)?first\s+(?:two|three|four|five|six|seven|eight|nine|ten|eleven|\d{{1,2}})"
    rf"\s+(?:months|quarters)){_OFYEAR})",
    r"(?P<fyp>(?<!\d)\d{1,2}(?:st|nd|rd|th)\s+(?i:Five-Year\s+Plan))",
    rf"(?P<yr>(?<![\d,.$£€¥])(?:FY\s?)?{_YEAR}\s*(?:-|–|to)\s*(?:{_YEAR}|\d\d)(?!\d|%|,\d|\.\d))",
    rf"(?P<y>(?P<yend>{_END}|(?i:by)\s+)?(?:(?i:fiscal)\s+(?:year\s+)?|FY\s?)?(?<![\d,.$£€¥]){_YEAR}"
    r"(?!\d|,\d|\.\d|\s*(?:%|per\s?cent|percent|-)))",
    r"(?P<rel>\b(?i:(?P<relend>(?:by\s+|at\s+)?(?:the\s+)?end\s+of\s+)?"
    r"(?:last|this|next|past|previous|current|coming|earlier\s+this|later\s+this|early\s+this|late\s+last)"
    r"\s+(?:year|month|quarter|week)|(?:by\s+|at\s+)?(?:the\s+)?end\s+of\s+the\s+year|yesterday|today|tonight)\b)",
    r"(?P<wd>(?:(?i:last|this|next)\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)",
    r"(?P<anaph>\b(?i:(?:during|in|over|for|within)\s+the\s+period)\b)",
]
TIMEX_RE = re.compile("|".join(_TIMEX_ALTS))
_TIMEX_AT = FirstCharMatcher(_TIMEX_ALTS)

_TRIGGER_WORDS = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
    "Mon",
    "Tue",
    "Wed",
    "Thu",
    "Fri",
    "Sat",
    "Sun",
    "Q1",
    "Q2",
    "Q3",
    "Q4",
    "H1",
    "H2",
    "FY",
    "year-end",
    "end",
    "End",
    "period",
    *(
        w
        for base in (
            "first",
            "second",
            "third",
            "fourth",
            "final",
            "last",
            "this",
            "next",
            "past",
            "previous",
            "current",
            "coming",
            "earlier",
            "later",
            "early",
            "late",
            "yesterday",
            "today",
            "tonight",
            "fiscal",
            "1st",
            "2nd",
            "3rd",
            "4th",
        )
        for w in (base, base[0].upper() + base[1:])
    ),
]
# Literal-first alternatives and a digit class: both let the engine skip fast to the few places worth a full match.
_TRIGGER_RE = word_start_re(_TRIGGER_WORDS, whole=False)
_DIGIT_RUN_RE = re.compile(r"\d+")
_PREFIX_BEFORE_RE = re.compile(
    r"(?:(?:(?:by|at|as\s+of|until|before|through)\s+)?(?:the\s+)?end\s+of\s+|(?:by|from|the|fiscal|FY)\s+"
    r"|(?:early|mid|late)[\s-]|(?:during|in|over|for|within)\s+the\s+|(?:last|this|next)\s+)$",
    re.I,
)

# A time that is only the base of a comparison ("compared with the same period in 2019") is not the figure's time.
_BASE_BEFORE_RE = re.compile(
    r"(?:same\s+(?:period|time|month|quarter)\s+(?:of\s+|in\s+)?(?:the\s+)?|compared\s+(?:with|to)\s+(?:the\s+)?"
    r"|from\s+(?:a\s+year\s+earlier\s+)?|than\s+(?:in\s+)?|since\s+|versus\s+|vs\.?\s+|over\s+|as\s+in\s+)$",
    re.I,
)
_PREFIX_LAST = re.compile(r"of|by|from|the|fiscal|fy|early-?|mid-?|late-?|last|this|next", re.I)
_BASE_LAST = re.compile(r"period|time|month|quarter|of|in|the|with|to|from|earlier|than|since|versus|vs\.?|over", re.I)
_prefix_ending = ending_matcher(_PREFIX_BEFORE_RE, _PREFIX_LAST)
# Read off the pattern: `in` ends `same period in`, `than in`, `as in`; `the` ends `same period (of|in) the` and
# `compared with|to the`; `of` ends `same period of` (period, time, month or quarter).
_SAME = frozenset({"period", "time", "month", "quarter"})
_base_ending = ending_matcher(
    _BASE_BEFORE_RE,
    _BASE_LAST,
    {
        "in": words_before_are("in", _SAME | {"than", "as"}),
        "the": words_before_are("the", _SAME | {"of", "in", "with", "to"}),
        "of": words_before_are("of", _SAME),
    },
)
_MAY_OK_BEFORE_RE = re.compile(
    r"(?:in|since|by|of|until|early|late|mid|end|from|to|through|during|before|after)"
    r"[\s-]$",
    re.I,
)


@dataclass(frozen=True)
class TimeRef:
    """One time expression: its span, its date range, and whether it only serves as a comparison base."""

    start: int
    end: int
    first: date | None
    last: date | None
    is_base: bool = False
    is_anaphor: bool = False


# Patterns of `_resolve` and `find_times`, compiled once: the `re` module's cache lookup costs more than the match.
_YEAR_RE = re.compile(r"(?:19|20)\d\d")
_MON_RE = re.compile(_MON)
_DAY_RE = re.compile(r"(?<![\d])\d{1,2}(?!\d)")
_MONFULL_RE = re.compile(_MONFULL)
_QNUM_RE = re.compile(r"[1-4](?=\D|$)")
_ORD_RE = re.compile(r"first|second|third|fourth|final|last|1st|2nd|3rd|4th")
_H1_RE = re.compile(r"first|1st|h1")
_FIRSTN_RE = re.compile(r"first\s+(\w+)\s+(months|quarters)")
_DIGITS_AT_RE = re.compile(r"\d+")
_BACK_RE = re.compile(r"last|past|previous")
_AHEAD_RE = re.compile(r"next|coming")
_WEEKDAY_RE = re.compile(r"[A-Z][a-z]+day")
_IS_END_RE = re.compile(r"(?i)(?:by|at|as of|until|before|through)?\s*(?:the\s+)?end|year-end|end-")


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _recent_year(month: int, day: int, published: date) -> int:
    """The year of the most recent month/day not after the published date."""
    return published.year if (month, day) <= (published.month, published.day) else published.year - 1


def _year_of(text: str, published: date | None) -> int | None:
    """An explicit four-digit year, or `this/last/next year` against published, in a matched text."""
    m = _YEAR_RE.search(text)
    if m:
        return int(m.group())
    low = text.lower()
    if published is None:
        return None
    if "last year" in low:
        return published.year - 1
    if "next year" in low:
        return published.year + 1
    return published.year if ("this year" in low or "the year" in low) else None


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


# A function of a short matched text and the publication date, which recur across documents ("2023", "last year").
@lru_cache(maxsize=8192)
def _resolve(kind: str, g: str, published: date | None, is_end: bool) -> tuple[date | None, date | None]:
    low = g.lower()
    if kind == "iso":
        d = _safe_date(int(g[:4]), int(g[5:7]), int(g[8:10]))
        return d, d
    if kind in ("md", "dm"):
        mm = _MON_RE.search(g)
        dd = _DAY_RE.search(g.replace(mm.group(), " ") if mm else g)
        if not mm or not dd:
            return None, None
        month = _MONTH_NUM[mm.group()[:3].lower()]
        day = int(dd.group())
        year = _year_of(g, None) or (_recent_year(month, day, published) if published else None)
        d = _safe_date(year, month, day) if year else None
        return d, d
    if kind == "my":
        mm = _MONFULL_RE.search(g)
        month = _MONTH_NUM[mm.group()[:3].lower()]
        year = _year_of(g, None) or (_recent_year(month, 1, published) if published else None)
        if not year:
            return None, None
        if is_end:
            return _month_end(year, month), _month_end(year, month)
        return date(year, month, 1), _month_end(year, month)
    if kind == "mr":
        months = _MONFULL_RE.findall(g)
        m0, m1 = _MONTH_NUM[months[0][:3].lower()], _MONTH_NUM[months[-1][:3].lower()]
        year = _year_of(g, published) or (_recent_year(m1, 1, published) if published else None)
        if not year or m1 < m0:
            return None, None
        return date(year, m0, 1), _month_end(year, m1)
    if kind in ("q", "qq"):
        qm = _QNUM_RE.search(low[:3]) if kind == "qq" else None
        if qm:
            qn = int(qm.group())
        else:
            word = _ORD_RE.search(low)
            qn = _ORDINAL[word.group()] if word else 0
        year = _year_of(g, published)
        if year is None and published:
            year = published.year if (published.month - 1) // 3 + 1 >= qn else published.year - 1
        if not year or not qn:
            return None, None
        return date(year, 3 * qn - 2, 1), _month_end(year, 3 * qn)
    if kind == "half":
        hn = 1 if _H1_RE.search(low) else 2
        year = _year_of(g, published)
        if year is None and published:
            year = published.year if hn == 1 or published.month > 6 else published.year - 1
        if not year:
            return None, None
        return (date(year, 1, 1), date(year, 6, 30)) if hn == 1 else (date(year, 7, 1), date(year, 12, 31))
    if kind == "firstn":
        nm = _FIRSTN_RE.search(low)
        n = _SMALL.get(nm.group(1)) or (int(nm.group(1)) if nm.group(1).isdigit() else 0)
        months = n * 3 if nm.group(2) == "quarters" else n
        year = _year_of(g, published)
        if year is None and published:
            year = published.year
        if not year or not 1 <= months <= 12:
            return None, None
        return date(year, 1, 1), _month_end(year, months)
    if kind == "fyp":
        n = int(_DIGITS_AT_RE.match(g).group())
        # Plans ran back to back from the 3rd (1966-1970) on, after a three-year adjustment gap.
        first = 1953 + 5 * (n - 1) if n < 3 else 1966 + 5 * (n - 3)
        return date(first, 1, 1), date(first + 4, 12, 31)
    if kind == "yr":
        ys = _DIGIT_RUN_RE.findall(g)
        y0 = int(ys[0])
        y1 = int(ys[-1]) if len(ys[-1]) == 4 else y0 // 100 * 100 + int(ys[-1])
        if y1 <= y0:
            return None, None
        return date(y0, 1, 1), date(y1, 12, 31)
    if kind == "y":
        y = int(_YEAR_RE.search(g).group())
        if is_end:
            return date(y, 12, 31), date(y, 12, 31)
        return date(y, 1, 1), date(y, 12, 31)
    if published is None:
        return None, None
    if kind == "rel":
        if low in ("today", "tonight"):
            return published, published
        if low == "yesterday":
            d = published - timedelta(days=1)
            return d, d
        unit = low.split()[-1]
        shift = -1 if _BACK_RE.search(low) else (1 if _AHEAD_RE.search(low) else 0)
        if unit == "year" or low.endswith("the year"):
            y = published.year + shift
            if "end of" in low:
                return date(y, 12, 31), date(y, 12, 31)
            return date(y, 1, 1), date(y, 12, 31)
        if unit == "month":
            idx = published.year * 12 + published.month - 1 + shift
            y, m = divmod(idx, 12)
            if "end of" in low:
                return _month_end(y, m + 1), _month_end(y, m + 1)
            return date(y, m + 1, 1), _month_end(y, m + 1)
        if unit == "quarter":
            idx = published.year * 4 + (published.month - 1) // 3 + shift
            y, q = divmod(idx, 4)
            return date(y, 3 * q + 1, 1), _month_end(y, 3 * q + 3)
        if unit == "week":
            monday = published - timedelta(days=published.weekday()) + timedelta(weeks=shift)
            return monday, monday + timedelta(days=6)
        return None, None
    if kind == "wd":
        wd = _WEEKDAYS[_WEEKDAY_RE.search(g).group().lower()]
        shift = -7 if low.startswith("last") else (7 if low.startswith("next") else 0)
        d = published - timedelta(days=published.weekday()) + timedelta(days=wd + shift)
        return d, d
    return None, None


def digit_trigger(text: str, s: int, e: int) -> bool:
    """Only a year (19xx/20xx) or a day/ordinal (one or two digits) can open a time expression."""
    n = e - s
    return (n <= 2 or (n == 4 and text[s] in "12")) and not (s and text[s - 1] in ",.")


def word_triggers(text: str, start: int, end: int) -> list[int]:
    """Offsets in text[start:end] where a trigger word stands, as a scan of the whole text finds them."""
    out = [m.start(1) for m in _TRIGGER_RE.finditer(text, start - 1 if start else 0, end)]
    if not start and _TRIGGER_RE.match(" " + text[:12]):
        out.insert(0, 0)
    return out


def time_triggers(text: str) -> list[int]:
    """Sorted offsets where a time expression may start: trigger words and plausible day or year digits."""
    triggers = [m.start(1) for m in _TRIGGER_RE.finditer(" " + text[:12]) if m.start(1) == 1]
    triggers = [0] if triggers else []
    triggers += [m.start(1) for m in _TRIGGER_RE.finditer(text)]
    triggers += [m.start() for m in _DIGIT_RUN_RE.finditer(text) if digit_trigger(text, m.start(), m.end())]
    triggers.sort()
    return triggers


# What a time expression through a digit must read from there: every alternative (and every prefix it may
# open with) reaches digits only as a year, a day before a month, or an ordinal. Most numbers are neither.
_DIGIT_TIME_START_RE = re.compile(rf"(?:19|20)\d\d|\d{{1,2}}(?:(?i:st|nd|rd|th)|\s+(?:of\s+)?{_MON})")


def _matches(text: str, start: int, end: int, triggers: list[int]) -> list[re.Match[str]]:
    """Full time-expression matches, tried only where a trigger stands."""
    out: list[re.Match[str]] = []
    covered = start
    for k in range(bisect.bisect_left(triggers, start), bisect.bisect_left(triggers, end)):
        p = triggers[k]
        if p < covered or (p > 0 and text[p - 1].isalpha()):
            continue
        if "0" <= text[p] <= "9" and not _DIGIT_TIME_START_RE.match(text, p):
            continue
        room = p - (start if start > covered else covered)
        pre = _prefix_ending(text, p, room if room < 30 else 30)
        for cand in (pre.start(), p) if pre else (p,):
            m = _TIMEX_AT.match(text, cand, end)
            if m and m.end() > p:
                out.append(m)
                covered = m.end()
                break
    return out


def find_times(
    text: str, start: int, end: int, published: date | None, triggers: list[int] | None = None
) -> list[TimeRef]:
    """Every time expression in text[start:end], resolved; unresolvable ones keep a None range."""
    out: list[TimeRef] = []
    if triggers is None:
        triggers = time_triggers(text[start:end])
        triggers = [t + start for t in triggers]
    for m in _matches(text, start, end, triggers):
        kind = m.lastgroup
        if kind in ("myend", "yend", "relend"):
            kind = next(k for k, v in m.groupdict().items() if v is not None and k not in ("myend", "yend", "relend"))
        g = m.group()
        if kind == "my" and g == "May" and not match_ending_at(_MAY_OK_BEFORE_RE, text, m.start(), 12):
            continue
        if kind == "anaph":
            out.append(_time_ref(m.start(), m.end(), None, None, False, True))
            continue
        # Every spelling of an end holds `end`: most matches have none, and the pattern need not run.
        low_g = g.lower()
        is_end = ("end" in low_g and bool(_IS_END_RE.match(g))) or (kind == "y" and low_g.startswith("by "))
        try:
            first, last = _resolve(kind, g, published, is_end)
        except (ValueError, OverflowError, KeyError, AttributeError):
            first, last = None, None
        is_base = bool(_base_ending(text, m.start(), 40))
        out.append(_time_ref(m.start(), m.end(), first, last, is_base, False))
    return out


def _time_ref(start, end, first, last, is_base, is_anaphor, _new=object.__new__) -> TimeRef:
    """`TimeRef(...)` without the frozen dataclass's per-field `object.__setattr__` calls (an equal instance)."""
    t = _new(TimeRef)
    t.__dict__.update(start=start, end=end, first=first, last=last, is_base=is_base, is_anaphor=is_anaphor)
    return t
