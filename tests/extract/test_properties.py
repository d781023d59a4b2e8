"""Properties of extract_document on any text: it never raises, every span lies in the text, every figure is sane."""

from __future__ import annotations

import math
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.extract import extract_document

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Every Unicode category, lone surrogates included: extraction must survive text no decoder would produce.
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=400)

NUMBER = st.one_of(
    st.integers(-(10**12), 10**12).map(str),
    st.integers(0, 10**9).map("{:,}".format),
    st.floats(0, 1e9, allow_nan=False).map(lambda x: f"{x:.2f}"),
    st.sampled_from(["1.5", "0.3", "1e9", "1,2", "12.", ".5", "3/4", "½", "2-3", "10–20", "99.999", "007", "1,00,000"]),
    st.sampled_from(["one", "twelve", "a hundred", "three million", "half", "dozens of", "1.2 billion"]),
)
UNIT = st.sampled_from(
    [
        "",
        "%",
        " percent",
        " per cent",
        " yuan",
        " tonnes",
        " mu",
        " hectares",
        " km",
        " kilowatt-hours",
        " GW",
        " million yuan",
        " billion dollars",
        " US$",
        " people",
        " households",
        " times",
        "-fold",
        " points",
        " kg",
        " metres",
        " degrees",
        " years",
        " per year",
        " a month",
        " mph",
        "°C",
    ]
)
PREFIX = st.sampled_from(
    [
        "",
        "$",
        "¥",
        "€",
        "£",
        "US$",
        "RMB ",
        "about ",
        "nearly ",
        "more than ",
        "up ",
        "down ",
        "between ",
        "from ",
        "to ",
        "and ",
        "or ",
        "by ",
        "-",
        "+",
        "~",
    ]
)
NAME = st.sampled_from(
    [
        "Li Wei",
        "Zhang Min",
        "Liu Xiabing",
        "Dr. Ana Souza",
        "Mr. O'Neil",
        "Kim Ji-woo",
        "Xi",
        "Yunnan",
        "Gansu Province",
        "the Ministry of Agriculture",
        "Bank of China",
        "Tesla Inc.",
        "UN",
        "Shanghai University",
        "She",
        "He",
        "They",
    ]
)
QUOTE = st.tuples(
    st.sampled_from(['"', "“", "'", "‘", "«", "「"]),
    st.text(max_size=40),
    st.sampled_from(['"', "”", "'", "’", "»", "」", ""]),
).map("".join)
WORD = st.sampled_from(
    [
        "said",
        "says",
        "told reporters",
        ",",
        ".",
        ";",
        ":",
        "\n",
        "\n\n",
        "in",
        "2023",
        "2024",
        "Q3",
        "last year",
        "next year",
        "by 2030",
        "rose",
        "fell",
        "to",
        "from",
        "about",
        "the",
        "of",
        "a",
        "age",
        "aged",
        "(",
        ")",
        "—",
        "according to",
        "per",
        "each",
        "up from",
        "compared with",
        "January",
        "March 5",
        "the first half",
        "—",
    ]
)
FRAGMENT = st.one_of(st.tuples(PREFIX, NUMBER, UNIT).map("".join), QUOTE, NAME, WORD, st.text(max_size=8))
NEWS_TEXT = st.lists(FRAGMENT, max_size=40).map(" ".join)
PUBLISHED = st.one_of(st.none(), st.dates(date(1990, 1, 1), date(2035, 12, 31)))


def check_extraction(text: str, published: date | None) -> None:
    """Extract and check every invariant the warehouse relies on."""
    result = extract_document(text, published)

    def inside(start: int, end: int) -> bool:
        return isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)

    keys = {e.key for e in result.entities}
    assert len(keys) == len(result.entities)
    for entity in result.entities:
        assert entity.key and entity.name and entity.entity_type in {"person", "organization", "place", "other"}
        assert entity.affiliation is None or entity.affiliation in keys
    for mention in result.mentions:
        assert inside(mention.char_start, mention.char_end), mention
        assert mention.entity_key in keys
    for i, metric in enumerate(result.metrics):
        assert inside(metric.char_start, metric.char_end), metric
        assert math.isfinite(metric.value), metric
        assert metric.unit, metric
        if metric.value_low is not None or metric.value_high is not None:
            low = metric.value if metric.value_low is None else metric.value_low
            high = metric.value if metric.value_high is None else metric.value_high
            assert math.isfinite(low) and math.isfinite(high), metric
            # A fall keeps its bounds in the order written ("down 1 to 1.5%" -> -1, -1.5), as the references do.
            assert min(low, high) <= metric.value <= max(low, high), metric
        if metric.equivalent_of is not None:
            assert 0 <= metric.equivalent_of < len(result.metrics) and metric.equivalent_of != i, metric
        assert metric.period_start is None or metric.period_end is None or metric.period_start <= metric.period_end
    for quote in result.quotes:
        assert inside(quote.char_start, quote.char_end), quote
        assert quote.speaker_key is None or quote.speaker_key in keys


@SETTINGS
@given(ANY_TEXT, PUBLISHED)
def test_any_unicode_text(text: str, published: date | None) -> None:
    check_extraction(text, published)


@SETTINGS
@given(NEWS_TEXT, PUBLISHED)
def test_news_like_text(text: str, published: date | None) -> None:
    check_extraction(text, published)
