"""Quotation extraction: spans inside the marks and the speaker each attribution pattern names."""

from __future__ import annotations

import pytest

from flows.extract.entities import extract_entities
from flows.extract.quotes import extract_quotes


def quotes_of(text: str) -> list[tuple[str, str | None]]:
    entities, mentions = extract_entities(text)
    return [(text[q.char_start : q.char_end], q.speaker_key) for q in extract_quotes(text, entities, mentions)]


CASES = [
    (  # after the quote: `," X said.` then a second quote in the same paragraph
        'Liu Xiabing runs a shop.\n"Thanks to the internet, our crafts sell well," Liu said. '
        '"We keep adding new items every season."',
        [
            ("Thanks to the internet, our crafts sell well,", "person:liu xiabing"),
            ("We keep adding new items every season.", "person:liu xiabing"),
        ],
    ),
    (  # `," said X, a professor at ORG`
        '"There are multiple factors at play," said Yang Zeng, a professor at Shanghai University.',
        [("There are multiple factors at play,", "person:yang zeng")],
    ),
    (  # pronoun: the last person named before the quote
        "Li Ling opened a studio.\n"
        "\"Giving up a literal 'home on the range' was the gutsiest move we made,\" she said.",
        [("Giving up a literal 'home on the range' was the gutsiest move we made,", "person:li ling")],
    ),
    (  # before the quote: `X said, "` and `X told reporters: "`
        'Investor George Soros had said, "Bubbles do not grow out of thin air at all."\n'
        'Carsten Spohr told reporters: "We will not chase growth at any price."',
        [
            ("Bubbles do not grow out of thin air at all.", "person:george soros"),
            ("We will not chase growth at any price.", "person:carsten spohr"),
        ],
    ),
    (  # an organization speaks
        '"The market is pricing in a recovery in earnings," said a report from Kotak Institutional Equities.',
        [("The market is pricing in a recovery in earnings,", "organization:kotak institutional equities")],
    ),
    (  # a quote that runs on into the next paragraph
        "Chen Guoqiang, deputy director of the bureau, spoke.\n"
        '"We want farmers to get a fair price for the same quality as a big estate.\n'
        '"None of this works if the roads are bad," he said.',
        [
            ("We want farmers to get a fair price for the same quality as a big estate.", "person:chen guoqiang"),
            ("None of this works if the roads are bad,", "person:chen guoqiang"),
        ],
    ),
    (  # `X noted ... .` then an unattributed quote
        'Yu Lerong noted that the trend is not yet mainstream. "Nonetheless, the relationship between towns '
        'and villages is changing fast."',
        [("Nonetheless, the relationship between towns and villages is changing fast.", "person:yu lerong")],
    ),
    (  # paragraphs collapsed into one line: an unclosed quote ends at the next opening mark
        'Li Wenjie, general manager of Hengfeng Textile Group, spoke. "Five years ago we dyed a whole batch at once. '
        '"Now buyers wait six days for a sample," Li said.',
        [
            ("Five years ago we dyed a whole batch at once.", "person:li wenjie"),
            ("Now buyers wait six days for a sample,", "person:li wenjie"),
        ],
    ),
    (  # curly quotes
        "Zhou Min, an analyst at CITIC Securities, was upbeat. "
        "“Replacing old batteries is a big opportunity,” Zhou said.",
        [("Replacing old batteries is a big opportunity,", "person:zhou min")],
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_quote_spans_and_speakers(text, expected):
    assert quotes_of(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        'Many rural areas were left "hollowed out" as workers left. The term "village" meant backwardness.',
        'Hashtags like "City Escape Plan" drew views on Sina Weibo.',
        'Aviation analysts called it the "end of an era," as the jet was sidelined.',
        'Local officials call the area a "tea capital" and hope the brand will travel.',
    ],
)
def test_scare_quotes_titles_and_hashtags_are_not_quotations(text):
    assert quotes_of(text) == []


@pytest.mark.parametrize("text", ["", '"', '""', "“", '" "', 'said "', '"a" "b" "c"', '\n"\n"\n', "“”“”"])
def test_odd_input_never_raises_and_spans_stay_inside(text):
    entities, mentions = extract_entities(text)
    for q in extract_quotes(text, entities, mentions):
        assert 0 <= q.char_start < q.char_end <= len(text)


@pytest.mark.parametrize(
    "text",
    [
        '"',
        '""',
        "“",
        "”“",
        '" "',
        'a"b"c',
        '"\n"',
        "“Liu”",
        '.""X said',
        ' "x" ',
        "“" * 20,
        '"' * 21,
        'He said: "',
        "Mr. Li said, “Yes.”",
        "\ud7ff\x00“\u2028”",
    ],
)
def test_odd_marks_never_raise_and_spans_stay_inside(text):
    entities, mentions = extract_entities(text)
    keys = {e.key for e in entities}
    for q in extract_quotes(text, entities, mentions):
        assert 0 <= q.char_start < q.char_end <= len(text)
        assert q.speaker_key is None or q.speaker_key in keys


def test_straight_marks_open_and_close_by_their_neighbours():
    text = 'Liu Xiabing spoke.\nShe called it "smart" farming. "We sell more now than ever before," Liu said.'
    assert quotes_of(text) == [("We sell more now than ever before,", "person:liu xiabing")]


def test_unsorted_mentions_give_the_same_quotes():
    text = 'Liu Xiabing runs a shop.\n"Thanks to the internet, our crafts sell well," Liu said.'
    entities, mentions = extract_entities(text)
    assert extract_quotes(text, entities, mentions[::-1]) == extract_quotes(text, entities, mentions)


def test_last_clause_end_is_the_last_match_of_the_clause_pattern():
    import random

    from flows.extract.quotes import _CLAUSE_END, _clause_before

    rng = random.Random(3)
    alphabet = [
        "Mr. Li said",
        "Dr.",
        "U.S.",
        "e.g.",
        ". ",
        "! ",
        "? ",
        "\n",
        '"',
        "“",
        "”",
        "word ",
        "Prof. Wang",
        "A.",
    ]
    for _ in range(500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        pos = rng.randint(0, len(text))
        floor = rng.randint(0, pos)
        start = max(floor, pos - 220)
        last = start
        for m in _CLAUSE_END.finditer(text, start, pos):
            last = m.end()
        assert _clause_before(text, pos, floor) == (last, pos)
