"""Figures extractor: values, units, hedges, ranges, changes, rates, times, equivalents and non-figures."""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.extract.metrics import extract_metrics
from flows.extract.model import Metric

PUBLISHED = date(2024, 5, 14)  # a Tuesday


def only(text: str, published: date | None = PUBLISHED) -> Metric:
    """The single figure of a text."""
    found = extract_metrics(text, published)
    assert len(found) == 1, [(text[m.char_start : m.char_end], m.value, m.unit) for m in found]
    return found[0]


def mention(text: str, m: Metric) -> str:
    return text[m.char_start : m.char_end]


# (text, mention, value, unit, qualifier)
SINGLE_FIGURES = [
    ("Annual sales reached nearly 6 million yuan at their peak.", "nearly 6 million yuan", 6e6, "CNY", "under"),
    ("Crude was quoted at US $58.24 per barrel.", "US $58.24", 58.24, "USD", "exact"),
    ("The order is valued at $8.8 billion at list prices.", "$8.8 billion", 8.8e9, "USD", "exact"),
    ("The state has sanctioned Rs 500 crore for the scheme.", "Rs 500 crore", 5e9, "INR", "exact"),
    ("Each family will receive ₹5 lakh in support.", "₹5 lakh", 5e5, "INR", "exact"),
    ("The group reported a profit of HK$2.1bn for the year.", "HK$2.1bn", 2.1e9, "HKD", "exact"),
    ("Fares start at £420 on the route.", "£420", 420, "GBP", "exact"),
    ("Tickets cost €399 for the new route.", "€399", 399, "EUR", "exact"),
    (
        "The fine is 10.5 million Australian dollars in total.",
        "10.5 million Australian dollars",
        10.5e6,
        "AUD",
        "exact",
    ),
    ("Exports were worth 2 billion yen in March.", "2 billion yen", 2e9, "JPY", "exact"),
    ("The carrier flew 3.5m passengers.", "3.5m passengers", 3.5e6, "passenger", "exact"),
    ("The app passed 20k users.", "20k users", 20000, "user", "exact"),
    ("The village has about 30 people left.", "about 30 people", 30, "person", "approximate"),
    ("It employs over 2,000 households.", "over 2,000 households", 2000, "household", "over"),
    ("It sold more than 15,000 lipstick tubes.", "more than 15,000 lipstick tubes", 15000, "lipstick tube", "over"),
    ("Roughly 40 kilometers of road were paved.", "Roughly 40 kilometers", 40, "km", "approximate"),
    ("The plant covers 5,000 square meters.", "5,000 square meters", 0.5, "hectare", "exact"),
    ("Farmers planted 12,000 mu of tea.", "12,000 mu", 800, "hectare", "exact"),
    ("The reserve spans 300 square kilometers.", "300 square kilometers", 30000, "hectare", "exact"),
    ("The blade is 500 meters from the shore.", "500 meters", 0.5, "km", "exact"),
    ("The cable runs 62 miles under the sea.", "62 miles", 62 * 1.609344, "km", "exact"),
    ("The province added 3 gigawatts of capacity.", "added 3 gigawatts", 3e6, "kw", "exact"),
    ("The farm will produce 3.6 billion kWh.", "3.6 billion kWh", 3.6e9, "kwh", "exact"),
    ("The harvest reached 5.39 million tonnes.", "5.39 million tonnes", 5.39e6, "tonne", "exact"),
    ("It holds at least 40 liters.", "at least 40 liters", 40, "liter", "over"),
    ("Applicants can borrow up to 50,000 yuan.", "up to 50,000 yuan", 50000, "CNY", "under"),
    ("Some 60 jets were ordered by the airline.", "Some 60 jets", 60, "jet", "approximate"),
    (
        "Turnover rose to 1,200 yuan, an estimated 70 percent of the target.",
        "an estimated 70 percent",
        70,
        "percent",
        "approximate",
    ),
]


@pytest.mark.parametrize(("text", "span", "value", "unit", "qualifier"), SINGLE_FIGURES)
def test_single_figure(text, span, value, unit, qualifier):
    found = [m for m in extract_metrics(text, PUBLISHED) if m.unit == unit]
    assert len(found) == 1, extract_metrics(text, PUBLISHED)
    m = found[0]
    assert mention(text, m) == span
    assert math.isclose(m.value, value, rel_tol=1e-9)
    assert m.qualifier == qualifier


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("It has 1,493 inbound trains a day.", "train"),
        ("Two catastrophic crashes killed 346 people.", "crash"),
        ("The village renovated over 20 cave dwellings.", "cave dwelling"),
        ("CDB backed projects in 17 provincial-level regions.", "region"),
        ("Emirates bought 30 of Boeing 's 787-9 Dreamliner jets.", "jet"),
        ("The fleet has 270 aircraft in service.", "aircraft"),
    ],
)
def test_counted_noun_is_the_head_noun_singular(text, unit):
    units = [m.unit for m in extract_metrics(text, PUBLISHED)]
    assert unit in units or any(u.split()[-1] == unit for u in units), units


