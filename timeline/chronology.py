"""Shaping events for reading: era and month groups, the overview strip, highlighted articles."""

import datetime
import re
from dataclasses import dataclass, field
from itertools import groupby

from django.core.cache import cache
from django.db.models import Count, Q, prefetch_related_objects
from django.db.models.functions import TruncMonth
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .dates import DatePrecision, period_end
from .models import event_parts


@dataclass
class MonthGroup:
    label: str
    key: str
    events: list


@dataclass
class EraSection:
    era: object
    groups: list = field(default_factory=list)
    title: str = ""

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


def best_matches(events):
    """One flat section in relevance order: dates are shown on each event."""
    return [EraSection(None, [MonthGroup("Most relevant first", "relevance", list(events))], "Best matches")]


# Pages ------------------------------------------------------------------------------

PAGE_SIZE = 50
EVENT_HTML_SECONDS = 24 * 3600
CURSOR = re.compile(r"^(?:(\d{4}-\d{2}-\d{2}\|\d\|\d{4}))?~(\d{1,18})$")


def parse_cursor(text):
    """`after=<sort key>~<id>`: the last event already shown. Raises ValueError when malformed."""
    match = CURSOR.match(text or "")
    if not match:
        raise ValueError(f"“{text[:60]}” is not a position in the list; use the “Show more” link.")
    return match.group(1), int(match.group(2))


def cursor_of(event):
    return f"{event.sort_key or ''}~{event.pk}"


def page_of(queryset, after=None, size=PAGE_SIZE):
    """A keyset page in reading order: (events, cursor of the next page or None)."""
    if after is not None:
        sort_key, pk = after
        if sort_key is None:
            queryset = queryset.filter(sort_key__isnull=True, pk__gt=pk)
        else:
            queryset = queryset.filter(
                Q(sort_key__gt=sort_key) | Q(sort_key=sort_key, pk__gt=pk) | Q(sort_key__isnull=True)
            )
    rows = list(queryset.chronological()[: size + 1])
    return rows[:size], (cursor_of(rows[size - 1]) if len(rows) > size else None)


def render_events(events, version):
    """Attach each event's rendered HTML, from the cache when this data version has it.

    Only events missing from the cache have their actors, categories and citations
    fetched, so a warm page costs one query for its events whatever they hold.
    """
    keys = {event.pk: f"timeline:event-html:{version}:{event.pk}" for event in events}
    cached = cache.get_many(list(keys.values()))
    missing = [event for event in events if keys[event.pk] not in cached]
    if missing:
        prefetch_related_objects(missing, *event_parts())
        fresh = {keys[e.pk]: render_to_string("events.html#event", {"event": e}) for e in missing}
        cache.set_many(fresh, timeout=EVENT_HTML_SECONDS)
        cached.update(fresh)
    for event in events:
        event.html = mark_safe(cached[keys[event.pk]])  # noqa: S308 (rendered by our own template)
    return events


# The overview strip --------------------------------------------------------------

WIDTH, HEIGHT, AXIS_Y, PAD, BAND_HEIGHT = 1000, 130, 100, 20, 16
MARK_LIMIT = 300
MARK_FIELDS = ("slug", "title", "date", "date_precision", "end_date", "latest_date", "certainty", "sort_key")


@dataclass
class Overview:
    start: datetime.date | None
    end: datetime.date | None
    bands: list
    ticks: list
    marks: list
    bins: list
    last: datetime.date | None = None

    @property
    def count(self):
        return len(self.marks) + sum(b["n"] for b in self.bins)


def build_overview(queryset, matching, vocab):
    """Marks for each matching event, or bars per month when there are more than MARK_LIMIT.

    The axis spans the whole corpus, so filtering never moves it.
    """
    span = vocab.span
    start, end = span["start"], span["end"]
    if start is None:
        return Overview(None, None, [], [], [], [])
    start, last = datetime.date(start.year, start.month, 1), end
    end = datetime.date(end.year + (end.month == 12), end.month % 12 + 1, 1)
    days = max((end - start).days, 1)

    def x(day):
        return round(PAD + (WIDTH - 2 * PAD) * (day - start).days / days, 1)

    bands, lane_ends = [], []
    for era in sorted((e for e in vocab["era"] if e.start is not None), key=lambda e: e.start):
        lane = next((i for i, last in enumerate(lane_ends) if last < era.start), len(lane_ends))
        lane_ends[lane : lane + 1] = [era.end]
        bands.append(
            {
                "name": era.label,
                "position": era.position,
                "x": x(era.start),
                "y": 4 + lane * BAND_HEIGHT,
                "label_x": x(era.start) + 3,
                "label_y": 4 + lane * BAND_HEIGHT + 11,
                "width": max(x(era.end) - x(era.start), 2),
            }
        )
    ticks = [{"label": str(year), "x": x(datetime.date(year, 1, 1))} for year in range(start.year + 1, end.year + 1)]
    marks, bins = [], []
    dated = queryset.filter(date__isnull=False).order_by()
    if matching <= MARK_LIMIT:
        stacks = {}
        for event in dated.only(*MARK_FIELDS).order_by("sort_key", "id"):
            mark_x = x(event.date)
            slot = stacks[round(mark_x / 10)] = stacks.get(round(mark_x / 10), -1) + 1
            mark_y = AXIS_Y - 10 - (slot % 4) * 12
            marks.append(
                {
                    "slug": event.slug,
                    "title": event.title,
                    "date_display": event.date_display,
                    "certainty": event.certainty,
                    "certainty_label": event.get_certainty_display(),
                    "url": event.get_absolute_url(),
                    "x": mark_x,
                    "y": mark_y,
                    "bar_y": mark_y - 4,
                    "width": x(event.end_date) - mark_x if event.end_date else 0,
                }
            )
    else:
        months = list(dated.annotate(month=TruncMonth("date")).values("month").annotate(n=Count("id")))
        tallest = max((m["n"] for m in months), default=1)
        for month in sorted(months, key=lambda m: m["month"]):
            day = month["month"]
            height = max(round(60 * month["n"] / tallest, 1), 1.5)
            bins.append(
                {
                    "month": day,
                    "n": month["n"],
                    "x": x(day),
                    "y": AXIS_Y - height,
                    "height": height,
                    "width": max(x(period_end(day, "month")) - x(day), 1.5),
                    "query": f"{day:%Y-%m}",
                }
            )
    return Overview(start, end, bands, ticks, marks, bins, last)


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


def article_pieces(text, citations):
    """The article as consecutive pieces, newlines kept, each listing the citations covering it.

    Joined, the pieces are the article exactly, so the reader's text element has the seed's
    characters at the seed's offsets (what a TextPositionSelector counts).
    """
    cuts = sorted({0, len(text)} | {c.start for c in citations} | {c.end for c in citations})
    pieces = []
    for begin, finish in zip(cuts, cuts[1:], strict=False):
        covering = [c for c in citations if c.start <= begin and finish <= c.end]
        opens = [c for c in covering if c.start == begin]
        pieces.append(Piece(text[begin:finish], covering, opens, [c for c in covering if c.end == finish]))
    return pieces


@dataclass
class Passage:
    """One highlighted passage and the citations (of one or more events) that quote it."""

    anchor: str
    quote: str
    citations: list


def cited_passages(citations):
    """Citations grouped by the passage they quote, in reading order."""
    passages = {}
    for citation in citations:
        passages.setdefault(citation.anchor, Passage(citation.anchor, citation.quote, [])).citations.append(citation)
    return list(passages.values())
