"""The chart's frame for one layout: era bands across the top, the time axis and its ticks.

Every tick that is a link is at least TARGET px from the next at the layout's reference width,
so its 24×24 px target never overlaps another; labels are placed where they fit, the year
and month changes first, so a month name shows at every zoom.
"""

import datetime

from timeline.listing.chart_rows import period_text, unit_end, unit_start

CHAR_WIDTH = 6.3  # px per character of 11 px text, a little more than its average
TARGET = 24  # px: the least size of anything a pointer or a finger chooses
BAND_ROW, BAND_HEIGHT = 28, 24
# The finest tick first; the fewest days a unit can hold, for its spacing on the axis.
TICK_UNITS = (("day", 1), ("week", 7), ("month", 28), ("quarter", 90), ("year", 365))


def text_width(text):
    return len(text) * CHAR_WIDTH


def place_bands(layout, chart, eras, query, x, y):
    """Each era overlapping the window as a band that filters to it; overlapping eras take a second row."""
    lane_ends = []
    for era in sorted((e for e in eras if e.start is not None), key=lambda e: e.start):
        if era.end < chart.start or era.start > chart.end:
            continue
        lane = next((i for i, end in enumerate(lane_ends) if end < era.start), len(lane_ends))
        lane_ends[lane : lane + 1] = [era.end]
        x0, x1 = x(max(era.start, chart.start)), x(min(era.end, chart.end) + datetime.timedelta(days=1))
        width = max(x1 - x0, 0.3)
        layout.bands.append(
            {
                "name": era.label,
                "slug": era.slug,
                "position": era.position,
                "x": x0,
                "mid": round(x0 + width / 2, 3),
                "y": y + lane * BAND_ROW,
                "text_y": y + lane * BAND_ROW + 16,
                "width": width,
                "labelled": width * layout.reference / 100 >= text_width(era.label) + 10,
                "link": query.link(era=era.slug, after=None),
                "range": f"{era.start:%b %Y} to {era.end:%b %Y}",
            }
        )
    return y + max(len(lane_ends), 1) * BAND_ROW + 4


def tick_unit(start, end, reference):
    """The finest unit whose ticks stand TARGET px apart at this width, or years."""
    per_day = reference * 0.96 / ((end - start).days + 1)
    return next((unit for unit, days in TICK_UNITS if days * per_day >= TARGET), "year")


def tick_label(day, unit, first):
    """(label, rank): a year's first tick shows the year; a month's first, or the window's first, its month."""
    if unit in ("month", "quarter", "year"):
        if day.month == 1:
            return str(day.year), 2
        return f"{day:%b}", 1 if unit == "quarter" or day.month in (4, 7, 10) else 0
    opens_month = day.day <= (7 if unit == "week" else 1)
    if first or opens_month:
        return f"{day.day} {day:%b}", 2 if first or day.month == 1 else 1
    return str(day.day), 0


def tick_period(day, unit):
    """(the period in words, the window it zooms to, as the `view` parameter reads it)."""
    views = {"day": day.isoformat(), "month": f"{day:%Y-%m}", "year": str(day.year)}
    return period_text(day, unit), views.get(unit) or f"{day.isoformat()}..{unit_end(day, unit).isoformat()}"


def place_ticks(layout, query, start, end, x, axis_y):
    """A link per day, week, month, quarter or year in the window, each zooming into its period."""
    unit = tick_unit(start, end, layout.reference)
    day = unit_start(start, unit)
    if day < start:
        day = unit_end(day, unit) + datetime.timedelta(days=1)
    ticks = []
    while day <= end:
        label, rank = tick_label(day, unit, not ticks)
        period, view = tick_period(day, unit)
        ticks.append({"x": x(day), "label": label, "rank": rank, "period": period, "link": query.window_link(view)})
        day = unit_end(day, unit) + datetime.timedelta(days=1)
    shown = []  # (left, right) px of the labels placed, the most telling first
    for tick in sorted(ticks, key=lambda t: (-t["rank"], t["x"])):
        middle, width = tick["x"] * layout.reference / 100, text_width(tick["label"]) + 6
        tick["anchor"], left = "middle", middle - width / 2
        if left < 0:  # kept inside the chart at either end: begun or ended at the tick
            tick["anchor"], left = "start", middle - 3
        elif left + width > layout.reference:
            tick["anchor"], left = "end", middle + 3 - width
        tick["dx"] = {"start": -3, "end": 3, "middle": 0}[tick["anchor"]]
        if all(right < left or other_left > left + width for other_left, right in shown):
            shown.append((left, left + width))
        else:
            tick["label"] = ""
    layout.ticks = ticks
    layout.axis_y = axis_y


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
