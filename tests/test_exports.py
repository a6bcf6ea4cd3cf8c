"""Every export holds exactly the filtered events, parses with a real parser, and escapes hostile text."""

import csv
import datetime
import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from icalendar import Calendar
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

from tests.test_feed_order import placed
from timeline.models import Actor, Citation, Era, Event, Participation, Source
from timeline.web.api import SCHEMA

# Absolute links name the configured site, else the test client's own host.
SITE = settings.SITE_URL or "http://testserver"

pytestmark = pytest.mark.usefixtures("corpus")

FILTER = "actor=changpeng-zhao&from=2025"
HOSTILE = '=HYPERLINK("http://x") <script>alert(1)</script> & "quoted", {{ x }}\nnext line'
ATOM = "{http://www.w3.org/2005/Atom}"


def expected_slugs(client, query=FILTER):
    return [e["slug"] for e in client.get(f"/events.json?{query}").json()["events"]]


def in_date_order(slugs):
    """The dated events among these, as calendars and feeds place them (oldest first): an imprecise date on the
    last day of its period, after the events dated within it, ties in reading order (test_feed_order.placed)."""
    events = [Event.objects.get(slug=slug) for slug in slugs]
    return [e.slug for e in sorted((e for e in events if e.date), key=placed)]


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def read_csv(response):
    assert response["Content-Disposition"].startswith("attachment; filename=")
    text = body(response).decode("utf-8")
    assert not text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def hostile_event():
    event = Event.objects.create(
        slug="hostile",
        title=HOSTILE,
        summary=HOSTILE,
        date=datetime.date(2025, 6, 1),
        date_precision="month",
        date_basis="external",
        date_note="Test data.",
        certainty="reported",
        era=Era.objects.get(slug="pardon"),
    )
    actor = Actor.objects.create(slug="hostile-actor", name="-2+3 <b>Actor</b>", kind="person")
    Participation.objects.create(event=event, actor=actor, role="@role")
    source = Source.objects.get(seed_file__startswith="001")
    quote = "Sorry to disappoint. The WSJ article got the facts wrong."
    start = source.text.index(quote)
    Citation.objects.create(event=event, source=source, quote=quote, start=start, end=start + len(quote))
    return event


def test_html_views_render_hostile_text_inert(client, hostile_event):
    for url in ["/embed/?actor=hostile-actor", "/?actor=hostile-actor", "/events/hostile/", "/actors/hostile-actor/"]:
        html = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html and "<b>Actor</b>" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url


def test_events_csv_holds_the_filtered_events(client):
    rows = read_csv(client.get(f"/events.csv?{FILTER}"))
    assert [row["url"].rsplit("/", 2)[-2] for row in rows] == expected_slugs(client)
    assert set(rows[0]) >= {
        "date",
        "precision",
        "basis",
        "title",
        "summary",
        "certainty",
        "era",
        "categories",
        "actors",
        "sources",
    }


def test_citations_csv_quotes_are_verbatim(client):
    rows = read_csv(client.get(f"/citations.csv?{FILTER}"))
    assert {row["event"] for row in rows} == set(expected_slugs(client))
    for row in rows:
        source = Source.objects.get(seed_file=row["source file"])
        assert source.text[int(row["start"]) : int(row["end"])] == row["quote"]


def test_csv_neutralises_formulas_and_keeps_other_text(client, hostile_event):
    rows = read_csv(client.get("/events.csv?actor=hostile-actor"))
    assert len(rows) == 1
    assert rows[0]["title"] == "'" + HOSTILE
    assert rows[0]["actors"] == "'-2+3 <b>Actor</b> (@role)"


def test_ics_parses_with_one_all_day_event_per_dated_event(client, hostile_event):
    calendar = Calendar.from_ical(body(client.get(f"/events.ics?{FILTER}")))
    events = calendar.walk("VEVENT")
    dated = in_date_order(expected_slugs(client))
    assert [str(e["UID"]) for e in events] == [f"{slug}@cz-timeline" for slug in dated]
    again = Calendar.from_ical(body(client.get(f"/events.ics?{FILTER}"))).walk("VEVENT")
    assert [str(e["UID"]) for e in again] == [str(e["UID"]) for e in events]
    pardon = next(e for e in events if str(e["UID"]).startswith("trump-pardons-cz@"))
    assert pardon.decoded("DTSTART") == datetime.date(2025, 10, 23)
    assert pardon.decoded("DTEND") == datetime.date(2025, 10, 24)
    assert "“correct overreach”" in str(pardon["DESCRIPTION"])

    hostile = Calendar.from_ical(body(client.get("/events.ics?actor=hostile-actor"))).walk("VEVENT")[0]
    assert str(hostile["SUMMARY"]) == f"{HOSTILE} (date known only to the month)"
    assert hostile.decoded("DTSTART") == datetime.date(2025, 6, 30)
    # a month-precision event is one day, the last of its month, and says so; not a month-long event
    assert hostile.decoded("DTEND") == datetime.date(2025, 7, 1)


