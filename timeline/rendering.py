"""Events rendered on write: the HTML a listing shows for each event, stored with the event.

A reader's first-time filter state shows events nobody asked for before, and rendering them
is most of what such a request costs. So whatever writes an event, or a record the event
shows, renders the event again in the same transaction (signals.py): the listing then reads
the stored HTML in one query. HTML with searched words marked is still rendered by the
reader (chronology.py), and so is any event whose stored HTML another release of the code
made, until ``manage.py render_events`` has rendered it again.
"""

from django.db.models import prefetch_related_objects
from django.template.loader import get_template

from .caching import release
from .models import Citation, Event, EventRendering, event_parts

BATCH = 500


def rendered(events, words=()):
    """{event id: HTML} of events whose parts are prefetched and categories attached (or prefetched)."""
    template = get_template("events.html#event")
    return {event.pk: template.render({"event": event, "words": words}) for event in events}


def store(event_ids):
    """Render these events from the database as it now is and store their HTML; returns how many."""
    ids = sorted(set(event_ids))
    done = 0
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        events = list(Event.objects.filter(pk__in=batch).select_related("era"))
        if len(events) < len(batch):  # deleted, perhaps after its parts' signals rendered it once more
            EventRendering.objects.filter(event_id__in=set(batch) - {event.pk for event in events}).delete()
        prefetch_related_objects(events, *event_parts(categories=True))
        html = rendered(events)
        EventRendering.objects.bulk_create(
            [EventRendering(event_id=pk, release=release(), html=text) for pk, text in html.items()],
            update_conflicts=True,
            unique_fields=["event"],
            update_fields=["release", "html"],
        )
        done += len(events)
    return done


def stored(event_ids):
    """{event id: HTML} of those of these events rendered by this release of the code."""
    rows = EventRendering.objects.filter(event_id__in=list(event_ids), release=release())
    return dict(rows.values_list("event_id", "html"))


def outdated():
    """Ids of the events with no HTML from this release of the code."""
    current = EventRendering.objects.filter(release=release()).values("event_id")
    return Event.objects.exclude(pk__in=current).values_list("pk", flat=True)


def catch_up():
    """Render every event whose stored HTML is missing or from another release; returns how many."""
    return store(outdated())


def shown_with(instance):
    """Ids of the events whose HTML shows this record, beyond those whose search text holds it (signals.py)."""
    if isinstance(instance, Event.categories.through):
        return {instance.event_id}
    model = type(instance)
    if model._meta.model_name == "source":
        return set(Citation.objects.filter(source=instance).values_list("event_id", flat=True))
    if model._meta.model_name == "era":
        return set(Event.objects.filter(era=instance).values_list("pk", flat=True))
    if model._meta.model_name == "category":
        return set(Event.categories.through.objects.filter(category=instance).values_list("event_id", flat=True))
    return set()
