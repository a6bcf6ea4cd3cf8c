"""The timeline's items, built in Python for speed, are the markup the template loop they replaced gave,
byte for byte, for every state the corpus can show."""

import pytest
from django.http import QueryDict
from django.template import engines
from django.test import override_settings
from django.utils.formats import localize

from timeline.dataset.synthetic import generate
from timeline.listing.markup import numbers, plain_number
from timeline.listing.query import EventQuery
from timeline.models import DataVersion
from timeline.overview import items_html, overview_of

pytestmark = pytest.mark.usefixtures("corpus")

ITEMS_LOOP = (
    '      {% for item in t.items %}{% if item.kind == "mark" %}'
    '<a class="tl-item tl-mark certainty-{{ item.certainty }}" href="{% if item.slug in page_sl'
    "ugs %}#{{ item.slug }}{% else %}{% url 'event_detail' item.slug %}{% endif %}"
    '" data-slug="{{ item.slug }}" data-day="{{ item.day }}" aria-label="{{ item.date_display }'
    '}: {{ item.title }} ({{ item.certainty_label|lower }})">{% if item.span %}'
    '<rect class="{% if item.soft %}soft{% else %}range{% endif %}'
    '" x="{{ item.x }}%" y="{{ item.y|add:-6 }}" width="{{ item.span }}%" height="12" rx="3"{% '
    'if item.soft %} fill="url(#soft-{{ item.certainty }})"{% endif %}></rect>{% else %}'
    '<circle cx="{{ item.x }}%" cy="{{ item.y }}" r="6"></circle>{% endif %}{% if item.label %}'
    '<text aria-hidden="true" class="tl-label fits-{{ item.label }}" x="{{ item.label_x }}%" dx'
    '="{{ item.label_dx }}" y="{{ item.y|add:4 }}">{{ item.text }}</text>{% endif %}</a>'
    '\n      {% elif item.kind == "cluster" %}'
    '<a class="tl-item tl-cluster" href="{% url \'chronology\' %}'
    '{{ item.link }}" data-action="{{ item.action }}" data-day="{{ item.day }}" aria-label="{{ '
    'item.label }}"><circle cx="{{ item.x }}%" cy="{{ item.y }}" r="10"></circle>'
    '<text aria-hidden="true" x="{{ item.x }}%" y="{{ item.y|add:4 }}">{{ item.n }}</text></a>'
    '\n      {% else %}<a class="tl-item tl-bin" href="{% url \'chronology\' %}'
    '{{ item.link }}" data-action="{{ item.action }}" data-day="{{ item.day }}" aria-label="{{ '
    'item.label }}">'
    '<rect x="{{ item.x }}%" y="{{ item.y }}" width="{{ item.width }}%" height="{{ item.height '
    '}}"></rect>{% if item.count_label %}'
    '<text aria-hidden="true" class="fits-{{ item.count_label }}" x="{{ item.mid }}%" y="{{ ite'
    'm.y|add:-3 }}">{{ item.n }}</text>{% endif %}</a>\n      {% endif %}{% endfor %}'
)
STATES = [
    {},
    {"view": "2023-10-01..2024-06-30"},
    {"view": "2025-01-01..2025-03-31"},
    {"actor": ["changpeng-zhao", "binance"]},
    {"actor": ["changpeng-zhao", "donald-trump", "binance"], "view": "2025-01-01..2025-12-31"},
    {"q": "pardon"},
    {"category": "legal", "certainty": "reported"},
    {"from": "2030"},
]


def query_of(state):
    params = QueryDict(mutable=True)
    for name, value in state.items():
        params.setlist(name, value if isinstance(value, list) else [value])
    return EventQuery(params, DataVersion.current()[0])


def render(source, context):
    return engines["django"].from_string(source).render(context)


@pytest.mark.parametrize("state", [*STATES, "more than the mark limit"])
def test_the_timelines_items_are_the_template_loops_markup(state):
    if state == "more than the mark limit":
        generate(300)
        state = {}
    query = query_of(state)
    timeline = overview_of(query)
    page_slugs = {item.get("slug") for item in timeline.items[::2]}
    expected = render(ITEMS_LOOP, {"t": timeline, "page_slugs": page_slugs})
    assert "      " + items_html(timeline, page_slugs) == expected
    kinds = {item["kind"] for item in timeline.items}
    if query.count() > 300:
        assert kinds == {"bin"}
    elif not state:
        assert {"mark", "cluster"} <= kinds and any(item.get("soft") for item in timeline.items)


def test_a_timeline_number_is_what_localize_shows():
    show = numbers()
    assert show is plain_number
    for value in (0, 7, -3, 123456789, 0.0, -0.0, 12.5, -0.25, 99.999, 1e-05, 2.5e-07, 1e16, 123456.789, float("inf")):
        assert show(value) == str(localize(value)), value
    with override_settings(USE_THOUSAND_SEPARATOR=True):
        assert numbers() is localize
