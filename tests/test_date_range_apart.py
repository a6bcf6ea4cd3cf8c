"""A date range lists first the events known to fall in it, then, apart and under their own heading,
those known only to a month or a year that only could (issue 31, item 2): on the page, in its
fragment, page after page and in the exports alike."""

import csv
import io
import re

import pytest
from django.core.management import call_command
from django.db import transaction
from django.http import QueryDict

from timeline.dataset.synthetic import generate
from timeline.listing.query import EventQuery
from timeline.models import DataVersion, Event

MARCH = "/?from=2025-03-10&to=2025-03-20"
HTMX = {"HX-Request": "true"}
HEADING = "Known only to the month or year"


def event_order(html):
    return re.findall(r'<article class="event[^"]*" id="([^"]+)"', html)


def query_of(url):
    return EventQuery(QueryDict(url.split("?", 1)[1]), DataVersion.current()[0])


def known_and_apart(html):
    """The events before the heading of those listed apart, and those after it."""
    before, _, after = html.partition(f'<h2 class="apart-heading" id="listed-apart">{HEADING}')
    return event_order(before), event_order(after)


@pytest.mark.usefixtures("corpus")
def test_ten_to_twenty_march_lists_the_events_of_13_march_first_and_the_imprecise_ones_apart(client):
    html = client.get(MARCH).content.decode()
    known, apart = known_and_apart(html)
    assert known == ["wsj-reports-binance-us-stake-talks", "wsj-reports-cz-seeking-pardon"]
    expected_apart = Event.objects.filter(date__year=2025, date__lte="2025-03-20").exclude(date_precision="day")
    assert sorted(apart) == sorted(expected_apart.values_list("slug", flat=True))
    assert "cz-denies-wsj-report" in apart  # March 2025 only: it may fall after the 20th
    assert f"2 known to fall in these dates · {len(apart)} known only to the month or year" in html
    assert html.count('class="apart-heading"') == 1
    # The fragment an htmx request swaps in reads the same way.
    assert event_order(client.get(MARCH, headers=HTMX).content.decode()) == known + apart
    for url in ["/", "/?q=pardon&from=2025"]:  # no range, or best matches first: nothing apart
        html = client.get(url).content.decode()
        assert "apart-heading" not in html and "known to fall in these dates" not in html


@pytest.mark.usefixtures("corpus")
@pytest.mark.parametrize(
    "url",
    ["/?from=March+2025&to=March+2025", "/?from=2025", "/?from=2024-05-01&to=2024-12-31&actor=changpeng-zhao"],
)
def test_an_event_whose_month_or_year_lies_inside_the_range_is_known_to_fall_in_it(client, url):
    known, apart = known_and_apart(client.get(url).content.decode())
    query = query_of(url)
    start, end = query.date_range()
    for event in Event.objects.filter(slug__in=known + apart):
        inside = (start is None or event.date >= start) and (end is None or event.latest_date <= end)
        assert (event.slug in known) == (event.date_precision == "day" or inside), event.slug


@pytest.mark.usefixtures("corpus")
def test_the_exports_follow_the_order_of_the_page(client):
    page = event_order(client.get(MARCH).content.decode())
    assert page[:2] == ["wsj-reports-binance-us-stake-talks", "wsj-reports-cz-seeking-pardon"]
    rows = list(csv.DictReader(io.StringIO(client.get("/events.csv" + MARCH[1:]).getvalue().decode())))
    titles = dict(Event.objects.values_list("slug", "title"))
    assert [row["title"] for row in rows] == [titles[slug] for slug in page]
    cited = list(csv.DictReader(io.StringIO(client.get("/citations.csv" + MARCH[1:]).getvalue().decode())))
    in_order = list(dict.fromkeys(row["event"] for row in cited))
    assert in_order == [slug for slug in page if slug in in_order]
    assert [e["slug"] for e in client.get("/events.json" + MARCH[1:]).json()["events"]] == page


@pytest.mark.usefixtures("corpus")
def test_a_position_among_the_events_listed_apart_needs_a_date_range_in_time_order(client):
    for url in ["/?after=a2025-01-01|0~1", "/?q=pardon&order=time&after=a2025-01-01|0~1"]:
        response = client.get(url)
        assert response.status_code == 400
        assert "belongs to the events a date range lists apart" in response.content.decode()


@pytest.fixture(scope="module")
def more_events(django_db_setup, django_db_blocker):
    """The corpus plus 400 synthetic events (a quarter of them dated to a month or year), rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        if not Event.objects.exists():
            call_command("reload_timeline", verbosity=0)
        generate(400)
        yield
        transaction.set_rollback(True)


@pytest.mark.usefixtures("more_events")
@pytest.mark.parametrize("url", ["/?from=2019&to=June+2021", "/?from=2022-02-10&undated=include"])
def test_page_after_page_the_list_is_the_export_order_with_one_heading(client, url):
    """ "Show the next 50" continues across the two parts: every event once, in the order of events.csv,
    and the heading of the events listed apart where they begin, once."""
    query = query_of(url)
    (known, _), (apart, _) = query.parts()
    assert known.bit_count() > 50 and apart.bit_count() > 0  # the list pages across the boundary
    html = client.get(url).content.decode()
    shown, headings = event_order(html), html.count('class="apart-heading"')
    more = re.search(r'<p class="load-more">\s*<a href="([^"]+)"', html)
    while more:
        fragment = client.get(more.group(1).replace("&amp;", "&"), headers=HTMX).content.decode()
        shown += event_order(fragment)
        headings += fragment.count('class="apart-heading"')
        more = re.search(r'<p class="load-more">\s*<a href="([^"]+)"', fragment)
    slugs = dict(Event.objects.values_list("pk", "slug"))
    assert shown == [slugs[pk] for pk in query.ids()]  # the order of every export
    assert headings == 1
    known_slugs = set(
        Event.objects.filter(pk__in=[query.index.ids[p] for p in query.index.each(known)]).values_list(
            "slug", flat=True
        )
    )
    first_apart = shown.index(next(slug for slug in shown if slug not in known_slugs))
    assert set(shown[:first_apart]) == known_slugs
