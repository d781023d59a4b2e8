"""Number tokens in running text: digits with grouping and decimals, written-out counts, and scale words."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

WORD_VALUES: dict[str, int] = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12, "one": 1, "a": 1, "an": 1,
}
_UNITS_WORDS = "one|two|three|four|five|six|seven|eight|nine"
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"

# Digits: 1,493 / 40,816.38 / 4.6 / .5 ; never glued to a letter, another number or a path/entity.
DIGITS_RE = re.compile(r"(?<![\w.,/#&@:])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d])|(?<![\w.,])\.\d+(?!\d)")

# Written numbers; `one`, `a` and `an` only count in front of a scale word ("a million", "one billion").
WRITTEN_RE = re.compile(
    rf"\b(?:(?:{_TENS})(?:-(?:{_UNITS_WORDS}))?|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    rf"|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|(?:a\s+)?dozen"
    r"|(?:one|an?)(?=\s+(?:hundred|thousand|million|billion|trillion|dozen)\b))\b",
    re.I,
)

SCALES: dict[str, Decimal] = {
    "hundred": Decimal(100), "thousand": Decimal(1000), "million": Decimal(10) ** 6, "billion": Decimal(10) ** 9,
    "trillion": Decimal(10) ** 12, "bn": Decimal(10) ** 9, "b": Decimal(10) ** 9, "mn": Decimal(10) ** 6,
    "mln": Decimal(10) ** 6, "m": Decimal(10) ** 6, "k": Decimal(1000), "tn": Decimal(10) ** 12,
    "trn": Decimal(10) ** 12, "lakh": Decimal(10) ** 5, "lakhs": Decimal(10) ** 5, "lac": Decimal(10) ** 5,
    "crore": Decimal(10) ** 7, "crores": Decimal(10) ** 7, "millions": Decimal(10) ** 6,
    "billions": Decimal(10) ** 9, "thousands": Decimal(1000),
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
