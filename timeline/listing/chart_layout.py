"""Where the chart's items go in one layout: marks in rows with their labels, what does not fit
in counted clusters, events known only to their month or year in rows of their own, or bars.

A layout is drawn for a reference width (WIDE or NARROW px), and the page shows the one that
suits the chart's width. Labels are placed beside their marks, never on a coloured shape, only
where they fit; on the narrow layout every mark shown is labelled, and the rest are counted.
"""

import bisect
import datetime
from dataclasses import dataclass, field

from timeline.corpus.dates import DatePrecision, format_partial_date, period_end
from timeline.listing.chart_axis import CHAR_WIDTH, TARGET, text_width
from timeline.listing.chart_rows import day_text, period_text, unit_end
from timeline.models import Event

WIDE, NARROW = 760, 340
LABEL_CHARS = {WIDE: 38, NARROW: 24}
ROWS = {WIDE: 6, NARROW: 4}  # for marks; the narrow chart is kept short enough to show the list below it
VAGUE_ROWS = 4  # on the wide chart, for labelled lines; an unlabelled one takes a row of its own if it must
ROW_HEIGHT, VAGUE_ROW, LANE_HEADER, BAR_HEIGHT = 24, 24, 16, 64
GAP = 6  # px between two things in a row
IMPRECISE = (DatePrecision.MONTH, DatePrecision.YEAR)
CERTAINTY_WORDS = {certainty.value: certainty.label.lower() for certainty in Event.Certainty}


@dataclass
class Layout:
    name: str
    reference: int
    height: int = 0
    axis_y: int = 0
    bands: list = field(default_factory=list)
    lanes: list = field(default_factory=list)
    items: list = field(default_factory=list)
    ticks: list = field(default_factory=list)
    lanes_top: int = 0  # under the era bands
    axis: dict = field(default_factory=dict)  # where the axis's ticks and labels are written

    def px(self, percent):
        return percent * self.reference / 100


def short_label(title, chars):
    """The title, or its first whole words within `chars` and an ellipsis: the label stays part of the name."""
    if len(title) <= chars:
        return title
    cut = title[: chars - 1].rsplit(" ", 1)[0].rstrip(",;:–-— ")
    return f"{cut}…"


def event_of(row, x, start, end, detail):
    """What every layout draws of one event, from its row: where it starts and how far it runs."""
    date, latest = row["date"], row["latest_date"] or row["date"]
    display = format_partial_date(date, row["date_precision"])
    if row["end_date"]:
        display += f" – {format_partial_date(row['end_date'], row['date_precision'])}"
    x0 = x(max(date, start))
    span = round(x(min(latest, end) + datetime.timedelta(days=1)) - x0, 3) if row["end_date"] else 0
    return {
        "slug": row["slug"],
        "detail": detail(row["slug"]),
        "title": row["title"],
        "date_display": display,
        "day": date.isoformat(),
        "until": latest.isoformat(),
        "certainty": row["certainty"],
        "certainty_label": CERTAINTY_WORDS[row["certainty"]],
        "x": x0,
        "span": span,
        "lane": row["lane"],
        "vague": row["date_precision"] in IMPRECISE,
        "precision": row["date_precision"],
    }


def vague_groups(events, x, start, end):
    """Events known only to their month or year, one group per month or year: [{period, x, width, events}]."""
    groups = {}
    for event in events:
        first = datetime.date.fromisoformat(event["day"])
        groups.setdefault((event["precision"], first), []).append(event)
    found = []
    for (precision, first), members in sorted(groups.items(), key=lambda g: (g[0][1], g[0][0] == "month")):
        last = period_end(first, precision)
        x0 = x(max(first, start))
        found.append(
            {
                "first": first,
                "last": last,
                "period": format_partial_date(first, precision),
                "precision": "month" if precision == DatePrecision.MONTH else "year",
                "x": x0,
                "width": round(max(x(min(last, end) + datetime.timedelta(days=1)) - x0, 0.3), 3),
                "events": members,
            }
        )
    return found


