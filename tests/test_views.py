"""The chronology page, its htmx fragment and the 400s for every malformed parameter."""

import datetime
import re
from urllib.parse import urlencode

import pytest
from django.utils.html import escape

from tests.oracle import between, involving, ranked
from timeline.models import Actor, Event

pytestmark = pytest.mark.usefixtures("corpus")

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_full_page_lists_every_event_in_order(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    slugs = list(Event.objects.chronological().values_list("slug", flat=True))
    positions = [html.index(f'id="{slug}"') for slug in slugs]
    assert positions == sorted(positions)
    assert f"{len(slugs)} of {len(slugs)} events match." in html
    assert "<svg" in html and 'class="chart-item chart-mark' in html
    dated = Event.objects.filter(date__isnull=False).count()
    assert f"Timeline: {dated} dated events" in html and "1 Nov 2023 to 31 Dec 2025" in html
    assert response["Vary"] == "HX-Request, HX-History-Restore-Request"


def test_htmx_request_gets_only_the_results_fragment(client):
    response = client.get("/?certainty=speculative", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert re.match(r'\s*<title>Chronology · CZ and Binance</title>\s*<div id="results"', html)  # htmx sets the title
    assert "<html" not in html
    assert 'hx-swap-oob="innerHTML:#result-status"' in html
    assert "HX-Request" in response["Vary"]
    speculative = Event.objects.filter(certainty="speculative")
    assert speculative.exists()
    for event in Event.objects.exclude(certainty="speculative"):
        assert f'id="{event.slug}"' not in html
    for event in speculative:
        assert f'id="{event.slug}"' in html


def test_history_restore_request_gets_the_full_page(client):
    response = client.get("/?certainty=confirmed", HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX)
    assert "<html" in response.content.decode()


def test_filters_combine(client):
    actor = Actor.objects.get(slug="changpeng-zhao")
    response = client.get("/", {"actor": actor.slug, "from": "2025", "certainty": ["confirmed", "reported"]})
    confirmed_or_reported = Event.objects.filter(certainty__in=["confirmed", "reported"])
    expected = between(involving(confirmed_or_reported, [actor]), start=datetime.date(2025, 1, 1))
    html = response.content.decode()
    assert expected.exists()
    for event in Event.objects.all():
        assert (f'id="{event.slug}"' in html) == expected.filter(pk=event.pk).exists(), event.slug


@pytest.mark.parametrize(
    "query, message",
    [
        ("actor=nobody", "actor: Select a valid choice. nobody is not one of the available choices."),
        ("category=nope", "category: Select a valid choice."),
        ("certainty=maybe", "certainty: Select a valid choice. maybe is not one of the available choices."),
        ("source=nope", "source: Select a valid choice."),
        ("era=nope", "era: Select a valid choice."),
        ("from=2025-02-30", "from: “2025-02-30” is not a date we can read"),
        ("to=yesterday", "to: “yesterday” is not a date we can read"),
        ("from=2025&to=2024", "“From” (2025) is after “To” (2024)."),
        ("colour=red", "colour: unknown parameter"),
        ("q=" + "x" * 300, "q: Ensure this value has at most 200 characters"),
    ],
)
def test_malformed_parameters_get_a_readable_400(client, query, message):
    response = client.get(f"/?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert '<form id="filter-form"' in html  # the rest of the page stays usable

    fragment = client.get(f"/?{query}", **HTMX)
    assert fragment.status_code == 400
    assert message in fragment.content.decode()

    data = client.get(f"/events.json?{query}")
    assert data.status_code == 400
    assert any(message in problem for problem in data.json()["errors"])


def test_from_and_to_say_what_was_understood(client):
    html = client.get("/", {"from": "March 2025", "to": "2025-10-23"}).content.decode()
    assert "From understood as Mar 2025 (from 1 Mar 2025)." in html
    assert "To understood as 23 Oct 2025 (to 23 Oct 2025)." in html


def test_search_finds_actors_through_garbled_aliases(client):
    response = client.get("/events.json", {"q": "Justin Solar"})
    slugs = {e["slug"] for e in response.json()["events"]}
    sun = involving(Event.objects.all(), Actor.objects.filter(slug="justin-sun"))
    assert slugs and slugs == set(sun.values_list("slug", flat=True))


def test_event_permalink_actor_and_source_pages(client, django_assert_max_num_queries):
    event = Event.objects.filter(citations__isnull=False).first()
    with django_assert_max_num_queries(8):
        page = client.get(event.get_absolute_url())
    assert page.status_code == 200
    citation = event.citations.first()
    assert escape(citation.quote) in page.content.decode()

    with django_assert_max_num_queries(8):
        source_page = client.get(citation.source.get_absolute_url())
    html = source_page.content.decode()
    assert f'id="{citation.anchor}"' in html
    assert event.get_absolute_url() in html

    actor = Actor.objects.get(slug="justin-sun")
    actor_page = client.get(actor.get_absolute_url()).content.decode()
    assert "Justin Solar" in actor_page and "[sic]" in actor_page


@pytest.mark.parametrize("url", ["/events/nope/", "/actors/nope/", "/sources/nope/"])
def test_unknown_slugs_are_404(client, url):
    assert client.get(url).status_code == 404


def test_best_matches_first_orders_by_search_rank(client):
    page = client.get("/events.json", {"q": "pardon", "order": "relevance"}).json()["events"]
    chronological = client.get("/events.json", {"q": "pardon", "order": "time"}).json()["events"]
    assert sorted(e["slug"] for e in page) == sorted(e["slug"] for e in chronological)
    best = list(ranked(Event.objects.search("pardon"), "pardon"))
    assert [e["slug"] for e in page] == [e.slug for e in best]
    assert [e["slug"] for e in page] != [e["slug"] for e in chronological]
    html = client.get("/", {"q": "pardon", "order": "relevance"}).content.decode()
    assert "Best matches" in html and "Show the next" not in html
    positions = [html.index(f'id="{e.slug}"') for e in best]
    assert positions == sorted(positions)


@pytest.mark.parametrize(
    "query, message",
    [
        ("order=bogus", "order: Select a valid choice"),
        ("q=pardon&order=relevance&after=~5", "after: this position belongs to the other order"),
        ("q=pardon&order=time&after=r50", "after: this position belongs to the other order"),
        ("after=r50", "after: this position belongs to the other order"),
        ("undated=include", "undated: only a date range"),
    ],
)
def test_bad_ordering_requests_are_400(client, query, message):
    response = client.get(f"/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def date_field_page(client, value, **headers):
    response = client.get("/", {"from": value, "actor": "changpeng-zhao"}, **headers)
    assert response.status_code == 400
    return response.content.decode()


def beside_from(html):
    return re.search(r'<span id="from-understood"[^>]*>(.*?)</span>', html, re.S).group(1)


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_an_ambiguous_date_is_refused_beside_its_field_and_the_page_stays(client, headers):
    html = date_field_page(client, "03/04/2025", **headers)
    message = "03/04/2025 could be 3 April 2025 or March 4, 2025: write 2025-04-03 or 3 April 2025"
    assert message in beside_from(html)
    assert 'id="results"' in html
    if not headers:
        assert "<h1>" in html and '<form id="filter-form"' in html and 'value="03/04/2025"' in html


def test_a_mistyped_month_keeps_the_page_and_links_to_the_nearest_reading(client):
    html = date_field_page(client, "Marhc 2025")
    beside = beside_from(html)
    assert "“Marhc 2025” is not a date we can read" in beside and "Did you mean March 2025?" in beside
    link = re.search(r'<a href="([^"]+)">Show March 2025</a>', beside).group(1).replace("&amp;", "&")
    assert link == "/?actor=changpeng-zhao&from=March+2025"
    assert client.get(link).status_code == 200
    assert "<h1>" in html and '<form id="filter-form"' in html and 'id="results"' in html
    assert 'value="Marhc 2025"' in html  # the field keeps what was typed


def test_a_year_first_date_with_slashes_is_read_year_month_day(client):
    html = client.get("/", {"from": "2025/03/04"}).content.decode()
    assert "From understood as 4 Mar 2025 (from 4 Mar 2025)." in html


def event_slugs(html):
    return re.findall(r'<article class="event [^"]*" id="([a-z0-9-]+)"', html)


@pytest.mark.parametrize("typed", ["Marhc 2025", "03/04/2025"])
@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}])
def test_a_date_that_cannot_be_read_leaves_the_rest_of_the_list_standing(client, typed, headers):
    """While a reader corrects a date, the list is the rest of the state's, and says the date is left out."""
    rest = client.get("/", {"actor": "changpeng-zhao", "certainty": "confirmed"}, headers=headers)
    misread = client.get("/", {"actor": "changpeng-zhao", "certainty": "confirmed", "from": typed}, headers=headers)
    assert misread.status_code == 400
    html = misread.content.decode()
    assert event_slugs(html) and event_slugs(html) == event_slugs(rest.content.decode())
    assert "1 filter left out (see its message)." in html and "The list below leaves it out." in html
    links = [link for link in re.findall(r'href="([^"]*)"', html) if "Did you mean" not in link]
    assert not [link for link in links if f"from={urlencode({'': typed})[1:]}" in link], links  # the date left out


def test_a_problem_other_than_a_typed_date_still_shows_no_list(client):
    for params in ({"from": "2025", "to": "2024"}, {"from": "Marhc 2025", "bogus": "1"}, {"actor": "nobody"}):
        response = client.get("/", params)
        assert response.status_code == 400 and not event_slugs(response.content.decode()), params
        assert "Filters not applied" in response.content.decode()
