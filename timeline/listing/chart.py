"""The chart: the matching events over a window of time, laid out and binned on the server.

The window is the one asked for (`view`), else the story's whole span, or, for a filtered
state, the span of its events. The page never carries more than MARK_LIMIT marks: a state
with more events is drawn as bars per day, week, month, quarter or year, each a count. It is
laid out twice, for a wide and a narrow chart (chart_layout.py); horizontal positions are
percentages of the width, so text and marks keep their size at any width.
"""

import datetime
from dataclasses import dataclass, field

from django.urls import reverse

from timeline.corpus.dates import DatePrecision, period_end
from timeline.listing.chart_axis import place_bands, place_ticks, selection
from timeline.listing.chart_layout import (
    IMPRECISE,
    NARROW,
    WIDE,
    Layout,
    event_of,
    lane_events,
    place_bins,
    place_marks,
)
from timeline.listing.chart_markup import write_numbers
from timeline.listing.chart_rows import bin_rows, day_text, finest_unit, lane_actors, mark_rows
from timeline.listing.dimensions import DIMENSIONS

MARK_LIMIT = 150
MIN_DAYS = 7
LEFT, RIGHT = 2.0, 98.0
AXIS_HEIGHT = 34
BAR_PX = 26  # px: the narrowest bar, so each is a target of its own
FITTING = ("q", "from", "to", *(dimension.name for dimension in DIMENSIONS))  # what narrows the events


@dataclass
class Chart:
    start: datetime.date | None
    end: datetime.date | None
    first: datetime.date | None = None
    last: datetime.date | None = None
    fitted: bool = False
    home: tuple | None = None
    mode: str = "marks"
    count: int = 0
    vague_count: int = 0
    refinable: bool = False
    selection: dict | None = None
    links: dict = field(default_factory=dict)
    layouts: list = field(default_factory=list)
    lanes: int = 0
    min_days = MIN_DAYS

    def x(self, day):
        """The day's position, in percent of the width: LEFT to RIGHT across the window, a little past it at most."""
        days = (self.end - self.start).days + 1
        offset = (day - self.start).days
        return round(LEFT + (RIGHT - LEFT) * min(max(offset, -1), days + 1) / days, 3)

    @property
    def marks_count(self):
        return self.count - self.vague_count

    @property
    def caption_range(self):
        return f"{day_text(self.start)} to {day_text(self.end)}"


def chart_of(query, refine=False):
    """The chart of a query state; one with no dated event is empty. Drawn each time: a cache of it per
    state did not pay (bench/notes.md, "The chart per state").

    One query draws it, except for ``refine``: a window whose bars hold few enough events
    is then drawn again as marks (the fragment the script asks for, not the page).
    """
    if query.problems or query.vocab.span["start"] is None or not query.bits() & query.index.dated:
        return Chart(None, None)
    matching = query.count()
    return build_chart(query, matching, refine)


def whole_span(vocab):
    span = vocab.span
    return span["start"].replace(day=1), period_end(span["end"], DatePrecision.MONTH)


def filtered(query):
    return any(query.cleaned.get(name) for name in FITTING)


