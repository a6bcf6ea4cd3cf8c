"""Hostile text in an event, an actor, an alias and a quote comes out inert in every format."""

import csv
import io
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from icalendar import Calendar

from tests.hostile import MARKUP, PAYLOAD, create_control_records, create_hostile_records

pytestmark = pytest.mark.usefixtures("corpus")

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def hostile():
    return create_hostile_records()


def body(response):
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode()


class Attributes(HTMLParser):
    """Every tag and attribute the browser would build from the page."""

    def __init__(self):
        super().__init__()
        self.tags, self.attrs = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs


def assert_inert_html(html, where):
    for markup in MARKUP:
        assert markup not in html, where
    parsed = Attributes()
    parsed.feed(html)
    assert "img" not in parsed.tags or all(v != "x" for k, v in parsed.attrs if k == "src"), where
    assert not [k for k, _ in parsed.attrs if k.startswith("on")], where
    assert not [v for _, v in parsed.attrs if (v or "").strip().lower().startswith("javascript:")], where
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, where
    assert "{{ request.user }}" in html or "{{ request.user }}" in html.replace("&#x27;", "'"), where


def html_urls(event, actor, source):
    q = quote("alert(1)")
    return [
        "/?actor=hostile-actor",
        f"/?q={q}",
        f"/?q={q}&order=relevance",
        "/embed/?actor=hostile-actor",
        event.get_absolute_url(),
        actor.get_absolute_url(),
        source.get_absolute_url(),
        "/actors/",
        "/sources/",
    ]


def test_pages_and_fragments_render_hostile_text_inert(client, hostile):
    for url in html_urls(*hostile):
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            assert response.status_code == 200, url
            assert_inert_html(body(response), (url, headers))


def test_json_returns_hostile_text_verbatim_as_data(client, hostile):
    for url in ["/events.json?actor=hostile-actor", "/actors.json", "/sources.json"]:
        response = client.get(url)
        assert response["Content-Type"] == "application/json"
        assert response["X-Content-Type-Options"] == "nosniff"
        json.loads(body(response))
    event = client.get("/events.json?actor=hostile-actor").json()["events"][0]
    assert event["title"] == f"Event {PAYLOAD}"
    assert event["citations"][0]["quote"] == PAYLOAD
    actors = {a["slug"]: a for a in client.get("/actors.json").json()["actors"]}
    assert actors["hostile-actor"]["name"] == f"Actor {PAYLOAD}"


def test_timelinejs_json_carries_html_escaped_text(client, hostile):
    slide = client.get("/events.timelinejs.json?actor=hostile-actor").json()["events"][0]
    for text in (slide["text"]["headline"], slide["text"]["text"]):
        assert_inert_html(text, "timelinejs")


def test_csv_round_trips_hostile_text_and_neutralises_formulas(client, hostile):
    events = list(csv.DictReader(io.StringIO(body(client.get("/events.csv?actor=hostile-actor")))))
    assert events[0]["title"] == f"Event {PAYLOAD}"
    citations = list(csv.DictReader(io.StringIO(body(client.get("/citations.csv?actor=hostile-actor")))))
    assert citations[0]["quote"] == PAYLOAD


def test_ics_round_trips_hostile_text(client, hostile):
    vevent = Calendar.from_ical(body(client.get("/events.ics?actor=hostile-actor"))).walk("VEVENT")[0]
    assert str(vevent["SUMMARY"]).startswith(f"Event {PAYLOAD}")
    assert PAYLOAD in str(vevent["DESCRIPTION"])


def test_atom_is_well_formed_and_round_trips_hostile_text(client, hostile):
    feed = ET.fromstring(body(client.get("/feed/?actor=hostile-actor")))
    entry = feed.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text.endswith(f"Event {PAYLOAD}")
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"  # feed readers render it, so it must be escaped HTML
    assert summary.text.startswith("<p>Summary ")
    assert_inert_html(summary.text, "atom")


@pytest.fixture
def control():
    return create_control_records()


@pytest.mark.slow
def test_stored_control_characters_and_bound_dates_never_take_a_page_down(client, control):
    events, actor, source = control
    urls = ["/", "/?actor=control-actor", "/?from=1900&to=2100", "/?q=Event", "/embed/?actor=control-actor"]
    urls += [event.get_absolute_url() for event in events] + [actor.get_absolute_url(), source.get_absolute_url()]
    urls += ["/actors/", "/sources/", "/actors.json", "/sources.json"]
    for url in urls:
        for headers in ({}, {"HX-Request": "true"}):
            assert client.get(url, headers=headers).status_code == 200, (url, headers)
    query = "?actor=control-actor"
    assert len(json.loads(body(client.get("/events.json" + query)))["events"]) == len(events)
    assert len(list(csv.DictReader(io.StringIO(body(client.get("/events.csv" + query)))))) == len(events)
    assert len(list(csv.DictReader(io.StringIO(body(client.get("/citations.csv" + query)))))) == len(events)
    assert len(Calendar.from_ical(body(client.get("/events.ics" + query))).walk("VEVENT")) == len(events)
    assert len(json.loads(body(client.get("/events.timelinejs.json" + query)))["events"]) == len(events)
    feed = ET.fromstring(body(client.get("/feed/" + query)))
    assert len(feed.findall(f"{ATOM}entry")) == len(events)


@pytest.mark.parametrize("typed", ["binance\nguilty", "binance\r\nguilty", "binance\t guilty", " binance  guilty "])
def test_a_line_break_typed_into_a_search_is_a_space_in_every_name_and_state(client, typed):
    """A newline in `q` once reached the calendar's name and took /events.ics down (icalendar refuses it)."""
    spaced = client.get("/events.ics", {"q": "binance guilty"})
    calendar = client.get("/events.ics", {"q": typed})
    assert calendar.status_code == 200
    name = str(Calendar.from_ical(calendar.content)["X-WR-CALNAME"])
    assert name.endswith("Search: “binance guilty”")
    assert calendar["ETag"] == spaced["ETag"]
    feed = ET.fromstring(body(client.get("/feed/", {"q": typed})))
    assert feed.find(f"{ATOM}title").text.endswith("Search: “binance guilty”")
    assert client.get("/", {"q": typed})["ETag"] == client.get("/", {"q": "binance guilty"})["ETag"]
