"""Publication dates as written in headers, JSON fields and HTML metadata."""

from __future__ import annotations

import re
from datetime import date, datetime

from dateutil import parser as date_parser

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:$|[T ]\d)")
_NUMERIC_DAY_MONTH = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")
# Two defaults that differ in every component: a component the text leaves out shows up as a difference.
_DEFAULT_A = datetime(2001, 1, 1)
_DEFAULT_B = datetime(2002, 2, 2)
_PLAUSIBLE_YEARS = range(1800, 2201)


def parse_published(value: object) -> date | None:
    """The calendar date a value states, or None when it is missing, partial, ambiguous or unparseable.

    The date is taken as written (a time zone offset does not move it to another day). Partial dates
    ("March 2024") and numeric forms where day and month could be swapped ("05/03/2024") give None
    rather than an invented day.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 100:
        return None
    iso = _ISO_DATE.match(text)
    if iso:
        return _checked_date(int(iso[1]), int(iso[2]), int(iso[3]))
    numeric = _NUMERIC_DAY_MONTH.fullmatch(text)
    if numeric:
        first, second, year = int(numeric[1]), int(numeric[2]), int(numeric[3])
        if first <= 12 and second <= 12 and first != second:
            return None
        day, month = (first, second) if first > 12 else (second, first)
        return _checked_date(year, month, day)
    try:
        parsed_a = date_parser.parse(text, default=_DEFAULT_A)
        parsed_b = date_parser.parse(text, default=_DEFAULT_B)
    except (ValueError, OverflowError, TypeError):
        return None
    if parsed_a.date() != parsed_b.date():
        return None
    return _checked_date(parsed_a.year, parsed_a.month, parsed_a.day)


def _checked_date(year: int, month: int, day: int) -> date | None:
    """A real date in a plausible range, else None."""
    if year not in _PLAUSIBLE_YEARS:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None