def at_least(start, end, days):
    short = days - ((end - start).days + 1)
    if short > 0:
        start -= datetime.timedelta(days=short // 2)
        end += datetime.timedelta(days=short - short // 2)
    return start, end


def window_of(query, home):
    """The window asked for, kept near the story's span and at least MIN_DAYS long; else `home`."""
    first, last = whole_span(query.vocab)
    asked = query.cleaned.get("view")
    if not asked:
        return home
    start, end = asked
    slack = last - first
    if end < first - slack or start > last + slack:
        return home
    return at_least(max(start, first - slack), min(end, last + slack), MIN_DAYS)


def fitted(spans, first, last):
    """The window a filtered state opens on: its events, with a margin, within the story's span.

    spans are (start, last day, imprecise). The events known to the day or month set it; one
    known only to its year widens it only as far as it must to show that event at all.
    """
    core = [(a, b) for a, b, loose in spans if not loose] or [(a, b) for a, b, _ in spans]
    start, end = min(a for a, _ in core), max(b for _, b in core)
    start = min(start, *(b for _, b, _ in spans))
    end = max(end, *(a for a, _, _ in spans))
    margin = datetime.timedelta(days=max((end - start).days // 10, 3))
    start, end = at_least(max(start - margin, first), min(end + margin, last), MIN_DAYS)
    return start, end


def index_spans(query):
    """(first start, last end, False) of the matching dated events, from the index's month sets."""
    index, bits = query.index, query.bits() & query.index.dated
    month = min(m for m, starting in index.starting.items() if starting & bits)
    start = min(index.dates[pos] for pos in index.each(bits & index.starting[month]))
    month = max(m for m, overlapping in index.overlapping.items() if overlapping & bits)
    end = max(index.latest[pos] for pos in index.each(bits & index.overlapping[month]))
    return [(datetime.date.fromordinal(start), datetime.date.fromordinal(end), False)]


def event_pages(slugs):
    """{slug: its event's page}, reversed once: a slug is a path segment as it is (urls.py's slug
    converter), and reversing each of a chart's 140 marks took 3 ms."""
    head, tail = reverse("event_detail", args=["-"]).rsplit("/-/", 1)
    return {slug: f"{head}/{slug}/{tail}" for slug in slugs}


def build_chart(query, matching, refine):
    first, last = whole_span(query.vocab)
    lanes = lane_actors(query)
    rows = None
    if matching <= MARK_LIMIT:
        every = [row for row in mark_rows(query, None, None, lanes) if row["date"]]
        spans = [(r["date"], r["latest_date"] or r["date"], r["date_precision"] == DatePrecision.YEAR) for r in every]
    else:
        spans = index_spans(query) if filtered(query) else []
    home = fitted(spans, first, last) if filtered(query) else (first, last)
    start, end = window_of(query, home)
    chart = Chart(start, end, first, last, fitted=home != (first, last), home=home, lanes=len(lanes))
    if matching <= MARK_LIMIT:
        rows = [r for r in every if r["date"] <= end and (r["latest_date"] or r["date"]) >= start]
    elif refine and query.window_bits(start, end).bit_count() <= MARK_LIMIT:
        rows = mark_rows(query, start, end, lanes)
    else:
        chart.refinable = query.window_bits(start, end).bit_count() <= MARK_LIMIT
    if rows is not None:
        chart.count = len({row["slug"] for row in rows})
        chart.vague_count = len({row["slug"] for row in rows if row["date_precision"] in IMPRECISE})
        detail = event_pages(row["slug"] for row in rows).__getitem__
        by_lane = lane_events(chart, [event_of(row, chart.x, start, end, detail) for row in rows], lanes)
    else:
        chart.mode = "bins"
        chart.count = (query.window_bits(start, end) & query.index.dated).bit_count()
    for name, reference in (("wide", WIDE), ("narrow", NARROW)):
        layout = Layout(name, reference)
        layout.lanes_top = place_bands(layout, chart, query.vocab["era"], query, chart.x, 6)
        if rows is not None:
            y = place_marks(layout, chart, query, by_lane)
        else:
            unit = finest_unit(start, end, int(reference * (RIGHT - LEFT) / 100 // BAR_PX))
            bins = bin_rows(query, start, end, lanes, unit)
            y = place_bins(layout, chart, query, bins, lanes, unit, layout.lanes_top)
        place_ticks(layout, query, start, end, chart.x, y + 8)
        layout.height = layout.axis_y + AXIS_HEIGHT
        write_numbers(layout)
        chart.layouts.append(layout)
    chart.selection = selection(query, start, end, chart.x)
    chart.links = window_links(query, chart)
    return chart


def window_links(query, chart):
    """Zoom in, zoom out, earlier, later, the whole story and the filtered events' own span: plain links."""
    start, end, first, last = chart.start, chart.end, chart.first, chart.last
    days = (end - start).days + 1
    middle = start + datetime.timedelta(days=days // 2)
    inner, outer = max(days // 3, MIN_DAYS), days * 3
    shift = datetime.timedelta(days=max(days * 2 // 3, 1))
    out_start = middle - datetime.timedelta(days=outer // 2)
    out_end = out_start + datetime.timedelta(days=outer - 1)
    in_start = middle - datetime.timedelta(days=inner // 2)

    def window(a, b):
        return query.window_link(f"{a.isoformat()}..{b.isoformat()}")

    whole = query.link(view=None, after=None) if not chart.fitted else window(first, last)
    covers_all = start <= first and end >= last
    zoom_out = whole if out_start <= first and out_end >= last else window(out_start, out_end)
    return {
        "zoom_in": window(in_start, in_start + datetime.timedelta(days=inner - 1)) if days > MIN_DAYS else None,
        "zoom_out": None if covers_all else zoom_out,
        "earlier": window(start - shift, end - shift) if start > first else None,
        "later": window(start + shift, end + shift) if end < last else None,
        "whole": whole if not covers_all else None,
        "fit": query.link(view=None, after=None) if chart.fitted and (start, end) != chart.home else None,
    }
