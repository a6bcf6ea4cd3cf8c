"""One engine selects: every listing and export takes its events from the event index, in the order
the SQL definition of the state (tests/oracle.py) gives, with a fixed number of queries."""

import csv
import dataclasses
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.http import QueryDict
from icalendar import Calendar

from tests.oracle import in_date_order, involving, sql_events, sql_ordered
from timeline.listing import query as listing_query
from timeline.listing.index import event_index, warm
from timeline.listing.query import EventQuery
from timeline.models import Actor, DataVersion, Event
from timeline.web import corrections, views

pytestmark = pytest.mark.usefixtures("corpus")

ATOM = "{http://www.w3.org/2005/Atom}"
SLUG_IN_LINK = re.compile(r"/events/([^/]+)/")


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def linked_slugs(links):
    return [SLUG_IN_LINK.search(link)[1] for link in links]


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(body(response).decode())))


# Each export's events, in the order it lists them, read from its body.
READERS = {
    "/events.json": lambda r: [e["slug"] for e in json.loads(body(r))["events"]],
    "/events.csv": lambda r: linked_slugs(row["url"] for row in csv_rows(r)),
    "/citations.csv": lambda r: [row["event"] for row in csv_rows(r)],
    "/events.ics": lambda r: [str(e["UID"]).split("@")[0] for e in Calendar.from_ical(body(r)).walk("VEVENT")],
    "/feed/": lambda r: linked_slugs(
        e.find(f"{ATOM}link").get("href") for e in ET.fromstring(body(r)).iter(f"{ATOM}entry")
    ),
    "/events.timelinejs.json": lambda r: [s["unique_id"] for s in json.loads(body(r))["events"]],
    "/annotations.jsonld": lambda r: linked_slugs(
        item["body"][0]["source"]["id"] for item in json.loads(body(r))["first"]["items"]
    ),
    "/embed/": lambda r: re.findall(r'<article class="event[^"]*" id="([^"]+)"', body(r).decode()),
    "/corrections/feed/": lambda r: linked_slugs(
        e.find(f"{ATOM}link").get("href") for e in ET.fromstring(body(r)).iter(f"{ATOM}entry")
    ),
}
DATED_ONLY = {"/events.ics", "/feed/", "/events.timelinejs.json"}


def distinct(slugs):
    return list(dict.fromkeys(slugs))


@pytest.fixture
def doctor(monkeypatch):
    """Make the event index of the data as it now is say that Justin Sun is in every event he is not in,
    and in none of his own: what the index says a listing holds then differs from what SQL over the same
    rows selects. Returns (those events' slugs, the dated ones')."""

    def doctored():
        version = DataVersion.current()[0]
        real = event_index(version)
        sun = Actor.objects.get(slug="justin-sun")
        key = str(sun.pk)
        options = {
            **real.options,
            "actor": {**real.options["actor"], key: real.everything & ~real.options["actor"][key]},
        }
        swapped = dataclasses.replace(real, options=options)
        for module in (listing_query, views):
            monkeypatch.setattr(module, "event_index", lambda v: swapped if v == version else event_index(v))
        cache.clear()
        others = Event.objects.exclude(pk__in=involving(Event.objects.all(), [sun]).values("pk"))
        return set(others.values_list("slug", flat=True)), set(
            others.filter(date__isnull=False).values_list("slug", flat=True)
        )

    return doctored


@pytest.mark.parametrize("url", [url for url in READERS if url != "/corrections/feed/"])
def test_every_listing_and_export_holds_what_the_index_selects(client, doctor, url):
    """Were an export to select in SQL, it would list Justin Sun's events."""
    everything, dated = doctor()
    listed = distinct(READERS[url](client.get(f"{url}?actor=justin-sun")))
    if url in ("/events.json", "/embed/"):  # the first page
        assert set(listed) <= everything and len(listed) == min(len(everything), 100 if url == "/events.json" else 50)
    elif url == "/annotations.jsonld":  # the events with a citation
        assert set(listed) == {slug for slug in everything if Event.objects.get(slug=slug).citations.exists()}
    else:
        assert set(listed) == (dated if url in DATED_ONLY else everything), url


