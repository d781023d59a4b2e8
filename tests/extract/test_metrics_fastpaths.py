"""The figure extractor's fast paths give the same answers as the plain patterns they stand in for."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from flows.extract import metrics as M
from flows.extract import timex as T
from flows.extract.model import Metric
from flows.extract.numbers import WRITTEN_RE, ending_matcher, find_written, last_token, match_ending_at
from flows.extract.units import UNIT_RE, match_unit

DOCS = Path(__file__).resolve().parents[1] / "articles" / "docs"
_PIECES = [
    "two",
    "Two",
    "TWO",
    "a dozen",
    "a\n\ndozen",
    "an million",
    "one billion",
    "a  hundred",
    "twenty-five",
    "seventy-seven",
    "often",
    "First",
    "Mar",
    "Market",
    "1st",
    "year-end",
    "(three",
    "“four",
    "—six",
    "İ",
    "ß",
    "a\u00a0million",
    "fortyish",
    "Jan.",
    "this year",
    "\n",
    ". ",
    "5",
    "2019",
    " km",
    "5\u212am",
    "°C",
    " $",
    "US$",
    "(about ",
    "more than ",
    "rose by ",
    "between ",
    "\u00a0",
    "Nov. 8",
    "Q3 2020",
    "per cent",
]


def _texts() -> list[str]:
    rnd = random.Random(7)
    out = [p.read_text(encoding="utf-8") for p in sorted(DOCS.glob("*.txt"))]
    out += [
        "".join(rnd.choice(_PIECES) + rnd.choice(["", " ", "  ", ", "]) for _ in range(rnd.randint(1, 12)))
        for _ in range(300)
    ]
    return out


TEXTS = _texts()


def _slow_written(text: str) -> list[tuple[int, int, str]]:
    out = []
    m = WRITTEN_RE.match(" " + text[:12])
    if m:
        out.append((m.start(1) - 1, m.end(1) - 1, m.group(1)))
    out += [(m.start(1), m.end(1), m.group(1)) for m in WRITTEN_RE.finditer(text)]
    return out


_RUN = re.compile(r"[^\s(\[\"“]+")


def _slow_ending_at(rx: re.Pattern[str], text: str, pos: int, span: int) -> re.Match[str] | None:
    lo = max(0, pos - span)
    for m in _RUN.finditer(text, lo, pos):
        if m.start() == lo and lo > 0 and not text[lo - 1].isspace():
            continue
        found = rx.match(text, m.start(), pos)
        if found:
            return found
    return None


def _key(m: re.Match[str] | None):
    return m and (m.end(), m.lastgroup, [(k, v) for k, v in m.groupdict().items() if v is not None])


def test_unit_dispatch_matches_full_pattern():
    for text in TEXTS:
        for i in range(len(text)):
            a, b = UNIT_RE.match(text, i), match_unit(text, i)
            assert _key(a) == _key(b), text[i : i + 20]


def test_time_dispatch_matches_full_pattern():
    for text in TEXTS:
        for i in range(len(text)):
            assert _key(T.TIMEX_RE.match(text, i)) == _key(T._TIMEX_AT.match(text, i)), text[i : i + 20]


def _all_trigger_matches(text: str, triggers: list[int]) -> list[tuple[int, int]]:
    """Time expressions tried at every trigger, digits included: what the digit filter must not change."""
    out, covered = [], 0
    for p in triggers:
        if p < covered or (p > 0 and text[p - 1].isalpha()):
            continue
        pre = T._prefix_ending(text, p, min(30, p - covered))
        for cand in (pre.start(), p) if pre else (p,):
            m = T._TIMEX_AT.match(text, cand, len(text))
            if m and m.end() > p:
                out.append(m.span())
                covered = m.end()
                break
    return out


def test_digit_filter_keeps_every_time_expression():
    extra = [
        "the 1ST QUARTER of 2019 and the 2nd half",
        "on 5 March, 12th of May 2020 and 15.5 tonnes",
        "the 11th Five-Year Plan, 3rd quarter, 1999-2000, FY 2021 and 7 of June",
    ]
    for text in TEXTS + extra:
        triggers = T.time_triggers(text)
        fast = [m.span() for m in T._matches(text, 0, len(text), triggers)]
        assert fast == _all_trigger_matches(text, triggers), text


def test_written_numbers_match_a_full_scan():
    for text in TEXTS:
        assert find_written(text) == _slow_written(text), text[:80]


@pytest.mark.parametrize(
    "rx",
    [
        M._HEDGE_RE,
        M._FILLER_RE,
        M._CHANGE_RE,
        M._LABEL_BEFORE_RE,
        M.CURRENCY_PREFIX_RE,
        T._PREFIX_BEFORE_RE,
        T._BASE_BEFORE_RE,
    ],
    ids=lambda rx: rx.pattern[:24],
)
def test_ending_at_tries_the_same_word_starts(rx):
    for text in TEXTS[:40]:
        for pos in range(len(text) + 1):
            for span in (6, 30):
                a, b = _slow_ending_at(rx, text, pos, span), match_ending_at(rx, text, pos, span)
                assert (a and a.span()) == (b and b.span()), text[max(0, pos - span) : pos]


def test_last_token_cache_follows_the_text():
    assert last_token("rose by about 5", 14) == "about"
    assert last_token("fell over 5", 10) == "over"
    assert last_token("rose by about 5", 14) == "about"


def test_literal_first_spellings_find_the_same_ends():
    for text in TEXTS + [t.replace("!", ".").replace("?", ".") + "..\n. x" for t in TEXTS[:20]]:
        lines = [m.span() for m in re.finditer(r"\n+", text)]
        assert [m.span() for m in M._LINE_END_RE.finditer(text)] == lines
        if "!" not in text and "?" not in text:
            ends = [m.span() for m in M._SENT_END_RE.finditer(text)]
            assert [m.span() for m in M._PERIOD_END_RE.finditer(text)] == ends


def _first_after_spaces(text: str, pos: int, hyphen: bool = False) -> str:
    rest = text[pos : pos + 12].lstrip()
    return rest[1:].lstrip()[:1] if hyphen and rest[:1] == "-" else rest[:1]


def test_first_character_sets_cover_every_match():
    pieces = [
        " or more",
        " plus",
        "+",
        "-plus",
        " or less",
        " a year or so",
        ", on average",
        " per day",
        "/yr",
        " annually",
        " of milk a day",
        " million",
        "-billion",
        "bn",
        "\u212a",
        "-year-old",
        " years ago",
        " - years old",
        " a.m.",
        ":30",
        " GMT",
    ]
    texts = TEXTS + ["5" + p for p in pieces] + ["5" + p.upper() for p in pieces]
    period_before = re.compile(M._PERIOD_BEFORE_RE.pattern)
    for text in texts:
        assert bool(period_before.search(text)) <= any(stem in text for stem in M._PERIOD_BEFORE_STEMS)
        for pos in range(len(text)):
            nxt, after = _first_after_spaces(text, pos), text[pos : pos + 12]
            if M._TIME_OF_DAY_AFTER_RE.match(after):
                assert nxt in M._TIME_OF_DAY_FIRST or after[:1] == ":", after
            if M._AGE_AFTER_RE.match(text, pos) and after.strip(" -"):
                assert _first_after_spaces(text, pos, hyphen=True) in M._AGE_FIRST, after
            if any(rx.match(text, pos) for rx in (M._OVER_AFTER_RE, M._UNDER_AFTER_RE, M._APPROX_AFTER_RE)):
                assert after[:1] in "+-," or (after[:1].isspace() and nxt in M._HEDGE_AFTER_FIRST), after
            if (M._PERIOD_AFTER_RE.match(text, pos) or M._PERIOD_OF_RE.match(text, pos)) and after.strip():
                assert nxt in M._PERIOD_AFTER_FIRST, after
            if M.SCALE_RE.match(text, pos) and after.strip():
                first = after[1:2] if after[:1] == "-" else after.lstrip(" \t\u00a0")[:1]
                assert first in M._SCALE_FIRST, after


def test_lazy_sentences_agree_with_a_full_split():
    for text in TEXTS:
        full = M._Doc(text, None)
        full.sentence(len(text))
        for pos in range(0, len(text) + 1, 5):
            i = max(k for k, s in enumerate(full.starts) if s <= pos)
            end = full.starts[i + 1] if i + 1 < len(full.starts) else len(text)
            assert M._Doc(text, None).sentence(pos) == (full.starts[i], end)


@pytest.mark.parametrize(
    "pair",
    [
        (M._HEDGE_RE, M._HEDGE_LAST),
        (M._FILLER_RE, M._FILLER_LAST),
        (M._CHANGE_RE, M._CHANGE_LAST),
        (M._LABEL_BEFORE_RE, M._LABEL_LAST),
        (M.CURRENCY_PREFIX_RE, M._CURRENCY_LAST),
        (T._PREFIX_BEFORE_RE, T._PREFIX_LAST),
        (T._BASE_BEFORE_RE, T._BASE_LAST),
    ],
    ids=lambda p: p[0].pattern[:24],
)
def test_ending_closures_agree_with_match_ending_at(pair):
    rx, last = pair
    closure = ending_matcher(rx, last)
    # Upper-cased copies exercise the lower-case twin of each pattern on text it has to fold; `ı` and `ſ` match
    # `i` and `s` only case-insensitively, and the Kelvin sign lower-cases to `k`.
    odd = ["MORE THAN 5", "moſt 5, ſome 5", "lıkely uP to 5", "“Rose by 5", "\u212aM 5 up \u212a5", "İn the 5"]
    for text in TEXTS[:40] + [t.upper() for t in TEXTS[:40:3]] + odd:
        for pos in range(len(text) + 1):
            for span in (0, 6, 40):
                a, b = match_ending_at(rx, text, pos, span, last), closure(text, pos, span)
                assert (a and (a.span(), a.lastgroup)) == (b and (b.span(), b.lastgroup)), text[
                    max(0, pos - span) : pos
                ]


def test_metric_records_equal_constructed_ones():
    fields = {
        "char_start": 3,
        "char_end": 9,
        "value": -1.5,
        "unit": "percent",
        "value_low": -1.0,
        "value_high": -2.0,
        "qualifier": "over",
        "period": "year",
        "subject": "exports",
        "period_start": None,
        "period_end": None,
        "is_projection": True,
        "metric_kind": "change",
        "equivalent_of": 0,
    }
    fast, slow = M._metric(fields), Metric(**fields)
    assert fast == slow and repr(fast) == repr(slow) and hash(fast) == hash(slow)
    assert not hasattr(Metric, "__post_init__") and not hasattr(Metric, "__slots__")


def test_digit_runs_match_a_full_scan():
    from flows.extract.numbers import DIGITS_RE, digit_runs

    extra = ["1,234,56.7.8", "12,3456", "x1,234.5y", "٣٤5", "5,000,000", ",5", "1.", ".5"]
    for text in TEXTS + extra + [t + " 7" for t in extra]:
        assert [m.span() for m in digit_runs(text)] == [m.span() for m in DIGITS_RE.finditer(text)], text[:80]


def test_word_before_agrees_with_a_character_scan():
    def slow(text: str, pos: int) -> tuple[str, int]:
        j = pos
        while j > 0 and text[j - 1] in " \t\u00a0":
            j -= 1
        k = j
        while k > 0 and not text[k - 1].isspace():
            k -= 1
        return text[k:j], k

    rnd = random.Random(3)
    pieces = ["a", "bc", " ", "  ", "\t", "\n", "\u00a0", "\u2003", "x" * 30, " " * 30, "(", "5", "é"]
    for _ in range(3000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 25)))
        for pos in range(len(text) + 1):
            assert M._word_before(text, pos) == slow(text, pos), (text, pos)


def test_listed_spaces_are_what_backslash_s_matches():
    from flows.extract.numbers import _WORD_OPENERS_LISTED, SPACE_CLASS, WORD_OPENERS

    listed = re.compile(f"[{SPACE_CLASS}]")
    assert all(bool(listed.match(chr(c))) == chr(c).isspace() for c in range(0x110000))
    a, b = re.compile(WORD_OPENERS), re.compile(_WORD_OPENERS_LISTED)
    assert all(bool(a.match(chr(c))) == bool(b.match(chr(c))) for c in range(0x3001))
    assert all(bool(re.match(r"\s", chr(c))) == chr(c).isspace() for c in range(0x3001))


_NEAR_MATCHES = [
    "in excess of",
    "upwards of",
    "north of",
    "a maximum of",
    "short of",
    "in the region of",
    "on the order of",
    "an average of",
    "the average price of",
    "average of of",
    "up to",
    "close to",
    "just up to",
    "a total of",
    "age of",
    "aged",
    "rose by",
    "rise of",
    "rise of of",
    "increase of by",
    "fell by",
    "an increase of",
    "the sharp rise of",
    "down by",
    "same period in",
    "same time of the",
    "compared with the",
    "than in",
    "as in",
    "same quarter of",
    "over the",
    "of the",
    "in the",
    "to the",
    "by the",
    "more than",
    "nearly",
]
_NEAR_PIECES = ["of", "to", "by", "in", "the", "(", "“", '"', "x(", "\n", "\u00a0", "UP", "Of", "average", "price"]


def _near_texts() -> list[str]:
    rnd = random.Random(11)
    out = []
    for _ in range(1500):
        parts = [
            rnd.choice(_NEAR_MATCHES + _NEAR_PIECES) + rnd.choice([" ", "  ", "\n", "", "(", " (", '"'])
            for _ in range(rnd.randint(1, 6))
        ]
        out.append("".join(parts) + rnd.choice([" 5", "5", " ", ""]))
    return out


@pytest.mark.parametrize(
    "closure, rx, last",
    [
        (M._hedge_ending, M._HEDGE_RE, M._HEDGE_LAST),
        (M._filler_ending, M._FILLER_RE, M._FILLER_LAST),
        (M._change_ending, M._CHANGE_RE, M._CHANGE_LAST),
        (M._label_ending, M._LABEL_BEFORE_RE, M._LABEL_LAST),
        (T._base_ending, T._BASE_BEFORE_RE, T._BASE_LAST),
    ],
    ids=lambda x: getattr(x, "pattern", "")[:24],
)
def test_word_before_last_tests_rule_out_no_match(closure, rx, last):
    """The tests on the word before a final `of`, `to`, `by`, `in` or `the` are necessary conditions."""
    for text in _near_texts() + TEXTS[:20]:
        for pos in range(len(text) + 1):
            for span in (6, 30, 40):
                a, b = match_ending_at(rx, text, pos, span, last), closure(text, pos, span)
                assert (a and (a.span(), a.lastgroup)) == (b and (b.span(), b.lastgroup)), (text, pos, span)


def test_trigger_scan_finds_what_the_plain_alternation_finds():
    from flows.extract.numbers import WORD_OPENERS, word_alternation

    plain = re.compile(WORD_OPENERS + "(" + word_alternation(T._TRIGGER_WORDS, whole=False) + ")")
    extra = ["(January 5, Q3 and FY2020", "the 1st, end-of-year, Sunday—Monday", "“Last” and 'this' year/next"]
    for text in TEXTS + extra:
        assert [m.span(1) for m in T._TRIGGER_RE.finditer(text)] == [m.span(1) for m in plain.finditer(text)]


def test_entity_records_filled_slot_by_slot_have_every_field():
    import dataclasses

    from flows.extract import entities as E

    # The fast constructions in `_collect_pieces` and `_resolve` set these fields, in this order.
    assert [f.name for f in dataclasses.fields(E._Piece)] == [
        "start",
        "end",
        "text",
        "initial",
        "person_cue",
        "kind",
        "role",
        "role_org_text",
        "key",
        "group",
    ]
    assert [f.name for f in dataclasses.fields(E._Group)] == ["kind", "key", "names", "age", "role", "affiliation_text"]
    body = "Mr Li Wei, 45, chief executive of Acme Corp, met Beijing officials on Monday."
    doc = E._collect_pieces(body)
    for p in doc.pieces:
        assert p == E._Piece(p.start, p.end, p.text, p.initial, p.person_cue, p.kind, p.role, p.role_org_text)


def test_candidates_spell_out_digit_trigger_and_parse_digits():
    from flows.extract.numbers import DIGIT_BLOCKERS, DIGITS_RE, parse_digits

    extra = ["1,234.5 and 2019, 12 and 1999.", ",12 .34 2020-21 x5 ٣٤ 99999999999999999999999"]
    for text in TEXTS + extra:
        figs, triggers = M._candidates(text)
        runs = list(DIGITS_RE.finditer(text))
        assert triggers == [m.start() for m in runs if T.digit_trigger(text, m.start(), m.end())]
        digits = [(f.num_start, f.num_end, f.raw_value) for f in figs if not f.written]
        expected = [
            (m.start(), m.end(), parse_digits(m.group()))
            for m in runs
            if not (m.start() and text[m.start() - 1] in DIGIT_BLOCKERS) and parse_digits(m.group()) is not None
        ]
        assert digits == expected, text[:80]
