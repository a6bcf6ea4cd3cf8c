import datetime

import pytest
from django.core.exceptions import ValidationError

from timeline.corpus.dates import (
    AmbiguousDate,
    DatePrecision,
    PartialDate,
    format_partial_date,
    parse_partial_date,
    period_end,
    suggested_date,
)
from timeline.models import Era, Event

D = datetime.date


@pytest.mark.parametrize(
    "text, start, precision",
    [
        ("2024", D(2024, 1, 1), "year"),
        ("March 2025", D(2025, 3, 1), "month"),
        ("Mar 2025", D(2025, 3, 1), "month"),
        ("2025-03", D(2025, 3, 1), "month"),
        ("2025-03-13", D(2025, 3, 13), "day"),
        ("13 March 2025", D(2025, 3, 13), "day"),
        ("March 13, 2025", D(2025, 3, 13), "day"),
        (" 21 Nov 2023 ", D(2023, 11, 21), "day"),
    ],
)
def test_parse_partial_date_keeps_the_precision_written(text, start, precision):
    assert parse_partial_date(text) == PartialDate(start, precision)


@pytest.mark.parametrize(
    "text, reason",
    [
        ("2025-02-30", "not a real date"),
        ("2025-13-01", "not a real date"),
        ("March", "has no year"),
        ("yesterday", "could not read"),
        ("", "empty"),
        ("1" * 50, "too long"),
    ],
)
def test_parse_partial_date_explains_what_it_could_not_read(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_partial_date(text)


@pytest.mark.parametrize(
    "text, start",
    [
        ("2025/03/04", D(2025, 3, 4)),  # year first: year, month, day, whatever the separator
        ("2025.03.04", D(2025, 3, 4)),
        ("2025/3/4", D(2025, 3, 4)),
        ("13/03/2025", D(2025, 3, 13)),  # 13 can only be the day
        ("03/13/2025", D(2025, 3, 13)),
        ("13.03.2025", D(2025, 3, 13)),
        ("04/04/2025", D(2025, 4, 4)),  # both readings are the same day
    ],
)
def test_an_all_numeric_date_is_read_by_the_declared_order(text, start):
    assert parse_partial_date(text) == PartialDate(start, "day")


def test_a_year_first_month_with_slashes_is_a_month():
    assert parse_partial_date("2025/03") == PartialDate(D(2025, 3, 1), "month")


@pytest.mark.parametrize("text", ["03/04/2025", "3/4/2025", "03.04.2025", "03-04-2025"])
def test_an_ambiguous_all_numeric_date_is_refused_naming_both_readings(text):
    with pytest.raises(AmbiguousDate) as refused:
        parse_partial_date(text)
    assert str(refused.value).startswith(
        f"{text} could be 3 April 2025 or March 4, 2025: write 2025-04-03 or 3 April 2025"
    )


@pytest.mark.parametrize("text", ["2025/13/01", "13/13/2025", "2025.02.30"])
def test_an_impossible_all_numeric_date_is_not_swapped_into_a_real_one(text):
    with pytest.raises(ValueError, match="not a real date"):
        parse_partial_date(text)


@pytest.mark.parametrize(
    "text, near",
    [("Marhc 2025", "March 2025"), ("13 Mrch 2025", "13 March 2025"), ("Setpember 2024", "September 2024")],
)
def test_a_mistyped_month_has_the_nearest_reading(text, near):
    with pytest.raises(ValueError):
        parse_partial_date(text)
    assert suggested_date(text) == near


@pytest.mark.parametrize("text", ["yesterday", "Marhc", "March 2025", "Foo 2025"])
def test_no_reading_is_suggested_where_none_is_near_or_needed(text):
    assert suggested_date(text) is None


def test_period_end_and_display():
    assert period_end(D(2024, 2, 1), DatePrecision.MONTH) == D(2024, 2, 29)
    assert period_end(D(2024, 1, 1), DatePrecision.YEAR) == D(2024, 12, 31)
    assert format_partial_date(D(2023, 11, 21), "day") == "21 Nov 2023"
    assert format_partial_date(D(2023, 11, 1), "month") == "Nov 2023"
    assert format_partial_date(D(2024, 1, 1), "year") == "2024"
    assert format_partial_date(None, "unknown") == "Undated"


def event(**fields):
    base = dict(
        slug="e",
        title="t",
        summary="s",
        date=D(2025, 3, 1),
        date_precision="month",
        date_basis="inferred",
        date_note="How.",
        certainty="reported",
        era=Era(slug="x"),
    )
    return Event(**{**base, **fields})


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"date": D(2025, 3, 13)}, "date"),
        ({"date": None}, "date_precision"),
        ({"date_note": ""}, "date_note"),
        ({"date_basis": "undated"}, "date_basis"),
        ({"end_date": D(2024, 1, 1)}, "end_date"),
        ({"date_precision": "unknown"}, "date_precision"),
    ],
)
def test_event_date_rules(fields, field):
    with pytest.raises(ValidationError) as excinfo:
        event(**fields).clean()
    assert field in excinfo.value.message_dict


def test_a_well_formed_event_passes():
    event().clean()
    event(date=None, date_precision="unknown", date_basis="undated", date_note="").clean()
