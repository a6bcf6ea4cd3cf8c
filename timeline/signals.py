"""Keep derived data in step with curated edits: the search text and the data version.

Edits in the admin are handled at once. Inside ``corpus_changes()`` (a reload, the
benchmark generator) they are collected and handled once, at the end.
"""

import threading
from contextlib import contextmanager

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .models import STATEMENT_MODELS, Actor, Alias, Category, Citation, DataVersion, Era, Event, Participation, Source

_pending = threading.local()
CURATED = (Actor, Alias, Category, Citation, Era, Event, Participation, Source, *STATEMENT_MODELS)


def affected_events(instance):
    """Ids of the events whose search text depends on this record."""
    if isinstance(instance, Event):
        return {instance.pk}
    if isinstance(instance, Citation | Participation):
        return {instance.event_id}
    if isinstance(instance, STATEMENT_MODELS):
        return {instance.event_id} if hasattr(instance, "event_id") else set()
    actor_id = instance.pk if isinstance(instance, Actor) else getattr(instance, "actor_id", None)
    if actor_id is None:
        return set()
    return set(Participation.objects.filter(actor_id=actor_id).values_list("event_id", flat=True))


def apply_changes(event_ids):
    alive = Event.objects.filter(pk__in=event_ids)
    if event_ids:
        alive.refresh_search()
    DataVersion.bump()


@contextmanager
def corpus_changes():
    if getattr(_pending, "events", None) is not None:
        yield
        return
    _pending.events, _pending.changed = set(), False
    try:
        yield
        if _pending.changed:
            apply_changes(_pending.events)
    finally:
        _pending.events = None


def record(instance):
    events = affected_events(instance)
    if getattr(_pending, "events", None) is None:
        apply_changes(events)
    else:
        _pending.events |= events
        _pending.changed = True


@receiver(post_save)
@receiver(post_delete)
def corpus_record_changed(sender, instance, raw=False, **kwargs):
    if sender in CURATED and not raw:
        record(instance)


@receiver(m2m_changed, sender=Event.categories.through)
def event_categories_changed(sender, instance, action, **kwargs):
    if action.startswith("post_"):
        record(instance)


def statement_citations_changed(sender, instance, action, **kwargs):
    """A statement's markers change with its citations, so cached pages must not outlive that."""
    if action.startswith("post_") and isinstance(instance, STATEMENT_MODELS):
        record(instance)


for statement_model in STATEMENT_MODELS:
    m2m_changed.connect(statement_citations_changed, sender=statement_model.citations.through)
