"""Feeds and calendars in order (issue 31 item 4): an event known only to its month or year is placed on the
last day of its period, after the events dated within it, and says so; "newest first" is date order; a
filtered calendar or feed is named by its filters; the page's feed link opens a page, not raw XML."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.http import QueryDict
from icalendar import Calendar

from tests.oracle import in_date_order
from timeline.corpus.dates import period_end
from timeline.listing.query import EventQuery
from timeline.models import DataVersion, Era, Event
from timeline.web.exports import TITLE

pytestmark = pytest.mark.usefixtures("corpus")
ATOM = "{http://www.w3.org/2005/Atom}"


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def calendar_of(client, query=""):
    return Calendar.from_ical(body(client.get(f"/events.ics{query}")))


def entries_of(client, query=""):
    return ET.fromstring(body(client.get(f"/feed/{query}"))).findall(f"{ATOM}entry")


def slug_of(entry):
    return entry.find(f"{ATOM}link").get("href").rstrip("/").rsplit("/", 1)[-1]


def day_of(entry, name):
    return datetime.datetime.fromisoformat(entry.find(f"{ATOM}{name}").text).date()


def test_zhaos_thanks_known_only_to_october_comes_after_the_23_october_pardon_in_the_calendar(client):
    entries = {str(e["UID"]).split("@")[0]: e for e in calendar_of(client, "?era=pardon").walk("VEVENT")}
    thanks, pardon = entries["cz-thanks-trump"], entries["trump-pardons-cz"]
    assert pardon.decoded("DTSTART") == datetime.date(2025, 10, 23)
    assert thanks.decoded("DTSTART") == datetime.date(2025, 10, 31) > pardon.decoded("DTSTART")
    assert thanks.decoded("DTEND") == datetime.date(2025, 11, 1)  # one day, not a month-long bar
    assert str(thanks["SUMMARY"]).endswith("(date known only to the month)")
    assert "shown on 31 October 2025, the last day of the month, after the events dated within it" in str(
        thanks["DESCRIPTION"]
    )


def test_every_imprecise_calendar_entry_sits_on_the_last_day_of_its_period_and_the_file_is_in_date_order(client):
    calendar = calendar_of(client)
    assert "placed on the last day of that period" in str(calendar["X-WR-CALDESC"])
    starts = []
    for entry in calendar.walk("VEVENT"):
        event = Event.objects.get(slug=str(entry["UID"]).split("@")[0])
        start = entry.decoded("DTSTART")
        assert start == period_end(event.date, event.date_precision), event.slug
        if event.date_precision != "day":
            assert start.day != 1 and f"(date known only to the {event.date_precision})" in str(entry["SUMMARY"])
        starts.append(start)
    assert starts == sorted(starts) and len(starts) > 30


def test_the_feed_newest_first_is_date_order_with_the_thanks_before_the_pardon(client):
    entries = entries_of(client, "?era=pardon")
    days = [day_of(entry, "published") for entry in entries]
    assert days == sorted(days, reverse=True)
    assert [day_of(entry, "updated") for entry in entries] == days
    slugs = [slug_of(entry) for entry in entries]
    assert slugs.index("cz-thanks-trump") < slugs.index("trump-pardons-cz")
    thanks = entries[slugs.index("cz-thanks-trump")]
    assert days[slugs.index("cz-thanks-trump")] == datetime.date(2025, 10, 31)
    assert "dated 31 October 2025, the last day of the month" in thanks.find(f"{ATOM}summary").text
    assert "newest first" not in "".join(slugs)  # (the slugs are read; the subtitle says the rule)
    feed = ET.fromstring(body(client.get("/feed/?era=pardon")))
    assert "placed on the last day of that period" in feed.find(f"{ATOM}subtitle").text


def placed(event):
    """The order a calendar places events in, in Python: the day the event is placed on; on one day, the
    events dated to it, then a month's, then a year's (each after the events dated within its period); then
    reading order."""
    rank = {"day": 0, "month": 1, "year": 2}[event.date_precision]
    return (period_end(event.date, event.date_precision), rank, event.sort_key, event.id)


def test_the_order_the_index_gives_is_the_order_of_the_days_events_are_placed_on(db, corpus):
    """Crafted ties: a month and a year end on a day with a day-precise event; February of a leap year. The
    event index (what the calendar and the feed list) and the SQL oracle agree with the days."""
    era = Era.objects.get(slug="pardon")
    made = [
        ("t-year-2024", datetime.date(2024, 1, 1), "year"),
        ("t-dec-2024", datetime.date(2024, 12, 1), "month"),
        ("t-31-dec-2024", datetime.date(2024, 12, 31), "day"),
        ("t-feb-2024", datetime.date(2024, 2, 1), "month"),
        ("t-29-feb-2024", datetime.date(2024, 2, 29), "day"),
        ("t-1-mar-2024", datetime.date(2024, 3, 1), "day"),
        ("t-1-feb-2024", datetime.date(2024, 2, 1), "day"),
    ]
    for slug, day, precision in made:
        Event.objects.create(
            slug=slug,
            title=slug,
            date=day,
            date_precision=precision,
            date_basis="stated",
            certainty="reported",
            era=era,
        )
    crafted = Event.objects.filter(slug__startswith="t-")
    slugs = dict(crafted.values_list("id", "slug"))
    query = EventQuery(QueryDict("era=pardon"), DataVersion.current()[0])
    found = [slugs[pk] for pk in query.ids(order="placed") if pk in slugs]
    assert found == [e.slug for e in sorted(crafted, key=placed)] == [e.slug for e in in_date_order(crafted)]
    assert found == [
        "t-1-feb-2024",
        "t-29-feb-2024",
        "t-feb-2024",
        "t-1-mar-2024",
        "t-31-dec-2024",
        "t-dec-2024",
        "t-year-2024",
    ]
    assert [slugs[pk] for pk in query.ids(order="placed-latest") if pk in slugs] == found[::-1]


@pytest.mark.parametrize(
    "query, words",
    [
        ("?actor=changpeng-zhao&from=2025", ["Actors: Changpeng Zhao", "Dates: from 2025"]),
        ("?actor=changpeng-zhao&actor=justin-sun", ["Actors: Changpeng Zhao or Justin Sun"]),
        ("?certainty=confirmed&q=pardon", ["Search: “pardon”", "Certainty: Confirmed"]),
        ("?era=pardon", ["Eras: Pardon"]),
    ],
)
def test_a_filtered_calendar_and_feed_are_named_by_their_filters(client, query, words):
    name = str(calendar_of(client, query)["X-WR-CALNAME"])
    title = ET.fromstring(body(client.get(f"/feed/{query}"))).find(f"{ATOM}title").text
    for text in (name, title):
        assert text.startswith(f"{TITLE} · ")
        assert all(word in text for word in words), text
    assert str(calendar_of(client)["X-WR-CALNAME"]) == TITLE


def test_two_filtered_calendars_never_share_a_name(client):
    queries = ["", "?era=pardon", "?era=prosecution", "?actor=binance", "?actor=binance&era=pardon", "?from=2025"]
    names = [str(calendar_of(client, query)["X-WR-CALNAME"]) for query in queries]
    assert len(set(names)) == len(names)


def test_the_pages_feed_link_opens_a_page_that_shows_the_feed_not_raw_xml(client):
    page = client.get("/?era=pardon").content.decode()
    href = re.search(r'<a href="([^"]+)">Atom feed</a>', page).group(1).replace("&amp;", "&")
    response = client.get(href)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    shown = response.content.decode()
    assert 'value="http://testserver/feed/?era=pardon"' in shown or "/feed/?era=pardon" in shown
    titles = [e.find(f"{ATOM}title").text for e in entries_of(client, "?era=pardon")]
    listed = re.findall(r'<p class="feed-entry-title"><a href="[^"]+">([^<]+)</a>', shown)
    assert [t.replace("&#x27;", "'") for t in listed] == [t.replace("&", "&amp;") for t in titles]
    assert f"{TITLE} · Eras: Pardon" in shown
    # the head still announces the feed itself to feed readers
    assert re.search(r'<link rel="alternate" type="application/atom\+xml"[^>]+href="[^"]*/feed/\?era=pardon"', shown)


def test_the_corrections_feed_link_opens_a_page_too(client):
    page = client.get("/corrections/").content.decode()
    href = re.search(r'<a href="([^"]+)">Atom feed of', page).group(1)
    response = client.get(href)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")


def test_a_malformed_filter_on_the_feed_page_is_a_readable_400(client):
    response = client.get("/feed/about/?era=nope")
    assert response.status_code == 400
    assert "era" in response.content.decode() and response["Content-Type"].startswith("text/html")