@pytest.mark.parametrize("named", [True, False], ids=["ids-named-in-sql", "every-changed-row-kept-by-id"])
def test_corrections_and_the_actor_page_follow_the_index(client, doctor, monkeypatch, named):
    """Corrections name a listing's events to the database when they are few, else read every changed
    record and keep the listed events' (here with a limit of one, below the state's count)."""
    if not named:
        monkeypatch.setattr(corrections, "FETCH_CHUNK", 1)
    sun = Actor.objects.get(slug="justin-sun")
    his = involving(Event.objects.all(), [sun]).first()
    other = Event.objects.exclude(pk__in=involving(Event.objects.all(), [sun]).values("pk")).first()
    for event in (his, other):
        event.title += " (corrected)"
        event.save()
    everything, _ = doctor()
    assert distinct(READERS["/corrections/feed/"](client.get("/corrections/feed/?actor=justin-sun"))) == [other.slug]
    page = client.get("/corrections/?actor=justin-sun").content.decode()
    assert f"/events/{other.slug}/#correction-" in page and f"/events/{his.slug}/#correction-" not in page
    actor_page = READERS["/embed/"](client.get("/actors/justin-sun/"))
    assert actor_page and set(actor_page) <= everything


STATES = [
    "actor=changpeng-zhao&from=2025",
    "q=binance",
    "q=binance&order=time",
    "from=2024&undated=include",
    "certainty=reported&certainty=alleged&category=legal",
    "q=pardon&source=trump-defends-cz-pardon",
]


@pytest.mark.parametrize("state", STATES)
def test_every_export_lists_the_events_in_the_order_sql_gives(client, state):
    """Best matches first where the state asks for them, else reading order (undated last); the calendar
    and the feed where a calendar places each dated event (the feed latest first); the citations in
    reading order of their events."""
    query = EventQuery(QueryDict(state), DataVersion.current()[0], paged=False)
    assert not query.problems
    ordered = list(sql_ordered(query).values_list("slug", flat=True))
    dated = set(sql_events(query).filter(date__isnull=False).values_list("slug", flat=True))
    placed = list(in_date_order(sql_events(query)).values_list("slug", flat=True))
    reading = list(sql_events(query).chronological().values_list("slug", flat=True))
    cited = set(sql_events(query).filter(citations__isnull=False).values_list("slug", flat=True))
    expected = {
        "/events.csv": ordered,
        "/citations.csv": [slug for slug in reading if slug in cited],
        "/events.ics": placed,
        "/feed/": placed[::-1][:100],
        "/events.timelinejs.json": [slug for slug in ordered if slug in dated],
        "/annotations.jsonld": [slug for slug in ordered if slug in cited],
    }
    assert ordered, state
    for url, slugs in expected.items():
        assert distinct(READERS[url](client.get(f"{url}?{state}"))) == slugs, (url, state)


# Queries of each export of a state with filters, whatever it holds: the data version, the rows by id
# (events, or citations), and each prefetch of what the export shows; the index is built already.
EXPORT_QUERIES = {
    "/events.csv": 6,
    "/citations.csv": 2,
    "/events.ics": 7,
    "/feed/": 6,
    "/events.timelinejs.json": 6,
    "/annotations.jsonld": 4,
    "/corrections/": 4,
    "/corrections/feed/": 4,
}


@pytest.mark.parametrize("url", EXPORT_QUERIES)
def test_each_export_takes_a_fixed_number_of_queries(client, url, django_assert_num_queries):
    cache.clear()
    warm()
    with django_assert_num_queries(EXPORT_QUERIES[url]):
        body(client.get(f"{url}?certainty=confirmed&certainty=reported&category=legal&from=2023"))
