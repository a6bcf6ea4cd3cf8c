"""Keep the search text in step with curated edits.

Edits in the admin are handled at once. Inside ``corpus_changes()`` (a reload, the
benchmark generator) they are collected and handled once, at the end. The data version
needs no signal: database triggers keep it (see caching.py).
"""

import threading
from contextlib import contextmanager

from django.db.models.signals import post_delete, post_save

from .models import STATEMENT_MODELS, Actor, Alias, Citation, Event, Participation

_pending = threading.local()


def affected_events(instance):
    """Ids of the events whose search text depends on this record."""
    if isinstance(instance, Event):
        return {instance.pk}
    if isinstance(instance, Citation | Participation):
        return {instance.event_id}
    if isinstance(instance, STATEMENT_MODELS):
        return {instance.event_id} if hasattr(instance, "event_id") else set()
    actor_id = instance.pk if isinstance(instance, Actor) else instance.actor_id
    return set(Participation.objects.filter(actor_id=actor_id).values_list("event_id", flat=True))


def refresh(event_ids):
    if event_ids:
        Event.objects.filter(pk__in=event_ids).refresh_search()


@contextmanager
def corpus_changes():
    if getattr(_pending, "events", None) is not None:
        yield
        return
    _pending.events = set()
    try:
        yield
        refresh(_pending.events)
    finally:
        _pending.events = None


def record(instance):
    events = affected_events(instance)
    if getattr(_pending, "events", None) is None:
        refresh(events)
    else:
        _pending.events |= events


def search_part_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        record(instance)


# Connected per sender: a receiver for every model would turn off Django's fast delete everywhere.
for _model in (Actor, Alias, Citation, Event, Participation, *STATEMENT_MODELS):
    post_save.connect(search_part_changed, sender=_model, dispatch_uid=f"search-{_model.__name__}-saved")
    post_delete.connect(search_part_changed, sender=_model, dispatch_uid=f"search-{_model.__name__}-deleted")
