"""Constant queries per request at two data sizes, keyset pagination, and conditional GET."""

import datetime
import gzip
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from tests.oracle import between
from tests.oracle import ranked as best_first
from timeline.dataset.synthetic import generate
from timeline.listing.chart import MARK_LIMIT
from timeline.listing.index import warm
from timeline.listing.paging import PAGE_SIZE
from timeline.models import Event

HTMX = {"HTTP_HX_REQUEST": "true"}
LARGE = 10_000
QUERY_BUDGET = 8


@pytest.fixture(scope="module", params=["corpus", pytest.param("10k", marks=pytest.mark.slow)])
def dataset(request, django_db_setup, django_db_blocker):
    """The corpus alone, then the corpus plus 10,000 synthetic events, rolled back afterwards.

    Each test's own transaction nests inside as a savepoint.
    """
    if request.param == "corpus":
        yield request.param
        return
    with django_db_blocker.unblock(), transaction.atomic():
        generate(LARGE)
        yield request.param
        transaction.set_rollback(True)


URLS = [
    "/",
    "/?actor=changpeng-zhao&actor=binance&from=2019&to=2025&q=Binance",
    "/?certainty=confirmed&era=pardon&category=pardon&source=trump-defends-cz-pardon",
    "/events.json",
    "/events.json?actor=changpeng-zhao&from=2024",
    "/events/trump-pardons-cz/",
    "/events/trump-pardons-cz/detail/?q=pardon",
    "/?from=2025-03-10&to=2025-03-20",
    "/actors/changpeng-zhao/",
    "/sources/binance-monitor-world-liberty-talks/",
    "/actors/",
    "/sources/",
    "/actors.json",
    "/sources.json",
    "/?view=2024-03-01..2024-03-31&actor=changpeng-zhao&actor=binance",
    "/timeline/?view=2024-03&certainty=confirmed",
]


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "fragment"])
def test_queries_per_request_do_not_grow_with_the_data(client, db, dataset, django_assert_max_num_queries, url, htmx):
    cache.clear()  # the cold path: nothing stored yet
    warm()  # but the event index built, as every worker has it from its start (gunicorn.conf.py) and after a write
    with django_assert_max_num_queries(QUERY_BUDGET):
        response = client.get(url, **(HTMX if htmx else {}))
    assert response.status_code == 200
    if dataset == "10k" and url == "/":
        assert Event.objects.count() > LARGE
        assert f"of {Event.objects.count()} events match; showing {PAGE_SIZE} at a time" in response.content.decode()


@pytest.mark.parametrize("url", ["/", "/?view=2024-03", "/?actor=changpeng-zhao&actor=binance&actor=justin-sun"])
def test_the_chart_page_stays_within_its_byte_and_element_budget(client, db, dataset, url):
    """At 10,000 events the page is at most 100 KB compressed, and the chart draws a bounded number of SVG
    elements (bars per month or week instead of marks): the browser never holds every event."""
    body = client.get(url).content
    svg = body.decode().split('<figure class="chart"', 1)[1].split("</figure>", 1)[0]  # both layouts
    assert len(gzip.compress(body)) <= 100_000
    assert len(re.findall(r"<[a-z]", svg)) <= 1_000  # SVG elements
    assert svg.count('class="chart-item') <= MARK_LIMIT * 3 * 2  # at most the limit per lane, in each layout
    if dataset == "10k" and url == "/":
        assert 'class="chart-item chart-bin"' in svg and 'class="chart-item chart-mark' not in svg


def walk_json(client, url, limit=200):
    """Follow `next` links; bounded so a broken cursor cannot loop forever."""
    slugs, pages = [], 0
    while url and pages < limit:
        data = client.get(url).json()
        slugs += [event["slug"] for event in data["events"]]
        url, pages = data["next"], pages + 1
    assert url is None, "pagination did not end"
    return slugs, data["count"]


