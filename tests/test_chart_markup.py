"""The chart's repeated markup, built in Python (listing/chart_markup.py), against the template partials that
drew it before, kept here as the oracle: byte for byte, for every kind of item a state can draw."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from timeline.listing import chart_markup
from timeline.listing.chart import chart_of
from timeline.listing.query import EventQuery
from timeline.models import DataVersion

pytestmark = pytest.mark.usefixtures("corpus")

ORACLE = {
    "band": '<a class="chart-band band-{{ band.position }}" href="{{ listing }}{{ band.link }}" data-action="era" data-era="{{ band.slug }}" aria-label="{{ band.name }}: era, {{ band.range }}. Show only this era"><rect x="{{ band.x }}%" y="{{ band.y }}" width="{{ band.width }}%" height="24" rx="2"></rect><rect class="chart-hit" x="{{ band.mid }}%" y="{{ band.y }}" width="24" height="24" transform="translate(-12 0)"></rect>{% if band.labelled %}<text aria-hidden="true" x="{{ band.x }}%" dx="4" y="{{ band.text_y }}">{{ band.name }}</text>{% endif %}</a>',  # noqa: E501
    "mark": '<a class="chart-item chart-mark certainty-{{ item.certainty }}" href="{% if item.slug in page_slugs %}#{{ item.slug }}{% else %}{{ item.detail }}{% endif %}" data-slug="{{ item.slug }}" data-day="{{ item.day }}" aria-label="{{ item.date_display }}: {{ item.title }} ({{ item.certainty_label }})"><rect class="chart-hit" x="{{ item.x }}%" y="{{ item.hit_y }}" width="24" height="24" transform="translate(-12 0)"></rect>{% if item.span %}<rect class="range" x="{{ item.x }}%" y="{{ item.line_y }}" width="{{ item.span }}%" height="5" rx="2"></rect>{% else %}<circle cx="{{ item.x }}%" cy="{{ item.y }}" r="6"></circle>{% endif %}{% if item.text %}<text aria-hidden="true" class="chart-label {{ item.anchor }}" x="{{ item.x }}%" dx="{{ item.label_dx }}" y="{{ item.label_y }}">{{ item.text }}</text>{% endif %}</a>',  # noqa: E501
    "vague": '<a class="chart-item chart-vague {{ item.precision }}{% if item.slug %} certainty-{{ item.certainty }}{% endif %}" href="{% if not item.slug %}{{ listing }}{{ item.link }}{% elif item.slug in page_slugs %}#{{ item.slug }}{% else %}{{ item.detail }}{% endif %}"{% if item.slug %} data-slug="{{ item.slug }}"{% else %} data-action="{{ item.action }}"{% endif %} data-day="{{ item.day }}" aria-label="{{ item.label }}"><rect class="chart-hit" x="{{ item.x }}%" y="{{ item.hit_y }}" width="{{ item.width }}%" height="24"></rect><rect class="chart-hit" x="{{ item.mid }}%" y="{{ item.hit_y }}" width="24" height="24" transform="translate(-12 0)"></rect><rect class="line" x="{{ item.x }}%" y="{{ item.line_y }}" width="{{ item.width }}%" height="4" rx="2"></rect>{% if item.text %}<text aria-hidden="true" class="chart-label {{ item.anchor }}" x="{{ item.label_x }}%" dx="{{ item.label_dx }}" y="{{ item.label_y }}">{{ item.text }}</text>{% endif %}</a>',  # noqa: E501
    "cluster": '<a class="chart-item chart-cluster" href="{{ listing }}{{ item.link }}" data-action="{{ item.action }}" data-day="{{ item.day }}" aria-label="{{ item.label }}"><circle cx="{{ item.x }}%" cy="{{ item.y }}" r="12"></circle><text aria-hidden="true" x="{{ item.x }}%" y="{{ item.label_y }}">{{ item.n }}</text></a>',  # noqa: E501
    "bin": '<a class="chart-item chart-bin" href="{{ listing }}{{ item.link }}" data-action="{{ item.action }}" data-day="{{ item.day }}" aria-label="{{ item.label }}"><rect class="chart-hit" x="{{ item.x }}%" y="{{ item.top }}" width="{{ item.width }}%" height="{{ item.full }}"></rect><rect class="bar" x="{{ item.x }}%" y="{{ item.y }}" width="{{ item.width }}%" height="{{ item.height }}"></rect>{% if item.counted %}<text aria-hidden="true" x="{{ item.mid }}%" y="{{ item.label_y }}">{{ item.n }}</text>{% endif %}</a>',  # noqa: E501
    "tick": '<a class="chart-tick" href="{{ listing }}{{ tick.link }}" data-action="window" aria-label="Zoom the timeline to {{ tick.period }}"><rect class="chart-hit" x="{{ tick.x }}%" y="{{ layout.axis.top }}" width="24" height="28" transform="translate(-12 0)"></rect><line x1="{{ tick.x }}%" y1="{{ layout.axis.top }}" x2="{{ tick.x }}%" y2="{{ layout.axis.bottom }}"></line>{% if tick.label %}<text aria-hidden="true" class="{{ tick.anchor }}" x="{{ tick.x }}%" dx="{{ tick.dx }}" y="{{ layout.axis.text }}">{{ tick.label }}</text>{% endif %}</a>',  # noqa: E501
}
TEMPLATES = {kind: Template(text) for kind, text in ORACLE.items()}
BETWEEN = "\n      "
# A state for each thing the chart draws on the articles' events: labelled marks and spans, lines for months
# and years, clusters, one lane per actor; a search (its links carry it). Bars need more events (below).
STATES = [
    "/",
    "/?era=pardon",
    "/?q=pardon",
    "/?actor=changpeng-zhao&actor=donald-trump",
    "/?view=2025-03-10..2025-03-20",
    "/?view=2025",
    "/?view=2020..2026",
]


def oracle(kind, listing, page_slugs, **things):
    return TEMPLATES[kind].render(Context({"listing": listing, "page_slugs": page_slugs, **things}))


def kinds_drawn_alike(state):
    """The kinds of item the state's chart draws, once its markup has been checked against the oracle."""
    chart = chart_of(EventQuery.from_request(RequestFactory().get(state), DataVersion.current()[0]))
    kinds, listing = set(), "/"
    for layout in chart.layouts:
        page_slugs = {item["slug"] for item in layout.items[::2] if item.get("slug")}  # some on the page, some not
        bands = "".join(oracle("band", listing, page_slugs, band=band) + BETWEEN for band in layout.bands)
        items = "".join(oracle(item["kind"], listing, page_slugs, item=item) + BETWEEN for item in layout.items)
        ticks = "".join(oracle("tick", listing, page_slugs, tick=tick, layout=layout) for tick in layout.ticks)
        assert chart_markup.bands(layout, listing) == bands
        assert chart_markup.items(layout, listing, page_slugs) == items
        assert chart_markup.ticks(layout, listing) == ticks
        kinds |= {item["kind"] for item in layout.items}
    return kinds


def test_the_charts_markup_is_what_the_template_partials_drew():
    assert set().union(*map(kinds_drawn_alike, STATES)) == {"mark", "vague", "cluster"}


def test_bars_are_what_the_template_partials_drew():
    from timeline.dataset.synthetic import generate

    generate(400)
    for state in ("/", "/?q=binance", "/?view=2024"):
        assert "bin" in kinds_drawn_alike(state), state
