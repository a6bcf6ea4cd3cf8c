"""A repeated state is the stored response of its validator: the version query and a cache read."""

import os
from unittest import mock

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.http import HttpResponse, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext

from timeline.cache.local import BoundedLocMemCache
from timeline.models import Event, Source
from timeline.web.http import MAX_STORED_BYTES, store_response, stored_response

pytestmark = pytest.mark.usefixtures("corpus")

HTMX = {"HX-Request": "true"}
URLS = [
    ("/", {}),
    ("/?actor=changpeng-zhao&from=2024", HTMX),
    ("/events/trump-pardons-cz/", {}),
    ("/events.json?q=pardon", {}),
    ("/events.ics?actor=justin-sun", {}),
    ("/feed/?actor=changpeng-zhao", {}),
    ("/annotations.jsonld", {}),
    ("/embed/?actor=changpeng-zhao", {}),
]
# What the middleware adds from marks a view sets on its response (xframe_options_exempt, csp_replace):
# a stored copy or a 304 is made without the view, and must still carry them.
SECURITY_HEADERS = (
    "X-Frame-Options",
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Permissions-Policy",
)


def tables_read(queries):
    return {table for q in queries for table in ("timeline_event", "timeline_citation", "timeline_actor") if table in q}


@pytest.mark.parametrize(("url", "headers"), URLS)
def test_a_repeated_state_reads_only_the_data_version(client, url, headers):
    first = client.get(url, headers=headers)
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as captured:
        again = client.get(url, headers=headers)
    assert again.status_code == 200
    assert again.content == first.content
    assert again.headers["ETag"] == first.headers["ETag"]
    for name in ("Content-Type", "Content-Disposition", "Vary", "Cache-Control", "Link", *SECURITY_HEADERS):
        assert again.headers.get(name) == first.headers.get(name), name
    sql = [q["sql"] for q in captured.captured_queries]
    assert not tables_read(sql), sql
    assert any("timeline_dataversion" in q for q in sql)


def test_a_change_of_data_is_never_answered_from_a_stored_response(client):
    before = client.get("/?actor=changpeng-zhao")
    Event.objects.filter(slug="trump-pardons-cz").update(title="A title set by the test")
    after = client.get("/?actor=changpeng-zhao")
    assert after.headers["ETag"] != before.headers["ETag"]
    assert b"A title set by the test" in after.content and b"A title set by the test" not in before.content