def test_atom_feed_is_newest_first_and_filter_aware(client, hostile_event):
    root = ET.fromstring(body(client.get(f"/feed/?{FILTER}")))
    entries = root.findall(f"{ATOM}entry")
    links = [e.find(f"{ATOM}link").get("href") for e in entries]
    assert [link.rsplit("/", 2)[-2] for link in links] == list(reversed(in_date_order(expected_slugs(client))))
    assert all(link.startswith(f"{SITE}/events/") for link in links)

    hostile = ET.fromstring(body(client.get("/feed/?actor=hostile-actor"))).find(f"{ATOM}entry")
    assert hostile.find(f"{ATOM}title").text == f"Jun 2025: {HOSTILE}"


def test_timelinejs_json_has_dates_only_as_precise_as_known(client, hostile_event):
    data = client.get(f"/events.timelinejs.json?{FILTER}").json()
    assert data["title"]["text"]["headline"]
    slides = {slide["unique_id"]: slide for slide in data["events"]}
    dated = [s for s in expected_slugs(client) if Event.objects.get(slug=s).date]
    assert list(slides) == dated
    assert slides["trump-pardons-cz"]["start_date"] == {"year": 2025, "month": 10, "day": 23}
    assert slides["trump-pardons-cz"]["group"] == "Pardon"
    hostile = client.get("/events.timelinejs.json?actor=hostile-actor").json()["events"][0]
    assert hostile["start_date"] == {"year": 2025, "month": 6}
    assert "<script>" not in hostile["text"]["text"] and "&lt;script&gt;" in hostile["text"]["text"]


def test_embed_can_be_framed_only_there_and_holds_the_filtered_events(client):
    embed = client.get(f"/embed/?{FILTER}")
    assert "X-Frame-Options" not in embed
    html = embed.content.decode()
    for event in Event.objects.all():
        assert (f'id="{event.slug}"' in html) == (event.slug in expected_slugs(client))
    assert client.get("/")["X-Frame-Options"] == "DENY"
    assert client.get("/embed/?from=nonsense").status_code == 400


def test_export_links_and_embed_snippet_carry_the_filters(client):
    html = client.get(f"/?{FILTER}").content.decode()
    query = FILTER.replace("&", "&amp;")
    for path in ["/events.csv", "/citations.csv", "/events.ics", "/feed/", "/events.timelinejs.json"]:
        assert f"{path}?{query}" in html, path
    assert f"&lt;iframe src=&quot;{SITE}/embed/?{query}&quot;" in html


@pytest.mark.parametrize("url", ["/events.csv", "/citations.csv", "/events.ics", "/feed/", "/events.timelinejs.json"])
def test_exports_refuse_malformed_filters(client, url):
    response = client.get(url, {"certainty": "maybe"})
    assert response.status_code == 400
    assert "certainty" in response.json()["errors"][0]


@pytest.mark.parametrize(
    "url",
    [
        "/events.json",
        f"/events.json?{FILTER}",
        "/events.json?certainty=maybe",
        "/actors.json",
        "/sources.json",
        "/events.timelinejs.json",
        f"/events.timelinejs.json?{FILTER}",
        "/events.timelinejs.json?from=2025-02-30",
    ],
)
def test_json_responses_match_the_openapi_schema(client, url):
    openapi = OpenAPI.from_dict(json.loads(client.get("/api/schema.json").content))
    response = client.get(url)
    openapi.validate_response(DjangoOpenAPIRequest(response.wsgi_request), DjangoOpenAPIResponse(response))


def test_schema_page_lists_every_endpoint(client):
    html = client.get("/api/").content.decode()
    for path in SCHEMA["paths"]:
        assert f"GET {path}" in html
