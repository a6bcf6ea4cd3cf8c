"""Keep the search text and the stored event HTML in step with curated edits.

Edits in the admin are handled at once, in the edit's own transaction. Inside
``corpus_changes()`` (a reload) they are collected and handled once, at the end. A fixture
loaded raw (``loaddata``) drops the stored HTML of what it touches, for readers to render
live until ``render_events``. The data version needs no signal: database triggers keep it
(see caching.py).
"""

import threading
from contextlib import contextmanager

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from timeline.listing import rendering, search
from timeline.listing.dimensions import DIMENSIONS
from timeline.models import (
    STATEMENT_MODELS,
    Actor,
    Alias,
    Citation,
    Event,
    EventRendering,
    EventStatement,
    Participation,
)

_pending = threading.local()


def affected_events(instance):
    """Ids of the events whose search text depends on this record."""
    if isinstance(instance, Event):
        return {instance.pk}
    if isinstance(instance, Citation | Participation):
        return {instance.event_id}
    if isinstance(instance, STATEMENT_MODELS):
        return {instance.event_id} if hasattr(instance, "event_id") else set()
    if isinstance(instance, Actor | Alias):
        actor_id = instance.pk if isinstance(instance, Actor) else instance.actor_id
        return set(Participation.objects.filter(actor_id=actor_id).values_list("event_id", flat=True))
    return set()


def refresh(searched, shown):
    if searched:
        Event.objects.filter(pk__in=searched).refresh_search()
        search.forget_deleted(Event, searched)
    if searched or shown:
        rendering.store(searched | shown)


@contextmanager
def corpus_changes():
    if getattr(_pending, "searched", None) is not None:
        yield
        return
    _pending.searched, _pending.shown = set(), set()
    try:
        yield
        refresh(_pending.searched, _pending.shown)
    finally:
        _pending.searched = _pending.shown = None


def record(searched, shown=frozenset()):
    if getattr(_pending, "searched", None) is None:
        refresh(searched, set(shown))
    else:
        _pending.searched |= searched
        _pending.shown |= shown


def search_part_changed(sender, instance, raw=False, **kwargs):
    if raw:
        EventRendering.objects.filter(event_id__in=affected_events(instance)).delete()
    else:
        record(affected_events(instance))


def shown_part_saved(sender, instance, raw=False, **kwargs):
    """A term of a dimension (a source, an era, a category): shown in events' HTML, not part of their search text."""
    events = rendering.shown_with(instance)
    if raw:
        EventRendering.objects.filter(event_id__in=events).delete()
    else:
        record(set(), events)


def before_delete(sender, instance, **kwargs):
    """Which events show it, read while its links still exist."""
    instance._shown_in = rendering.shown_with(instance)


def shown_part_deleted(sender, instance, **kwargs):
    record(set(), instance.__dict__.pop("_shown_in", set()))


def links_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """An event's terms of a set (its categories), or a statement's citations, added, removed or cleared."""
    if action == "pre_clear":
        instance._shown_in = links_of(sender, instance, reverse)
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if action == "post_clear":
        events = instance.__dict__.pop("_shown_in", set())
    elif sender in rendering.TERM_LINKS and reverse:
        events = set(pk_set or ())
    else:
        events = links_of(sender, instance, reverse)
    record(set(), events)


def links_of(sender, instance, reverse):
    if sender in rendering.TERM_LINKS:
        return rendering.shown_with(instance) if reverse else {instance.pk}
    return {instance.event_id} if hasattr(instance, "event_id") else set()


# Connected per sender: a receiver for every model would turn off Django's fast delete everywhere.
SEARCH_PARTS = (Actor, Alias, Citation, Event, Participation, *STATEMENT_MODELS)
for _model in SEARCH_PARTS:
    post_save.connect(search_part_changed, sender=_model, dispatch_uid=f"search-{_model.__name__}-saved")
    post_delete.connect(search_part_changed, sender=_model, dispatch_uid=f"search-{_model.__name__}-deleted")
for _model in [d.vocabulary for d in DIMENSIONS if d.vocabulary and d.vocabulary not in SEARCH_PARTS]:
    post_save.connect(shown_part_saved, sender=_model, dispatch_uid=f"shown-{_model.__name__}-saved")
    pre_delete.connect(before_delete, sender=_model, dispatch_uid=f"shown-{_model.__name__}-deleting")
    post_delete.connect(shown_part_deleted, sender=_model, dispatch_uid=f"shown-{_model.__name__}-deleted")
for _through in (*rendering.TERM_LINKS, EventStatement.citations.through):
    m2m_changed.connect(links_changed, sender=_through, dispatch_uid=f"shown-{_through.__name__}-changed")
