"""The overview strip: the whole span of the story, its eras as bands, and the matching events on it."""

import datetime
from dataclasses import dataclass

from django.core.cache import cache

from .caching import cached
from .dates import period_end

WIDTH, HEIGHT, AXIS_Y, PAD, BAND_HEIGHT = 1000, 130, 100, 20, 16
MARK_LIMIT = 300


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


def mark_ids(query):
    """Ids of the events the overview will mark, to fetch with the page: none when it is cached or shows bars."""
    if query.problems or cache.get(query.cache_key("overview")) is not None:
        return []
    index = query.index
    dated = query.bits() & index.dated
    if dated.bit_count() > MARK_LIMIT:
        return []
    return [index.ids[pos] for pos in index.first(dated, MARK_LIMIT)]


def overview_of(query):
    """The overview of a query state, cached per data version and state."""
    if query.problems:
        return build_overview(None, query.vocab)
    overview = cached(query.cache_key("overview"), lambda: build_overview(query, query.vocab), 3600)
    for bin_ in overview.bins:
        bin_["link"] = query.link(**{"from": bin_["query"], "to": bin_["query"], "after": None})
    return overview


def build_overview(query, vocab):
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
    if query is None:
        return Overview(start, end, bands, ticks, marks, bins, last)
    index = query.index
    dated = query.bits() & index.dated
    if dated.bit_count() <= MARK_LIMIT:
        stacks = {}
        for event in query.events_by_id([index.ids[pos] for pos in index.first(dated, MARK_LIMIT)]):
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
        months = []
        for number, starting in sorted(index.starting.items()):
            n = (dated & starting).bit_count()
            if n:
                months.append({"month": datetime.date(number // 12, number % 12 + 1, 1), "n": n})
        tallest = max((m["n"] for m in months), default=1)
        for month in months:
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