@pytest.mark.parametrize(
    "query", ["", "?era=prosecution&certainty=confirmed", "?q=Binance&from=2020&to=2022&order=time"]
)
def test_keyset_pages_cover_the_filtered_set_once_in_order(client, db, dataset, query):
    slugs, count = walk_json(client, f"/events.json{query}")
    expected = client.get(f"/events.json{query}").json()["count"]
    assert count == expected == len(slugs) == len(set(slugs))
    ordered = list(Event.objects.filter(slug__in=slugs).chronological().values_list("slug", flat=True))
    assert slugs == ordered


def test_pages_of_best_matches_cover_the_matches_once_in_rank_order(client, db, dataset):
    slugs, count = walk_json(client, "/events.json?q=Binance+Zhao&from=2020&to=2022")
    assert count == len(slugs) == len(set(slugs))
    ranked = between(
        Event.objects.search("Binance Zhao"), start=datetime.date(2020, 1, 1), end=datetime.date(2022, 12, 31)
    )
    assert slugs == list(best_first(ranked, "Binance Zhao").values_list("slug", flat=True))
    if dataset == "10k":
        assert count > 100  # more than one page


def test_show_more_continues_where_the_page_ended(client, db, dataset):
    first = client.get("/?era=rapprochement").content.decode()
    if dataset == "corpus":
        assert "Show the next" not in first
        return
    slugs = list(
        Event.objects.filter(era__slug="rapprochement").chronological().values_list("slug", flat=True)[: 3 * PAGE_SIZE]
    )
    html, seen = first, []
    for _ in range(3):
        seen += [slug for slug in slugs if f'id="{slug}"' in html and slug not in seen]
        link = html.split('class="load-more">', 1)[1].split('href="', 1)[1].split('"', 1)[0]
        html = client.get("/" + link.replace("&amp;", "&"), **HTMX).content.decode()
        assert "<html" not in html
    assert seen == slugs


def test_malformed_cursor_is_a_400(client, db, dataset):
    for bad in ["nonsense", "2024-01-01|9|0001~", "~-1", "x" * 500]:
        response = client.get("/", {"after": bad})
        assert response.status_code == 400
        assert "after: " in response.content.decode()
        assert client.get("/events.json", {"after": bad}).status_code == 400


def test_repeat_visits_get_304_until_the_data_changes(client, db, dataset, django_assert_max_num_queries):
    # A state whose first page holds the edited event at both sizes (the timeline clusters crowded marks).
    url = "/?actor=changpeng-zhao&from=2025-10"
    first = client.get(url)
    etag = first["ETag"]
    assert first["Last-Modified"] and first["Cache-Control"] == settings.PUBLIC_CACHE_CONTROL
    with django_assert_max_num_queries(1):
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    fragment = client.get(url, **HTMX)
    assert fragment["ETag"] != etag
    event = Event.objects.get(slug="trump-pardons-cz")
    event.title = "Trump pardons Changpeng Zhao (edited)"
    event.save()
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "(edited)" in changed.content.decode()


def test_a_repeated_filter_state_is_served_from_the_listing_cache(client, db, dataset, django_assert_max_num_queries):
    url = "/?actor=changpeng-zhao&from=2019&q=Binance"
    cold = client.get(url, **HTMX).content
    with django_assert_max_num_queries(2):  # the data version, then the page's events by id
        warm = client.get(url, **HTMX).content
    assert warm == cold
    Event.objects.filter(slug="trump-pardons-cz").first().save()  # any edit makes a new data version
    with django_assert_max_num_queries(QUERY_BUDGET):
        assert client.get(url, **HTMX).status_code == 200


def test_actor_page_says_when_it_shows_only_the_first_events(client, db, dataset):
    html = client.get("/actors/changpeng-zhao/").content.decode()
    total = Event.objects.filter(participations__actor__slug="changpeng-zhao").count()
    assert ("see all of Changpeng Zhao’s events" in html) == (total > 50)
    assert ("The first 50 events" in html) == (total > 50)