@pytest.mark.parametrize(
    ("text", "span", "value", "unit"),
    [
        ("Prices fell 0.4 per cent in April.", "fell 0.4 per cent", -0.4, "percent"),
        ("Profit was down 3 million yuan.", "down 3 million yuan", -3e6, "CNY"),
        ("Exports grew 7 percent last year.", "grew 7 percent", 7, "percent"),
        ("Sales rose by 3% to a record.", "rose by 3%", 3, "percent"),
        ("The bank cut the ratio by 25 basis points.", "by 25 basis points", -0.25, "percentage_point"),
        ("Coverage was up 5.2 percentage points.", "up 5.2 percentage points", 5.2, "percentage_point"),
    ],
)
def test_changes_are_signed(text, span, value, unit):
    m = only(text)
    assert (mention(text, m), m.unit, m.metric_kind) == (span, unit, "change")
    assert math.isclose(m.value, value)


def test_change_then_level_take_the_unit_from_context():
    text = "It cut its commitment of 777x jets, down by 30 to 126, under the new deal."
    found = extract_metrics(text, PUBLISHED)
    assert [(m.value, m.unit, m.metric_kind) for m in found] == [(-30, "jet", "change"), (126, "jet", "level")]


def test_implicit_unit_from_the_previous_figure():
    text = "Rural areas welcomed 784 million visits, an increase of 19 million compared to the same period in 2019."
    visits, increase = extract_metrics(text, PUBLISHED)
    assert (increase.value, increase.unit, increase.metric_kind) == (19e6, "visit", "change")
    assert mention(text, increase) == "an increase of 19 million"


def test_number_of_gives_the_unit():
    m = only("The number of rural broadband users is expected to exceed 200 million by the end of 2024.")
    assert (m.value, m.unit, m.qualifier, m.is_projection) == (2e8, "user", "over", True)
    assert "broadband users" in m.subject
    assert (m.period_start, m.period_end) == (date(2024, 12, 31), date(2024, 12, 31))


@pytest.mark.parametrize(
    ("text", "low", "high", "unit", "period"),
    [
        ("Each earns between 2,000 and 3,000 yuan per month.", 2000, 3000, "CNY", "month"),
        ("The jet seats 242 to 330 passengers.", 242, 330, "passenger", None),
        ("Rates were 2-3 percent a year.", 2, 3, "percent", "year"),
        ("Budgets of 2 to 3 million yuan were approved.", 2e6, 3e6, "CNY", None),
    ],
)
def test_ranges(text, low, high, unit, period):
    m = only(text)
    assert (m.value_low, m.value_high, m.unit, m.period) == (low, high, unit, period)
    assert m.value == (low + high) / 2


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("Her annual sales reached 6 million yuan.", "year"),
        ("The dairy collects 7.8 lakh litres of milk a day.", "day"),
        ("Workers earn 5,000 yuan a month.", "month"),
        ("Output grows 3 percent annually.", "year"),
        ("The factory makes 500 cars per week.", "week"),
        ("Sales were 30 percent higher than a year ago, at 5,000 yuan.", None),
    ],
)
def test_rate_denominator(text, period):
    assert extract_metrics(text, PUBLISHED)[-1].period == period


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("In the first quarter of 2024, visits reached 784 million visits.", date(2024, 1, 1), date(2024, 3, 31)),
        ("By the end of 2023, roads reached about 4.6 million kilometers.", date(2023, 12, 31), date(2023, 12, 31)),
        ("A 2022 survey found that over 70 percent of people agree.", date(2022, 1, 1), date(2022, 12, 31)),
        ("Prices fell 2 percent last month.", date(2024, 4, 1), date(2024, 4, 30)),
        ("Exports rose 5 percent in October.", date(2023, 10, 1), date(2023, 10, 31)),
        ("It ordered 50 jets on Monday.", date(2024, 5, 13), date(2024, 5, 13)),
        ("As of October, the fleet had 270 aircraft.", date(2023, 10, 1), date(2023, 10, 31)),
        ("Sales rose 8 percent in the first three quarters of this year.", date(2024, 1, 1), date(2024, 9, 30)),
        ("It lent 50 billion yuan during the 13th Five-Year Plan period.", date(2016, 1, 1), date(2020, 12, 31)),
    ],
)
def test_time_of_the_figure(text, first, last):
    m = extract_metrics(text, PUBLISHED)[-1]
    assert (m.period_start, m.period_end) == (first, last)


def test_comparison_base_is_not_the_time():
    text = "In the first quarter of 2024, visits rose by 19 million compared with the same period in 2019."
    m = only(text)
    assert m.period_start == date(2024, 1, 1)


