"""The page says which filters are on (issue 31 item 5): in the live region beside the count, each filter with
its label and a link that takes it off, in the page and in the htmx fragment, without JavaScript, printed."""

import html as html_lib
import re

import pytest

pytestmark = pytest.mark.usefixtures("corpus")
HTMX = {"HTTP_HX_REQUEST": "true"}
STATE = "/?q=pardon&certainty=confirmed&actor=changpeng-zhao&actor=donald-trump&from=2024&to=2025"
# What each filter of STATE is called on the page, and the state without it (worked out by hand).
EXPECTED = [
    ("Search: “pardon”", "/?certainty=confirmed&actor=changpeng-zhao&actor=donald-trump&from=2024&to=2025"),
    ("Certainty: Confirmed", "/?q=pardon&actor=changpeng-zhao&actor=donald-trump&from=2024&to=2025"),
    ("Actors: Changpeng Zhao", "/?q=pardon&certainty=confirmed&actor=donald-trump&from=2024&to=2025"),
    ("Actors: Donald Trump", "/?q=pardon&certainty=confirmed&actor=changpeng-zhao&from=2024&to=2025"),
    ("Dates: from 2024 to 2025", "/?q=pardon&certainty=confirmed&actor=changpeng-zhao&actor=donald-trump"),
]


def live_region(page):
    """The live region's HTML: the page's own, or what an htmx fragment swaps into it."""
    region = r'<div id="result-status" class="result-status" role="status" aria-live="polite">(.*?)</div>\s*<div '
    found = re.search(region, page, re.S)
    if found is None:
        found = re.search(r'<div hx-swap-oob="innerHTML:#result-status">(.*?)</div>\s*(?:<span|\n)', page, re.S)
    return found.group(1)


def active_filters(region):
    """[(the filter as a reader sees it, its removal link)] in a live region's HTML."""
    links = re.findall(r'<a class="active-filter" href="([^"]+)">(.*?)</a>', region, re.S)
    shown = []
    for href, inner in links:
        visible = re.sub(r'<span class="(visually-hidden|remove-mark)"[^>]*>.*?</span>', "", inner)
        text = html_lib.unescape(re.sub(r"<[^>]+>", "", visible)).strip()
        shown.append((" ".join(text.split()), html_lib.unescape(href)))
    return shown


def test_the_page_lists_every_filter_on_with_the_link_that_takes_it_off(client):
    page = client.get(STATE).content.decode()
    region = live_region(page)
    assert active_filters(region) == EXPECTED
    assert re.search(r"\d+ of \d+ events? match", region)  # beside the count, in the same polite region
    assert '<span class="visually-hidden">Remove the filter </span>' in region
    assert '<a class="active-clear" href="/">Clear all filters</a>' in region


def test_the_htmx_fragment_swaps_the_same_list_into_the_live_region(client):
    fragment = client.get(STATE, **HTMX).content.decode()
    assert active_filters(live_region(fragment)) == EXPECTED


def test_each_removal_link_gives_the_state_without_that_filter(client):
    for label, link in EXPECTED:
        after = active_filters(live_region(client.get(link).content.decode()))
        assert label not in [shown for shown, _ in after]
        assert len(after) == len(EXPECTED) - 1


def test_no_filter_no_list_and_one_filter_no_clear_all(client):
    assert 'class="active-filters"' not in live_region(client.get("/").content.decode())
    region = live_region(client.get("/?era=pardon").content.decode())
    assert active_filters(region) == [("Eras: Pardon", "/")]
    assert "active-clear" not in region


def test_kept_undated_events_and_the_choice_filters_are_named(client):
    region = live_region(client.get("/?from=2025&undated=include&stance=disputes").content.decode())
    assert active_filters(region) == [
        ("Disputes: Disputed by a quoted passage", "/?from=2025&undated=include"),
        ("Dates: from 2025, keeping the undated events", "/?stance=disputes"),
    ]


def test_a_date_that_cannot_be_read_is_not_listed_as_on(client):
    region = live_region(client.get("/?era=pardon&from=Octobre+2025").content.decode())
    assert [label for label, _ in active_filters(region)] == ["Eras: Pardon"]
