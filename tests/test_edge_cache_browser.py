"""A reader's Back and Forward in Chromium through Varnish (bench/varnish.vcl) in front of the live server.

Each page reached through the edge must equal a fresh load of its URL from the app itself: a
history restore that Varnish answers with a stored htmx fragment leaves a bare list behind.
"""

import os
import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from tests.conftest import go_back, go_forward
from tests.services import throwaway_varnish
from tests.test_reader_walk import WIDE, differences, errors, new_page, settle, snapshot

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.services]

VCL = settings.BASE_DIR / "bench" / "varnish.vcl"


@pytest.fixture
def edge(site):
    """Varnish in front of the live server that serves the committed corpus; its URL."""
    with throwaway_varnish(urlsplit(site).port, VCL) as varnish:
        yield varnish.url


@pytest.fixture
def pages(browser, site, edge):
    """A reader's page through the edge, and a page on the app itself for fresh loads."""
    reader, origin = new_page(browser, edge, WIDE), new_page(browser, site, WIDE)
    yield reader, origin
    reader.context.close()
    origin.context.close()


def as_fresh_load(reader, origin):
    """The reader's page against a fresh load of the same path and query from the app, without the edge."""
    settle(reader)
    url = urlsplit(reader.url)
    origin.goto(url.path + (f"?{url.query}" if url.query else ""))
    settle(origin)
    found = differences(snapshot(reader), snapshot(origin), shown_more=False)
    assert found == {}, f"{reader.url} through Varnish differs from a fresh load: {found}"
    assert errors(reader) == [] and errors(origin) == []


def search(page, words):
    """Type the words, pause (one history entry), then leave the field (the change settles the entry)."""
    page.locator("#id_q").click()
    page.keyboard.press("Control+A")
    page.keyboard.type(words)
    page.wait_for_url(re.compile(r"q=" + re.escape(words.split()[0])))
    settle(page)
    page.keyboard.press("Tab")
    settle(page)


def test_back_after_two_searches_through_varnish_shows_the_first_search_whole(pages):
    reader, origin = pages
    reader.goto("/")
    settle(reader)
    search(reader, "pardon")
    first = snapshot(reader)
    search(reader, "Abu Dhabi")
    go_back(reader)
    reader.wait_for_url(re.compile(r"q=pardon$"))
    as_fresh_load(reader, origin)
    assert snapshot(reader)["events"] == first["events"]
    go_forward(reader)
    reader.wait_for_url(re.compile(r"q=Abu"))
    as_fresh_load(reader, origin)


def test_back_and_forward_across_two_ticks_through_varnish(pages):
    reader, origin = pages
    reader.goto("/")
    settle(reader)
    for certainty in ("confirmed", "reported"):
        reader.get_by_role("checkbox", name=re.compile(rf"^{certainty.title()} \d+ matching$")).check()
        reader.wait_for_url(re.compile(certainty))
        as_fresh_load(reader, origin)
    for move, wanted in [
        (lambda: go_back(reader), r"\?certainty=confirmed$"),
        (lambda: go_back(reader), r"/$"),
        (lambda: go_forward(reader), r"\?certainty=confirmed$"),
        (lambda: go_forward(reader), r"certainty=confirmed&certainty=reported$"),
    ]:
        move()
        reader.wait_for_url(re.compile(wanted))
        as_fresh_load(reader, origin)