class Row(list):
    """The spans [(left, right)] taken in one row, in order. Each was placed only where `free` found
    room, so no two come within GAP of each other, and the last span starting before a new span's
    end is the only one that can meet it (a chart of 140 marks asked 2,200 times over its two layouts, each
    looking at every span)."""

    def __init__(self):
        super().__init__()
        self.lefts = []

    def append(self, span):
        at = bisect.bisect_right(self.lefts, span[0])
        self.lefts.insert(at, span[0])
        self.insert(at, span)


def free(row, left, right):
    before = bisect.bisect_left(row.lefts, right + GAP)
    return before == 0 or row[before - 1][1] + GAP <= left


def mark_spot(layout, event, rows, labelled_only):
    """(row, placed mark) for the first row with room for the mark and its label (right of it, else
    left of it), else for the mark alone (unless every mark must be labelled), else None."""
    ref = layout.reference
    at = layout.px(event["x"])
    ends = at + layout.px(event["span"])
    text = short_label(event["title"], LABEL_CHARS[ref])
    width = text_width(text)
    shape = (at - TARGET / 2, max(ends, at) + TARGET / 2)
    if not any(free(row, *shape) for row in rows):
        return None  # every option holds the mark's own shape, so none fits: no need to try up to 18 spans
    options = []
    if event["span"]:
        options.append(("start", shape[0], max(shape[1], at + 2 + width), at + 2 <= ref - width))
    else:
        options.append(("start", shape[0], at + 10 + width, at + 10 + width <= ref))
        options.append(("end", at - 10 - width, shape[1], at - 10 - width >= 0))
    if not labelled_only:
        options.append(("", *shape, True))
    for anchor, left, right, fits in options:
        if not fits:
            continue
        for number, row in enumerate(rows):
            if free(row, left, right):
                row.append((left, right))
                return number, {**event, "kind": "mark", "text": text if anchor else "", "anchor": anchor}
    return None


def lane_events(chart, events, lanes):
    """[(lane name, its precise events in placing order, its vague events' groups)] for each lane: the
    same for both layouts, so worked out once."""
    found = []
    for lane_id, name in lanes or [(None, None)]:
        mine = [event for event in events if event["lane"] == lane_id]
        precise = sorted((e for e in mine if not e["vague"]), key=lambda e: (e["x"], e["day"], e["title"]))
        vague = [e for e in mine if e["vague"]]
        found.append((name, precise, vague_groups(vague, chart.x, chart.start, chart.end) if vague else []))
    return found


