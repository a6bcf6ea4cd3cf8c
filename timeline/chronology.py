"""Shaping events for reading: era and month groups, the overview strip, highlighted articles."""

import datetime
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Max, Min

from .dates import DatePrecision


@dataclass
class MonthGroup:
    label: str
    key: str
    events: list


@dataclass
class EraSection:
    era: object
    groups: list = field(default_factory=list)

    @property
    def count(self):
        return sum(len(g.events) for g in self.groups)


def month_key(event):
    if event.date is None:
        return ("undated", "Undated")
    if event.date_precision == DatePrecision.YEAR:
        return (f"{event.date.year}", f"{event.date.year}, month not known")
    return (event.date.strftime("%Y-%m"), event.date.strftime("%B %Y"))


def group_events(events):
    """Consecutive runs of one era, each split by month; undated events form the last section."""
    dated = [e for e in events if e.date is not None]
    undated = [e for e in events if e.date is None]
    sections = []
    for era, era_events in groupby(dated, key=lambda e: e.era):
        section = EraSection(era)
        for (key, label), month_events in groupby(era_events, key=month_key):
            section.groups.append(MonthGroup(label, key, list(month_events)))
        sections.append(section)
    if undated:
        sections.append(EraSection(None, [MonthGroup("No date in the articles", "undated", undated)]))
    return sections


# The overview strip --------------------------------------------------------------

WIDTH, HEIGHT, AXIS_Y, PAD, BAND_HEIGHT = 1000, 130, 100, 20, 16


@dataclass
class Overview:
    start: datetime.date | None
    end: datetime.date | None
    bands: list
    ticks: list
    marks: list


def span_of_corpus():
    from .models import Event

    return Event.objects.aggregate(start=Min("date"), end=Max("latest_date"))


def era_spans():
    from .models import Era

    return list(
        Era.objects.annotate(start=Min("events__date"), end=Max("events__latest_date"))
        .filter(start__isnull=False)
        .order_by("position")
    )


def build_overview(events, span=None, eras=None):
    """Events as marks on the whole corpus's time axis (so filtering never moves the axis)."""
    span = span if span is not None else span_of_corpus()
    start, end = span["start"], span["end"]
    if start is None:
        return Overview(None, None, [], [], [])
    start = datetime.date(start.year, start.month, 1)
    end = datetime.date(end.year, 12, 31) if end.month == 12 else datetime.date(end.year, end.month + 1, 1)
    days = max((end - start).days, 1)

    def x(day):
        return round(PAD + (WIDTH - 2 * PAD) * (day - start).days / days, 1)

    bands, lane_ends = [], []
    for era in sorted(eras if eras is not None else era_spans(), key=lambda era: era.start):
        lane = next((i for i, last in enumerate(lane_ends) if last < era.start), len(lane_ends))
        lane_ends[lane : lane + 1] = [era.end]
        bands.append(
            {
                "name": era.name,
                "position": era.position,
                "x": x(era.start),
                "y": 4 + lane * BAND_HEIGHT,
                "label_x": x(era.start) + 3,
                "label_y": 4 + lane * BAND_HEIGHT + 11,
                "width": max(x(era.end) - x(era.start), 2),
            }
        )
    ticks = [{"label": str(year), "x": x(datetime.date(year, 1, 1))} for year in range(start.year + 1, end.year + 1)]
    marks, stacks = [], {}
    for event in events:
        if event.date is None:
            continue
        mark_x = x(event.date)
        slot = stacks[round(mark_x / 10)] = stacks.get(round(mark_x / 10), -1) + 1
        mark_y = AXIS_Y - 10 - (slot % 4) * 12
        marks.append(
            {
                "event": event,
                "x": mark_x,
                "y": mark_y,
                "bar_y": mark_y - 4,
                "width": x(event.end_date) - mark_x if event.end_date else 0,
            }
        )
    return Overview(start, end, bands, ticks, marks)


# The source reader ---------------------------------------------------------------


@dataclass
class Piece:
    text: str
    citations: list
    opens: list
    closes: list

    @property
    def anchors(self):
        """Ids of the passages that start here, once each (two events may cite one passage)."""
        return list(dict.fromkeys(c.anchor for c in self.opens))


def source_segments(text, citations):
    """Paragraphs of pieces; a piece lists the citations covering it, opening or closing there."""
    cuts = {0, len(text)}
    for citation in citations:
        cuts.update((citation.start, citation.end))
    for index, char in enumerate(text):
        if char == "\n":
            cuts.update((index, index + 1))
    cuts = sorted(cuts)
    paragraphs, current = [], []
    for begin, finish in zip(cuts, cuts[1:], strict=False):
        piece_text = text[begin:finish]
        if piece_text == "\n":
            paragraphs.append(current)
            current = []
            continue
        covering = [c for c in citations if c.start <= begin and finish <= c.end]
        current.append(
            Piece(
                piece_text,
                covering,
                [c for c in covering if c.start == begin],
                [c for c in covering if c.end == finish],
            )
        )
    paragraphs.append(current)
    return [p for p in paragraphs if any(piece.text.strip() for piece in p)]
