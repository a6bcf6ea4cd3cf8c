"""The facets' checkboxes and counts, built in Python for speed (listing/facets.py, the one source of
that markup), read back as a browser would parse them: every option says what the state and its counts say.
A long group with nothing chosen is left out of the page and served by its own URL (views.facet_options)."""

import html
import json
import re
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.http import QueryDict

from timeline.listing.facets import LONG_FACET
from timeline.listing.query import EventQuery
from timeline.models import Actor, DataVersion

pytestmark = pytest.mark.usefixtures("corpus")

STATES = [
    {},
    {"actor": ["changpeng-zhao", "binance"]},
    {"q": "pardon"},
    {"category": "legal", "certainty": "reported"},
    {"stance": "disputes"},
    {"from": "2030"},
]


class Options(HTMLParser):
    """Each <label class="option">: its checkbox's attributes, its label's text and badge, its count span."""

    def __init__(self):
        super().__init__()
        self.options, self.swaps, self.open = [], [], []
        self.current = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.open.append((tag, attrs))
        if tag == "label" and attrs.get("class") == "option":
            self.current = {"label": "", "count": "", "badge": None}
        elif self.current is not None and tag == "input":
            self.current["input"] = attrs
        elif tag == "span" and "count" in (attrs.get("class") or "").split():
            if self.current is not None:
                self.current["count_attrs"] = attrs
            else:
                self.swaps.append({"attrs": attrs, "count": ""})
        elif self.current is not None and tag == "span" and "badge" in (attrs.get("class") or "").split():
            self.current["badge"] = attrs["class"]

    def handle_endtag(self, tag):
        self.open.pop()
        if tag == "label" and self.current is not None:
            self.options.append(self.current)
            self.current = None

    def handle_data(self, data):
        in_count = any(tag == "span" and "count" in (a.get("class") or "").split() for tag, a in self.open)
        hidden = any(a.get("class") == "visually-hidden" for _, a in self.open)
        if hidden:
            return
        if self.current is not None:
            self.current["count" if in_count else "label"] += data
        elif in_count and self.swaps:
            self.swaps[-1]["count"] += data


def parsed(html):
    parser = Options()
    parser.feed(str(html))
    parser.close()
    return parser


def query_of(state):
    params = QueryDict(mutable=True)
    for name, value in state.items():
        params.setlist(name, value if isinstance(value, list) else [value])
    return EventQuery(params, DataVersion.current()[0])


def facets_of(state):
    return query_of(state).facets()


@pytest.mark.parametrize("state", STATES)
def test_every_checkbox_says_its_option_whether_it_is_chosen_and_its_count(state):
    for group in facets_of(state).values():
        found = parsed(group.checkboxes()).options
        assert len(found) == len(group.options), group.name
        for option, shown in zip(group.options, found, strict=True):
            assert shown["input"]["type"] == "checkbox"
            assert (shown["input"]["name"], shown["input"]["value"]) == (group.name, option.slug)
            assert ("checked" in shown["input"]) == option.checked
            assert option.checked == (
                option.slug in (state.get(group.name) or []) or state.get(group.name) == option.slug
            )
            assert shown["label"].strip() == option.label
            assert shown["count"] == str(option.matches)
            assert shown["count_attrs"]["id"] == f"n-{group.name}-{option.slug}"
            assert ("zero" in shown["count_attrs"]["class"].split()) == (option.matches == 0)
            if group.badge:
                assert shown["badge"].split() == ["badge", group.name, f"{group.name}-{option.slug}"]
            else:
                assert shown["badge"] is None


def query_string(state):
    return urlencode(state, doseq=True)


@pytest.mark.parametrize("state", STATES)
def test_a_filter_change_sends_every_options_count_for_the_page_to_write(client, state):
    """The fragment's counts (site.js writes them into each option shown) are the state's facets, every option."""
    response = client.get(f"/?{query_string(state)}", HTTP_HX_REQUEST="true")
    found = re.search(r'<div id="facet-counts" hidden hx-swap-oob="true" data-counts="([^"]*)"></div>', response.text)
    sent = json.loads(html.unescape(found.group(1)))
    groups = facets_of(state)
    assert sent == {name: {o.slug: o.matches for o in group.options} for name, group in groups.items()}


@pytest.mark.parametrize("state", STATES)
def test_a_long_group_with_nothing_chosen_is_left_to_its_own_url(client, state):
    """The page leaves the actors out unless one is chosen; their URL serves the same checkboxes, as a
    fragment for the page's script and as a page whose form keeps the rest of the state."""
    page = client.get(f"/?{query_string(state)}").text
    for group in facets_of(state).values():
        shown = {o["input"]["value"] for o in parsed(page).options if o["input"]["name"] == group.name}
        url = f"/facets/{group.name}/"
        if group.deferred:
            assert len(group.options) > LONG_FACET and not group.selected
            assert not shown
            assert f'data-options="{url}"' in page
            link = (url + query_of(state).link(after=None)).replace("&", "&amp;")
            assert f'<a href="{link}">Choose among the {len(group.options)} {group.legend.lower()}</a>' in page
        else:
            assert shown == {o.slug for o in group.options}
        fragment = client.get(f"{url}?{query_string(state)}", HTTP_HX_REQUEST="true")
        assert fragment.status_code == 200 and "<form" not in fragment.text
        assert str(group.checkboxes()).strip() == fragment.text.strip()
        own_page = client.get(f"{url}?{query_string(state)}")
        assert "HX-Request" in own_page["Vary"]
        assert str(group.checkboxes()) in own_page.text
        kept = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', own_page.text)
        assert sorted(kept) == sorted(
            (name, value)
            for name, values in state.items()
            for value in (values if isinstance(values, list) else [values])
            if name != group.name
        )


def test_the_actors_are_a_long_group_of_the_articles_corpus():
    """The corpus's own 38 actors take the deferred path, so every test that opens the facet walks it."""
    assert facets_of({})["actor"].deferred and not facets_of({"actor": "binance"})["actor"].deferred
    assert not facets_of({})["category"].deferred


def test_a_facet_url_of_no_filter_is_not_found_and_a_bad_state_is_a_400(client):
    assert client.get("/facets/nothing/").status_code == 404
    response = client.get("/facets/actor/?from=Marhc+2025")
    assert response.status_code == 400 and "Marhc" in response.text


def test_a_label_is_escaped_once_and_read_back_as_typed():
    Actor.objects.filter(slug="binance").update(name='Binance <b>&amp;</b> "Co"')
    DataVersion.objects.update(token="renamed")
    group = facets_of({})["actor"]
    html = str(group.checkboxes())
    assert "<b>" not in html
    assert any(shown["label"].strip() == 'Binance <b>&amp;</b> "Co"' for shown in parsed(html).options)


def test_a_facets_options_cost_a_few_queries(client, django_assert_max_num_queries):
    """Counted from the event index, as the chronology's facets are: the data version and the search's matches."""
    client.get("/")
    with django_assert_max_num_queries(2):
        response = client.get("/facets/actor/?certainty=confirmed&q=pardon", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response.text.count('<label class="option">') == Actor.objects.count()