def place_marks(layout, chart, query, lanes):
    """Marks by lane (lane_events): precise events in rows, what does not fit as clusters, the vague in
    rows of their own."""
    y = layout.lanes_top
    row_count = ROWS[layout.reference] if len(lanes) <= 1 else max(2, ROWS[layout.reference] // len(lanes))
    for name, precise, groups in lanes:
        if name:
            layout.lanes.append({"name": name, "y": y + 12})
            y += LANE_HEADER + 2
        rows, used, overflow = [Row() for _ in range(row_count)], 0, []
        for event in precise:
            spot = mark_spot(layout, event, rows, labelled_only=layout.reference == NARROW)
            if spot is None:
                overflow.append(event)
                continue
            number, mark = spot
            mark["y"] = y + 12 + number * ROW_HEIGHT
            mark["label_dx"] = 2 if mark["span"] else (10 if mark["anchor"] == "start" else -10)
            used = max(used, number + 1)
            layout.items.append(mark)
        if overflow:
            used = place_clusters(layout, chart, query, overflow, rows, used, y)
        y += used * ROW_HEIGHT
        if groups:
            y = place_vague(layout, chart, query, groups, y)
    layout.items.sort(key=lambda item: (item["x"], item["y"]))
    return y


def zoom_window(start, end):
    """[start, end] a little wider, so what is zoomed into is not at the edge."""
    pad = datetime.timedelta(days=max((end - start).days // 6, 1))
    return start - pad, end + pad


def narrowing(chart, query, first, last):
    """(link, action, verb) that shows these days: a window around them, or, when a window cannot
    be narrower than the one shown, the list of these dates."""
    zoomed = zoom_window(first, last)
    shown = chart.end - chart.start
    if shown.days + 1 <= chart.min_days or zoomed[1] - zoomed[0] >= shown:
        link = query.link(**{"from": first.isoformat(), "to": last.isoformat(), "after": None})
        return link, "dates", "show them"
    return query.window_link(f"{zoomed[0].isoformat()}..{zoomed[1].isoformat()}"), "window", "zoom in"


def place_clusters(layout, chart, query, overflow, rows, used, y):
    """Marks with no room left, gathered into counted clusters that zoom into their days: each in the
    first row with room for it, else in a row of its own under them. Returns the rows used."""
    groups = []
    for event in sorted(overflow, key=lambda e: e["x"]):
        if groups and layout.px(event["x"] - groups[-1][0]["x"]) < TARGET + 4:
            groups[-1].append(event)
        else:
            groups.append([event])
    for group in groups:
        first = min(datetime.date.fromisoformat(e["day"]) for e in group)
        last = max(datetime.date.fromisoformat(e["until"]) for e in group)
        link, action, verb = narrowing(chart, query, first, last)
        days = day_text(first) + (f" to {day_text(last)}" if last != first else "")
        at = layout.px(group[0]["x"])
        number = next((n for n, row in enumerate(rows) if free(row, at - TARGET / 2, at + TARGET / 2)), len(rows))
        if number == len(rows):
            rows.append(Row())
        rows[number].append((at - TARGET / 2, at + TARGET / 2))
        used = max(used, number + 1)
        layout.items.append(
            {
                "kind": "cluster",
                "n": len(group),
                "x": group[0]["x"],
                "y": y + 12 + number * ROW_HEIGHT,
                "day": first.isoformat(),
                "link": link,
                "action": action,
                "label": f"{len(group)} more event{'s' if len(group) != 1 else ''}, {days}: {verb}",
            }
        )
    return used


def place_vague(layout, chart, query, groups, y):
    """Events known only to their month or year under the rows: one labelled line per month or year."""
    layout.lanes.append({"name": "Known only to the month or year", "y": y + 12, "vague": True})
    y += LANE_HEADER
    if layout.reference == NARROW:
        return place_vague_in_one_row(layout, query, groups, y)
    rows = []
    for group in sorted(groups, key=lambda g: (g["precision"] == "month", g["x"])):  # years first: they never meet
        members = group["events"]
        if len(members) == 1:
            text = f"1 known only to {group['period']}: {short_label(members[0]['title'], 24)}"
        else:
            text = f"{len(members)} known only to {group['period']}"
        left, right = layout.px(group["x"]), layout.px(group["x"] + group["width"])
        middle = (left + right) / 2
        shape = (min(left + 1, middle - TARGET / 2), max(right - 1, middle + TARGET / 2))  # two years may touch
        width = text_width(text)
        options = [("start", shape[0], max(shape[1], left + 2 + width), left + 2 + width <= layout.reference)]
        options.append(("end", min(shape[0], right - 2 - width), shape[1], right - 2 - width >= 0))
        options = [option[:3] for option in options if option[3]] + [("", *shape)]
        number = None
        for anchor, low, high in options:
            number = next((n for n, row in enumerate(rows) if free(row, low, high)), None)
            if number is None and anchor and len(rows) < VAGUE_ROWS:
                number = len(rows)
                rows.append(Row())
            if number is not None:
                break
        if number is None:
            anchor, low, high = options[-1]
            number = len(rows)
            rows.append(Row())
        rows[number].append((low, high))
        item = vague_item(query, group, members, text if anchor else "", y + 14 + number * VAGUE_ROW)
        item["anchor"] = anchor
        item["label_x"] = group["x"] + group["width"] if anchor == "end" else group["x"]
        item["label_dx"] = -2 if anchor == "end" else 2
        layout.items.append(item)
    return y + len(rows) * VAGUE_ROW + 4


def place_vague_in_one_row(layout, query, groups, y):
    """On a narrow chart, one row: each year a line, its months' lines over it, each with its count where it fits."""
    shown = []
    for group in sorted(groups, key=lambda g: (g["precision"] == "month", g["x"])):  # months drawn over years
        middle = layout.px(group["x"] + group["width"] / 2)
        text = str(len(group["events"]))
        half = text_width(text) / 2 + 2
        fits = all(right < middle - half or left > middle + half for left, right in shown)
        if fits:
            shown.append((middle - half, middle + half))
        item = vague_item(query, group, group["events"], text if fits else "", y + 14)
        item.update(anchor="middle", label_x=item["mid"], label_dx=0)
        layout.items.append(item)
    return y + VAGUE_ROW + 4


def vague_item(query, group, members, text, y):
    """A month's or a year's line; its name begins with what it shows: "3 known only to Oct 2025"."""
    item = {"kind": "vague", "x": group["x"], "width": group["width"], "y": y, "text": text, "n": len(members)}
    item["precision"] = group["precision"]
    item["mid"] = round(group["x"] + group["width"] / 2, 3)
    item["day"] = group["first"].isoformat()
    shown = f"{len(members)} known only to {group['period']}"
    if len(members) == 1:
        event = members[0]
        item.update(slug=event["slug"], detail=event["detail"], certainty=event["certainty"])
        return {**item, "label": f"{shown}: {event['title']} ({event['certainty_label']})"}
    typed = f"{group['first']:%Y-%m}" if group["precision"] == "month" else str(group["first"].year)
    return {
        **item,
        "link": query.link(**{"from": typed, "to": typed, "after": None}),
        "action": "dates",
        "label": f"{shown}: show the events of {group['period']}",
    }


def place_bins(layout, chart, query, bins, lanes, unit, y):
    """Bars per day, week, month, quarter or year, each a count of events that zooms into its period."""
    lane_ids = [id_ for id_, _ in lanes] or [None]
    height = BAR_HEIGHT if len(lane_ids) == 1 else max(26, BAR_HEIGHT // len(lane_ids) + 8)
    tallest = max((n for _, _, n in bins), default=1)
    names = dict(lanes)
    for lane_id in lane_ids:
        if lane_id is not None:
            layout.lanes.append({"name": names[lane_id], "y": y + 12})
            y += LANE_HEADER + 2
        top = y + 14
        for _, day, n in sorted((b for b in bins if b[0] == lane_id), key=lambda b: b[1]):
            last = unit_end(day, unit)
            x0 = chart.x(max(day, chart.start))
            width = max(round(chart.x(min(last, chart.end) + datetime.timedelta(days=1)) - x0 - 0.08, 3), 0.15)
            bar = max(round(height * n / tallest, 1), 2)
            period = period_text(day, unit)
            if (chart.end - chart.start).days + 1 <= chart.min_days:
                link = query.link(**{"from": day.isoformat(), "to": last.isoformat(), "after": None})
                action, verb = "dates", "show them"
            else:
                link, action, verb = query.window_link(f"{day.isoformat()}..{last.isoformat()}"), "window", "zoom in"
            layout.items.append(
                {
                    "kind": "bin",
                    "n": n,
                    "x": x0,
                    "mid": round(x0 + width / 2, 3),
                    "width": width,
                    "y": top + height - bar,
                    "height": bar,
                    "top": top - 14,
                    "full": height + 14,
                    "day": day.isoformat(),
                    "counted": layout.px(width) >= len(str(n)) * CHAR_WIDTH + 4,
                    "label": f"{period}: {n} event{'s' if n != 1 else ''}: {verb}",
                    "link": link,
                    "action": action,
                }
            )
        y = top + height
    layout.items.sort(key=lambda item: (item["x"], item["y"]))
    return y
