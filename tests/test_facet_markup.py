"""The facets' checkboxes and count swaps, built in Python for speed (listing/facets.py, the one source of
that markup), read back as a browser would parse them: every option says what the state and its counts say."""

from html.parser import HTMLParser

import pytest
from django.http import QueryDict

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


def facets_of(state):
    params = QueryDict(mutable=True)
    for name, value in state.items():
        params.setlist(name, value if isinstance(value, list) else [value])
    return EventQuery(params, DataVersion.current()[0]).facets()


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


@pytest.mark.parametrize("state", STATES)
def test_each_count_swap_replaces_its_options_count_on_the_page(state):
    for group in facets_of(state).values():
        swaps = parsed(group.count_swaps()).swaps
        assert [s["attrs"]["id"] for s in swaps] == [f"n-{group.name}-{o.slug}" for o in group.options]
        assert all(s["attrs"]["hx-swap-oob"] == "true" for s in swaps)
        assert [s["count"] for s in swaps] == [str(o.matches) for o in group.options]


def test_a_label_is_escaped_once_and_read_back_as_typed():
    Actor.objects.filter(slug="binance").update(name='Binance <b>&amp;</b> "Co"')
    DataVersion.objects.update(token="renamed")
    group = facets_of({})["actor"]
    html = str(group.checkboxes())
    assert "<b>" not in html
    assert any(shown["label"].strip() == 'Binance <b>&amp;</b> "Co"' for shown in parsed(html).options)
