"""The timeline: the matching events over a window of time, laid out and binned on the server.

The page never carries more than MARK_LIMIT marks: a window holding more events is drawn
as bars per month, week or day, each a cluster with its count. Horizontal positions are
percentages of the width, so text and marks keep their size on a phone; labels are shown
where they fit, judged at a wide and a narrow reference width.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.template.defaultfilters import add
from django.urls import reverse
from django.utils.safestring import mark_safe

from timeline.cache.versions import cached
from timeline.corpus.dates import DatePrecision, format_partial_date, period_end
from timeline.listing.markup import html, numbers
from timeline.models import Event

MARK_LIMIT = 150
MAX_LANES = 6
MIN_DAYS = 7
LEFT, RIGHT = 2.0, 98.0
WIDE, NARROW = 1000, 360
CHAR_WIDTH, LABEL_CHARS = 6.3, 38
ROW_HEIGHT, BAND_HEIGHT, BAR_HEIGHT, CLUSTER_ROW, AXIS_HEIGHT = 24, 20, 64, 24, 36
CLUSTER_PX = 28
MARK_FIELDS = ("slug", "title", "date", "date_precision", "end_date", "latest_date", "certainty")


@dataclass
class Timeline:
    start: datetime.date | None
    end: datetime.date | None
    first: datetime.date | None = None
    last: datetime.date | None = None
    whole: bool = True
    mode: str = "marks"
    count: int = 0
    refinable: bool = False
    height: int = 0
    axis_y: int = 0
    bands: list = field(default_factory=list)
    ticks: list = field(default_factory=list)
    lanes: list = field(default_factory=list)
    items: list = field(default_factory=list)
    selection: dict | None = None
    links: dict = field(default_factory=dict)

    @property
    def caption_range(self):
        return f"{day_text(self.start)} to {day_text(self.end)}"

    @property
    def certainties(self):
        return Event.Certainty.values


def day_text(day, month="%b"):
    return f"{day.day} {day.strftime(month)} {day.year}"


def overview_of(query, refine=False):
    """The timeline of a query state, cached per data version and state.

    One query draws it, except for ``refine``: a window whose bars hold few enough events
    is then drawn again as marks (the fragment the script asks for, not the page).
    """
    if query.problems or query.vocab.span["start"] is None:
        return Timeline(None, None)
    matching = query.count()
    return cached(query.cache_key("timeline", refine), lambda: build_timeline(query, matching, refine), 3600)


def whole_span(vocab):
    span = vocab.span
    return span["start"].replace(day=1), period_end(span["end"], DatePrecision.MONTH)


def window_of(query):
    """The window asked for, kept near the story's span and at least MIN_DAYS long."""
    first, last = whole_span(query.vocab)
    asked = query.cleaned.get("view")
    if not asked:
        return first, last
    start, end = asked
    slack = last - first
    if end < first - slack or start > last + slack:
        return first, last
    start, end = max(start, first - slack), min(end, last + slack)
    short = MIN_DAYS - ((end - start).days + 1)
    if short > 0:
        start -= datetime.timedelta(days=short // 2)
        end += datetime.timedelta(days=short - short // 2)
    return start, end


def build_timeline(query, matching, refine):
    start, end = window_of(query)
    first, last = whole_span(query.vocab)
    days = (end - start).days + 1
    timeline = Timeline(start, end, first, last, whole=(start, end) == (first, last))

    def x(day):
        offset = (day - start).days
        return round(LEFT + (RIGHT - LEFT) * min(max(offset, -1), days + 1) / days, 3)

    lanes = lane_actors(query)
    if matching <= MARK_LIMIT:
        rows = mark_rows(query, start, end, lanes)
    else:
        unit = "month" if days > 2 * 366 else "week" if days > 92 else "day"
        bins = bin_rows(query, start, end, lanes, unit)
        timeline.count = sum(n for _, _, n in bins)
        rows = mark_rows(query, start, end, lanes) if refine and timeline.count <= MARK_LIMIT else None
        if rows is None:
            timeline.refinable = timeline.count <= MARK_LIMIT
    y = 6
    y = place_bands(timeline, query, x, y)
    if rows is None:
        timeline.mode = "bins"
        y = place_bins(timeline, query, bins, lanes, unit, x, y)
    else:
        timeline.count = len({row["slug"] for row in rows})
        y = place_marks(timeline, query, rows, lanes, x, y)
    timeline.axis_y = y + 6
    timeline.height = timeline.axis_y + AXIS_HEIGHT
    timeline.ticks = ticks(query, start, end, x)
    timeline.selection = selection(query, start, end, x)
    timeline.links = window_links(query, start, end, first, last, timeline.whole)
    return timeline


def lane_actors(query):
    """The chosen actors, one lane each, when there are two to MAX_LANES: [(id, name)], or [] for one lane."""
    chosen = query.cleaned.get("actor") or []
    if not 2 <= len(chosen) <= MAX_LANES:
        return []
    terms = query.vocab.by_slug("actor")
    return [(terms[slug].id, terms[slug].label) for slug in chosen]


def mark_rows(query, start, end, lanes):
    """Each matching event in the window, once per lane it belongs to, in reading order.

    The event index says which events and lanes; the database gives their fields, by primary key.
    """
    index = query.index
    positions = list(index.each(query.window_bits(start, end)))
    fields = Event.objects.filter(pk__in=[index.ids[pos] for pos in positions]).values("pk", *MARK_FIELDS)
    by_id = {row.pop("pk"): row for row in fields}
    if not lanes:
        return [{**by_id[index.ids[pos]], "lane": None} for pos in positions if index.ids[pos] in by_id]
    actor_sets = index.options.get("actor", {})
    members = [(lane, index.members(actor_sets.get(str(lane), 0))) for lane, _ in lanes]
    return [
        {**by_id[index.ids[pos]], "lane": lane}
        for pos in positions
        if index.ids[pos] in by_id
        for lane, member in members
        if member(pos)
    ]


def bin_rows(query, start, end, lanes, unit):
    """[(lane, first day of the unit, events)] for each month, week or day with events, by start date.

    Counted in the event index, not the database: months are ANDs of the index's
    month-of-start sets; weeks and days (windows of two years at most) walk the window's events.
    """
    index = query.index
    window = query.window_bits(start, end)
    actor_sets = index.options.get("actor", {})
    lane_sets = [(lane, window & actor_sets.get(str(lane), 0)) for lane, _ in lanes] if lanes else [(None, window)]
    rows = []
    for lane, bits in lane_sets:
        if unit == "month":
            for number, starting in index.starting.items():
                if n := (bits & starting).bit_count():
                    rows.append((lane, datetime.date(number // 12, number % 12 + 1, 1), n))
            continue
        counts = Counter()
        for pos in index.each(bits):
            day = datetime.date.fromordinal(index.dates[pos])
            counts[day - datetime.timedelta(days=day.weekday()) if unit == "week" else day] += 1
        rows.extend((lane, day, n) for day, n in counts.items())
    return rows


def unit_end(day, unit):
    if unit == "week":
        return day + datetime.timedelta(days=6)
    return period_end(day, DatePrecision.MONTH if unit == "month" else DatePrecision.DAY)


def window_link(query, start, end):
    return query.window_link(f"{start.isoformat()}..{end.isoformat()}")


def zoom_window(start, end):
    """[start, end] a little wider, so what is zoomed into is not at the edge."""
    pad = datetime.timedelta(days=max((end - start).days // 6, 1))
    return start - pad, end + pad


def place_bands(timeline, query, x, y):
    lane_ends = []
    for era in sorted((e for e in query.vocab["era"] if e.start is not None), key=lambda e: e.start):
        if era.end < timeline.start or era.start > timeline.end:
            continue
        lane = next((i for i, end in enumerate(lane_ends) if end < era.start), len(lane_ends))
        lane_ends[lane : lane + 1] = [era.end]
        x0, x1 = x(max(era.start, timeline.start)), x(min(era.end, timeline.end) + datetime.timedelta(days=1))
        width = max(x1 - x0, 0.3)
        timeline.bands.append(
            {
                "name": era.label,
                "slug": era.slug,
                "position": era.position,
                "x": x0,
                "y": y + lane * BAND_HEIGHT,
                "width": width,
                "label": label_fit(era.label, width, None),
                "link": query.link(era=era.slug, after=None),
                "range": f"{era.start:%b %Y} to {era.end:%b %Y}",
            }
        )
    return y + max(len(lane_ends), 1) * BAND_HEIGHT + 6


def label_fit(text, width_percent, room_percent):
    """'wide', 'both' or '' : where a label of `text` fits in the given room (percent of the width)."""
    room = width_percent if room_percent is None else room_percent
    need = len(text) * CHAR_WIDTH + 10
    fits = [room * reference / 100 >= need for reference in (WIDE, NARROW)]
    return "both" if all(fits) else "wide" if fits[0] else ""


def place_marks(timeline, query, rows, lanes, x, y):
    lane_ids = [id_ for id_, _ in lanes] or [None]
    rows_per_lane = 6 if len(lane_ids) == 1 else max(2, 6 // len(lane_ids))
    for lane_id, name in lanes or [(None, None)]:
        if name:
            timeline.lanes.append({"name": name, "y": y + 12})
            y += 18
        ends, used, overflow = [[] for _ in range(rows_per_lane)], 0, []
        marks = [mark_of(row, x, timeline) for row in rows if row["lane"] == lane_id]
        for mark in sorted(marks, key=lambda m: (m["span"], m["x"])):
            placed = place_in_rows(mark, ends)
            if placed is None:
                overflow.append(mark)
                continue
            mark["y"] = y + 12 + placed * ROW_HEIGHT
            used = max(used, placed + 1)
            timeline.items.append(mark)
        y += max(used, 1) * ROW_HEIGHT
        if overflow:
            y = place_clusters(timeline, query, overflow, y)
    finish_labels([item for item in timeline.items if item["kind"] == "mark"])
    timeline.items.sort(key=lambda item: (item["x"], item["y"]))
    return y


def mark_of(row, x, timeline):
    date, latest, precision = row["date"], row["latest_date"] or row["date"], row["date_precision"]
    spans = bool(row["end_date"]) or precision in (DatePrecision.MONTH, DatePrecision.YEAR)
    x0 = x(max(date, timeline.start))
    x1 = x(min(latest, timeline.end) + datetime.timedelta(days=1)) if spans else x0
    display = format_partial_date(date, precision)
    if row["end_date"]:
        display += f" – {format_partial_date(row['end_date'], precision)}"
    title = row["title"]
    return {
        "kind": "mark",
        "slug": row["slug"],
        "title": title,
        "text": short_label(title),
        "date_display": display,
        "day": date.isoformat(),
        "until": latest.isoformat(),
        "certainty": row["certainty"],
        "certainty_label": Event.Certainty(row["certainty"]).label,
        "x": x0,
        "span": round(max(x1 - x0, 0.8), 3) if spans else 0,
        "label_x": x0 if not spans or x1 - x0 >= 4 else round(max(x1 - x0, 0.8) + x0, 3),
        "label_dx": 4 if spans else 10,
        "soft": spans and not row["end_date"],
    }


def short_label(title):
    """The title, or its first whole words within LABEL_CHARS and an ellipsis: the label stays part of the name."""
    if len(title) <= LABEL_CHARS:
        return title
    cut = title[: LABEL_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;:–-— ")
    return f"{cut}…"


def place_in_rows(mark, ends):
    """The first row with room for the mark and its label, else for the mark alone, else None.

    Marks come shortest first (place_marks), so a row is checked against every mark in it."""
    left = mark["x"] * WIDE / 100 - 8
    right = (mark["x"] + mark["span"]) * WIDE / 100 + 8
    labelled = max(right, mark["label_x"] * WIDE / 100 + mark["label_dx"] + len(mark["text"]) * CHAR_WIDTH + 6)
    for extent, labelled_ in ((labelled, True), (right, False)):
        for index, row in enumerate(ends):
            if all(other["right"] < left or other["left"] > extent for other in row):
                row.append({"left": left, "right": extent, "mark": mark})
                mark["row"], mark["labelled"] = index, labelled_
                return index
    return None


def finish_labels(marks):
    """A label shows where it fits before the next mark in its row: at the wide width, or at both."""
    by_row = {}
    for mark in marks:
        by_row.setdefault(mark["y"], []).append(mark)
    for row in by_row.values():
        row.sort(key=lambda m: m["x"])
        for mark, after in zip(row, [*row[1:], None], strict=True):
            room = (after["x"] if after else RIGHT + 1.5) - mark["label_x"] - mark["label_dx"] / 10
            mark["label"] = label_fit(mark["text"], None, room) if mark.pop("labelled") else ""
            mark.pop("row", None)


def place_clusters(timeline, query, overflow, y):
    """Marks with no room left, gathered into counted clusters that zoom into their days.

    A cluster whose days are no narrower than the window (events of one month or year, which
    span any window inside it) shows its days in the list: a zoom would draw the same cluster."""
    groups = []
    for mark in sorted(overflow, key=lambda m: m["x"]):
        if groups and (mark["x"] - groups[-1][0]["x"]) * WIDE / 100 < CLUSTER_PX:
            groups[-1].append(mark)
        else:
            groups.append([mark])
    shown = timeline.end - timeline.start
    for group in groups:
        first = min(datetime.date.fromisoformat(m["day"]) for m in group)
        last = max(datetime.date.fromisoformat(m["until"]) for m in group)
        zoomed = zoom_window(first, last)
        at_limit = shown.days + 1 <= MIN_DAYS or zoomed[1] - zoomed[0] >= shown
        link = (
            query.link(**{"from": first.isoformat(), "to": last.isoformat(), "after": None})
            if at_limit
            else window_link(query, *zoomed)
        )
        timeline.items.append(
            {
                "kind": "cluster",
                "n": len(group),
                "x": group[0]["x"],
                "y": y + CLUSTER_ROW // 2,
                "day": first.isoformat(),
                "link": link,
                "action": "dates" if at_limit else "window",
                "label": f"{len(group)} more events, {day_text(first)}"
                + (f" to {day_text(last)}" if last != first else "")
                + (": show them" if at_limit else ": zoom in"),
            }
        )
    return y + CLUSTER_ROW


def place_bins(timeline, query, bins, lanes, unit, x, y):
    lane_ids = [id_ for id_, _ in lanes] or [None]
    height = BAR_HEIGHT if len(lane_ids) == 1 else max(26, BAR_HEIGHT // len(lane_ids) + 8)
    tallest = max((n for _, _, n in bins), default=1)
    at_limit = (timeline.end - timeline.start).days + 1 <= MIN_DAYS
    names = dict(lanes)
    for lane_id in lane_ids:
        if lane_id is not None:
            timeline.lanes.append({"name": names[lane_id], "y": y + 12})
            y += 18
        top = y + 14
        for _, day, n in sorted((b for b in bins if b[0] == lane_id), key=lambda b: b[1]):
            last = unit_end(day, unit)
            x0, x1 = x(max(day, timeline.start)), x(min(last, timeline.end) + datetime.timedelta(days=1))
            bar = max(round(height * n / tallest, 1), 2)
            width = max(round(x1 - x0 - 0.08, 3), 0.15)
            period = {"month": f"{day:%B %Y}", "week": f"week of {day_text(day)}", "day": day_text(day)}[unit]
            timeline.items.append(
                {
                    "kind": "bin",
                    "n": n,
                    "x": x0,
                    "mid": round(x0 + width / 2, 3),
                    "width": width,
                    "action": "dates" if at_limit else "window",
                    "y": top + height - bar,
                    "height": bar,
                    "bottom": top + height,
                    "day": day.isoformat(),
                    "count_label": label_fit(str(n), width, None),
                    "label": f"{period}: {n} event{'s' if n != 1 else ''}"
                    + (": show them" if at_limit else ": zoom in"),
                    "link": query.link(**{"from": day.isoformat(), "to": last.isoformat(), "after": None})
                    if at_limit
                    else window_link(query, day, last),
                }
            )
        y = top + height
    timeline.items.sort(key=lambda item: (item["x"], item["y"]))
    return y


def ticks(query, start, end, x):
    """Year, month or day ticks for the window; each is a link that zooms into its period."""
    days = (end - start).days + 1
    found = []
    if days > 3 * 366:
        for year in range(start.year + (start > datetime.date(start.year, 1, 1)), end.year + 1):
            day = datetime.date(year, 1, 1)
            found.append((day, str(year), str(year), str(year), False))
    elif days > 100:
        day, months = start.replace(day=1), []
        if day < start:
            day = period_end(day, DatePrecision.MONTH) + datetime.timedelta(days=1)
        while day <= end:
            months.append(day)
            day = period_end(day, DatePrecision.MONTH) + datetime.timedelta(days=1)
        for day in months:
            quarter = day.month % 3 == 1
            label = str(day.year) if day.month == 1 else f"{day:%b}"
            if len(months) <= 14 or quarter:
                found.append((day, label, f"{day:%b %Y}", f"{day:%Y-%m}", len(months) > 5 and day.month not in (1, 7)))
            else:
                found.append((day, "", f"{day:%b %Y}", f"{day:%Y-%m}", True))
    else:
        step = 1 if days <= 21 else 7
        day = start
        while day <= end:
            if step == 1 or day.weekday() == 0:
                label = f"{day.day} {day:%b}" if day.day == 1 or not found else str(day.day)
                minor = step == 1 and days > 10 and day.weekday() != 0
                found.append((day, label, day_text(day), day.isoformat(), minor))
            day += datetime.timedelta(days=1)
    return [
        {"x": x(day), "label": label, "period": period, "link": query.window_link(view), "minor": minor}
        for day, label, period, view, minor in found
    ]


def selection(query, start, end, x):
    """The chosen date range (from/to) as a shaded region, where it overlaps the window."""
    chosen_from, chosen_to = query.cleaned.get("from"), query.cleaned.get("to")
    if not chosen_from and not chosen_to:
        return None
    first = chosen_from.start if chosen_from else start
    last = chosen_to.end if chosen_to else end
    if last < start or first > end:
        return None
    x0, x1 = x(max(first, start)), x(min(last, end) + datetime.timedelta(days=1))
    return {"x": x0, "width": max(x1 - x0, 0.3), "clear": query.link(**{"from": None, "to": None, "after": None})}


def window_links(query, start, end, first, last, whole):
    """Zoom in, zoom out, earlier, later and the whole span: the no-script controls."""
    days = (end - start).days + 1
    middle = start + datetime.timedelta(days=days // 2)
    inner = max(days // 3, MIN_DAYS)
    outer = days * 3
    shift = datetime.timedelta(days=max(days * 2 // 3, 1))
    out_start = middle - datetime.timedelta(days=outer // 2)
    out_end = out_start + datetime.timedelta(days=outer - 1)
    zoom_out = None
    if not whole:
        zoom_out = (
            query.link(view=None, after=None)
            if out_start <= first and out_end >= last
            else window_link(query, out_start, out_end)
        )
    in_start = middle - datetime.timedelta(days=inner // 2)
    return {
        "zoom_in": window_link(query, in_start, in_start + datetime.timedelta(days=inner - 1))
        if days > MIN_DAYS
        else None,
        "zoom_out": zoom_out,
        "earlier": window_link(query, start - shift, end - shift) if start > first else None,
        "later": window_link(query, start + shift, end + shift) if end < last else None,
        "whole": query.link(view=None, after=None) if not whole else None,
    }


MARK_LINK = '<a class="tl-item tl-mark certainty-{}" href="{}" data-slug="{}" data-day="{}" aria-label="{}: {} ({})">'
SPAN = '<rect class="{}" x="{}%" y="{}" width="{}%" height="12" rx="3"{}></rect>'
DOT = '<circle cx="{}%" cy="{}" r="6"></circle>'
MARK_LABEL = '<text aria-hidden="true" class="tl-label fits-{}" x="{}%" dx="{}" y="{}">{}</text>'
CLUSTER = (
    '<a class="tl-item tl-cluster" href="{}{}" data-action="{}" data-day="{}" aria-label="{}">'
    '<circle cx="{}%" cy="{}" r="10"></circle><text aria-hidden="true" x="{}%" y="{}">{}</text>'
)
BIN = (
    '<a class="tl-item tl-bin" href="{}{}" data-action="{}" data-day="{}" aria-label="{}">'
    '<rect x="{}%" y="{}" width="{}%" height="{}"></rect>'
)
BIN_COUNT = '<text aria-hidden="true" class="fits-{}" x="{}%" y="{}">{}</text>'
ITEM_END = "</a>\n      "


def items_html(timeline, page_slugs):
    """The timeline's marks, clusters and bars as SVG. Built here, not in a template loop: a
    timeline of bars holds hundreds of items, each with its link, drawn for every state.
    Coordinates go through ``add`` and ``numbers`` as the loop's ``|add`` and variables did, so
    the bytes are the same (tests/test_markup_builders.py)."""
    listing = reverse("chronology")
    n = numbers()
    pieces = []
    for item in timeline.items:
        if item["kind"] == "mark":
            slug, certainty = item["slug"], item["certainty"]
            href = f"#{slug}" if slug in page_slugs else reverse("event_detail", args=[slug])
            label = item["certainty_label"].lower()
            pieces.append(
                html(MARK_LINK, certainty, href, slug, item["day"], item["date_display"], item["title"], label)
            )
            if item["span"]:
                fill = html(' fill="url(#soft-{})"', certainty) if item["soft"] else ""
                kind = "soft" if item["soft"] else "range"
                pieces.append(html(SPAN, kind, n(item["x"]), n(add(item["y"], -6)), n(item["span"]), fill))
            else:
                pieces.append(html(DOT, n(item["x"]), n(item["y"])))
            if item["label"]:
                position = (n(item["label_x"]), n(item["label_dx"]), n(add(item["y"], 4)))
                pieces.append(html(MARK_LABEL, item["label"], *position, item["text"]))
            pieces.append(ITEM_END)
        elif item["kind"] == "cluster":
            x, y = n(item["x"]), item["y"]
            where = (listing, item["link"], item["action"], item["day"], item["label"])
            pieces.append(html(CLUSTER, *where, x, n(y), x, n(add(y, 4)), n(item["n"])))
            pieces.append(ITEM_END)
        else:
            where = (listing, item["link"], item["action"], item["day"], item["label"])
            pieces.append(html(BIN, *where, n(item["x"]), n(item["y"]), n(item["width"]), n(item["height"])))
            if item["count_label"]:
                pieces.append(html(BIN_COUNT, item["count_label"], n(item["mid"]), n(add(item["y"], -3)), n(item["n"])))
            pieces.append(ITEM_END)
    return mark_safe("".join(pieces))  # noqa: S308 (every piece built by markup.html)