def test_anaphoric_period_refers_back():
    text = (
        "The bank will support forests during the plan period (2021-2025). "
        "It intends to issue 150 billion yuan in loans during the period."
    )
    m = only(text)
    assert (m.period_start, m.period_end, m.is_projection) == (date(2021, 1, 1), date(2025, 12, 31), True)


@pytest.mark.parametrize(
    ("text", "projection"),
    [
        ("Online sales are projected to surpass 630 billion yuan.", True),
        ("The cooperative plans to raise output to 2,000 tonnes.", True),
        ("The airline will take delivery of eight more aircraft.", True),
        ("The county exported 1,350 tonnes of tea.", False),
        ("It had a shot at the goal from 30 yards.", False),
    ],
)
def test_projection(text, projection):
    assert extract_metrics(text, PUBLISHED)[-1].is_projection is projection


def test_equivalent_in_parentheses_points_at_the_original():
    text = "Annual sales reached nearly 6 million yuan (about 841,432 U.S. dollars) at their peak."
    yuan, usd = extract_metrics(text, PUBLISHED)
    assert (yuan.unit, usd.unit, usd.value, usd.qualifier) == ("CNY", "USD", 841432, "approximate")
    assert usd.equivalent_of == 0 and yuan.equivalent_of is None
    assert usd.period == yuan.period == "year"
    assert usd.subject == yuan.subject == "Annual sales"


def test_subjects_are_short_noun_phrases():
    text = "By the end of 2023, the length of roads in rural areas reached about 4.6 million kilometers."
    assert only(text).subject == "length of roads in rural areas"
    assert only("Over 70 percent of young respondents now agree.").subject == "young respondents"


@pytest.mark.parametrize(
    "text",
    [
        "The 2008 financial crisis hit exports.",
        "BEIJING, Nov. 18 (Xinhua) -- The bank spoke.",
        "It was published on 2019-11-20 and again on November 20.",
        "Since the 21st century, the second-largest economy has grown.",
        "The 33-year-old returned home; she was aged 45 later.",
        "Chairman Ramesh Patel, 58, said so.",
        "The Boeing 787 and the A350-900 flew with the 737 Max and the 777 program.",
        "5G, G20, COVID-19 and Section 427 Row 21 are names.",
        "Call 852-2345-6789 or visit www.example.com/news2024 today.",
        "The hotline opened at 8:30 a.m. and closed at 6 p.m.",
        "Expectations of a strong earnings recovery over FY2020-22 and Q2 results.",
        "Emirates is the number one buyer of the A380.",
        "One of the best things happened.",
    ],
)
def test_not_figures(text):
    assert extract_metrics(text, PUBLISHED) == []


def test_written_counts():
    text = "It comes after five 787 Dreamliner sales earlier this week: two to Biman and three to Ghana."
    found = extract_metrics(text, date(2019, 11, 20))
    assert [(m.value, m.unit) for m in found] == [(5, "sale"), (2, "sale"), (3, "sale")]
    assert all(m.period_start == date(2019, 11, 18) for m in found)


def test_index_level_is_points():
    m = only("The Sensex scaled a new all-time high of 40,816.38 on November 20.", date(2019, 11, 20))
    assert (m.value, m.unit, m.period_start) == (40816.38, "point", date(2019, 11, 20))


def test_collapsed_paragraphs_and_odd_spacing():
    text = (
        "URUMQI, Nov. 8 (Xinhua) -- Farmers harvested 5.39 million tonnes of lint. Machine picking covered "
        "more than 80 percent of the fields ,up 5.2 percentage points from last year."
    )
    found = extract_metrics(text, date(2022, 11, 9))
    assert [(m.value, m.unit) for m in found] == [(5.39e6, "tonne"), (80, "percent"), (5.2, "percentage_point")]


def test_output_is_ordered_and_without_overlaps():
    text = "Sales rose 5% to 30 million yuan, and 2,000 workers (about 10 percent) were hired in 2023."
    found = extract_metrics(text, PUBLISHED)
    starts = [m.char_start for m in found]
    assert starts == sorted(starts)
    assert all(a.char_end <= b.char_start for a, b in zip(found, found[1:], strict=False))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(), max_size=300) | st.text(alphabet="0123456789 ,.$%-yuanmilkb()\n", max_size=80))
def test_never_raises_and_spans_are_inside(text):
    for m in extract_metrics(text, PUBLISHED):
        assert 0 <= m.char_start < m.char_end <= len(text)
        assert m.equivalent_of is None or 0 <= m.equivalent_of < len(extract_metrics(text, PUBLISHED))


def test_empty_and_no_published_date():
    assert extract_metrics("", None) == []
    assert only("Sales rose 5 percent in 2023.", None).period_start == date(2023, 1, 1)
