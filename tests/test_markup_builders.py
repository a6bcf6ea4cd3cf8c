"""The facets' checkboxes, built in Python for speed, are the markup the template loops they
replaced gave, byte for byte, for every state the corpus can show."""

import pytest
from django.http import QueryDict
from django.template import engines

from timeline.models import DataVersion
from timeline.query import EventQuery

pytestmark = pytest.mark.usefixtures("corpus")

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
