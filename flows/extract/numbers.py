"""Number tokens in running text: digits with grouping and decimals, written-out counts, and scale words."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

WORD_VALUES: dict[str, int] = {
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
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "dozen": 12,
    "one": 1,
    "a": 1,
    "an": 1,
}
_UNITS_WORDS = "one|two|three|four|five|six|seven|eight|nine"
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"

# Digits: 1,493 / 40,816.38 / 4.6. The pattern starts with a character class so the engine can skip ahead fast;
# what may stand before a number (a letter, a path, an HTML entity) is checked by the caller.
DIGITS_RE = re.compile(r"\d(?:\d|,(?=\d{3}(?!\d)))*(?:\.\d+)?(?!\d)")
# ASCII digits -> `0`, every other byte unchanged: on an ASCII text, `bytes.find` of `0` (a memchr) lands on
# each place where `DIGITS_RE` may start far faster than the pattern's own scan of a character class.
_DIGIT_MARKS = bytes(48 if 48 <= i <= 57 else i for i in range(256))


def digit_runs(text: str) -> list[re.Match[str]]:
    """`list(DIGITS_RE.finditer(text))`.

    In an ASCII text the only decimal digits (what `\\d` matches) are 0-9, and a match starts at every digit the
    previous match left behind (each digit alone is a match), so finding the next digit and matching there gives the
    same matches.
    """
    if not text.isascii():
        return list(DIGITS_RE.finditer(text))
    marks = text.encode("ascii").translate(_DIGIT_MARKS)
    out = []
    match = DIGITS_RE.match
    find = marks.find
    i = find(b"0")
    while i >= 0:
        m = match(text, i)
        out.append(m)
        i = find(b"0", m.end())
    return out


DIGIT_BLOCKERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789.,/#&@:")

# Written numbers; `one`, `a` and `an` only count in front of a scale word ("a million", "one billion"). The
# pattern opens with a character class and a word-start check, then a per-letter tail: this keeps the scan fast.
_U = f"(?:-(?:{_UNITS_WORDS}))?"
_SCALE_AHEAD = r"(?=\s+(?:hundred|thousand|million|billion|trillion)\b)"
_TAILS = {
    "t": f"wenty{_U}|hirty{_U}|hirteen|hree|welve|wo|en",
    "f": f"orty{_U}|ifty{_U}|ourteen|ifteen|our|ive",
    "s": f"ixty{_U}|eventy{_U}|ixteen|eventeen|ix|even",
    "e": f"ighty{_U}|ighteen|ight|leven",
    "n": f"inety{_U}|ineteen|ine",
    "d": "ozen",
    "o": f"ne{_SCALE_AHEAD}",
    "a": rf"n?{_SCALE_AHEAD}|\s+dozen",
}
# The word itself is group 1; the match opens on the space or bracket before it (see `written_numbers`).
WRITTEN_INNER = (
    "([tTfFsSeEnNdDoOaA](?:" + "|".join(f"(?<=[{c}{c.upper()}])(?:{tail})" for c, tail in _TAILS.items()) + r"))\b"
)
WORD_OPENERS = "[\\s\"'(\\[“‘/—]"
WRITTEN_RE = re.compile(WORD_OPENERS + WRITTEN_INNER)


def written_numbers(text: str):
    """(start, end, value) of each written-out number in text."""
    if text[:1].isalpha():
        m = WRITTEN_RE.match(" " + text[:40])
        if m:
            yield 0, m.end(1) - 1, parse_written(m.group(1))
    for m in WRITTEN_RE.finditer(text):
        yield m.start(1), m.end(1), parse_written(m.group(1))


# Substrings that every written number (or the scale word after `one`, `a`, `an`) contains: most text has none
# at a word start, so a few fast substring searches rule it out before any pattern runs.
_WRITTEN_STEMS = (
    "two",
    "thre",
    "four",
    "five",
    "six",
    "seven",
    "eigh",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirt",
    "fift",
    "twent",
    "fort",
    "dozen",
)
_SCALE_STEMS = ("hundred", "thousand", "million", "billion", "trillion")
# (needle, heads): each stem is a head then the needle. `tw` finds more than `two`, `twelve` and `twent` (its
# extra places only cost a failed match of `WRITTEN_RE`).
_WRITTEN_NEEDLES = tuple(
    [("tw", ("",)), ("even", ("s", "el"))]
    + [(stem, ("",)) for stem in _WRITTEN_STEMS if stem not in ("two", "twelve", "twent", "seven", "eleven")]
)
_SCALE_NEEDLES = (("hundred", ("",)), ("thousand", ("",)), ("illion", ("m", "b", "tr")))
_OPENER_CHARS = frozenset(" \t\n\r\f\v\"'([“‘/—")


def find_written(text: str) -> list[tuple[int, int, str]]:
    """(start, end, word) of each written-out number, as a left-to-right scan of `WRITTEN_RE` finds them.

    A word at the very start counts when it fits in the first 12 characters.
    """
    out: list[tuple[int, int, str]] = []
    m = WRITTEN_RE.match(" " + text[:12])
    if m:
        out.append((m.start(1) - 1, m.end(1) - 1, m.group(1)))
    # The document's lower case, as the ending matchers keep it (None only where `lowered` rejects the text).
    low = lowered(text)
    if low is None:
        low = text.lower()
    if len(low) != len(text):
        # Case mapping changed offsets; scan the slow way.
        out.extend((m.start(1), m.end(1), m.group(1)) for m in WRITTEN_RE.finditer(text))
        return out
    starts: set[int] = set()
    # Each search costs a pass over the text: stems that share a tail are found through it, and the letters
    # before it tell which stem (if any) stands there.
    for needle, heads in _WRITTEN_NEEDLES:
        k = low.find(needle)
        while k >= 0:
            for head in heads:
                i = k - len(head)
                if (
                    i > 0
                    and (not head or low.startswith(head, i))
                    and (text[i - 1] in _OPENER_CHARS or text[i - 1].isspace())
                ):
                    starts.add(i - 1)
                    if needle == "dozen":
                        _add_article_starts(text, i, starts)
            k = low.find(needle, k + 1)
    for needle, heads in _SCALE_NEEDLES:
        k = low.find(needle)
        while k >= 0:
            for head in heads:
                i = k - len(head)
                if i >= 0 and (not head or low.startswith(head, i)):
                    _add_article_starts(text, i, starts)
            k = low.find(needle, k + 1)
    end = 0
    for q in sorted(starts):
        if q < end:
            continue
        m = WRITTEN_RE.match(text, q)
        if m:
            out.append((m.start(1), m.end(1), m.group(1)))
            end = m.end()
    return out


def _add_article_starts(text: str, i: int, starts: set[int]) -> None:
    """Where `one`, `a` or `an` (with the opener before it) would start if it stood, spaced, before offset i."""
    j = i
    while j and text[j - 1].isspace():
        j -= 1
    if j < i:
        for q in (j - 2, j - 3, j - 4):
            if q >= 0:
                starts.add(q)


SCALES: dict[str, Decimal] = {
    "hundred": Decimal(100),
    "thousand": Decimal(1000),
    "million": Decimal(10) ** 6,
    "billion": Decimal(10) ** 9,
    "trillion": Decimal(10) ** 12,
    "bn": Decimal(10) ** 9,
    "b": Decimal(10) ** 9,
    "mn": Decimal(10) ** 6,
    "mln": Decimal(10) ** 6,
    "m": Decimal(10) ** 6,
    "k": Decimal(1000),
    "tn": Decimal(10) ** 12,
    "trn": Decimal(10) ** 12,
    "lakh": Decimal(10) ** 5,
    "lakhs": Decimal(10) ** 5,
    "lac": Decimal(10) ** 5,
    "crore": Decimal(10) ** 7,
    "crores": Decimal(10) ** 7,
    "millions": Decimal(10) ** 6,
    "billions": Decimal(10) ** 9,
    "thousands": Decimal(1000),
}
# A scale word right after a number; the one-letter abbreviations must be glued to it ("3.5m", "20k", "$2B").
SCALE_RE = re.compile(
    r"(?:[ \t\u00a0]+|-)?(hundred|thousand|million|billion|trillion|lakhs?|lac|crores?|mln|bn|mn|tn|trn)\b"
    r"|(m|b|k|M|B|K)(?![\w.%]|\.\w)",
    re.I,
)


def parse_digits(raw: str) -> Decimal | None:
    """The value of a digit token such as `1,493` or `40,816.38`."""
    try:
        return Decimal(raw.replace(",", ""))
    except InvalidOperation:
        return None


def parse_written(raw: str) -> Decimal:
    """The value of a written number token such as `twenty-five`, `a dozen` or `one` (before a scale)."""
    low = raw.lower().replace("a ", "", 1) if raw.lower().startswith("a ") else raw.lower()
    total = 0
    for part in low.split("-"):
        total += WORD_VALUES.get(part.strip(), 0)
    return Decimal(total)


_NON_SPACE_RE = re.compile(r"[^\s(\[\"“]+")
_SPACES = " \t\n\r\u00a0"


def last_token(text: str, pos: int) -> str:
    """The lower-case run of non-space characters ending right before pos (spaces skipped)."""
    cache = _TOKENS
    if cache[0] is not text:
        # One document at a time; the pair is swapped whole, so a thread never reads another text's tokens.
        cache = (text, {})
        globals()["_TOKENS"] = cache
    found = cache[1].get(pos)
    if found is None:
        # A window of 40 characters holds the spaces before pos and the 24 characters before them, unless the
        # window is all spaces: then the character loop finds where they start.
        lo = pos - 40 if pos > 40 else 0
        j = lo + len(text[lo:pos].rstrip(_SPACES))
        if j == lo and lo:
            j = pos
            while j > 0 and text[j - 1] in _SPACES:
                j -= 1
        lo = j - 24 if j > 24 else 0
        k = text.rfind(" ", lo, j) + 1
        found = cache[1][pos] = text[k if k > j - 24 else j - 24 : j].lower().lstrip('("“[')
    return found


_TOKENS: tuple[str | None, dict[int, str]] = (None, {})
# Whether a last word fully matches a `last` pattern: few distinct words, asked about again and again.
# Keyed by id: hashing a compiled pattern hashes its whole source, on every lookup.
_LAST_OK: dict[tuple[int, str], bool] = {}
_KEEP_ALIVE: dict[int, re.Pattern[str]] = {}


def _last_ok(last: re.Pattern[str], token: str) -> bool:
    key = (id(last), token)
    ok = _LAST_OK.get(key)
    if ok is None:
        if len(_LAST_OK) > 50_000:
            _LAST_OK.clear()
        _KEEP_ALIVE.setdefault(id(last), last)  # so an id in the cache never names another pattern
        ok = _LAST_OK[key] = last.fullmatch(token) is not None
    return ok


def match_ending_at(
    rx: re.Pattern[str],
    text: str,
    pos: int,
    span: int = 40,
    last: re.Pattern[str] | None = None,
    token: str | None = None,
) -> re.Match[str] | None:
    """The longest match of rx (a pattern ending in `$`) that ends exactly at pos, trying only word starts.

    Word starts are where a run of characters other than spaces, brackets and double quotes begins; the first run
    of the window counts only when the window does not cut it. `last`, a pattern the final word must fully match,
    rules most positions out before any attempt (token: last_token(text, pos), when already known).
    """
    if last is not None and not _last_ok(last, token if token is not None else last_token(text, pos)):
        return None
    lo = max(0, pos - span)
    if lo and text[lo - 1] in _OPENERS_NOT_SPACE:
        lo += 1
    return _at_word_starts(rx).search(text, lo, pos)


def ending_matcher(
    rx: re.Pattern[str], last: re.Pattern[str], before_last: dict[str, Callable[[list[str]], bool]] | None = None
):
    """`match_ending_at(rx, text, pos, span, last, token)` as one closure with its own cache of final words.

    before_last: for some final words, a test of the lower-case words of the window (split at whitespace, what the
    patterns' `\\s` separates) that every match ending in that word passes: a common final word such as `of` then
    rules most windows out on the word before it, without the search. Each test must be a necessary condition.
    """
    found = _at_word_starts(rx)
    search = found.search
    # A case-insensitive pattern folds case at every character it tries; on the lower-cased text the same pattern
    # in lower case and without the flag finds the same spans at half the cost.
    lower_search = _lower_case_twin(found).search if rx.flags & re.IGNORECASE else None
    ok_words: dict[str, bool] = {}
    fullmatch = last.fullmatch

    def match(text: str, pos: int, span: int = 40, token: str | None = None) -> re.Match[str] | None:
        if token is None:
            token = last_token(text, pos)
        ok = ok_words.get(token)
        if ok is None:
            if len(ok_words) > 20_000:
                ok_words.clear()
            ok = ok_words[token] = fullmatch(token) is not None
        if not ok:
            return None
        lo = pos - span
        if lo <= 0:
            lo = 0
        elif text[lo - 1] in _OPENERS_NOT_SPACE:
            lo += 1
        if lower_search is not None:
            cached = _LOWERED  # the document's lower case, as `lowered` keeps it, without the call
            low = cached[1] if cached[0] is text else lowered(text)
            if low is not None:
                if before_last is not None:
                    test = before_last.get(token)
                    # Every word of a match lies within the window, which starts no later than lo.
                    if test is not None and not test(low[pos - span if pos > span else 0 : pos].split()):
                        return None
                return lower_search(low, lo, pos)
        return search(text, lo, pos)

    return match


def after_opener(word: str) -> str:
    """The part of a split word after its last `(`, `[`, `"` or `“`: where a match may start inside it."""
    if "(" not in word and "[" not in word and '"' not in word and "“" not in word:
        return word
    return word[max(word.rfind("("), word.rfind("["), word.rfind('"'), word.rfind("“")) + 1 :]


def words_before_are(last: str, penultimate: frozenset[str]) -> Callable[[list[str]], bool]:
    """A `before_last` test: the final word is exactly last, the one before it (from a word start) in penultimate."""

    def test(words: list[str]) -> bool:
        return len(words) >= 2 and words[-1] == last and after_opener(words[-2]) in penultimate

    return test


def _lower_case_twin(rx: re.Pattern[str]) -> re.Pattern[str]:
    """rx in lower case without IGNORECASE: the same matches on the text `lowered` gives."""
    if re.search(r"\\[A-Z]", rx.pattern):
        raise ValueError(f"lower-casing would change an escape in {rx.pattern[:40]!r}")
    source = rx.pattern.lower().replace("(?p<", "(?P<").replace("(?p=", "(?P=")
    twin = re.compile(source, rx.flags & ~re.IGNORECASE)
    if twin.groupindex != rx.groupindex:
        raise ValueError(f"lower-casing would rename a group in {rx.pattern[:40]!r}")
    return twin


def lowered(text: str) -> str | None:
    """text.lower() where a lower-case pattern finds in it what the case-insensitive one finds in text, else None.

    That holds when every character maps to one (offsets stay) and the text has neither `ı` nor `ſ`: the only
    characters that IGNORECASE matches to an ASCII letter (`i`, `s`) they do not lower-case to (the Kelvin sign
    lower-cases to `k`). Patterns hold no other cased characters. One text at a time.
    """
    cache = _LOWERED
    if cache[0] is not text:
        low = text.lower()
        safe = len(low) == len(text) and "ı" not in text and "ſ" not in text
        # The pair is swapped whole, so a thread never reads another text's lower case.
        cache = (text, low if safe else None)
        globals()["_LOWERED"] = cache
    return cache[1]


_LOWERED: tuple[str | None, str | None] = (None, None)


_OPENERS_NOT_SPACE = '(["“'
_WORD_START = r"(?<![^\s(\[\"“])(?=[^\s(\[\"“])"
_AT_WORD_STARTS: dict[int, tuple[re.Pattern[str], re.Pattern[str]]] = {}


def _at_word_starts(rx: re.Pattern[str]) -> re.Pattern[str]:
    """rx restricted to word starts: one search in C instead of one match attempt per word from Python."""
    found = _AT_WORD_STARTS.get(id(rx))
    if found is None or found[0] is not rx:
        found = _AT_WORD_STARTS[id(rx)] = (rx, re.compile(_WORD_START + "(?:" + rx.pattern + ")", rx.flags))
    return found[1]


def word_start_re(words: list[str], whole: bool = True) -> re.Pattern[str]:
    """A fast pattern for any of words at a word start: group 1 is the word (see `word_alternation`).

    A class of the words' first characters, looked ahead for right after the opener, turns most openers away
    before the alternation tries its branches one by one.
    """
    firsts = "".join(sorted({re.escape(w[0]) for w in words}))
    return re.compile(_WORD_OPENERS_LISTED + f"(?=[{firsts}])(" + word_alternation(words, whole) + ")")


# `WORD_OPENERS` with `\s` spelled out as the characters it stands for (those `str.isspace` accepts, as `\s` in a
# str pattern is `Py_UNICODE_ISSPACE`): a scan tests one listed set per character instead of a category call.
# (tests/extract check the list against every code point).
SPACE_CLASS = "\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_WORD_OPENERS_LISTED = "[" + SPACE_CLASS + "\"'(\\[“‘/—]"


def word_alternation(words: list[str], whole: bool = True) -> str:
    """A fast pattern for any of words at a word start: group 1 is the word.

    The match opens on the space or bracket before the word; a scan over a plain alternation of many words
    tries every alternative at every letter, while this one stops only at spaces and dispatches on one letter.
    """
    by_first: dict[str, list[str]] = {}
    for w in sorted(set(words), key=len, reverse=True):
        by_first.setdefault(w[0], []).append(re.escape(w[1:]))
    # Each branch opens on a literal letter, which the engine checks before entering the branch.
    tails = "|".join(f"{re.escape(c)}(?:{'|'.join(t)})" for c, t in sorted(by_first.items()))
    return rf"(?:{tails}){'(?![a-z])' if whole else ''}"
