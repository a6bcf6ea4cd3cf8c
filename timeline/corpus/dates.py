"""Dates known to a day, a month or a year, as the articles give them."""

import calendar
import datetime
import difflib
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


def placed_on(value, precision):
    """The day a calendar or a feed puts an event on: its date, or for one known only to the month or the
    year, the last day of that period, the first day by which it is known to have happened. So in date
    order it comes after the events dated within its period, never on the 1st before them."""
    return period_end(value, precision)


def placement_key(value, precision):
    """``placed_on`` as a number to sort by: on one day, the events dated to that day come first, then a
    month's, then a year's (an imprecise date of no stated precision is placed as a month's)."""
    if precision == DatePrecision.DAY:
        return value.toordinal() * 3
    if precision == DatePrecision.YEAR:
        return period_end(value, DatePrecision.YEAR).toordinal() * 3 + 2
    return period_end(value, DatePrecision.MONTH).toordinal() * 3 + 1


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
# The order of an all-numeric date, declared once: a four-digit year first is year-month-day
# whatever the separator (2025/03/04 is 4 March); a year last gives day and month, read as the
# only reading when one of them is over 12 (13/03/2025, 03/13/2025), refused when both could be
# the month (03/04/2025: 3 April or March 4), so a list never silently shows another range.
YEAR_FIRST = re.compile(r"^(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?$")
YEAR_LAST = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
MONTH_NAMES = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTH_WORD = re.compile(r"[^\W\d_]{3,}")


class AmbiguousDate(ValueError):
    """An all-numeric date with two readings: the message names both and how to write each."""


def parse_numeric(text):
    """A PartialDate for an all-numeric date by the rule above, or None when the text is not one."""
    if match := YEAR_FIRST.match(text):
        year, month, day = match.groups()
        return parse_iso(f"{year}-{month}" + (f"-{day}" if day else ""), text)
    if not (match := YEAR_LAST.match(text)):
        return None
    first, second, year = (int(part) for part in match.groups())
    if first <= 12 and second <= 12 and first != second:
        day_first, month_first = datetime.date(year, second, first), datetime.date(year, first, second)
        raise AmbiguousDate(
            f"{text} could be {day_text(day_first)} or {month_first:%B} {month_first.day}, {year}: "
            f"write {day_first.isoformat()} or {day_text(day_first)} "
            f"(or {month_first.isoformat()} for {month_first:%B} {month_first.day})"
        )
    day, month = (first, second) if first > 12 else (second, first)
    return parse_iso(f"{year}-{month}-{day}", text)


def day_text(day):
    return f"{day.day} {day:%B} {day.year}"


def suggested_date(text):
    """The text with a mistyped month replaced by the nearest name ("Marhc 2025": "March 2025"), if it then reads."""
    changed = text
    for word in MONTH_WORD.findall(text):
        if word.lower() in MONTH_NAMES:
            continue
        near = difflib.get_close_matches(word.lower(), MONTH_NAMES, n=1, cutoff=0.6)
        if near:
            changed = changed.replace(word, near[0].capitalize(), 1)
    if changed == text:
        return None
    try:
        parse_partial_date(changed)
    except ValueError:
        return None
    return changed


def parse_iso(text, written=None):
    """YYYY-MM or YYYY-MM-DD, strictly: dateutil would swap an impossible month and day."""
    parts = [int(part) for part in text.split("-")]
    try:
        if len(parts) == 2:
            return PartialDate(datetime.date(parts[0], parts[1], 1), DatePrecision.MONTH)
        return PartialDate(datetime.date(*parts), DatePrecision.DAY)
    except ValueError as exc:
        raise ValueError(f"{written or text!r} is not a real date ({exc})") from exc


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
    if numeric := parse_numeric(text):
        return numeric
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