def test_page_fragment_and_history_restore_are_stored_apart(client):
    page = client.get("/?actor=justin-sun")
    fragment = client.get("/?actor=justin-sun", headers=HTMX)
    restored = client.get("/?actor=justin-sun", headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert b"<html" in page.content and b"<html" not in fragment.content
    assert restored.content == page.content
    assert client.get("/?actor=justin-sun", headers=HTMX).content == fragment.content


def test_only_plain_complete_200s_are_stored():
    refused = HttpResponse("a readable problem", status=400)
    streamed = StreamingHttpResponse(iter([b"a,b\n"]))
    with_cookie = HttpResponse("hello")
    with_cookie.set_cookie("c", "1")
    huge = HttpResponse(b"x" * (MAX_STORED_BYTES + 1))
    for name, response in [("refused", refused), ("streamed", streamed), ("cookie", with_cookie), ("huge", huge)]:
        store_response(f"test:{name}", response)
        assert stored_response(f"test:{name}") is None, name
    plain = HttpResponse("<p>hello</p>", content_type="text/html; charset=utf-8")
    plain["Content-Disposition"] = 'inline; filename="x.html"'
    store_response("test:plain", plain)
    back = stored_response("test:plain")
    assert back.content == plain.content and back["Content-Disposition"] == plain["Content-Disposition"]
    assert back["Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize(("url", "headers"), URLS)
def test_a_304_carries_the_security_and_framing_headers_of_the_200(client, url, headers):
    first = client.get(url, headers=headers)
    revalidated = client.get(url, headers={**headers, "If-None-Match": first.headers["ETag"]})
    assert revalidated.status_code == 304
    for name in ("Vary", "Cache-Control", "ETag", *SECURITY_HEADERS):
        assert revalidated.headers.get(name) == first.headers.get(name), name


def test_the_embed_stays_frameable_when_asked_again_and_revalidated(client):
    answers = [client.get("/embed/?actor=justin-sun") for _ in range(2)]
    answers.append(client.get("/embed/?actor=justin-sun", headers={"If-None-Match": answers[0].headers["ETag"]}))
    assert [a.status_code for a in answers] == [200, 200, 304]
    for answer in answers:
        assert "X-Frame-Options" not in answer.headers
        assert "frame-ancestors *" in answer.headers["Content-Security-Policy"]
    framed_elsewhere = client.get("/?actor=justin-sun")
    assert framed_elsewhere.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in framed_elsewhere.headers["Content-Security-Policy"]


def test_a_history_restore_after_a_swap_is_the_whole_page_and_says_what_it_varies_on(client):
    fragment = client.get("/?certainty=confirmed", headers=HTMX)
    restored = client.get("/?certainty=confirmed", headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert b"<html" not in fragment.content and b"<h1" in restored.content and b"<form" in restored.content
    for response in (fragment, restored):
        assert set(response.headers["Vary"].split(", ")) == {"HX-Request", "HX-History-Restore-Request"}
    assert restored.headers["ETag"] != fragment.headers["ETag"]


def test_what_a_page_does_not_read_makes_no_response_of_its_own(client):
    """A detail page reads no parameter: appended ones share its validator and its one stored copy."""
    source = "/sources/" + Source.objects.values_list("slug", flat=True).first() + "/"
    with mock.patch("timeline.web.http.store_response", wraps=store_response) as storing:
        tags = {client.get(f"{source}?n={i}").headers["ETag"] for i in range(20)}
    assert tags == {client.get(source).headers["ETag"]}
    assert storing.call_count == 1


def test_a_listing_still_refuses_what_it_does_not_read(client):
    assert client.get("/?actor=changpeng-zhao").status_code == 200
    refused = client.get("/?actor=changpeng-zhao&n=1")
    assert refused.status_code == 400 and b"unknown parameter" in refused.content


@pytest.mark.slow
def test_a_worker_keeps_at_most_its_byte_budget_of_stored_pages(client, settings):
    """Many states of a listing (each a stored page) never hold more than the budget."""
    if "REDIS_URL" not in os.environ:
        assert isinstance(caches["default"], BoundedLocMemCache) and caches["default"].max_bytes > 0
    budget = BoundedLocMemCache("budget-test", {"OPTIONS": {"MAX_ENTRIES": 10_000, "MAX_BYTES": 200_000}})
    budget.clear()
    with mock.patch("timeline.web.http.cache", budget):
        for i in range(60):
            assert client.get(f"/?q=pardon&from={2000 + i}").status_code == 200
    assert 0 < budget.held_bytes <= 200_000
    assert budget.held_bytes == sum(map(len, budget._cache.values()))


def test_the_byte_budget_lets_the_least_recently_used_go_first():
    budget = BoundedLocMemCache("budget-unit", {"OPTIONS": {"MAX_ENTRIES": 100, "MAX_BYTES": 3_000}})
    budget.clear()
    for name in "abc":
        budget.set(name, b"x" * 900)
    budget.get("a")
    budget.set("a", b"y" * 900)  # replaced, not counted twice
    budget.set("d", b"x" * 900)
    assert budget.get("b") is None and budget.get("a") == b"y" * 900 and budget.get("d") is not None
    budget.set("huge", b"x" * 5_000)
    assert budget.get("huge") is None and budget.get("a") is not None
    assert budget.held_bytes == sum(map(len, budget._cache.values())) <= 3_000
    budget.set("counter", 9)
    assert budget.incr("counter") == 10  # LocMemCache rewrites the value in place: the bytes are counted again
    assert budget.held_bytes == sum(map(len, budget._cache.values())) <= 3_000
    budget.delete("a")
    budget.clear()
    assert budget.held_bytes == 0


@pytest.mark.parametrize(
    "header",
    ["HX-Target", "HX-Trigger", "HX-Trigger-Name", "HX-Current-URL", "HX-Boosted", "HX-Prompt", "X-Forwarded-Host"],
)
def test_a_header_the_responses_do_not_vary_on_changes_no_body(client, header):
    """Vary names HX-Request and HX-History-Restore-Request only: every other header must leave the body as it is."""
    for headers in ({}, HTMX):
        plain = client.get("/?actor=changpeng-zhao&q=pardon", headers=headers)
        cache.clear()
        other = client.get("/?actor=changpeng-zhao&q=pardon", headers={**headers, header: "/elsewhere?x=1"})
        assert other.content == plain.content and other.headers["ETag"] == plain.headers["ETag"]
