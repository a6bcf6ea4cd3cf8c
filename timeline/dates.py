"""Dates known to a day, a month or a year, as the articles give them."""

import calendar
import datetime
import re

from django.core.exceptions import ValidationError
from django.db import models

EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2100, 12, 31)
RANGE_TEXT = f"between {EARLIEST.year} and {LATEST.year}"


def validate_date_in_range(value):
    """A date the site can show, count from and step past: 1900-01-01 to 2100-12-31."""
    if value is not None and not EARLIEST <= value <= LATEST:
        raise ValidationError(f"Dates must fall {RANGE_TEXT} (got {value.isoformat()}).", code="date_range")


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"
    UNKNOWN = "unknown", "Unknown"

    @classmethod
    def is_period_start(cls, value, precision):
        if precision == cls.MONTH:
            return value.day == 1
        if precision == cls.YEAR:
            return value.day == 1 and value.month == 1
        return True


def format_partial_date(value, precision):
    """'21 Nov 2023', 'Nov 2023' or '2023', as far as the precision goes."""
    if value is None:
        return "Undated"
    if precision == DatePrecision.YEAR:
        return str(value.year)
    if precision == DatePrecision.MONTH:
        return value.strftime("%b %Y")
    return f"{value.day} {value.strftime('%b %Y')}"


def period_end(value, precision):
    """The last day of the day, month or year that starts at value."""
    if precision == DatePrecision.YEAR:
        return datetime.date(value.year, 12, 31)
    if precision == DatePrecision.MONTH:
        return datetime.date(value.year, value.month, calendar.monthrange(value.year, value.month)[1])
    return value


class PartialDate:
    """A date as a person typed it ("2024", "March 2025", "13 March 2025"): a span of days."""

    def __init__(self, start, precision):
        self.start = start
        self.precision = precision
        self.end = period_end(start, precision)

    def __eq__(self, other):
        return isinstance(other, PartialDate) and (self.start, self.precision) == (
            other.start,
            other.precision,
        )

    def __repr__(self):
        return f"PartialDate({self.start!r}, {self.precision!r})"

    def __str__(self):
        return format_partial_date(self.start, self.precision)


ISO_LIKE = re.compile(r"^\d{4}-\d{1,2}(-\d{1,2})?$")


def parse_iso(text):
    """YYYY-MM or YYYY-MM-DD, strictly: dateutil would swap an impossible month and day."""
    parts = [int(part) for part in text.split("-")]
    try:
        if len(parts) == 2:
            return PartialDate(datetime.date(parts[0], parts[1], 1), DatePrecision.MONTH)
        return PartialDate(datetime.date(*parts), DatePrecision.DAY)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a real date ({exc})") from exc


def parse_partial_date(text):
    """A PartialDate within the site's range (EARLIEST to LATEST), or a ValueError saying why not."""
    date = parse_any_partial_date(text)
    if not EARLIEST <= date.start <= LATEST:
        raise ValueError(f"{date.start.year} is out of range: dates fall {RANGE_TEXT}")
    return date


def parse_any_partial_date(text):
    """Parse with dateutil, telling year, month and day precision apart.

    Parsing twice with different defaults shows which parts the text supplied:
    a part that follows the default was not written.
    """
    from dateutil import parser

    text = text.strip()
    if not text:
        raise ValueError("empty date")
    if len(text) > 40:
        raise ValueError("too long to be a date")
    if ISO_LIKE.match(text):
        return parse_iso(text)
    try:
        first = parser.parse(text, default=datetime.datetime(2000, 1, 1), dayfirst=True)
        second = parser.parse(text, default=datetime.datetime(2001, 12, 28), dayfirst=True)
    except (ValueError, ArithmeticError) as exc:
        # ArithmeticError: OverflowError for huge numbers, and decimal.InvalidOperation, which
        # dateutil raises for a time with too many digits ("12:11111111111111111111111111111").
        raise ValueError(f"could not read {text!r} as a date") from exc
    if first.year != second.year:
        raise ValueError(f"{text!r} has no year")
    if first.month != second.month:
        return PartialDate(datetime.date(first.year, 1, 1), DatePrecision.YEAR)
    if first.day != second.day:
        return PartialDate(datetime.date(first.year, first.month, 1), DatePrecision.MONTH)
    return PartialDate(first.date(), DatePrecision.DAY)


def parse_date_window(text):
    """(first day, last day) of a timeline window: one period ("2024", "March 2024") or "A..B"."""
    first, _, last = text.partition("..")
    start = parse_partial_date(first)
    end = parse_partial_date(last) if last.strip() else start
    if start.start > end.end:
        raise ValueError(f"the window starts ({start}) after it ends ({end})")
    return start.start, end.end
