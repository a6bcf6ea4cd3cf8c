"""The timeline's items and the facets' checkboxes, built in Python for speed, are the markup the
template loops they replaced gave, byte for byte, for every state the corpus can show."""

import pytest
from django.http import QueryDict
from django.template import engines
from django.test import override_settings
from django.utils.formats import localize

from timeline.listing.chart import chart_of, items_html
from timeline.markup import numbers, plain_number
from timeline.models import DataVersion
from timeline.query import EventQuery
from timeline.synthetic import generate

pytestmark = pytest.mark.usefixtures("corpus")

ITEMS_LOOP = (
    '      {% for item in t.items %}{% if item.kind == "mark" %}'
    '<a class="chart-item chart-mark certainty-{{ item.certainty }}" href="{% if item.slug in page_sl'
    "ugs %}#{{ item.slug }}{% else %}{% url 'event_detail' item.slug %}{% endif %}"
    '" data-slug="{{ item.slug }}" data-day="{{ item.day }}" aria-label="{{ item.date_display }'
    '}: {{ item.title }} ({{ item.certainty_label|lower }})">{% if item.span %}'
    '<rect class="{% if item.soft %}soft{% else %}range{% endif %}'
    '" x="{{ item.x }}%" y="{{ item.y|add:-6 }}" width="{{ item.span }}%" height="12" rx="3"{% '
    'if item.soft %} fill="url(#soft-{{ item.certainty }})"{% endif %}></rect>{% else %}'
    '<circle cx="{{ item.x }}%" cy="{{ item.y }}" r="6"></circle>{% endif %}{% if item.label %}'
    '<text aria-hidden="true" class="chart-label fits-{{ item.label }}" x="{{ item.label_x }}%" dx'
    '="{{ item.label_dx }}" y="{{ item.y|add:4 }}">{{ item.text }}</text>{% endif %}</a>'
    '\n      {% elif item.kind == "cluster" %}'
    '<a class="chart-item chart-cluster" href="{% url \'chronology\' %}'
    '{{ item.link }}" data-action="{{ item.action }}" data-day="{{ item.day }}" aria-label="{{ '
    'item.label }}"><circle cx="{{ item.x }}%" cy="{{ item.y }}" r="10"></circle>'
    '<text aria-hidden="true" x="{{ item.x }}%" y="{{ item.y|add:4 }}">{{ item.n }}</text></a>'
    '\n      {% else %}<a class="chart-item chart-bin" href="{% url \'chronology\' %}'
    '{{ item.link }}" data-action="{{ item.action }}" data-day="{{ item.day }}" aria-label="{{ '
    'item.label }}">'
    '<rect x="{{ item.x }}%" y="{{ item.y }}" width="{{ item.width }}%" height="{{ item.height '
    '}}"></rect>{% if item.count_label %}'
    '<text aria-hidden="true" class="fits-{{ item.count_label }}" x="{{ item.mid }}%" y="{{ ite'
    'm.y|add:-3 }}">{{ item.n }}</text>{% endif %}</a>\n      {% endif %}{% endfor %}'
)
CHECKBOX_LOOP = (
    '      {% for option in group.options %}<label class="option">'
    '<input type="checkbox" name="{{ group.name }}" value="{{ option.slug }}"{% if option.check'
    'ed %} checked{% endif %}> {{ option.label }} <span class="count{% if not option.matches %}'
    ' zero{% endif %}" id="n-{{ group.name }}-{{ option.slug }}">'
    '{{ option.matches }}<span class="visually-hidden"> matching</span></span></label>'
    "\n      {% endfor %}"
)
COUNT_LOOP = (
    "  {% for group in facet_list %}{% for option in group.options %}"
    '<span class="count{% if not option.matches %} zero{% endif %}'
    '" id="n-{{ group.name }}-{{ option.slug }}" hx-swap-oob="true">'
    '{{ option.matches }}<span class="visually-hidden"> matching</span></span>{% endfor %}'
    "{% endfor %}"
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
    timeline = chart_of(query)
    page_slugs = {item.get("slug") for item in timeline.items[::2]}
    expected = render(ITEMS_LOOP, {"t": timeline, "page_slugs": page_slugs})
    assert "      " + items_html(timeline, page_slugs) == expected
    kinds = {item["kind"] for item in timeline.items}
    if query.count() > 300:
        assert kinds == {"bin"}
    elif not state:
        assert {"mark", "cluster"} <= kinds and any(item.get("soft") for item in timeline.items)


@pytest.mark.parametrize("state", STATES)
def test_the_facets_checkboxes_and_counts_are_the_template_loops_markup(state):
    facets = query_of(state).facets()
    facet_list = list(facets.values())
    for group in facet_list:
        if not group.badge:
            assert "      " + group.checkboxes() == render(CHECKBOX_LOOP, {"group": group})
    swaps = "".join(group.count_swaps() for group in facet_list)
    assert "  " + swaps == render(COUNT_LOOP, {"facet_list": facet_list})
    if "actor" in state:
        assert any(option.checked for option in facets["actor"].options)


def test_a_timeline_number_is_what_localize_shows():
    show = numbers()
    assert show is plain_number
    for value in (0, 7, -3, 123456789, 0.0, -0.0, 12.5, -0.25, 99.999, 1e-05, 2.5e-07, 1e16, 123456.789, float("inf")):
        assert show(value) == str(localize(value)), value
    with override_settings(USE_THOUSAND_SEPARATOR=True):
        assert numbers() is localize
