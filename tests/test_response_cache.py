"""A repeated state is the stored response of its validator: the version query and a cache read."""

import pytest
from django.db import connection
from django.http import HttpResponse, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext

from timeline.http import MAX_STORED_BYTES, store_response, stored_response
from timeline.models import Event

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
]


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
    for name in ("Content-Type", "Content-Disposition", "Vary", "Cache-Control", "Link"):
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
