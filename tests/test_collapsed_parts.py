"""A listing ships each event's summary line; its statements, facts and citations load when the event is
opened, from a public URL, and without JavaScript a link reaches the same text (issue 31, item 8)."""

import re

import pytest

from timeline.models import Event

pytestmark = pytest.mark.usefixtures("corpus")

HTMX = {"HX-Request": "true"}
DETAILS = re.compile(
    r'<article class="event[^"]*" id="(?P<slug>[^"]+)">.*?<details (?P<attributes>[^>]*)>.*?</summary>'
    r"(?P<collapsed>.*?)</details>",
    re.S,
)


def collapsed_parts(html):
    return {m["slug"]: (m["attributes"], m["collapsed"]) for m in DETAILS.finditer(html)}


@pytest.mark.parametrize("url", ["/", "/?era=pardon", "/actors/changpeng-zhao/"])
def test_a_listing_ships_no_statement_footnote_or_quote_of_a_collapsed_event(client, url):
    html = client.get(url).content.decode()
    parts = collapsed_parts(html)
    assert parts and len(parts) == html.count('<article class="event ')
    for slug, (attributes, collapsed) in parts.items():
        assert attributes == f'data-part="/events/{slug}/detail/"'
        assert "<blockquote" not in collapsed and 'class="marker"' not in collapsed and "<dl" not in collapsed
        assert f'<a href="/events/{slug}/">' in collapsed  # without JavaScript: the event's page
    if not url.startswith("/actors/"):  # an actor's page quotes what its own description rests on
        assert "<blockquote" not in html


def test_what_opening_loads_is_what_the_event_page_shows(client):
    for event in Event.objects.filter(era__slug="pardon"):
        part = client.get(f"/events/{event.slug}/detail/", headers=HTMX)
        assert part.status_code == 200 and "<html" not in part.content.decode()
        page = client.get(event.get_absolute_url()).content.decode()
        detail = re.search(r'<div class="event-detail">.*?<p class="permalink">', page, re.S).group()
        assert detail.replace("<h2", "<h5").replace("</h2>", "</h5>") in part.content.decode()
        for citation in event.citations.all():
            assert f'<blockquote cite="{citation.source.get_absolute_url()}#{citation.anchor}">' in detail


def test_each_quote_prints_its_absolute_address(client):
    part = client.get("/events/trump-pardons-cz/detail/").content.decode()
    addresses = re.findall(r'<span class="print-address">([^<]+)</span>', part)
    citations = Event.objects.get(slug="trump-pardons-cz").citations.all()
    assert sorted(addresses) == sorted(f"http://testserver{c.source.get_absolute_url()}#{c.anchor}" for c in citations)


def test_a_part_refuses_a_search_too_long_and_answers_404_for_no_event(client):
    response = client.get("/events/trump-pardons-cz/detail/", {"q": "x" * 201})
    assert response.status_code == 400 and "q: " in response.content.decode()
    assert client.get("/events/no-such-event/detail/").status_code == 404


def test_opening_an_event_costs_a_few_queries(client, django_assert_max_num_queries):
    """The version, the event and its four related lists; and here the event index's build too, the first
    request of a data version: its rows, and the postings of its words (listing/words.py)."""
    with django_assert_max_num_queries(8):
        assert client.get("/events/trump-defends-pardon/detail/", {"q": "pardon"}).status_code == 200
