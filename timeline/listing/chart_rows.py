"""What the chart draws, read from the event index: its lanes, its events' fields and its counted bars;
and the units those bars count (a day to a year), with their names in words.

The index says which events and lanes; the database is asked only for the fields of the
events drawn as marks, by primary key. Bars are counted in the index with no query.
"""

import datetime
from collections import Counter

from timeline.models import Event

MAX_LANES = 6
MARK_FIELDS = ("slug", "title", "date", "date_precision", "end_date", "latest_date", "certainty")
UNITS = ("day", "week", "month", "quarter", "year")


def lane_actors(query):
    """The chosen actors, one lane each, when there are two to MAX_LANES: [(id, name)], or [] for one lane."""
    chosen = query.cleaned.get("actor") or []
    if not 2 <= len(chosen) <= MAX_LANES:
        return []
    terms = query.vocab.by_slug("actor")
    return [(terms[slug].id, terms[slug].label) for slug in chosen]


def mark_rows(query, start, end, lanes):
    """Each matching event in the window, once per lane it belongs to, in reading order."""
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


def unit_start(day, unit):
    """The first day of the day, week (Monday), month, quarter or year that holds `day`."""
    if unit == "day":
        return day
    if unit == "week":
        return day - datetime.timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "quarter":
        return datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return datetime.date(day.year, 1, 1)


def unit_end(day, unit):
    """The last day of the unit that starts at `day`."""
    if unit == "day":
        return day
    if unit == "week":
        return day + datetime.timedelta(days=6)
    months = {"month": 1, "quarter": 3, "year": 12}[unit]
    following = day.month - 1 + months
    return datetime.date(day.year + following // 12, following % 12 + 1, 1) - datetime.timedelta(days=1)


def day_text(day):
    return f"{day.day} {day:%b %Y}"


def period_text(day, unit):
    """The unit that starts at `day` in words, as a bar's and an axis tick's names say it: "3 Mar 2025",
    "the week of 3 Mar 2025", "Mar 2025", "Jan to Mar 2025", "2025". Months are abbreviated as the
    axis shows them: a tick's name holds its visible label (axe's label-content-name-mismatch)."""
    if unit == "day":
        return day_text(day)
    if unit == "week":
        return f"the week of {day_text(day)}"
    if unit == "month":
        return f"{day:%b %Y}"
    if unit == "quarter":
        return f"{day:%b} to {unit_end(day, unit):%b %Y}"
    return str(day.year)


def unit_number(day, unit):
    """The unit that holds `day`, numbered so that consecutive units have consecutive numbers."""
    if unit == "day":
        return day.toordinal()
    if unit == "week":
        return unit_start(day, "week").toordinal() // 7
    months = {"month": 1, "quarter": 3, "year": 12}[unit]
    return (day.year * 12 + day.month - 1) // months


def unit_count(start, end, unit):
    """How many units of this kind the window [start, end] touches: worked out, not walked (walking
    the days of an eleven-year window, for each finer unit, took half the chart's time)."""
    return unit_number(end, unit) - unit_number(start, unit) + 1


def finest_unit(start, end, most):
    """The finest of UNITS that draws the window in at most `most` bars (years, however many)."""
    return next((unit for unit in UNITS if unit_count(start, end, unit) <= most), "year")


def bin_rows(query, start, end, lanes, unit):
    """[(lane, first day of the unit, events)] for each unit of the window with events, by start date.

    Months, quarters and years are ANDs of the index's month-of-start sets; weeks and days (a
    window of a few dozen at most) walk the window's events.
    """
    index = query.index
    window = query.window_bits(start, end)
    actor_sets = index.options.get("actor", {})
    lane_sets = [(lane, window & actor_sets.get(str(lane), 0)) for lane, _ in lanes] if lanes else [(None, window)]
    rows = []
    for lane, bits in lane_sets:
        counts = Counter()
        if unit in ("month", "quarter", "year"):
            for number, starting in index.starting.items():
                if n := (bits & starting).bit_count():
                    counts[unit_start(datetime.date(number // 12, number % 12 + 1, 1), unit)] += n
        else:
            for pos in index.each(bits):
                counts[unit_start(datetime.date.fromordinal(index.dates[pos]), unit)] += 1
        rows.extend((lane, day, n) for day, n in counts.items())
    return rows
