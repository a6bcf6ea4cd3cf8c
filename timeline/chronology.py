"""The chronology as read: era and month sections, and each event's HTML, cached per data version."""

from dataclasses import dataclass, field
from itertools import groupby

from django.core.cache import cache
from django.db.models import prefetch_related_objects
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from .caching import cache_key
from .dates import DatePrecision
from .models import event_parts

EVENT_HTML_SECONDS = 24 * 3600


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


def render_events(events, version):
    """Attach each event's rendered HTML, from the cache when this data version has it.

    Only events missing from the cache have their actors, categories and citations
    fetched, so a warm page costs one query for its events whatever they hold.
    """
    keys = {event.pk: cache_key(version, "event-html", event.pk) for event in events}
    cached = cache.get_many(list(keys.values()))
    missing = [event for event in events if keys[event.pk] not in cached]
    if missing:
        prefetch_related_objects(missing, *event_parts())
        template = get_template("events.html#event")
        fresh = {keys[e.pk]: template.render({"event": e}) for e in missing}
        cache.set_many(fresh, timeout=EVENT_HTML_SECONDS)
        cached.update(fresh)
    for event in events:
        event.html = mark_safe(cached[keys[event.pk]])  # noqa: S308 (rendered by our own template)
    return events
