"""The chronology as read: year and month headings in time order with era labels, and each event's HTML."""

import datetime
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import prefetch_related_objects
from django.utils.safestring import mark_safe

from timeline.listing import rendering
from timeline.listing.index import event_index
from timeline.models import event_parts


@dataclass
class Run:
    """Consecutive events of one period; `era` is set when an era begins with the first of them."""

    era: object
    events: list


@dataclass
class Period:
    """A month, or a year when the events of its place in time are known only to the year."""

    label: str
    key: str
    runs: list = field(default_factory=list)


@dataclass
class YearSection:
    label: str
    key: str
    periods: list = field(default_factory=list)

    @property
    def count(self):
        return sum(len(run.events) for period in self.periods for run in period.runs)


def place(event):
    """(year key, year label, period key, period label) of where the event sits in time.

    That is the event's own date, or for one that follows another (Event.follows), the
    date it inherits in its sort key, so it stays under the heading it is read in.
    """
    if not event.sort_key:
        return ("undated", "Undated", "undated", "No date in the articles")
    day = datetime.date.fromisoformat(event.sort_key[:10])
    if event.sort_key[11] == "0":
        return (str(day.year), str(day.year), str(day.year), f"{day.year}, month not known")
    return (str(day.year), str(day.year), f"{day:%Y-%m}", f"{day:%B %Y}")


def group_events(events):
    """Year and month headings in time order, undated last; an era is labelled where it begins on the page.

    Headings follow the order of the events, so no heading repeats and no era reorders time.
    """
    sections, seen_eras = [], set()
    for (year_key, year_label), year_events in groupby(events, key=lambda e: place(e)[:2]):
        section = YearSection(year_label, year_key)
        for (period_key, period_label), period_events in groupby(year_events, key=lambda e: place(e)[2:]):
            period = Period(period_label, period_key)
            for event in period_events:
                if event.era_id not in seen_eras:
                    seen_eras.add(event.era_id)
                    period.runs.append(Run(event.era, [event]))
                elif period.runs:
                    period.runs[-1].events.append(event)
                else:
                    period.runs.append(Run(None, [event]))
            section.periods.append(period)
        sections.append(section)
    return sections


def sections(events, by_relevance=False):
    """(sections of a page's events, sections of those a date range lists apart): see EventQuery.parts."""
    if by_relevance:
        return best_matches(events), []
    known = [event for event in events if not getattr(event, "apart", False)]
    apart = [event for event in events if getattr(event, "apart", False)]
    return group_events(known), group_events(apart)


def best_matches(events):
    """One flat section in relevance order: dates are shown on each event."""
    if not events:
        return []
    return [YearSection("Best matches", "relevance", [Period("Most relevant first", "relevance", [Run(None, events)])])]


def attach_html(events, version, words=()):
    """Attach each event's HTML (the searched words marked): stored by the writer, else rendered here.

    The writer stores each event's HTML with the places a search marks words in (rendering.py),
    so a page reads its fifty events in one query, the first time or not. An event with no stored
    HTML from this release (after a deploy, until ``manage.py render_events``) has its actors,
    citations and statements fetched and is rendered live (its categories come from the event index).
    """
    html = rendering.stored((event.pk for event in events), words)
    missing = [event for event in events if event.pk not in html]
    if missing:
        prefetch_related_objects(missing, *event_parts(categories=False))
        event_index(version).attach_categories(missing)
        html.update(rendering.rendered(missing, words))
    for event in events:
        event.html = mark_safe(html[event.pk])  # noqa: S308 (rendered by our own template)
    return events
