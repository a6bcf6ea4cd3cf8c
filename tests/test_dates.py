import datetime

import pytest
from django.core.exceptions import ValidationError

from timeline.dates import DatePrecision, PartialDate, format_partial_date, parse_partial_date, period_end
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
